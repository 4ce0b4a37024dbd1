/**
 * Pending actions: every side effect waits here for a confirmation bound to what was read back.
 *
 * Exactly-once rests on one rule: the pending → executing transition is a durable compare-and-set
 * in the store, taken before the GitHub call. Whoever wins it executes; every other confirm (a
 * click racing a voice "confirm", a duplicated request, a replay after restart) loses it and is
 * told the action is already done or running. A write is never retried: after an ambiguous failure
 * the outcome is reconciled by reading GitHub, never by sending again.
 */
import { AppError, isAppError } from '../../contract/errors.js';
import type { ActionKind, ActionState, PendingActionView } from '../../contract/response.js';
import { actionModule } from '../commands/index.js';
import type { AgentDispatchConfig, ExecuteDeps, Settlement } from '../commands/types.js';
import type { Clock, Logger, RandomSource } from '../ports/clock.js';
import type { GitHubGateway } from '../ports/github.js';
import type { Metrics } from '../ports/metrics.js';
import type { PendingActionRecord, Repositories } from '../ports/store.js';
import { shortSha } from '../responses/text.js';
import { DEFAULT_POLICY, type PolicyConfig } from './policy.js';

export { AGENT_PROVIDERS, type AgentProvider } from '../../contract/api.js';
export type { AgentDispatchConfig } from '../commands/types.js';
export { copilotNotAssigned } from '../commands/agentDelegate.js';

/** Token length in bytes: 128 bits of entropy at least (CF-1). */
export const TOKEN_BYTES = 16;
/** Wrong spoken numbers tolerated before the action is cancelled. */
export const MAX_FAILED_CONFIRMATIONS = 3;

const AMBIGUOUS: ReadonlySet<string> = new Set(['outcome_unknown', 'github_unavailable', 'github_timeout']);

export interface ActionServiceDeps {
  repos: Repositories;
  github: GitHubGateway;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  metrics: Metrics;
  /** Identifies the monotonic clock's epoch (e.g. the OS boot); actions from another epoch are expired. */
  bootId: string;
  agent: AgentDispatchConfig;
  /**
   * Tests only: awaited between a confirmation's state check and its compare-and-set, so a
   * scheduler (fast-check) can run other confirmations inside that window. Absent in the app:
   * exactly-once must rest on the compare-and-set, never on the window being synchronous.
   */
  interleave?: (point: 'confirm.check-to-cas') => Promise<void>;
  /** Merge gates, re-checked on the confirmed head SHA just before merging. Default DEFAULT_POLICY. */
  policy?: PolicyConfig;
  /**
   * The public correlation marker of an agent dispatch (issue body, Copilot instructions) for an
   * action token: a keyed MAC in the app (main/agent/dispatchMarker.ts), never a part of the token,
   * which would publish confirmation-token bits in a GitHub issue.
   */
  dispatchMarker: (token: string) => string;
}

export interface NewAction {
  kind: ActionKind;
  sessionId: string;
  userId: string;
  repo: string;
  number: number | null;
  headSha: string | null;
  params: Record<string, unknown>;
  readBack: string;
  /** Lifetime in ms (monotonic). */
  ttlMs: number;
  correlationId: string;
}

export class ActionService {
  constructor(private readonly deps: ActionServiceDeps) {}

  /** Creates and durably stores a pending action; audits the request. */
  create(a: NewAction): PendingActionRecord {
    const { clock, random, repos, bootId } = this.deps;
    const now = clock.nowMs();
    const rec: PendingActionRecord = {
      token: random.hex(TOKEN_BYTES),
      sessionId: a.sessionId,
      userId: a.userId,
      kind: a.kind,
      repo: a.repo,
      number: a.number,
      headSha: a.headSha,
      params: a.params,
      readBack: a.readBack,
      state: 'pending',
      createdAtMs: now,
      expiresAtMs: now + a.ttlMs,
      deadlineMonoMs: clock.monotonicMs() + a.ttlMs,
      bootId,
      failedConfirmations: 0,
      outcome: null,
      outcomeMessage: null,
      result: null,
      updatedAtMs: now,
    };
    repos.pendingActions.insert(rec);
    this.audit(rec, a.correlationId, 'requested', { headSha: a.headSha });
    return rec;
  }

