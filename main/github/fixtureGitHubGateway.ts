/**
 * GitHubGateway over the offline demo account (fixtures/github): mode 'fixture'. Writes change the
 * in-memory state the way GitHub would (see DemoGitHubState); test hooks are prefixed `simulate`
 * or `inject`, and `calls` records every gateway call.
 */
import type {
  CheckSummary,
  CommentResult,
  IssueSummary,
  MergeResult,
  NotificationReason,
  NotificationSubjectType,
  NotificationThread,
  PullRequestDetail,
  PullRequestSummary,
  RateLimitInfo,
  RepoFullName,
  Viewer,
  MergeableState,
} from '../../contract/github.js';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { AppErrorCode } from '../../contract/errors.js';
import { AppError } from '../../contract/errors.js';
import type { MergeMethod } from '../../contract/intent.js';
import type { ActionsJob, AgentAssignment, CheckRunDetail, GitHubGateway, NotificationPoll, PullRequestComment, PullRequestFile, ReviewResult, SubmitReviewRequest, TextSearchHit } from '../../core/ports/github.js';
import type { DemoCheckConclusion, DemoResult } from './demo/demoGitHubState.js';
import { DemoGitHubState } from './demo/demoGitHubState.js';
import { loadDemoFixture, shiftDemoFixture } from './demo/fixtureData.js';
import { actionsJobOf, appErrorFromDemo, checkSummaryOf, issueSummaryOf, pullDetailOf, pullSummaryOf, threadOf } from './demo/demoProjection.js';
import { assertPositiveNumber, assertThreadId, DEFAULT_HTML_BASE_URL, logTail, parseRepoFullName, trimUntrusted } from './githubMapping.js';

export type GatewayMethod = Exclude<keyof GitHubGateway, 'mode' | 'rateLimit'>;

export interface FixtureFault {
  method: GatewayMethod;
  error: AppError | AppErrorCode;
  /** 'before' (default): fail without touching state. 'after': perform the call, then fail (ambiguous outcome). */
  when?: 'before' | 'after';
  /** How many calls it affects (default 1; Infinity for all). */
  times?: number;
}

export interface FixtureGitHubGatewayOptions {
  /** fixtures directory or JSON file; default: this checkout's fixtures/github. */
  path?: string;
  /** Alias of `path`. */
  fixturesDir?: string;
  /** Use an existing state instead of loading (e.g. shared with a fake server in tests). */
  state?: DemoGitHubState;
  htmlBaseUrl?: string;
  /**
   * Demo persistence: successful writes are appended to this JSON-lines file and replayed at
   * construction, so the demo account remembers merges and comments across runs (each CLI call is
   * a new process). Delete the file to reset the demo account.
   */
  journalPath?: string;
  /**
   * Epoch ms to move the demo world to (see shiftDemoFixture): the app passes its clock's now so
   * demo notifications keep their intended ages; tests that pin dates leave it unset.
   */
  shiftToMs?: number;
}

/** Writes recorded in the demo journal, replayed in order onto a freshly loaded fixture. */
const JOURNALED: ReadonlySet<GatewayMethod> = new Set(['mergePullRequest', 'requestReviewers', 'createComment', 'submitReview', 'rerunFailedJobs', 'createIssue', 'addAssignees', 'markThreadDone', 'unsubscribeThread', 'markAllNotificationsRead']);

export class FixtureGitHubGateway implements GitHubGateway {
  readonly mode = 'fixture' as const;
  readonly state: DemoGitHubState;
  /** Every call, in order, with its arguments (test inspection). */
  readonly calls: Array<{ method: GatewayMethod; args: unknown[] }> = [];

  private readonly htmlBase: string;
  private readonly faults: Array<Required<Omit<FixtureFault, 'error'>> & { error: AppError | AppErrorCode }> = [];

  constructor(opts: FixtureGitHubGatewayOptions = {}) {
    this.state =
      opts.state ??
      (opts.shiftToMs === undefined
        ? DemoGitHubState.load(opts.path ?? opts.fixturesDir)
        : new DemoGitHubState(shiftDemoFixture(loadDemoFixture(opts.path ?? opts.fixturesDir), opts.shiftToMs)));
    this.htmlBase = (opts.htmlBaseUrl ?? DEFAULT_HTML_BASE_URL).replace(/\/+$/, '');
    this.journalPath = opts.journalPath;
    if (this.journalPath && existsSync(this.journalPath)) this.replay(this.journalPath);
  }

