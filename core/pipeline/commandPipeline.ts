/**
 * The command pipeline: text → intent → (session context) → plan → GitHub → spoken response.
 * Pure orchestration over ports; every transport (CLI, HTTP, IPC, voice loop) calls this.
 */
import type { AgentTaskView } from '../../contract/api.js';
import { APP_ERROR_CODES, AppError, isAppError, type AppErrorCode } from '../../contract/errors.js';
import type { IssueSummary, PullRequestDetail } from '../../contract/github.js';
import type { Intent, IntentEntities, IntentName, MergeMethod, ProfileName } from '../../contract/intent.js';
import type { ActionKind, CommandResponse, OutcomeCard } from '../../contract/response.js';
import { ActionService, type ActionServiceDeps } from '../actions/actionService.js';
import { isActionAllowed, policyFor, type PolicyConfig } from '../actions/policy.js';
import { actionModule, commandModule } from '../commands/index.js';
import { NEEDS_DIALOG, type ActionModule, type AgentDispatchConfig, type CommandIntent, type CommandTools, type Outcome, type PlannedAction } from '../commands/types.js';
import { helpExamples } from '../intent/catalog.js';
import { recognize } from '../intent/recognizer.js';
import type { Clock, Logger, RandomSource } from '../ports/clock.js';
import type { GitHubGateway } from '../ports/github.js';
import type { Metrics } from '../ports/metrics.js';
import type { CommandRecord, InboxRef, PendingActionRecord, Repositories, SessionState } from '../ports/store.js';
import { profileOf, type Profile } from '../session/profiles.js';
import { attentionOrder, spokenError } from '../responses/speak.js';
import { fitWordBudget, joinNames, MAX_TTS_CHARS } from '../responses/text.js';

export { NEEDS_DIALOG } from '../commands/types.js';

/** Longest command accepted, in characters. */
export const MAX_TEXT_CHARS = 2_000;
/** How long the list of known repos is reused before asking GitHub again, in ms. */
const KNOWN_REPOS_TTL_MS = 5 * 60_000;
/** How long a repo's open-PR numbers are reused (unless the inbox changes first), in ms. */
const OPEN_PRS_TTL_MS = 60_000;
/** How long a "Did you mean 15?" offer waits for a "yes", in ms. */
const SUGGESTION_TTL_MS = 60_000;
/** Answers that take an offered number ("Did you mean 15?" → "yes"). */
const AFFIRMATIVE = /^(?:yes|yeah|yep|yup|sure|correct|right|ok(?:ay)?|that one|yes please|yes that one|yes i did)[.!]*$/i;

export interface PipelineDeps {
  github: GitHubGateway;
  repos: Repositories;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  metrics: Metrics;
  policy: PolicyConfig;
  bootId: string;
  agent: AgentDispatchConfig;
  /** The agent dispatch marker of an action token (see ActionServiceDeps.dispatchMarker). */
  dispatchMarker: ActionServiceDeps['dispatchMarker'];
  /** The user's agent tasks, newest first (agent_tasks); without it agent.status reads the audit log. */
  agentTasks?: (userId: string) => readonly AgentTaskView[];
  /** Tests only: a scheduling point inside confirmations (see ActionServiceDeps.interleave). */
  interleave?: ActionServiceDeps['interleave'];
}

export interface CommandInput {
  text: string;
  userId: string;
  source: CommandRecord['source'];
  sessionId?: string;
  /** Overrides the session's profile for this one command. */
  profile?: ProfileName;
  /** "owner/name" the user is looking at, used when the command names no repo. */
  currentRepo?: string;
  /** The transport's request id; a fresh one is made when absent. */
  correlationId?: string;
  /**
   * Asked with the read-back before a "confirm" in this command executes; false → nothing runs
   * (confirmation_declined). The desktop app passes a native dialog for text typed in its renderer,
   * so a compromised renderer cannot confirm by typing "confirm" either (CF-9).
   */
  confirmGate?: (readBack: string) => Promise<boolean>;
  /**
   * A spoken command's other readings of its PR/issue number, most likely first
   * (Transcript.numberAlternatives): "there is no PR 50" offers the first that exists.
   */
  numberAlternatives?: readonly number[];
}