  /** A view of the action for responses and the UI. */
  view(rec: PendingActionRecord): PendingActionView {
    return {
      token: rec.token,
      kind: rec.kind,
      expires_at: new Date(rec.expiresAtMs).toISOString(),
      expires_in_ms: rec.bootId === this.deps.bootId ? Math.max(0, Math.min(rec.deadlineMonoMs - this.deps.clock.monotonicMs(), rec.expiresAtMs - this.deps.clock.nowMs())) : 0,
      summary: rec.readBack,
      repo: rec.repo,
      number: rec.number,
      head_sha: rec.headSha,
    };
  }

  /**
   * Expired when either clock says so: the monotonic one (a wall-clock step back cannot extend
   * an action) or the wall clock (the monotonic clock stops while the machine sleeps, so only
   * the wall clock notices that a laptop was suspended for an hour with a merge pending).
   */
  isExpired(rec: PendingActionRecord): boolean {
    return rec.bootId !== this.deps.bootId || this.deps.clock.monotonicMs() > rec.deadlineMonoMs || this.deps.clock.nowMs() > rec.expiresAtMs;
  }

  /** Pending (unexpired) actions of a session, newest first; overdue ones are expired on the way. */
  pendingForSession(sessionId: string, correlationId: string): PendingActionRecord[] {
    const out: PendingActionRecord[] = [];
    for (const rec of this.deps.repos.pendingActions.listBySession(sessionId, ['pending'])) {
      if (this.isExpired(rec)) this.expire(rec, correlationId);
      else out.push(rec);
    }
    return out;
  }

  /**
   * Confirms by token (a click, the API, or a voice command that picked the action).
   * Returns the settled record (done, failed, or executing when the outcome is still unknown).
   * Throws AppError token_invalid | token_expired | token_used | action_cancelled.
   */
  async confirm(token: string, userId: string, via: 'click' | 'voice' | 'api', correlationId: string): Promise<PendingActionRecord> {
    const { repos } = this.deps;
    const rec = repos.pendingActions.get(token);
    // A token of another user is reported exactly like a forged one.
    if (!rec || rec.userId !== userId) throw new AppError('token_invalid', 'That confirmation token is not valid.');
    if (rec.state === 'pending' && this.isExpired(rec)) {
      this.expire(rec, correlationId);
      throw new AppError('token_expired', 'That confirmation expired; nothing was done.');
    }
    switch (rec.state) {
      case 'expired':
        throw new AppError('token_expired', 'That confirmation expired; nothing was done.');
      case 'cancelled':
        throw new AppError('action_cancelled', 'That action was cancelled; nothing was done.');
      case 'executing':
        throw new AppError('token_used', 'That action is already running.');
      case 'done':
      case 'failed':
        throw new AppError('token_used', 'That action was already confirmed.');
      case 'pending':
        break;
    }
    if (this.deps.interleave) await this.deps.interleave('confirm.check-to-cas');
    const won = repos.pendingActions.transition(token, ['pending'], 'executing', { updatedAtMs: this.deps.clock.nowMs() });
    if (!won) {
      // Lost the race to a concurrent confirm or cancel: report what the winner did.
      const now = repos.pendingActions.get(token);
      if (now?.state === 'cancelled') throw new AppError('action_cancelled', 'That action was cancelled; nothing was done.');
      if (now?.state === 'expired') throw new AppError('token_expired', 'That confirmation expired; nothing was done.');
      throw new AppError('token_used', 'That action was already confirmed.');
    }
    this.deps.metrics.increment(`confirm.${via}`);
    this.audit(won, correlationId, 'executing', { via });
    return this.execute(won, correlationId);
  }

  /** Cancels a pending action. Throws like confirm() when it is not pending. */
  cancel(token: string, userId: string, correlationId: string): PendingActionRecord {
    const { repos, clock } = this.deps;
    const rec = repos.pendingActions.get(token);
    if (!rec || rec.userId !== userId) throw new AppError('token_invalid', 'That confirmation token is not valid.');
    const cancelled = repos.pendingActions.transition(token, ['pending'], 'cancelled', {
      outcome: 'cancelled',
      outcomeMessage: 'Cancelled; nothing was done.',
      updatedAtMs: clock.nowMs(),
    });
    if (!cancelled) {
      const now = repos.pendingActions.get(token);
      if (now?.state === 'cancelled') return now;
      if (now?.state === 'expired') throw new AppError('token_expired', 'That confirmation had already expired; nothing was done.');
      throw new AppError('token_used', 'Too late to cancel: that action was already confirmed.');
    }
    this.audit(cancelled, correlationId, 'cancelled', null);
    return cancelled;
  }