  private readonly journalPath: string | undefined;

  /** Re-applies journaled writes; a torn or invalid line (e.g. after a crash) ends the replay. */
  private replay(path: string): void {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entry: { method: GatewayMethod; args: unknown[] };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        break;
      }
      const a = entry.args as [never, never, never];
      const st = this.state;
      switch (entry.method) {
        case 'mergePullRequest': {
          const r: { repo: string; number: number; sha: string; method: MergeMethod } = a[0];
          st.merge(r.repo, r.number, { sha: r.sha, method: r.method });
          break;
        }
        case 'requestReviewers':
          st.requestReviewers(a[0], a[1], a[2]);
          break;
        case 'createComment':
          st.addComment(a[0], a[1], a[2]);
          break;
        case 'submitReview': {
          const r = entry.args[0] as SubmitReviewRequest;
          st.submitReview(r.repo, r.number, { event: r.event, commitId: r.commitId, ...(r.body !== undefined ? { body: r.body } : {}) });
          break;
        }
        case 'rerunFailedJobs':
          st.rerunFailedJobs(a[0], a[1]);
          break;
        case 'createIssue':
          st.createIssue(a[0], a[1]);
          break;
        case 'addAssignees':
          st.addAssignees(a[0], a[1], a[2], (entry.args[3] ?? undefined) as AgentAssignment | undefined);
          break;
        case 'markThreadDone':
          st.markThreadDone(a[0]);
          break;
        case 'unsubscribeThread':
          st.unsubscribeThread(a[0]);
          break;
        case 'markAllNotificationsRead':
          st.markAllRead(a[0]);
          break;
        default:
          break;
      }
    }
  }

  // ---------------------------------------------------------------- test hooks

  /** Someone pushed to the PR: its head SHA moves (a merge with the old SHA now fails with head_moved). */
  simulatePush(repo: RepoFullName, number: number, opts?: { sha?: string; checks?: 'pending' | 'passing' | 'failing' | 'none'; mergeableState?: MergeableState }): string {
    return this.state.simulatePush(repo, number, opts);
  }

  simulateChecksCompleted(repo: RepoFullName, number: number, conclusion?: DemoCheckConclusion): void {
    this.state.simulateChecksCompleted(repo, number, conclusion);
  }

  simulateMergeable(repo: RepoFullName, number: number, state: MergeableState, mergeable?: boolean | null): void {
    this.state.setMergeable(repo, number, state, mergeable);
  }

  simulateNotification(input: { repo: RepoFullName; subjectType: NotificationSubjectType; reason: NotificationReason; number?: number; title?: string; id?: string }): NotificationThread {
    return threadOf(this.state.simulateNotification(input), this.htmlBase);
  }

  /** Makes the next call(s) of `method` fail; see FixtureFault. */
  injectFault(fault: FixtureFault): void {
    this.faults.push({ when: 'before', times: 1, ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Number of calls of `method` so far. */
  callCount(method: GatewayMethod): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  // ---------------------------------------------------------------- GitHubGateway

  viewer(): Promise<Viewer> {
    return this.run('viewer', [], () => ({ login: this.state.viewer.login, name: this.state.viewer.name }));
  }

  listRepos(): Promise<RepoFullName[]> {
    return this.run('listRepos', [], () => this.state.repos().map((r) => r.fullName));
  }

  listNotifications(): Promise<NotificationThread[]> {
    return this.run('listNotifications', [], () => this.state.unreadThreads().map((t) => threadOf(t, this.htmlBase)));
  }

  /** As GitHub: Last-Modified is the newest thread's update; an If-Modified-Since at or after it answers 304. */
  pollNotifications(req: { lastModified: string | null }): Promise<NotificationPoll> {
    return this.run('pollNotifications', [req], () => {
      const newest = this.state.notificationsLastModified();
      const lastModified = newest ? new Date(newest).toUTCString() : req.lastModified;
      if (req.lastModified !== null && newest !== null && Date.parse(lastModified!) <= Date.parse(req.lastModified)) {
        return { status: 304 as const, lastModified: req.lastModified, pollIntervalS: this.pollIntervalS, threads: [] };
      }
      return { status: 200 as const, lastModified, pollIntervalS: this.pollIntervalS, threads: this.state.unreadThreads().map((t) => threadOf(t, this.htmlBase)) };
    });
  }

  searchIssuesByText(text: string, opts: { repo?: RepoFullName; type?: 'issue' | 'pr' } = {}): Promise<TextSearchHit[]> {
    return this.run('searchIssuesByText', [text, opts], () =>
      this.state.searchText(text, opts).map((i) => {
        const s = issueSummaryOf(i, this.htmlBase);
        return { kind: 'headSha' in i ? ('pr' as const) : ('issue' as const), repo: s.repo, number: s.number, author: s.author, state: s.state, title: s.title, body: s.body, htmlUrl: s.htmlUrl, createdAt: i.createdAt };
      }),
    );
  }

  /** Someone opens a PR (e.g. the agent's bot account answering a dispatch issue). */
  simulatePullRequest(input: { repo: RepoFullName; author: string; title: string; body?: string }): PullRequestSummary {
    return pullSummaryOf(this.state.simulatePullRequest(input), this.htmlBase);
  }

  /** X-Poll-Interval the demo account answers, seconds. */
  pollIntervalS = 60;

  markThreadDone(threadId: string): Promise<void> {
    return this.run('markThreadDone', [threadId], () => {
      assertThreadId(threadId);
      unwrap(this.state.markThreadDone(threadId), { repo: '', threadId });
    });
  }

  unsubscribeThread(threadId: string): Promise<void> {
    return this.run('unsubscribeThread', [threadId], () => {
      assertThreadId(threadId);
      unwrap(this.state.unsubscribeThread(threadId), { repo: '', threadId });
    });
  }

  markAllNotificationsRead(lastReadAt: string): Promise<void> {
    return this.run('markAllNotificationsRead', [lastReadAt], () => {
      unwrap(this.state.markAllRead(lastReadAt), { repo: '' });
    });
  }

  listMyPullRequests(): Promise<PullRequestSummary[]> {
    return this.run('listMyPullRequests', [], () =>
      this.state.searchPulls({ author: this.state.viewer.login, state: 'open' }).map((p) => pullSummaryOf(p, this.htmlBase)),
    );
  }

  listReviewRequests(): Promise<PullRequestSummary[]> {
    return this.run('listReviewRequests', [], () =>
      this.state.searchPulls({ reviewRequested: this.state.viewer.login, state: 'open' }).map((p) => pullSummaryOf(p, this.htmlBase)),
    );
  }

  listOpenPullRequests(repo: RepoFullName): Promise<PullRequestSummary[]> {
    return this.run('listOpenPullRequests', [repo], () => this.state.searchPulls({ repo, state: 'open' }).map((p) => pullSummaryOf(p, this.htmlBase)));
  }

  getPullRequest(repo: RepoFullName, number: number): Promise<PullRequestDetail> {
    return this.run('getPullRequest', [repo, number], () => {
      const p = this.requirePull(repo, number);
      return pullDetailOf(p, this.checks(p.repo, p.headSha, number), this.htmlBase, this.state.repo(p.repo)?.collaborators ?? []);
    });
  }

  getChecks(repo: RepoFullName, ref: string): Promise<CheckSummary> {
    return this.run('getChecks', [repo, ref], () => {
      parseRepoFullName(repo);
      return this.checks(repo, ref);
    });
  }

  isMerged(repo: RepoFullName, number: number): Promise<boolean> {
    return this.run('isMerged', [repo, number], () => {
      parseRepoFullName(repo);
      // GET …/merge answers 404 for "not merged" and for "no such PR" alike.
      return this.state.pull(repo, number)?.merged === true;
    });
  }

  mergePullRequest(req: { repo: RepoFullName; number: number; sha: string; method: MergeMethod }): Promise<MergeResult> {
    return this.run('mergePullRequest', [req], () => {
      parseRepoFullName(req.repo);
      assertPositiveNumber(req.number, 'pr');
      const r = unwrap(this.state.merge(req.repo, req.number, { sha: req.sha, method: req.method }), { repo: req.repo, number: req.number });
      return { sha: r.sha, reconciled: false };
    });
  }

  requestReviewers(repo: RepoFullName, number: number, reviewers: string[]): Promise<void> {
    return this.run('requestReviewers', [repo, number, reviewers], () => {
      parseRepoFullName(repo);
      assertPositiveNumber(number, 'pr');
      unwrap(this.state.requestReviewers(repo, number, reviewers), { repo, number });
    });
  }

  createComment(repo: RepoFullName, number: number, body: string): Promise<CommentResult> {
    return this.run('createComment', [repo, number, body], () => {
      parseRepoFullName(repo);
      assertPositiveNumber(number, 'issue');
      const { comment, isPull } = unwrap(this.state.addComment(repo, number, body), { repo, number });
      const page = isPull ? 'pull' : 'issues';
      return { id: comment.id, htmlUrl: `${this.htmlBase}/${comment.repo}/${page}/${number}#issuecomment-${comment.id}` };
    });
  }

  submitReview(req: SubmitReviewRequest): Promise<ReviewResult> {
    return this.run('submitReview', [req], () => {
      parseRepoFullName(req.repo);
      assertPositiveNumber(req.number, 'pr');
      const { pull, review } = unwrap(this.state.submitReview(req.repo, req.number, { event: req.event, commitId: req.commitId, ...(req.body !== undefined ? { body: req.body } : {}) }), { repo: req.repo, number: req.number });
      return { id: review.id, state: review.state, htmlUrl: `${this.htmlBase}/${pull.repo}/pull/${pull.number}#pullrequestreview-${review.id}` };
    });
  }

  // ---- CI and PR depth (issue 15)

  listCheckRuns(repo: RepoFullName, ref: string): Promise<CheckRunDetail[]> {
    return this.run('listCheckRuns', [repo, ref], () => {
      parseRepoFullName(repo);
      const c = unwrap(this.state.checksFor(repo, ref), { repo });
      // Every demo check run is a GitHub Actions job.
      return c.runs.map((r) => ({ id: r.id, name: r.name, status: r.status, conclusion: r.conclusion, actions: true }));
    });
  }

  getActionsJob(repo: RepoFullName, jobId: number): Promise<ActionsJob> {
    return this.run('getActionsJob', [repo, jobId], () => {
      parseRepoFullName(repo);
      return actionsJobOf(unwrap(this.state.job(repo, jobId), { repo }), this.htmlBase);
    });
  }

  listWorkflowRunJobs(repo: RepoFullName, runId: number): Promise<ActionsJob[]> {
    return this.run('listWorkflowRunJobs', [repo, runId], () => {
      parseRepoFullName(repo);
      return unwrap(this.state.workflowRunJobs(repo, runId), { repo }).map((j) => actionsJobOf(j, this.htmlBase));
    });
  }

  getActionsJobLogTail(repo: RepoFullName, jobId: number, maxLines: number): Promise<string[]> {
    return this.run('getActionsJobLogTail', [repo, jobId, maxLines], () => {
      parseRepoFullName(repo);
      return logTail(this.state.jobLog(unwrap(this.state.job(repo, jobId), { repo })), maxLines);
    });
  }

  rerunFailedJobs(repo: RepoFullName, runId: number): Promise<void> {
    return this.run('rerunFailedJobs', [repo, runId], () => {
      parseRepoFullName(repo);
      unwrap(this.state.rerunFailedJobs(repo, runId), { repo });
    });
  }

  listPullRequestFiles(repo: RepoFullName, number: number): Promise<PullRequestFile[]> {
    return this.run('listPullRequestFiles', [repo, number], () => this.requirePull(repo, number).files.map((f) => ({ ...f })));
  }

  listPullRequestComments(repo: RepoFullName, number: number): Promise<PullRequestComment[]> {
    return this.run('listPullRequestComments', [repo, number], () => {
      const p = this.requirePull(repo, number);
      const base = `${this.htmlBase}/${p.repo}/pull/${p.number}`;
      const issue = unwrap(this.state.issueComments(p.repo, p.number), { repo, number }).map(
        (c): PullRequestComment => ({ id: c.id, kind: 'issue', author: c.author, body: trimUntrusted(c.body), createdAt: c.createdAt, htmlUrl: `${base}#issuecomment-${c.id}` }),
      );
      const review = p.reviewComments.map(
        (c): PullRequestComment => ({ id: c.id, kind: 'review', author: c.author, body: trimUntrusted(c.body), createdAt: c.createdAt, htmlUrl: `${base}#discussion_r${c.id}`, path: c.path }),
      );
      return [...issue, ...review].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
    });
  }

  // ---- end CI and PR depth

  getIssue(repo: RepoFullName, number: number): Promise<IssueSummary> {
    return this.run('getIssue', [repo, number], () => {
      parseRepoFullName(repo);
      assertPositiveNumber(number, 'issue');
      if (!this.state.repo(repo)) throw appErrorFromDemo({ status: 404, kind: 'repo_not_found', message: 'Not Found' }, { repo });
      const item = this.state.issue(repo, number) ?? this.state.pull(repo, number);
      if (!item) throw appErrorFromDemo({ status: 404, kind: 'issue_not_found', message: 'Not Found' }, { repo, number });
      return issueSummaryOf(item, this.htmlBase);
    });
  }

  createIssue(repo: RepoFullName, issue: { title: string; body: string; labels?: string[] }): Promise<IssueSummary> {
    return this.run('createIssue', [repo, issue], () => {
      parseRepoFullName(repo);
      const input = issue.labels ? { title: issue.title, body: issue.body, labels: issue.labels } : { title: issue.title, body: issue.body };
      return issueSummaryOf(unwrap(this.state.createIssue(repo, input), { repo }), this.htmlBase);
    });
  }

  addAssignees(repo: RepoFullName, number: number, assignees: string[], agent?: AgentAssignment): Promise<IssueSummary> {
    return this.run('addAssignees', [repo, number, assignees, agent ?? null], () => {
      parseRepoFullName(repo);
      assertPositiveNumber(number, 'issue');
      return issueSummaryOf(unwrap(this.state.addAssignees(repo, number, assignees, agent), { repo, number }), this.htmlBase);
    });
  }

  /** Copilot's coding agent is not enabled in `repo`: assigning it is silently ignored, as on GitHub. */
  disableCopilot(repo: RepoFullName): void {
    this.state.disableCopilot(repo);
  }

  rateLimit(): RateLimitInfo | null {
    return null;
  }

  // ---------------------------------------------------------------- internals

  private requirePull(repo: RepoFullName, number: number) {
    parseRepoFullName(repo);
    assertPositiveNumber(number, 'pr');
    if (!this.state.repo(repo)) throw appErrorFromDemo({ status: 404, kind: 'repo_not_found', message: 'Not Found' }, { repo });
    const p = this.state.pull(repo, number);
    if (!p) throw appErrorFromDemo({ status: 404, kind: 'pr_not_found', message: 'Not Found' }, { repo, number });
    return p;
  }

  private checks(repo: RepoFullName, ref: string, number?: number): CheckSummary {
    const c = unwrap(this.state.checksFor(repo, ref), number !== undefined ? { repo, number } : { repo });
    return checkSummaryOf(c.runs, c.statuses);
  }

  private async run<T>(method: GatewayMethod, args: unknown[], fn: () => T): Promise<T> {
    this.calls.push({ method, args });
    // Resolve on a later microtask, like a real call: callers must not rely on synchronous effects.
    await Promise.resolve();
    const fault = this.takeFault(method);
    if (fault?.when === 'before') throw toError(fault.error, method);
    const result = fn();
    if (this.journalPath && JOURNALED.has(method)) appendFileSync(this.journalPath, `${JSON.stringify({ method, args })}\n`, { mode: 0o600 });
    if (fault?.when === 'after') throw toError(fault.error, method);
    return result;
  }

  private takeFault(method: GatewayMethod) {
    const i = this.faults.findIndex((f) => f.method === method);
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.times -= 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }
}

function unwrap<T>(r: DemoResult<T>, ctx: { repo: string; number?: number; threadId?: string }): T {
  if (r.ok) return r.value;
  throw appErrorFromDemo(r.error, ctx);
}

function toError(e: AppError | AppErrorCode, method: GatewayMethod): AppError {
  return typeof e === 'string' ? new AppError(e, `Injected ${e} in ${method} (fixture fault).`) : e;
}
