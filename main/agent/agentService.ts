/**
 * Agent delegation: dispatch exactly once, then correlate the agent's PR.
 *
 * The pipeline plans "ask the agent to fix issue 918" as a pending action; once confirmed, the
 * action service creates the dispatch issue through the gateway. `dispatchGateway()` wraps that
 * gateway so the agent layer owns what happens around the write, without a second code path:
 *
 * - Each dispatch body carries `<!-- handsfree-task: ID -->`; ID becomes the task's correlation id.
 * - Before creating, a task already running for the same issue is reused (no duplicate dispatch),
 *   and an earlier task whose dispatch ended ambiguously is looked up by its marker first.
 * - After an ambiguous failure (timeout, 5xx, reset) the marker is searched: found → that issue is
 *   the result (exactly one issue); not found → the action reports outcome_unknown, never re-sends,
 *   and `reconcile()` keeps looking.
 *
 * Provider `copilot` (assign the issue to GitHub Copilot's coding agent) goes through the same
 * wrapper: the action service's `addAssignees` carries the marker in agent_assignment's
 * custom_instructions. Assigning is idempotent on GitHub's side, but it is still never sent blindly:
 * the issue's assignees are read first (Copilot already there → that is the result), and after an
 * ambiguous failure they are read again instead of re-sending. The task's external id is the issue
 * itself ("acme/api#918"): Copilot's PR links it ("Fixes #918"), which is what correlates it.
 *
 * Correlation: a PR (webhook or polled search) belongs to a task when its author is allow-listed
 * AND its body carries the task's marker or references the dispatch issue. Anyone can copy a
 * marker into a PR, so the author check is what makes it trustworthy (PI-6).
 */
import { isAppError } from '../../contract/errors.js';
import type { IssueSummary, RepoFullName } from '../../contract/github.js';
import type { Logger } from '../../core/ports/clock.js';
import { copilotNotAssigned } from '../../core/actions/actionService.js';
import { isCopilotLogin, type AgentAssignment, type GitHubGateway, type TextSearchHit } from '../../core/ports/github.js';
import type { AppEventBus } from '../app/events.js';
import type { SqlStore } from '../store/index.js';
import { AgentTaskRepository, parseRef, toTaskView, type AgentTask } from './agentTaskStore.js';

export const MARKER_RE = /<!--\s*handsfree-task:\s*([A-Za-z0-9_-]{8,64})\s*-->/;
/** Default accounts whose PRs may complete a task. */
export const DEFAULT_AGENT_AUTHORS = ['Copilot', 'copilot-swe-agent[bot]', 'handsfree-agent[bot]'];
const AMBIGUOUS: ReadonlySet<string> = new Set(['outcome_unknown', 'github_unavailable', 'github_timeout']);

export interface AgentServiceDeps {
  store: SqlStore;
  github: GitHubGateway;
  events: AppEventBus;
  nowMs: () => number;
  dispatchRepo: RepoFullName;
  /** Logins (case-insensitive) whose PRs may complete a task. */
  allowedAuthors?: readonly string[];
  /** Speaks a sentence through the notification announcer (its gates apply). */
  say: (userId: string, text: string) => void;
  randomId: () => string;
  /** The marker of an action token, as the action service put it in the dispatch (dispatchMarker.ts). */
  dispatchMarker: (token: string) => string;
  logger?: Logger;
}

export interface PullRequestSeen {
  repo: string;
  number: number;
  author: string;
  /** Untrusted. */
  body: string;
  htmlUrl: string;
}

export class AgentService {
  readonly tasks: AgentTaskRepository;
  private readonly allowed: Set<string>;

  constructor(private readonly deps: AgentServiceDeps) {
    this.tasks = new AgentTaskRepository(deps.store);
    this.allowed = new Set((deps.allowedAuthors ?? DEFAULT_AGENT_AUTHORS).map((a) => a.toLowerCase()));
  }