  /** Counts a wrong spoken confirmation; the third cancels the action. Returns the count. */
  recordWrongConfirmation(rec: PendingActionRecord, correlationId: string): number {
    const n = this.deps.repos.pendingActions.incrementFailedConfirmations(rec.token);
    if (n >= MAX_FAILED_CONFIRMATIONS) {
      const c = this.deps.repos.pendingActions.transition(rec.token, ['pending'], 'cancelled', {
        outcome: 'cancelled',
        outcomeMessage: 'Cancelled after three confirmations that did not match.',
        updatedAtMs: this.deps.clock.nowMs(),
      });
      if (c) this.audit(c, correlationId, 'cancelled', { reason: 'wrong_confirmations' });
    }
    return n;
  }

  /**
   * At start-up and periodically: pending actions of earlier runs expire; actions left executing
   * by a crash are reconciled by reading GitHub — never executed again.
   */
  async reconcile(correlationId: string): Promise<{ expired: number; reconciled: number }> {
    const { repos } = this.deps;
    let expired = 0;
    let reconciled = 0;
    for (const rec of repos.pendingActions.listByState(['pending'])) {
      if (this.isExpired(rec)) {
        this.expire(rec, correlationId);
        expired++;
      }
    }
    for (const rec of repos.pendingActions.listByState(['executing'])) {
      // Only settle actions that are not being executed right now by this process (the store's
      // single-writer lock rules out another process).
      if (this.inFlight.has(rec.token)) continue;
      await this.settleUnknown(rec, correlationId);
      reconciled++;
    }
    return { expired, reconciled };
  }

  private readonly inFlight = new Set<string>();

  private expire(rec: PendingActionRecord, correlationId: string): void {
    const e = this.deps.repos.pendingActions.transition(rec.token, ['pending'], 'expired', {
      outcome: 'expired',
      outcomeMessage: 'Expired before it was confirmed; nothing was done.',
      updatedAtMs: this.deps.clock.nowMs(),
    });
    if (e) this.audit(e, correlationId, 'expired', null);
  }

  private async execute(rec: PendingActionRecord, correlationId: string): Promise<PendingActionRecord> {
    const t0 = this.deps.clock.monotonicMs();
    this.inFlight.add(rec.token);
    try {
      const r = await this.run(rec);
      return this.settle(rec, r.state, r.outcome, r.message, r.result ?? null, correlationId);
    } catch (e) {
      const err = isAppError(e) ? e : new AppError('internal', 'Unexpected failure.', undefined, { cause: e });
      if (AMBIGUOUS.has(err.code)) return this.settleUnknown(rec, correlationId);
      let newHead: string | null = null;
      if (err.code === 'head_moved' && rec.number !== null) {
        // Tell the user what changed; the merge itself is never re-sent with the new SHA.
        newHead = await this.deps.github.getPullRequest(rec.repo, rec.number).then((pr) => pr.headSha, () => null);
      }
      const gate = typeof err.details?.['gate'] === 'string' ? { gate: err.details['gate'] } : {};
      const result = newHead || gate.gate ? { ...(newHead ? { newHeadSha: newHead } : {}), ...gate } : null;
      return this.settle(rec, 'failed', err.code, failureMessage(rec, err, newHead), result, correlationId);
    } finally {
      this.inFlight.delete(rec.token);
      this.deps.metrics.observe(`execute.${rec.kind}`, this.deps.clock.monotonicMs() - t0);
    }
  }

  /** Sends the one write this action stands for, through its command's action module. Throws AppError on failure. */
  private async run(rec: PendingActionRecord): Promise<Settlement> {
    const m = actionModule(rec.kind);
    return m.execute(rec, m.payload(rec.params), this.executeDeps());
  }