interface Ctx {
  session: SessionState;
  profile: Profile;
  userId: string;
  correlationId: string;
  currentRepo: string | undefined;
  confirmGate?: (readBack: string) => Promise<boolean>;
  numberAlternatives?: readonly number[];
}

/** What a spoken number was checked against: numbers the user can see or just heard about. */
export interface KnownNumbers {
  readonly repo: string;
  readonly kind: 'pr' | 'issue';
  readonly numbers: readonly number[];
}

export class CommandPipeline {
  readonly actions: ActionService;
  private knownRepos: { repos: string[]; atMonoMs: number } | null = null;
  /** Open PR numbers per repo (lower-case key), from GitHub. */
  private openPrs = new Map<string, { numbers: number[]; atMonoMs: number }>();
  /** Per session: the command a "yes" would run after "Did you mean 15?". In memory only (short-lived). */
  private suggestions = new Map<string, { intent: Intent; atMonoMs: number }>();
  private hintListeners = new Set<(numbers: readonly number[]) => void>();
  private lastHints = '';

  constructor(private readonly deps: PipelineDeps) {
    this.actions = new ActionService(deps);
  }

  /** Runs one command and always answers: domain failures become status 'error' with a spoken explanation. */
  async run(input: CommandInput): Promise<CommandResponse> {
    const { clock, metrics } = this.deps;
    const t0 = clock.monotonicMs();
    const correlationId = safeCorrelationId(input.correlationId) ?? this.deps.random.hex(8);
    const session = this.loadSession(input.sessionId, input.userId);
    const ctx: Ctx = { session, profile: profileOf(input.profile ?? session.profile), userId: input.userId, correlationId, currentRepo: input.currentRepo, ...(input.confirmGate ? { confirmGate: input.confirmGate } : {}), ...(input.numberAlternatives ? { numberAlternatives: input.numberAlternatives } : {}) };
    let intent: Intent = { name: 'unknown', confidence: 0, entities: {} };
    let out: Outcome;
    const timings = { intent: 0, handle: 0 };
    try {
      validateText(input.text);
      const ti = clock.monotonicMs();
      const offer = this.takeSuggestion(session.id);
      intent = offer !== null && AFFIRMATIVE.test(input.text.trim()) ? offer : recognize(input.text, { knownRepos: await this.repoList() });
      timings.intent = clock.monotonicMs() - ti;
      metrics.observe('intent', timings.intent);
      const th = clock.monotonicMs();
      out = await this.handle(intent, ctx);
      timings.handle = clock.monotonicMs() - th;
      metrics.observe('handle', timings.handle);
    } catch (e) {
      out = this.errorOutcome(e, ctx);
    }
    const response = this.finish(out, intent, ctx, t0);
    response.debug.timings_ms = { intent: round3(timings.intent), handle: round3(timings.handle) };
    this.persist(ctx, out, response, input, intent, t0);
    this.publishHints(ctx);
    metrics.observe('command', clock.monotonicMs() - t0);
    metrics.increment(`status.${response.status}`);
    return response;
  }

  /** Confirms a pending action by token (click or API); answers like a spoken "confirm". */
  async confirmToken(token: string, userId: string, via: 'click' | 'voice' | 'api', correlationId?: string): Promise<CommandResponse> {
    return this.byToken(token, userId, correlationId, 'system.confirm', async (ctx) => this.outcomeOf(await this.actions.confirm(token, userId, via, ctx.correlationId)));
  }

  /** Cancels a pending action by token. */
  async cancelToken(token: string, userId: string, correlationId?: string): Promise<CommandResponse> {
    return this.byToken(token, userId, correlationId, 'system.cancel', (ctx) => Promise.resolve(this.outcomeOf(this.actions.cancel(token, userId, ctx.correlationId))));
  }