  /** The gateway to give the pipeline: every call passes through, dispatch creation is guarded. */
  dispatchGateway(inner: GitHubGateway): GitHubGateway {
    return new Proxy(inner, {
      get: (target, prop, receiver) => {
        if (prop === 'createIssue') {
          return (repo: RepoFullName, issue: { title: string; body: string; labels?: string[] }) => this.createDispatch(target, repo, issue);
        }
        if (prop === 'addAssignees') {
          return (repo: RepoFullName, number: number, assignees: string[], agent?: AgentAssignment) => this.assignCopilot(target, repo, number, assignees, agent);
        }
        // Unbound on purpose: methods run with `this` = the proxy, whose reads and writes reach the
        // target; binding would also break the Proxy invariant for non-configurable properties.
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  }

  private async createDispatch(inner: GitHubGateway, repo: RepoFullName, issue: { title: string; body: string; labels?: string[] }): Promise<IssueSummary> {
    const marker = MARKER_RE.exec(issue.body)?.[1];
    if (!marker || repo.toLowerCase() !== this.deps.dispatchRepo.toLowerCase()) return inner.createIssue(repo, issue);
    const now = this.deps.nowMs();
    let task = this.tasks.byCorrelation(marker);
    if (!task) {
      const action = this.actionFor(marker);
      const target = action ?? { userId: 'unknown', sessionId: null, token: null, repo: '', number: null, instruction: '' };
      // Same issue already with the agent, or dispatched ambiguously before: find that issue first.
      if (target.number !== null) {
        const found = await this.reusePrior(inner, this.tasks.activeFor(target.userId, target.repo, target.number).filter((t) => t.provider !== 'copilot'), now);
        if (found) return found;
      }
      task = this.tasks.insert({
        id: this.deps.randomId(),
        correlationId: marker,
        userId: target.userId,
        sessionId: target.sessionId,
        actionToken: target.token,
        provider: 'github_issue_dispatch',
        repo: target.repo,
        issueNumber: target.number,
        instruction: target.instruction,
        createdAtMs: now,
      });
      this.emit(task);
    } else {
      const found = await this.findDispatch(inner, task);
      if (found) return found;
    }
    try {
      const created = await inner.createIssue(repo, issue);
      this.markDispatched(task, created);
      return created;
    } catch (e) {
      const code = isAppError(e) ? e.code : 'internal';
      if (!AMBIGUOUS.has(code)) {
        const failed = this.tasks.transition(task.id, ['created'], 'failed', { error: isAppError(e) ? e.message : 'Dispatch failed.' }, this.deps.nowMs());
        if (failed) this.emit(failed);
        throw e;
      }
      // Did the issue get created anyway? Search for the marker rather than sending again.
      const hit = await this.searchMarker(inner, marker).catch(() => null);
      if (hit) {
        const summary = hitToIssue(hit);
        this.markDispatched(task, summary);
        return summary;
      }
      this.tasks.noteError(task.id, `outcome_unknown: ${isAppError(e) ? e.message : 'dispatch outcome unknown'}`, this.deps.nowMs());
      throw e;
    }
  }

  /**
   * Hands issue `number` to Copilot (provider copilot): exactly one task, and the assignment only
   * when the issue does not show Copilot already. Anything else passes through unchanged.
   */
  private async assignCopilot(inner: GitHubGateway, repo: RepoFullName, number: number, assignees: string[], agent?: AgentAssignment): Promise<IssueSummary> {
    const marker = MARKER_RE.exec(agent?.customInstructions ?? '')?.[1];
    if (!marker || !assignees.some(isCopilotLogin)) return inner.addAssignees(repo, number, assignees, agent);
    const now = this.deps.nowMs();
    let task = this.tasks.byCorrelation(marker);
    if (!task) {
      const action = this.actionFor(marker);
      const userId = action?.userId ?? 'unknown';
      // Same issue already with Copilot: that task stands, nothing is sent. (A task of the other
      // provider is left alone: its dispatch issue says nothing about Copilot's assignment.)
      const found = await this.reusePrior(inner, this.tasks.activeFor(userId, repo, number).filter((t) => t.provider === 'copilot'), now);
      if (found) return found;
      task = this.tasks.insert({
        id: this.deps.randomId(),
        correlationId: marker,
        userId,
        sessionId: action?.sessionId ?? null,
        actionToken: action?.token ?? null,
        provider: 'copilot',
        repo,
        issueNumber: number,
        instruction: action?.instruction ?? 'Fix the issue.',
        createdAtMs: now,
      });
      this.emit(task);
    } else {
      const found = await this.findDispatch(inner, task);
      if (found) return found;
    }
    // Read before writing: an issue that already shows Copilot needs no second assignment.
    const before = await inner.getIssue(repo, number);
    if (before.assignees.some(isCopilotLogin)) {
      this.markDispatched(task, before);
      return before;
    }
    let after: IssueSummary;
    try {
      after = await inner.addAssignees(repo, number, assignees, agent);
    } catch (e) {
      const code = isAppError(e) ? e.code : 'internal';
      if (!AMBIGUOUS.has(code)) {
        const failed = this.tasks.transition(task.id, ['created'], 'failed', { error: isAppError(e) ? e.message : 'Assignment failed.' }, this.deps.nowMs());
        if (failed) this.emit(failed);
        throw e;
      }
      // Did the assignment land anyway? Read the issue rather than assigning again.
      const seen = await inner.getIssue(repo, number).catch(() => null);
      if (seen?.assignees.some(isCopilotLogin)) {
        this.markDispatched(task, seen);
        return seen;
      }
      this.tasks.noteError(task.id, `outcome_unknown: ${isAppError(e) ? e.message : 'assignment outcome unknown'}`, this.deps.nowMs());
      throw e;
    }
    if (!after.assignees.some(isCopilotLogin)) {
      // 201, yet GitHub dropped the assignee: Copilot is not enabled there or the token can't assign it.
      const err = copilotNotAssigned({ repo, number });
      const failed = this.tasks.transition(task.id, ['created'], 'failed', { error: err.message }, this.deps.nowMs());
      if (failed) this.emit(failed);
      throw err;
    }
    this.markDispatched(task, after);
    return after;
  }

  /**
   * An existing dispatch of `task`, if it has one: its dispatch issue (recorded, or found by its
   * marker), or for copilot the issue itself once it shows Copilot assigned.
   */
  /**
   * Before dispatching again: a prior task of the same issue whose dispatch can be found stands
   * (its issue is returned); one never dispatched is marked superseded.
   * @param now wall-clock epoch ms.
   */
  private async reusePrior(inner: GitHubGateway, priors: readonly AgentTask[], now: number): Promise<IssueSummary | null> {
    for (const prior of priors) {
      const found = await this.findDispatch(inner, prior);
      if (found) return found;
      if (prior.state === 'created') {
        this.tasks.transition(prior.id, ['created'], 'failed', { error: 'Dispatch did not happen; superseded by a new request.' }, now);
      }
    }
    return null;
  }

  private async findDispatch(inner: GitHubGateway, task: AgentTask): Promise<IssueSummary | null> {
    const ref = parseRef(task.externalId);
    if (ref) return inner.getIssue(ref.repo, ref.number);
    if (task.state !== 'created') return null;
    if (task.provider === 'copilot') {
      if (task.issueNumber === null) return null;
      const issue = await inner.getIssue(task.repo, task.issueNumber);
      if (!issue.assignees.some(isCopilotLogin)) return null;
      this.markDispatched(task, issue);
      return issue;
    }
    const hit = await this.searchMarker(inner, task.correlationId).catch(() => null);
    if (!hit) return null;
    const summary = hitToIssue(hit);
    this.markDispatched(task, summary);
    return summary;
  }

  private async searchMarker(inner: GitHubGateway, marker: string): Promise<TextSearchHit | null> {
    const hits = await inner.searchIssuesByText(`handsfree-task: ${marker}`, { repo: this.deps.dispatchRepo, type: 'issue' });
    // Only our own dispatch issues count: the marker must be the hidden comment, in the dispatch repo.
    return hits.find((h) => h.kind === 'issue' && MARKER_RE.exec(h.body)?.[1] === marker) ?? null;
  }

  private markDispatched(task: AgentTask, issue: IssueSummary): void {
    const t = this.tasks.transition(task.id, ['created'], 'running', { externalId: `${issue.repo}#${issue.number}`, result: { dispatchUrl: issue.htmlUrl }, error: null }, this.deps.nowMs());
    if (t) this.emit(t);
  }

  /** The agent.delegate action whose token has this marker (a keyed MAC: computed per candidate, not looked up by prefix). */
  private actionFor(marker: string): { userId: string; sessionId: string | null; token: string; repo: string; number: number | null; instruction: string } | null {
    const r = this.deps.store.all("SELECT token, user_id, session_id, repo, number, params_json FROM pending_actions WHERE kind = 'agent.delegate' ORDER BY rowid DESC").find((row) => this.deps.dispatchMarker(String(row['token'])) === marker);
    if (!r) return null;
    let instruction = '';
    try {
      const p = JSON.parse(String(r['params_json'])) as { instruction?: unknown };
      if (typeof p.instruction === 'string') instruction = p.instruction;
    } catch {
      // params are written by the action service as JSON; an unreadable one just has no instruction
    }
    return { userId: String(r['user_id']), sessionId: r['session_id'] === null ? null : String(r['session_id']), token: String(r['token']), repo: String(r['repo']), number: r['number'] === null ? null : Number(r['number']), instruction: instruction || 'Fix the issue.' };
  }

  /**
   * A PR was seen (webhook or poll). Completes the task it belongs to, if any; returns that task.
   * Not allow-listed authors are ignored whatever the body says.
   */
  onPullRequest(pr: PullRequestSeen): AgentTask | null {
    if (!this.allowed.has(pr.author.toLowerCase())) return null;
    const marker = MARKER_RE.exec(pr.body)?.[1] ?? /handsfree-task:\s*([A-Za-z0-9_-]{8,64})/.exec(pr.body)?.[1];
    let task = marker ? this.tasks.byCorrelation(marker) : undefined;
    if (!task) {
      for (const t of this.tasks.list({ states: ['running', 'needs_input'] })) {
        const d = parseRef(t.externalId);
        if (d && referencesIssue(pr.body, pr.repo, d.repo, d.number)) {
          task = t;
          break;
        }
      }
    }
    if (!task || (task.state !== 'running' && task.state !== 'needs_input')) return null;
    // A task given to Copilot is completed by Copilot's PR only, not by another allow-listed bot.
    if (task.provider === 'copilot' && !isCopilotLogin(pr.author)) return null;
    const done = this.tasks.transition(task.id, ['running', 'needs_input'], 'completed', { prNumber: pr.number, result: { prRepo: pr.repo, prUrl: pr.htmlUrl } }, this.deps.nowMs());
    if (!done) return null;
    this.emit(done);
    const who = done.provider === 'copilot' ? 'Copilot' : 'The agent';
    this.deps.say(done.userId, `${who} opened PR ${pr.number} for issue ${done.issueNumber ?? ''}.`.replace(' .', '.'));
    return done;
  }

  /**
   * Polling fallback (no webhooks): settles ambiguous dispatches by their marker, and looks for
   * agent PRs carrying the marker of each running task (one search per task).
   */
  async reconcile(): Promise<{ dispatched: number; completed: number }> {
    let dispatched = 0;
    let completed = 0;
    for (const t of this.tasks.list({ states: ['created'] })) {
      if (t.error?.startsWith('outcome_unknown') && (await this.findDispatch(this.deps.github, t).catch(() => null))) dispatched++;
    }
    for (const t of this.tasks.list({ states: ['running', 'needs_input'] })) {
      const hits = await this.deps.github.searchIssuesByText(`handsfree-task: ${t.correlationId}`, { type: 'pr' }).catch(() => [] as TextSearchHit[]);
      const d = parseRef(t.externalId);
      const refs = d ? await this.deps.github.searchIssuesByText(`${d.repo}#${d.number}`, { type: 'pr' }).catch(() => [] as TextSearchHit[]) : [];
      // Copilot opens its PR in the issue's repo and links the issue as "Fixes #918".
      const local = d && t.provider === 'copilot' ? await this.deps.github.searchIssuesByText(`#${d.number}`, { repo: d.repo, type: 'pr' }).catch(() => [] as TextSearchHit[]) : [];
      for (const h of [...hits, ...refs, ...local]) {
        if (h.kind !== 'pr') continue;
        if (this.onPullRequest({ repo: h.repo, number: h.number, author: h.author, body: h.body, htmlUrl: h.htmlUrl })) {
          completed++;
          break;
        }
      }
    }
    return { dispatched, completed };
  }

  private emit(t: AgentTask): void {
    this.deps.events.emit('agent.task', toTaskView(t));
  }
}

function hitToIssue(h: TextSearchHit): IssueSummary {
  return { repo: h.repo, number: h.number, title: h.title, author: h.author, state: h.state, labels: [], assignees: [], htmlUrl: h.htmlUrl, body: h.body };
}

/** Whether a PR body links the dispatch issue: "owner/name#5", its URL, or "#5" inside the same repo. */
export function referencesIssue(body: string, prRepo: string, repo: string, number: number): boolean {
  const esc = repo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  if (new RegExp(`(^|[^\\w/.-])${esc}#${number}(?!\\d)`, 'i').test(body)) return true;
  if (new RegExp(`github\\.com/${esc}/issues/${number}(?!\\d)`, 'i').test(body)) return true;
  return prRepo.toLowerCase() === repo.toLowerCase() && new RegExp(`(^|\\s|\\()#${number}(?!\\d)`).test(body);
}