  private executeDeps(): ExecuteDeps {
    return { github: this.deps.github, policy: this.deps.policy ?? DEFAULT_POLICY, agent: this.deps.agent, dispatchMarker: this.deps.dispatchMarker };
  }

  /**
   * The write may or may not have happened. Read GitHub to find out; never send it again.
   * Leaves the action `executing` when even the read fails, so a later reconcile settles it.
   */
  private async settleUnknown(rec: PendingActionRecord, correlationId: string): Promise<PendingActionRecord> {
    try {
      const m = actionModule(rec.kind);
      const r = m.reconcile ? await m.reconcile(rec, m.payload(rec.params), this.executeDeps()) : null;
      if (r !== null) return this.settle(rec, r.state, r.outcome, r.message, r.result ?? null, correlationId);
    } catch (e) {
      const code = isAppError(e) ? e.code : 'internal';
      this.deps.logger.warn({ correlationId, token: rec.token.slice(0, 8), code }, 'reconciliation read failed; will retry later');
      const still = this.deps.repos.pendingActions.get(rec.token) ?? rec;
      this.audit(still, correlationId, 'outcome_unknown', { code });
      return { ...still, outcome: 'outcome_unknown', outcomeMessage: `I could not tell whether that went through, and I did not send it again. I will check again.` };
    }
    // No cheap read-back for this kind (comments, reviews, unsubscribes, dispatch issues): report, never resend.
    return this.settle(rec, 'failed', 'outcome_unknown', `GitHub did not answer clearly, so I can't tell whether it went through. I did not send it again; check on GitHub.`, null, correlationId);
  }

  private settle(
    rec: PendingActionRecord,
    state: ActionState,
    outcome: string,
    message: string,
    result: Record<string, unknown> | null,
    correlationId: string,
  ): PendingActionRecord {
    const settled = this.deps.repos.pendingActions.transition(rec.token, ['executing'], state, {
      outcome,
      outcomeMessage: message,
      result,
      updatedAtMs: this.deps.clock.nowMs(),
    });
    const final = settled ?? this.deps.repos.pendingActions.get(rec.token) ?? rec;
    if (settled) this.audit(settled, correlationId, outcome, result);
    return final;
  }

  private audit(rec: PendingActionRecord, correlationId: string, outcome: string, detail: Record<string, unknown> | null): void {
    this.deps.repos.audit.append({
      atMs: this.deps.clock.nowMs(),
      userId: rec.userId,
      sessionId: rec.sessionId,
      correlationId,
      action: rec.kind,
      target: rec.number === null ? rec.repo : `${rec.repo}#${rec.number}`,
      token: rec.token,
      outcome,
      detail,
    });
  }
}

function failureMessage(rec: PendingActionRecord, err: AppError, newHead: string | null): string {
  const what = rec.number === null ? rec.repo : `PR ${rec.number}`;
  const not = actionModule(rec.kind).notDone ?? 'Not done';
  switch (err.code) {
    case 'head_moved':
      return newHead
        ? `${not}: ${what} changed after the read-back. Its head moved from ${shortSha(rec.headSha ?? '')} to ${shortSha(newHead)}. Say read it to hear what changed.`
        : `${not}: ${what} changed after the read-back; its head is no longer ${shortSha(rec.headSha ?? '')}. Say read it to hear what changed.`;
    case 'not_mergeable':
      return err.details?.['gate'] !== undefined ? `${not}: ${err.message}` : `${not}: GitHub says ${what} can't be merged right now. ${err.message}`;
    case 'policy_denied':
      return `${not}: ${what} no longer passes ${gateName(typeof err.details?.['gate'] === 'string' ? err.details['gate'] : 'settings')}. ${err.message}`;
    case 'already_merged':
      return `${what} was already merged.`;
    default:
      return `That failed: ${err.message}`;
  }
}

/** The merge gate as the user hears it. */
function gateName(gate: string): string {
  switch (gate) {
    case 'checks_failing':
      return 'the checks gate: a check failed since the read-back';
    case 'checks_pending':
      return 'the checks gate: a check is running again';
    case 'changes_requested':
      return 'the review gate: changes were requested';
    case 'approvals':
      return 'the approvals gate';
    default:
      return 'your merge settings';
  }
}