  /**
   * Plans a delegation from structured input (POST /v1/agent/delegate): the same read-back and
   * pending action as the spoken "ask the agent to fix issue 918 in acme/api"; still needs a confirm.
   */
  async delegate(req: { repo: string; issue: number; instruction?: string }, userId: string, sessionId?: string, correlationId?: string): Promise<CommandResponse> {
    const intent = { name: 'agent.delegate', confidence: 1, entities: { repo: req.repo, issue: req.issue, ...(req.instruction ? { instruction: req.instruction } : {}) } } as Intent;
    return this.planStructured(intent, `[agent.delegate ${req.repo}#${req.issue}]`, userId, sessionId, correlationId);
  }

  /**
   * Plans a merge or a review request from structured input (POST /v1/actions/merge,
   * /request-review): the same policy gates, read-back and pending action as the spoken command;
   * nothing happens on GitHub until the token is confirmed.
   */
  async planAction(
    req:
      | { kind: 'pr.merge'; repo: string; number: number; method?: MergeMethod }
      | { kind: 'pr.request_review'; repo: string; number: number; reviewers: string[] }
      | { kind: 'pr.rerun_checks'; repo: string; number: number },
    userId: string,
    sessionId?: string,
    correlationId?: string,
  ): Promise<CommandResponse> {
    const intent = (
      req.kind === 'pr.merge'
        ? { name: 'pr.merge', confidence: 1, entities: { repo: req.repo, number: req.number, ...(req.method ? { method: req.method } : {}) } }
        : req.kind === 'pr.rerun_checks'
          ? { name: 'pr.rerun_checks', confidence: 1, entities: { repo: req.repo, number: req.number } }
          : { name: 'pr.request_review', confidence: 1, entities: { repo: req.repo, number: req.number, reviewers: req.reviewers } }
    ) as Intent;
    return this.planStructured(intent, `[${req.kind} ${req.repo}#${req.number}]`, userId, sessionId, correlationId);
  }

  private async planStructured(intent: Intent, label: string, userId: string, sessionId: string | undefined, correlationId: string | undefined): Promise<CommandResponse> {
    const t0 = this.deps.clock.monotonicMs();
    const cid = safeCorrelationId(correlationId) ?? this.deps.random.hex(8);
    let ctx: Ctx | undefined;
    let out: Outcome;
    try {
      const session = this.loadSession(sessionId, userId);
      ctx = { session, profile: profileOf(session.profile), userId, correlationId: cid, currentRepo: undefined };
      // Structured input names its target exactly: no "did you mean" grounding of numbers.
      out = await this.handle(intent, ctx, false);
    } catch (e) {
      if (!ctx) throw e;
      out = this.errorOutcome(e, ctx);
    }
    const response = this.finish(out, intent, ctx, t0);
    this.persist(ctx, out, response, { text: label, userId, source: 'http' }, intent, t0);
    return response;
  }

  /**
   * PR/issue numbers the user can currently see or just heard (inbox, last PR, pending actions,
   * open PRs fetched for grounding), deduplicated, for speech-to-text hints. `listener` is called
   * with the new list whenever it changes (e.g. after "what needs my attention"); returns an unsubscribe.
   */
  onNumberHints(listener: (numbers: readonly number[]) => void): () => void {
    this.hintListeners.add(listener);
    return () => this.hintListeners.delete(listener);
  }

  /** Start-up and periodic housekeeping: expire stale actions, reconcile interrupted ones. */
  async reconcile(): Promise<{ expired: number; reconciled: number }> {
    return this.actions.reconcile(this.deps.random.hex(8));
  }

  private async byToken(token: string, userId: string, cid: string | undefined, name: IntentName, f: (ctx: Ctx) => Promise<Outcome>): Promise<CommandResponse> {
    const t0 = this.deps.clock.monotonicMs();
    const correlationId = safeCorrelationId(cid) ?? this.deps.random.hex(8);
    const rec = this.deps.repos.pendingActions.get(token);
    const session = this.loadSession(rec && rec.userId === userId ? rec.sessionId : undefined, userId);
    const ctx: Ctx = { session, profile: profileOf(session.profile), userId, correlationId, currentRepo: undefined };
    const intent = { name, confidence: 1, entities: {} } as Intent;
    let out: Outcome;
    try {
      out = await f(ctx);
    } catch (e) {
      out = this.errorOutcome(e, ctx);
    }
    const response = this.finish(out, intent, ctx, t0);
    this.persist(ctx, out, response, { text: `[${name} by token]`, userId, source: 'http' }, intent, t0);
    return response;
  }

  /** Runs the intent's command module; `spoken` grounds spoken numbers ("Did you mean 15?"). */
  private async handle(intent: Intent, ctx: Ctx, spoken = true): Promise<Outcome> {
    if (intent.name === 'unknown') return this.notUnderstood(intent.entities);
    const name: CommandIntent = intent.name;
    const tools = this.tools(intent, ctx, spoken);
    return commandModule(name).run(intent.entities, tools);
  }

  /** What a command module may use: the session, the ports, and the shared steps below. */
  private tools(intent: Intent, ctx: Ctx, spoken: boolean): CommandTools {
    const { deps } = this;
    const grounding = spoken ? intent : undefined;
    return {
      get session() {
        return ctx.session;
      },
      get profile() {
        return ctx.profile;
      },
      userId: ctx.userId,
      correlationId: ctx.correlationId,
      ...(ctx.confirmGate ? { confirmGate: ctx.confirmGate } : {}),
      github: deps.github,
      repos: deps.repos,
      clock: deps.clock,
      logger: deps.logger,
      policy: deps.policy,
      agent: deps.agent,
      ...(deps.agentTasks ? { agentTasks: deps.agentTasks } : {}),
      intent,
      setProfile: (p) => {
        ctx.session.profile = p.name;
        ctx.profile = p;
      },
      fetchPr: (e) => this.fetchPr(e, ctx, grounding),
      fetchIssue: (repo, number) => this.groundedIssue(repo, number, ctx, grounding),
      canonicalRepo: (repo) => this.canonicalRepo(repo),
      guessRepo: (number) => this.guessRepo(number, ctx),
      currentNotification: () => currentNotification(ctx),
      listNotifications: async (opts) => {
        // Snoozed threads (whoever snoozed: the inbox is the token owner's) stay out until their snooze fires.
        const hidden = new Set(deps.repos.snoozes.hiddenIds());
        const items = attentionOrder((await deps.github.listNotifications()).filter((n) => !hidden.has(n.id)));
        // The inbox is what the user now sees: numbers checked from here on use fresh open-PR lists.
        if (opts?.fresh) this.openPrs.clear();
        return items;
      },
      allow: (repo, kind) => this.allow(repo, kind),
      pending: (action, planned) => this.pending(ctx, action, planned),
      pendingActions: () => this.actions.pendingForSession(ctx.session.id, ctx.correlationId),
      describeAction: (rec) => targetOf(rec),
      confirmAction: async (rec) => this.outcomeOf(await this.actions.confirm(rec.token, ctx.userId, 'voice', ctx.correlationId)),
      cancelAction: (rec) => this.actions.cancel(rec.token, ctx.userId, ctx.correlationId),
      recordWrongConfirmation: (rec) => this.actions.recordWrongConfirmation(rec, ctx.correlationId),
      helpExamples: (i) => helpExamples(i),
    };
  }

  private allow(repo: string, kind: ActionKind): void {
    const v = isActionAllowed(policyFor(this.deps.policy, repo), kind);
    if (!v.ok) throw new AppError('policy_denied', v.reason);
  }

  private pending<P>(ctx: Ctx, action: ActionModule<ActionKind, P>, a: PlannedAction<P>): Outcome {
    if (a.number !== null && action.target.noun === 'PR') ctx.session.lastPr = { repo: a.repo, number: a.number };
    const params = { ...(a.payload as Record<string, unknown>) };
    const rec = this.actions.create({
      kind: action.kind,
      sessionId: ctx.session.id,
      userId: ctx.userId,
      repo: a.repo,
      number: a.number,
      headSha: a.headSha,
      // Planned behind a confirm gate (a renderer call in the desktop app): a spoken "confirm"
      // alone must not run it, or a renderer could plan, open the mic and play "confirm" (CF-9).
      params: ctx.confirmGate ? { ...params, [NEEDS_DIALOG]: true } : params,
      readBack: a.readBack,
      ttlMs: ctx.profile.confirmTtlMs,
      correlationId: ctx.correlationId,
    });
    const view = this.actions.view(rec);
    return { status: 'needs_confirmation', spoken: a.readBack, exact: true, cards: [...a.cards, { kind: 'confirmation', action: view }], pending: view };
  }

  private outcomeOf(rec: PendingActionRecord): Outcome {
    const card = outcomeCard(rec);
    const message = rec.outcomeMessage ?? 'Done.';
    if (rec.state === 'done' || rec.state === 'cancelled') return { status: 'ok', spoken: message, cards: [card] };
    const code: AppErrorCode = rec.state === 'executing' ? 'outcome_unknown' : outcomeCode(rec.outcome);
    return { status: 'error', spoken: message, cards: [card], error: { code, message } };
  }

  // ---- resolution --------------------------------------------------------------------------

  /**
   * Fetches the PR a command names. A spoken number (`intent` given) that GitHub does not have in
   * that repo becomes a question offering the nearest known number ("Did you mean 15?"), which a
   * following "yes" takes; nothing is planned. (Closed or merged PRs keep their own answers.)
   */
  private async fetchPr(e: { repo?: string; number?: number }, ctx: Ctx, intent?: Intent): Promise<PullRequestDetail> {
    const target = await this.resolvePr(e, ctx);
    let pr: PullRequestDetail;
    if (intent !== undefined && e.number !== undefined) {
      try {
        pr = await this.deps.github.getPullRequest(target.repo, target.number);
      } catch (err) {
        // Only a miss costs the extra look-up of what is known.
        if (isAppError(err) && err.code === 'pr_not_found') throw this.notKnown(err.code, 'PR', target.number, await this.knownNumbers(target.repo, 'pr', ctx), intent, ctx);
        throw err;
      }
    } else {
      pr = await this.deps.github.getPullRequest(target.repo, target.number);
    }
    ctx.session.lastPr = { repo: pr.repo, number: pr.number };
    return pr;
  }

  /** getIssue, with the same grounding as fetchPr for a spoken issue number. */
  private async groundedIssue(repo: string, number: number, ctx: Ctx, intent?: Intent): Promise<IssueSummary> {
    if (intent === undefined) return this.deps.github.getIssue(repo, number);
    try {
      return await this.deps.github.getIssue(repo, number);
    } catch (err) {
      if (isAppError(err) && err.code === 'issue_not_found') throw this.notKnown(err.code, 'issue', number, await this.knownNumbers(repo, 'issue', ctx), intent, ctx);
      throw err;
    }
  }

  /**
   * Numbers of `kind` in `repo` the user can see or just heard: inbox items, the last PR, pending
   * actions, and (PRs) the repo's open PRs from GitHub. A failed open-PR listing only narrows the set.
   */
  private async knownNumbers(repo: string, kind: 'pr' | 'issue', ctx: Ctx): Promise<KnownNumbers> {
    const same = (r: string) => r.toLowerCase() === repo.toLowerCase();
    const subject = kind === 'pr' ? 'PullRequest' : 'Issue';
    const out = new Set<number>();
    for (const r of ctx.session.inbox) if (same(r.repo) && r.subjectType === subject && r.number !== null) out.add(r.number);
    if (kind === 'pr' && ctx.session.lastPr && same(ctx.session.lastPr.repo)) out.add(ctx.session.lastPr.number);
    for (const p of this.actions.pendingForSession(ctx.session.id, ctx.correlationId)) {
      if (same(p.repo) && p.number !== null && (kind === 'issue') === (p.kind === 'agent.delegate')) out.add(p.number);
    }
    if (kind === 'pr') for (const n of await this.openPrNumbers(repo)) out.add(n);
    // Unordered: nearestNumber's choice does not depend on the order.
    return { repo, kind, numbers: [...out] };
  }

  private async openPrNumbers(repo: string): Promise<number[]> {
    const key = repo.toLowerCase();
    const now = this.deps.clock.monotonicMs();
    const hit = this.openPrs.get(key);
    if (hit && now - hit.atMonoMs < OPEN_PRS_TTL_MS) return hit.numbers;
    try {
      const numbers = (await this.deps.github.listOpenPullRequests(repo)).filter((p) => p.repo.toLowerCase() === key).map((p) => p.number);
      this.openPrs.set(key, { numbers, atMonoMs: now });
      return numbers;
    } catch {
      return hit?.numbers ?? [];
    }
  }

  /**
   * The "no such number" answer; remembers the offered number for a following "yes". It offers the
   * first of the recognizer's other readings that exists, else a guess from the number alone.
   */
  private notKnown(code: 'pr_not_found' | 'issue_not_found', noun: 'PR' | 'issue', heard: number, known: KnownNumbers, intent: Intent, ctx: Ctx): AppError {
    const best = offeredNumber(heard, known.numbers, ctx.numberAlternatives);
    const lead = `I heard ${noun} ${heard}; there is no ${known.kind === 'pr' ? 'open ' : ''}${noun} ${heard} in ${known.repo}.`;
    if (best === undefined) return new AppError(code, lead);
    // Commands that name an issue carry it in `issue` (agent.delegate, "open issue 918"); PRs in `number`.
    const namesIssue = (intent.entities as { issue?: number }).issue !== undefined;
    const entities = { ...intent.entities, repo: known.repo, ...(namesIssue ? { issue: best } : { number: best }) };
    this.suggestions.set(ctx.session.id, { intent: { ...intent, entities } as Intent, atMonoMs: this.deps.clock.monotonicMs() });
    return new AppError(code, `${lead} Did you mean ${best}? Say yes, or say the number again.`);
  }

  /** The offer waiting for this session's "yes", if still fresh; any command consumes it. */
  private takeSuggestion(sessionId: string): Intent | null {
    const s = this.suggestions.get(sessionId);
    this.suggestions.delete(sessionId);
    if (!s || this.deps.clock.monotonicMs() - s.atMonoMs > SUGGESTION_TTL_MS) return null;
    return s.intent;
  }

  private publishHints(ctx: Ctx): void {
    if (this.hintListeners.size === 0) return;
    const nums = new Set<number>();
    for (const r of ctx.session.inbox) if (r.number !== null) nums.add(r.number);
    if (ctx.session.lastPr) nums.add(ctx.session.lastPr.number);
    for (const v of this.openPrs.values()) for (const n of v.numbers) nums.add(n);
    const list = [...nums].sort((a, b) => a - b);
    const key = list.join(',');
    if (key === this.lastHints) return;
    this.lastHints = key;
    for (const l of this.hintListeners) l(list);
  }

  private async resolvePr(e: { repo?: string; number?: number }, ctx: Ctx): Promise<{ repo: string; number: number }> {
    if (e.number === undefined) {
      const last = ctx.session.lastPr;
      if (!last) throw new AppError('no_context', 'Which pull request? Say a number, like read PR 12.');
      if (e.repo !== undefined && (await this.canonicalRepo(e.repo)) !== last.repo) {
        throw new AppError('no_context', `Which pull request in ${e.repo}? Say a number.`);
      }
      return last;
    }
    const repo = e.repo !== undefined ? await this.canonicalRepo(e.repo) : await this.guessRepo(e.number, ctx);
    return { repo, number: e.number };
  }

  /** Picks the repo for a bare number: the UI's repo, the session's ("use acme/api"), the inbox, the last PR, or the only repo. */
  private async guessRepo(number: number, ctx: Ctx): Promise<string> {
    if (ctx.currentRepo) return this.canonicalRepo(ctx.currentRepo);
    if (ctx.session.repo) return ctx.session.repo;
    const inInbox = [...new Set(ctx.session.inbox.filter((r) => r.number === number).map((r) => r.repo))];
    if (inInbox.length === 1) return inInbox[0]!;
    if (ctx.session.lastPr) return ctx.session.lastPr.repo;
    const repos = await this.repoList();
    if (repos.length === 1) return repos[0]!;
    throw new AppError('no_context', `Which repo is ${number} in? Say, for example, ${number} in ${repos[0] ?? 'owner slash name'}.`.replace('/', ' slash '));
  }

  private async canonicalRepo(repo: string): Promise<string> {
    const known = await this.repoList();
    const hit = known.find((r) => r.toLowerCase() === repo.toLowerCase());
    if (hit) return hit;
    if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) return repo.toLowerCase();
    // A bare name is what the recognizer returns when it matched no known repo, or several.
    const same = known.filter((r) => r.split('/')[1]?.toLowerCase() === repo.toLowerCase());
    if (same.length > 1) throw new AppError('no_context', `Which ${repo} repo: ${joinNames(same.map((r) => r.replace('/', ' slash ')))}?`);
    throw new AppError('unknown_repo', `I don't know a repo called ${repo}.`);
  }

  private async repoList(): Promise<string[]> {
    const now = this.deps.clock.monotonicMs();
    if (this.knownRepos && now - this.knownRepos.atMonoMs < KNOWN_REPOS_TTL_MS) return this.knownRepos.repos;
    try {
      const repos = await this.deps.github.listRepos();
      this.knownRepos = { repos, atMonoMs: now };
      return repos;
    } catch (e) {
      // The recognizer works without repo names; the failure surfaces on the GitHub call that needs it.
      if (this.knownRepos) return this.knownRepos.repos;
      if (isAppError(e) && (e.code === 'no_token' || e.code === 'github_unauthorized')) throw e;
      return [];
    }
  }

  // ---- responses ---------------------------------------------------------------------------

  private notUnderstood(e: IntentEntities['unknown']): Outcome {
    const examples = helpExamples(e.guess);
    const hint = e.guess ? `Did you mean something like "${examples[0]}"? ` : '';
    return {
      status: 'ok',
      spoken: `Sorry, I didn't catch that. ${hint}You can say "what needs my attention", "read PR 12", or "help".`,
      cards: [{ kind: 'help', examples: helpExamples() }],
    };
  }

  private errorOutcome(e: unknown, ctx: Ctx): Outcome {
    const err = isAppError(e) ? e : new AppError('internal', 'Unexpected failure.');
    if (!isAppError(e)) this.deps.logger.error({ correlationId: ctx.correlationId, err: String((e as Error)?.stack ?? e) }, 'command failed');
    else this.deps.logger.info({ correlationId: ctx.correlationId, code: err.code }, 'command error');
    return { status: 'error', spoken: spokenError(err.code, err.message), cards: [], error: { code: err.code, message: err.message } };
  }

  private finish(out: Outcome, intent: Intent, ctx: Ctx, t0: number): CommandResponse {
    let spoken = out.exact ? out.spoken : fitWordBudget(out.spoken, ctx.profile.wordBudget, out.tail);
    if (spoken.length > MAX_TTS_CHARS) spoken = spoken.slice(0, MAX_TTS_CHARS - 1) + '…';
    const response: CommandResponse = {
      status: out.status,
      intent: { name: intent.name, confidence: round3(intent.confidence), entities: { ...intent.entities } },
      spoken_text: spoken,
      cards: out.cards,
      session_id: ctx.session.id,
      debug: { processing_time_ms: round3(this.deps.clock.monotonicMs() - t0), correlation_id: ctx.correlationId },
    };
    if (out.pending) response.pending_action = out.pending;
    if (out.directives) response.directives = out.directives;
    if (out.error) response.error = out.error;
    if (!out.keepLastSpoken) ctx.session.lastSpoken = spoken;
    return response;
  }

  private persist(ctx: Ctx, out: Outcome, response: CommandResponse, input: CommandInput, intent: Intent, t0: number): void {
    void out;
    const { repos, clock, logger } = this.deps;
    try {
      ctx.session.updatedAtMs = clock.nowMs();
      repos.sessions.put(ctx.session);
      repos.commands.append({
        id: this.deps.random.hex(8),
        atMs: clock.nowMs(),
        userId: ctx.userId,
        sessionId: ctx.session.id,
        correlationId: ctx.correlationId,
        source: input.source,
        text: input.text.slice(0, 500),
        intent: intent.name,
        confidence: intent.confidence,
        status: response.status,
        errorCode: response.error?.code ?? null,
        durationMs: clock.monotonicMs() - t0,
      });
    } catch (e) {
      // The action itself (if any) was already persisted by the action service; this is history.
      logger.error({ correlationId: ctx.correlationId, err: String(e) }, 'could not persist session/command log');
    }
  }

  private loadSession(id: string | undefined, userId: string): SessionState {
    const sessionId = id ?? `${userId}.default`.slice(0, 64).replace(/[^A-Za-z0-9_.:-]/g, '_');
    const existing = this.deps.repos.sessions.get(sessionId);
    if (existing) {
      if (existing.userId !== userId) throw new AppError('forbidden', 'That session belongs to another user.');
      return existing;
    }
    const now = this.deps.clock.nowMs();
    return { id: sessionId, userId, profile: 'default', lastPr: null, inbox: [], cursor: -1, lastSpoken: null, createdAtMs: now, updatedAtMs: now };
  }
}

function validateText(text: string): void {
  if (text.trim() === '') throw new AppError('empty_command', 'The command is empty.');
  if (text.length > MAX_TEXT_CHARS) throw new AppError('text_too_long', `The command is ${text.length} characters; the limit is ${MAX_TEXT_CHARS}.`);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    throw new AppError('invalid_encoding', 'The command contains invalid characters (unpaired surrogates).');
  }
}

/** Accepts a transport's request id only when it is short and plain (it ends up in logs and the audit log). */
function safeCorrelationId(id: string | undefined): string | undefined {
  return id !== undefined && /^[A-Za-z0-9_.:-]{1,64}$/.test(id) ? id : undefined;
}

function currentNotification(ctx: Ctx): InboxRef {
  const ref = ctx.session.inbox[ctx.session.cursor];
  if (!ref) throw new AppError('no_context', 'Which notification? Say what needs my attention, then read the first one.');
  return ref;
}

/** "merge PR 12 in acme/api": a pending action as the user hears it named. */
function targetOf(p: PendingActionRecord): string {
  const { verb, noun } = actionModule(p.kind).target;
  if (noun === 'inbox') return verb;
  return `${verb} ${noun}${p.number !== null ? ` ${p.number}` : ''} in ${p.repo}`;
}

function outcomeCard(rec: PendingActionRecord): OutcomeCard {
  return { kind: 'outcome', token: rec.token, action: rec.kind, state: rec.state, outcome: rec.outcome ?? rec.state, message: rec.outcomeMessage ?? '' };
}

function outcomeCode(outcome: string | null): AppErrorCode {
  // Read back after an ambiguous failure: GitHub failed before the write took effect.
  if (outcome === 'not_merged' || outcome === 'not_requested' || outcome === 'not_rerun' || outcome === 'not_assigned') return 'github_unavailable';
  if ((APP_ERROR_CODES as readonly (string | null)[]).includes(outcome)) return outcome as AppErrorCode;
  return 'internal';
}

/**
 * The number "Did you mean …?" offers for `heard`: the first of the recognizer's other readings
 * (Transcript.numberAlternatives) that is known, else nearestNumber. undefined when nothing is known.
 */
export function offeredNumber(heard: number, known: readonly number[], alternatives: readonly number[] = []): number | undefined {
  return alternatives.find((n) => n !== heard && known.includes(n)) ?? nearestNumber(heard, known);
}

/**
 * The known number a mishearing most likely came from: a teen/ty swap first ("fifty" for
 * "fifteen", the commonest number error of the recognizer), then the numerically nearest (ties:
 * the smaller). undefined when nothing is known.
 */
export function nearestNumber(heard: number, known: readonly number[]): number | undefined {
  // Teen ↔ ty, both ways: 13 ↔ 30, …, 19 ↔ 90. (In here, not a module constant: mutation testing skips those.)
  const swap = [13, 14, 15, 16, 17, 18, 19].flatMap((teen) => [[teen, (teen - 10) * 10], [(teen - 10) * 10, teen]]).find(([from]) => from === heard)?.[1];
  if (swap !== undefined && known.includes(swap)) return swap;
  return known.filter((k) => k !== heard).sort((a, b) => Math.abs(a - heard) - Math.abs(b - heard) || a - b)[0];
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

