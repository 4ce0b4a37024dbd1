/**
 * The demo GitHub world in memory, with GitHub's rules for writes. One implementation of the rules
 * serves FixtureGitHubGateway (domain objects) and the fake GitHub HTTP server (REST shapes), so the
 * two adapters can be held to the same behaviour suite.
 *
 * Deterministic: ids, SHAs and timestamps derive from the fixture and a virtual clock that starts at
 * the fixture's `now` and advances one second per write (override with `clockMs`).
 */
import { createHash } from 'node:crypto';
import type { MergeableState, NotificationReason, NotificationSubjectType } from '../../../contract/github.js';
import type { MergeMethod } from '../../../contract/intent.js';
import { isCopilotLogin } from '../../../core/ports/github.js';
import type { DemoFixture, DemoFixtureCheck } from './fixtureData.js';
import { loadDemoFixture } from './fixtureData.js';

export interface DemoUser {
  login: string;
  id: number;
  name: string | null;
  type: 'User' | 'Bot';
}

export interface DemoRepo {
  fullName: string;
  owner: string;
  name: string;
  id: number;
  description: string | null;
  language: string | null;
  private: boolean;
  defaultBranch: string;
  defaultBranchSha: string;
  collaborators: string[];
  mergeMethods: MergeMethod[];
  createdAt: string;
  pushedAt: string;
  updatedAt: string;
}

export type DemoCheckConclusion = NonNullable<DemoFixtureCheck['conclusion']>;

export interface DemoCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: DemoCheckConclusion | null;
  startedAt: string | null;
  completedAt: string | null;
  /** The workflow run attempt this job belongs to (1 until a re-run). */
  runAttempt: number;
  /** Fixture or simulation: the failing step's name and the job's log (default: derived). */
  failedStep?: string;
  log?: string[];
}

/** One step of an Actions job, as GET …/actions/jobs/{id} lists them. */
export interface DemoJobStep {
  number: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'skipped' | 'cancelled' | null;
  startedAt: string | null;
  completedAt: string | null;
}

/** A check run seen as the GitHub Actions job it is (every demo check run is one). */
export interface DemoJob {
  run: DemoCheckRun;
  repo: string;
  /** The workflow run: one per head SHA in the demo (GitHub: one per workflow and event). */
  runId: number;
  steps: DemoJobStep[];
}

export interface DemoCommitStatus {
  id: number;
  context: string;
  state: 'success' | 'failure' | 'error' | 'pending';
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DemoReview {
  id: number;
  author: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  body: string;
  submittedAt: string;
  commitId: string;
}

export interface DemoComment {
  id: number;
  repo: string;
  number: number;
  author: string;
  body: string;
  createdAt: string;
}

export interface DemoPull {
  repo: string;
  number: number;
  id: number;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  baseRef: string;
  baseSha: string;
  headRef: string;
  headSha: string;
  mergeable: boolean | null;
  mergeableState: MergeableState;
  additions: number;
  deletions: number;
  changedFiles: number;
  commits: number;
  labels: string[];
  assignees: string[];
  requestedReviewers: string[];
  reviews: DemoReview[];
  commentCount: number;
  /** GET …/pulls/{n}/files. */
  files: DemoFile[];
  /** GET …/pulls/{n}/comments (comments on lines of the diff). */
  reviewComments: DemoReviewComment[];
}

export interface DemoFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  additions: number;
  deletions: number;
}

export interface DemoReviewComment {
  id: number;
  author: string;
  body: string;
  path: string;
  createdAt: string;
  commitId: string;
}

export interface DemoIssue {
  repo: string;
  number: number;
  id: number;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed';
  labels: string[];
  assignees: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  commentCount: number;
}

export interface DemoThread {
  id: string;
  repo: string;
  subjectType: NotificationSubjectType;
  number: number | null;
  title: string;
  /** Release id or commit SHA for those subject types. */
  ref: string | null;
  reason: NotificationReason;
  unread: boolean;
  updatedAt: string;
  lastReadAt: string | null;
  subscribed: boolean;
}

export interface DemoMergeRecord {
  repo: string;
  number: number;
  headSha: string;
  method: MergeMethod;
  mergeCommitSha: string;
  at: string;
}

export type DemoErrorKind =
  | 'repo_not_found'
  | 'pr_not_found'
  | 'issue_not_found'
  | 'thread_not_found'
  | 'head_moved'
  | 'not_mergeable'
  | 'already_merged'
  | 'method_not_allowed'
  | 'forbidden'
  | 'not_found'
  | 'validation';

/** A refusal in GitHub's terms: the HTTP status and message GitHub would send, plus why. */
export interface DemoError {
  status: 403 | 404 | 405 | 409 | 410 | 422;
  kind: DemoErrorKind;
  message: string;
  /** For 422: GitHub's `errors` array. */
  errors?: Array<{ resource: string; field: string; code: string; message?: string }>;
}

export type DemoResult<T> = { ok: true; value: T } | { ok: false; error: DemoError };

export const GITHUB_MESSAGES = {
  notFound: 'Not Found',
  headModified: 'Head branch was modified. Review and try the merge again.',
  notMergeable: 'Pull Request is not mergeable',
  baseModified: 'Base branch was modified. Review and try the merge again.',
  merged: 'Pull Request successfully merged',
  validationFailed: 'Validation Failed',
} as const;

const MERGE_METHOD_NOT_ALLOWED: Record<MergeMethod, string> = {
  merge: 'Merge commits are not allowed on this repository.',
  squash: 'Squash merges are not allowed on this repository.',
  rebase: 'Rebase merges are not allowed on this repository.',
};

/** States in which GitHub lets the merge button work. */
const MERGEABLE_STATES: ReadonlySet<MergeableState> = new Set(['clean', 'unstable', 'has_hooks']);

export function sha1Hex(input: string): string {
  return createHash('sha1').update(input).digest('hex');
}

/** A stable positive id in [base, base + span) derived from `key`. */
export function stableId(key: string, base = 100_000_000, span = 900_000_000): number {
  return base + (parseInt(sha1Hex(key).slice(0, 12), 16) % span);
}

function fail<T>(status: DemoError['status'], kind: DemoErrorKind, message: string, errors?: DemoError['errors']): DemoResult<T> {
  return { ok: false, error: errors ? { status, kind, message, errors } : { status, kind, message } };
}

function ok<T>(value: T): DemoResult<T> {
  return { ok: true, value };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface DemoGitHubStateOptions {
  /** Epoch-ms clock for timestamps of writes; default: virtual clock from the fixture's `now`, +1 s per write. */
  clockMs?: () => number;
}

export class DemoGitHubState {
  readonly viewer: DemoUser;
  /** Successful merges, in order: the easiest "how many merges happened" counter. */
  readonly merges: DemoMergeRecord[] = [];
  readonly comments: DemoComment[] = [];

  private readonly users = new Map<string, DemoUser>();
  private readonly repoMap = new Map<string, DemoRepo>();
  private readonly pullMap = new Map<string, DemoPull>();
  private readonly issueMap = new Map<string, DemoIssue>();
  private readonly threadList: DemoThread[] = [];
  private readonly checks = new Map<string, { runs: DemoCheckRun[]; statuses: DemoCommitStatus[] }>();
  private virtualMs: number;
  private readonly clockMs: (() => number) | undefined;
  private nextCommentId = 2_100_000_001;
  private nextCheckRunId = 31_000_000_001;
  private nextStatusId = 41_000_000_001;
  private pushCounter = 0;
  private readonly copilotDisabled = new Set<string>();
  /** Copilot assignments received (with their agent_assignment), oldest first; for tests and the demo. */
  readonly agentAssignments: Array<{ repo: string; number: number; agent?: { targetRepo?: string; baseBranch?: string; customInstructions?: string } }> = [];

  constructor(fixture: DemoFixture, opts: DemoGitHubStateOptions = {}) {
    this.virtualMs = Date.parse(fixture.now);
    this.clockMs = opts.clockMs;
    this.viewer = this.user(fixture.viewer.login, fixture.viewer.name);
    for (const [login, u] of Object.entries(fixture.users)) this.user(login, u.name);

    for (const r of fixture.repos) {
      const [owner, name] = r.fullName.split('/') as [string, string];
      this.user(owner, null);
      this.repoMap.set(r.fullName.toLowerCase(), {
        fullName: r.fullName,
        owner,
        name,
        id: stableId(`repo:${r.fullName}`),
        description: r.description,
        language: r.language,
        private: r.private,
        defaultBranch: r.defaultBranch,
        defaultBranchSha: r.defaultBranchSha,
        collaborators: [...r.collaborators],
        mergeMethods: [...r.mergeMethods],
        createdAt: r.createdAt,
        pushedAt: r.pushedAt,
        updatedAt: r.pushedAt,
      });
    }

    for (const p of fixture.pulls) {
      const repo = this.repoMap.get(p.repo.toLowerCase())!;
      this.user(p.author, null);
      const pull: DemoPull = {
        repo: repo.fullName,
        number: p.number,
        id: stableId(`pull:${p.repo}#${p.number}`, 1_000_000_000),
        title: p.title,
        body: p.body,
        author: p.author,
        state: p.merged ? 'closed' : p.state,
        draft: p.draft,
        merged: p.merged,
        mergedAt: p.merged ? (p.mergedAt ?? p.updatedAt) : null,
        mergedBy: p.merged ? (p.mergedBy ?? this.viewer.login) : null,
        mergeCommitSha: p.merged ? (p.mergeCommitSha ?? sha1Hex(`merge:${p.repo}#${p.number}`)) : null,
        closedAt: p.merged || p.state === 'closed' ? (p.closedAt ?? p.mergedAt ?? p.updatedAt) : null,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
        baseRef: p.base,
        baseSha: repo.defaultBranchSha,
        headRef: p.head,
        headSha: p.headSha,
        mergeable: p.mergeable !== undefined ? p.mergeable : p.mergeableState === 'dirty' ? false : p.mergeableState === 'unknown' ? null : true,
        mergeableState: p.mergeableState,
        additions: p.additions,
        deletions: p.deletions,
        changedFiles: p.changedFiles,
        commits: p.commits,
        labels: [...p.labels],
        assignees: [...p.assignees],
        requestedReviewers: [...p.requestedReviewers],
        reviews: p.reviews.map((r, i) => ({
          id: stableId(`review:${p.repo}#${p.number}:${i}`, 2_000_000_000),
          author: r.author,
          state: r.state,
          body: r.body,
          submittedAt: r.submittedAt,
          commitId: p.headSha,
        })),
        commentCount: p.comments,
        files: p.files ? p.files.map((f) => ({ ...f })) : deriveFiles(p.head, p.changedFiles, p.additions, p.deletions),
        reviewComments: [],
      };
      for (const d of p.discussion) {
        this.user(d.author, null);
        if (d.path !== undefined) {
          pull.reviewComments.push({ id: stableId(`rc:${p.repo}#${p.number}:${pull.reviewComments.length}`, 3_000_000_000), author: d.author, body: d.body, path: d.path, createdAt: d.createdAt, commitId: p.headSha });
        } else {
          this.comments.push({ id: stableId(`ic:${p.repo}#${p.number}:${this.comments.length}`, 1_900_000_000, 190_000_000), repo: repo.fullName, number: p.number, author: d.author, body: d.body, createdAt: d.createdAt });
        }
      }
      for (const r of pull.reviews) this.user(r.author, null);
      for (const r of pull.requestedReviewers) this.user(r, null);
      this.pullMap.set(key(repo.fullName, p.number), pull);
      this.checks.set(checkKey(repo.fullName, p.headSha), {
        runs: p.checks.map((c) => {
          const run = this.newCheckRun(c.name, p.headSha, c.status ?? (c.conclusion ? 'completed' : 'queued'), c.conclusion ?? null, p.updatedAt);
          if (c.failedStep !== undefined) run.failedStep = c.failedStep;
          if (c.log !== undefined) run.log = [...c.log];
          return run;
        }),
        statuses: p.statuses.map((s) => ({
          id: this.nextStatusId++,
          context: s.context,
          state: s.state,
          description: s.description ?? null,
          createdAt: p.updatedAt,
          updatedAt: p.updatedAt,
        })),
      });
    }

    for (const i of fixture.issues) {
      const repo = this.repoMap.get(i.repo.toLowerCase())!;
      this.user(i.author, null);
      this.issueMap.set(key(repo.fullName, i.number), {
        repo: repo.fullName,
        number: i.number,
        id: stableId(`issue:${i.repo}#${i.number}`, 1_000_000_000),
        title: i.title,
        body: i.body,
        author: i.author,
        state: i.state,
        labels: [...i.labels],
        assignees: [...i.assignees],
        createdAt: i.createdAt,
        updatedAt: i.updatedAt,
        closedAt: i.state === 'closed' ? (i.closedAt ?? i.updatedAt) : null,
        commentCount: i.comments,
      });
    }

    for (const n of fixture.notifications) {
      const repo = this.repoMap.get(n.repo.toLowerCase())!;
      const item = n.type === 'PullRequest' ? this.pull(repo.fullName, n.number!) : n.type === 'Issue' ? this.issue(repo.fullName, n.number!) : undefined;
      this.threadList.push({
        id: n.id,
        repo: repo.fullName,
        subjectType: n.type,
        number: n.number ?? null,
        title: n.title ?? item?.title ?? '',
        ref: n.ref ?? null,
        reason: n.reason,
        unread: n.unread,
        updatedAt: n.updatedAt,
        lastReadAt: n.unread ? null : n.updatedAt,
        subscribed: true,
      });
    }
  }

  /** Loads fixtures/github (or `path`) into a fresh state. */
  static load(path?: string, opts?: DemoGitHubStateOptions): DemoGitHubState {
    return new DemoGitHubState(loadDemoFixture(path), opts);
  }

  // ---------------------------------------------------------------- reads

  nowIso(): string {
    return iso(this.clockMs ? this.clockMs() : this.virtualMs);
  }

  userByLogin(login: string): DemoUser {
    return this.user(login, null);
  }

  repos(): DemoRepo[] {
    return [...this.repoMap.values()].sort((a, b) => b.pushedAt.localeCompare(a.pushedAt) || a.fullName.localeCompare(b.fullName));
  }

  repo(fullName: string): DemoRepo | undefined {
    return this.repoMap.get(fullName.toLowerCase());
  }

  pull(repo: string, number: number): DemoPull | undefined {
    return this.pullMap.get(key(repo, number));
  }

  issue(repo: string, number: number): DemoIssue | undefined {
    return this.issueMap.get(key(repo, number));
  }

  pulls(): DemoPull[] {
    return [...this.pullMap.values()];
  }

  issues(): DemoIssue[] {
    return [...this.issueMap.values()];
  }

  /** All threads, newest first (read ones included). */
  threads(): DemoThread[] {
    return [...this.threadList].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id));
  }

  thread(id: string): DemoThread | undefined {
    return this.threadList.find((t) => t.id === id);
  }

  /** What GET /notifications (all=false) lists: unread threads, newest first. */
  unreadThreads(): DemoThread[] {
    return this.threads().filter((t) => t.unread);
  }

  /** PR search (is:pr), newest update first. */
  searchPulls(q: { author?: string; reviewRequested?: string; state?: 'open' | 'closed'; repo?: string }): DemoPull[] {
    return this.pulls()
      .filter((p) => (q.state === undefined || p.state === q.state))
      .filter((p) => q.repo === undefined || p.repo.toLowerCase() === q.repo.toLowerCase())
      .filter((p) => q.author === undefined || p.author.toLowerCase() === q.author.toLowerCase())
      .filter((p) => q.reviewRequested === undefined || p.requestedReviewers.some((r) => r.toLowerCase() === q.reviewRequested!.toLowerCase()))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.repo.localeCompare(b.repo) || b.number - a.number);
  }

  /** Issues and PRs whose body contains `text` (case-insensitive), newest first: the search GitHub does for a quoted phrase. */
  searchText(text: string, opts: { repo?: string; type?: 'issue' | 'pr' } = {}): Array<DemoIssue | DemoPull> {
    const needle = text.toLowerCase();
    const items: Array<DemoIssue | DemoPull> = [...(opts.type === 'issue' ? [] : this.pulls()), ...(opts.type === 'pr' ? [] : this.issues())];
    return items
      .filter((i) => opts.repo === undefined || i.repo.toLowerCase() === opts.repo.toLowerCase())
      .filter((i) => i.body.toLowerCase().includes(needle) || i.title.toLowerCase().includes(needle))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number);
  }

  /** Last-Modified of GET /notifications: the newest thread's update time (ISO), or null when there are none. */
  notificationsLastModified(): string | null {
    return this.threads()[0]?.updatedAt ?? null;
  }

  /**
   * Check runs and commit statuses for a ref: a 40-hex SHA (unknown SHAs have none), a PR head
   * branch or the default branch. Anything else → 422 "No commit found for SHA: …" as GitHub says.
   */
  checksFor(repo: string, ref: string): DemoResult<{ sha: string; runs: DemoCheckRun[]; statuses: DemoCommitStatus[] }> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    let sha: string | undefined;
    if (/^[0-9a-f]{40}$/.test(ref)) sha = ref;
    else if (ref === r.defaultBranch) sha = r.defaultBranchSha;
    else sha = this.pulls().find((p) => p.repo === r.fullName && p.headRef === ref && p.state === 'open')?.headSha;
    if (sha === undefined) return fail(422, 'validation', `No commit found for SHA: ${ref}`);
    const c = this.checks.get(checkKey(r.fullName, sha));
    return ok({ sha, runs: c ? [...c.runs] : [], statuses: c ? [...c.statuses] : [] });
  }

  // ---- GitHub Actions jobs (issue 15: pr.checks_failure, pr.rerun_checks)

  /** GET …/actions/jobs/{job_id}: the check run with that id in `repo`, as an Actions job. */
  job(repo: string, jobId: number): DemoResult<DemoJob> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const prefix = `${r.fullName.toLowerCase()}@`;
    for (const [k, c] of this.checks) {
      if (!k.startsWith(prefix)) continue;
      const run = c.runs.find((x) => x.id === jobId);
      if (run) return ok(this.asJob(r.fullName, run));
    }
    return fail(404, 'not_found', GITHUB_MESSAGES.notFound);
  }

  /** GET …/actions/runs/{run_id}/jobs (latest attempt): the jobs of one workflow run. */
  workflowRunJobs(repo: string, runId: number): DemoResult<DemoJob[]> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const jobs = this.jobsOfRun(r.fullName, runId);
    return jobs.length > 0 ? ok(jobs) : fail(404, 'not_found', GITHUB_MESSAGES.notFound);
  }

  /** The job's log as GitHub serves it (timestamped lines); derived when the fixture has none. */
  jobLog(job: DemoJob): string {
    const at = job.run.completedAt ?? job.run.startedAt ?? this.nowIso();
    const stamp = `${at.replace(/Z$/, '')}.0000000Z`;
    const failed = job.steps.find((x) => x.conclusion === 'failure');
    const body = job.run.log ?? (failed ? [`##[group]${failed.name}`, `> ${job.run.name}`, '##[endgroup]', `${job.run.name} failed`, '##[error]Process completed with exit code 1.'] : ['##[group]Run', `> ${job.run.name}`, '##[endgroup]', 'ok']);
    return ['##[group]Runner Image', 'Image: ubuntu-24.04', '##[endgroup]', ...body, 'Cleaning up orphan processes'].map((l) => `${stamp} ${l}`).join('\n') + '\n';
  }

  /** GET …/issues/{n}/comments of a PR or issue, oldest first (GitHub's order). */
  issueComments(repo: string, number: number): DemoResult<DemoComment[]> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    if (!this.pull(r.fullName, number) && !this.issue(r.fullName, number)) return fail(404, 'issue_not_found', GITHUB_MESSAGES.notFound);
    return ok(this.comments.filter((c) => c.repo.toLowerCase() === r.fullName.toLowerCase() && c.number === number).sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
  }

  /** Someone comments on the PR (tests, demos); `path` makes it a review comment on that file. */
  simulateComment(repo: string, number: number, input: { author: string; body: string; path?: string }): void {
    const p = this.requirePull(repo, number);
    const at = this.tick();
    this.user(input.author, null);
    if (input.path !== undefined) {
      p.reviewComments.push({ id: stableId(`rc:${p.repo}#${p.number}:${p.reviewComments.length}`, 3_000_000_000), author: input.author, body: input.body, path: input.path, createdAt: at, commitId: p.headSha });
    } else {
      this.comments.push({ id: this.nextCommentId++, repo: p.repo, number: p.number, author: input.author, body: input.body, createdAt: at });
      p.commentCount += 1;
    }
    p.updatedAt = at;
  }

  /** Re-runs of failed jobs accepted (POST …/actions/runs/{id}/rerun-failed-jobs), in order. */
  readonly reruns: Array<{ repo: string; runId: number; attempt: number; at: string }> = [];

  /**
   * POST …/actions/runs/{run_id}/rerun-failed-jobs: the failed jobs start again as a new attempt
   * (new job ids, queued). 403 as GitHub while the run is still going or when nothing failed.
   */
  rerunFailedJobs(repo: string, runId: number): DemoResult<{ attempt: number; rerun: string[] }> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const jobs = this.jobsOfRun(r.fullName, runId);
    if (jobs.length === 0) return fail(404, 'not_found', GITHUB_MESSAGES.notFound);
    if (jobs.some((j) => j.run.status !== 'completed')) return fail(403, 'forbidden', 'This workflow is already running');
    const failed = jobs.filter((j) => FAILED_CONCLUSIONS.has(j.run.conclusion ?? ''));
    if (failed.length === 0) return fail(403, 'forbidden', 'This workflow run has no failed jobs to re-run');
    const attempt = Math.max(...jobs.map((j) => j.run.runAttempt)) + 1;
    const at = this.tick();
    const c = this.checks.get(checkKey(r.fullName, jobs[0]!.run.headSha))!;
    c.runs = c.runs.map((run) => {
      if (!jobs.some((j) => j.run === run)) return run;
      if (!FAILED_CONCLUSIONS.has(run.conclusion ?? '')) return { ...run, runAttempt: attempt };
      return { ...this.newCheckRun(run.name, run.headSha, 'queued', null, at), runAttempt: attempt };
    });
    this.reruns.push({ repo: r.fullName, runId, attempt, at });
    return ok({ attempt, rerun: failed.map((j) => j.run.name) });
  }

  /** Fails the named check run of the PR's head at `step`, with these last log lines (tests, demos). */
  simulateActionsFailure(repo: string, number: number, input: { job: string; step: string; log: string[] }): void {
    const p = this.requirePull(repo, number);
    const at = this.tick();
    const key = checkKey(p.repo, p.headSha);
    const c = this.checks.get(key) ?? { runs: [], statuses: [] };
    let run = c.runs.find((x) => x.name === input.job);
    if (!run) {
      run = this.newCheckRun(input.job, p.headSha, 'completed', 'failure', at);
      c.runs.push(run);
    }
    Object.assign(run, { status: 'completed', conclusion: 'failure', startedAt: run.startedAt ?? at, completedAt: at, failedStep: input.step, log: [...input.log] });
    this.checks.set(key, c);
  }

  /** The workflow run id of a head: the demo's one workflow run per commit. */
  runIdOf(repo: string, headSha: string): number {
    return stableId(`suite:${repo}@${headSha}`, 20_000_000_000);
  }

  private jobsOfRun(repo: string, runId: number): DemoJob[] {
    const prefix = `${repo.toLowerCase()}@`;
    for (const [k, c] of this.checks) {
      if (!k.startsWith(prefix) || c.runs.length === 0) continue;
      if (this.runIdOf(repo, c.runs[0]!.headSha) === runId) return c.runs.map((run) => this.asJob(repo, run));
    }
    return [];
  }

  private asJob(repo: string, run: DemoCheckRun): DemoJob {
    return { run, repo, runId: this.runIdOf(repo, run.headSha), steps: jobSteps(run) };
  }

  // ---------------------------------------------------------------- writes (GitHub's rules)

  /**
   * PUT /repos/{o}/{r}/pulls/{n}/merge. Order of checks: exists → already merged/closed (405) →
   * head SHA (409) → merge method allowed (405) → mergeable (405).
   */
  merge(repo: string, number: number, req: { sha?: string; method?: MergeMethod }): DemoResult<{ sha: string; pull: DemoPull }> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const p = this.pull(r.fullName, number);
    if (!p) return fail(404, 'pr_not_found', GITHUB_MESSAGES.notFound);
    if (p.merged) return fail(405, 'already_merged', GITHUB_MESSAGES.notMergeable);
    if (p.state === 'closed') return fail(405, 'not_mergeable', GITHUB_MESSAGES.notMergeable);
    if (req.sha !== undefined && req.sha !== p.headSha) return fail(409, 'head_moved', GITHUB_MESSAGES.headModified);
    const method = req.method ?? 'merge';
    if (!r.mergeMethods.includes(method)) return fail(405, 'method_not_allowed', MERGE_METHOD_NOT_ALLOWED[method]);
    if (p.draft || p.mergeable !== true || !MERGEABLE_STATES.has(p.mergeableState)) return fail(405, 'not_mergeable', GITHUB_MESSAGES.notMergeable);

    const at = this.tick();
    const mergeCommitSha = sha1Hex(`merge:${r.fullName}#${number}:${p.headSha}:${method}`);
    p.merged = true;
    p.state = 'closed';
    p.mergedAt = at;
    p.closedAt = at;
    p.updatedAt = at;
    p.mergedBy = this.viewer.login;
    p.mergeCommitSha = mergeCommitSha;
    p.mergeable = null;
    p.mergeableState = 'unknown';
    r.defaultBranchSha = mergeCommitSha;
    r.pushedAt = at;
    r.updatedAt = at;
    this.merges.push({ repo: r.fullName, number, headSha: p.headSha, method, mergeCommitSha, at });
    return ok({ sha: mergeCommitSha, pull: p });
  }

  /** POST …/pulls/{n}/requested_reviewers: collaborators only, never the author (422 otherwise). */
  requestReviewers(repo: string, number: number, reviewers: string[]): DemoResult<DemoPull> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const p = this.pull(r.fullName, number);
    if (!p) return fail(404, 'pr_not_found', GITHUB_MESSAGES.notFound);
    if (reviewers.some((x) => x.toLowerCase() === p.author.toLowerCase())) {
      return fail(422, 'validation', 'Review cannot be requested from pull request author.');
    }
    const strangers = reviewers.filter((x) => !r.collaborators.some((c) => c.toLowerCase() === x.toLowerCase()));
    if (strangers.length > 0) {
      return fail(422, 'validation', `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${r.fullName} repository.`);
    }
    for (const x of reviewers) {
      const canonical = r.collaborators.find((c) => c.toLowerCase() === x.toLowerCase())!;
      if (!p.requestedReviewers.includes(canonical)) p.requestedReviewers.push(canonical);
    }
    p.updatedAt = this.tick();
    return ok(p);
  }

  /**
   * POST …/pulls/{n}/reviews with an event (submitted at once): the viewer's approval or change
   * request on `commitId` (default: the head). 422s as GitHub: a review of one's own PR, a change
   * request without a body, a commit that is not in the PR.
   */
  submitReview(repo: string, number: number, req: { event: 'APPROVE' | 'REQUEST_CHANGES'; body?: string; commitId?: string }): DemoResult<{ pull: DemoPull; review: DemoReview }> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const p = this.pull(r.fullName, number);
    if (!p) return fail(404, 'pr_not_found', GITHUB_MESSAGES.notFound);
    const what = req.event === 'APPROVE' ? 'approve' : 'request changes on';
    if (p.author.toLowerCase() === this.viewer.login.toLowerCase()) return fail(422, 'validation', `Unprocessable Entity: Can not ${what} your own pull request`);
    if (req.event === 'REQUEST_CHANGES' && (req.body ?? '').trim() === '') return fail(422, 'validation', 'Unprocessable Entity: Body is required for REQUEST_CHANGES');
    if (req.commitId !== undefined && req.commitId !== p.headSha && !this.merges.some((m) => m.headSha === req.commitId)) {
      return fail(422, 'validation', 'Unprocessable Entity: Commit ID is not part of the pull request');
    }
    const at = this.tick();
    const review: DemoReview = {
      id: stableId(`review:${p.repo}#${p.number}:${p.reviews.length}`, 2_000_000_000),
      author: this.viewer.login,
      state: req.event === 'APPROVE' ? 'APPROVED' : 'CHANGES_REQUESTED',
      body: req.body ?? '',
      submittedAt: at,
      commitId: req.commitId ?? p.headSha,
    };
    p.reviews.push(review);
    p.requestedReviewers = p.requestedReviewers.filter((x) => x.toLowerCase() !== this.viewer.login.toLowerCase());
    p.updatedAt = at;
    return ok({ pull: p, review });
  }

  /** POST …/issues/{n}/comments on an issue or PR. */
  addComment(repo: string, number: number, body: string): DemoResult<{ comment: DemoComment; isPull: boolean }> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const p = this.pull(r.fullName, number);
    const i = p ? undefined : this.issue(r.fullName, number);
    if (!p && !i) return fail(404, 'issue_not_found', GITHUB_MESSAGES.notFound);
    if (body.trim() === '') {
      return fail(422, 'validation', GITHUB_MESSAGES.validationFailed, [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
    }
    const at = this.tick();
    const comment: DemoComment = { id: this.nextCommentId++, repo: r.fullName, number, author: this.viewer.login, body, createdAt: at };
    this.comments.push(comment);
    const target = (p ?? i)!;
    target.commentCount += 1;
    target.updatedAt = at;
    return ok({ comment, isPull: p !== undefined });
  }

  /**
   * POST …/issues/{n}/assignees as GitHub does it: collaborators and (where enabled) Copilot's coding
   * agent are added, shown as "Copilot"; anyone else is silently ignored (201 all the same).
   * `agent` (agent_assignment) is recorded in `agentAssignments` when Copilot was assigned.
   */
  addAssignees(repo: string, number: number, logins: readonly string[], agent?: { targetRepo?: string; baseBranch?: string; customInstructions?: string }): DemoResult<DemoIssue | DemoPull> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    const item = this.issue(r.fullName, number) ?? this.pull(r.fullName, number);
    if (!item) return fail(404, 'issue_not_found', GITHUB_MESSAGES.notFound);
    let changed = false;
    for (const login of logins) {
      const copilot = isCopilotLogin(login);
      if (copilot && this.copilotDisabled.has(r.fullName)) continue;
      const canonical = copilot ? 'Copilot' : r.collaborators.find((c) => c.toLowerCase() === login.toLowerCase());
      if (canonical === undefined) continue;
      if (copilot) this.agentAssignments.push({ repo: r.fullName, number, ...(agent ? { agent: { ...agent } } : {}) });
      if (!item.assignees.includes(canonical) && item.assignees.length < 10) {
        item.assignees.push(canonical);
        changed = true;
      }
    }
    if (changed) item.updatedAt = this.tick();
    return ok(item);
  }

  /** Copilot's coding agent is not available in `repo` (not enabled): assigning it is silently ignored. */
  disableCopilot(repo: string): void {
    this.copilotDisabled.add(this.repo(repo)?.fullName ?? repo);
  }

  /** POST /repos/{o}/{r}/issues: the next number after every PR and issue in the repo. */
  createIssue(repo: string, input: { title: string; body?: string; labels?: string[] }): DemoResult<DemoIssue> {
    const r = this.repo(repo);
    if (!r) return fail(404, 'repo_not_found', GITHUB_MESSAGES.notFound);
    if (input.title.trim() === '') {
      return fail(422, 'validation', GITHUB_MESSAGES.validationFailed, [{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
    }
    let max = 0;
    for (const x of [...this.pullMap.values(), ...this.issueMap.values()]) if (x.repo === r.fullName && x.number > max) max = x.number;
    const number = max + 1;
    const at = this.tick();
    const issue: DemoIssue = {
      repo: r.fullName,
      number,
      id: stableId(`issue:${r.fullName}#${number}`, 1_000_000_000),
      title: input.title,
      body: input.body ?? '',
      author: this.viewer.login,
      state: 'open',
      labels: [...new Set(input.labels ?? [])],
      assignees: [],
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      commentCount: 0,
    };
    this.issueMap.set(key(r.fullName, number), issue);
    return ok(issue);
  }

  /** DELETE /notifications/threads/{id}: the thread leaves the inbox. */
  markThreadDone(id: string): DemoResult<void> {
    const i = this.threadList.findIndex((t) => t.id === id);
    if (i < 0) return fail(404, 'thread_not_found', GITHUB_MESSAGES.notFound);
    this.threadList.splice(i, 1);
    return ok(undefined);
  }

  /**
   * PUT /notifications: every thread updated at or before `lastReadAt` (ISO; default now) is read.
   * @returns how many threads were unread and are now read.
   */
  markAllRead(lastReadAt?: string): DemoResult<{ marked: number }> {
    const cutoff = lastReadAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(lastReadAt);
    if (Number.isNaN(cutoff)) return fail(422, 'validation', GITHUB_MESSAGES.validationFailed, [{ resource: 'Notification', field: 'last_read_at', code: 'invalid' }]);
    let marked = 0;
    const at = lastReadAt ?? iso(this.clockMs?.() ?? this.virtualMs);
    for (const t of this.threadList) {
      if (!t.unread || Date.parse(t.updatedAt) > cutoff) continue;
      t.unread = false;
      t.lastReadAt = at;
      marked++;
    }
    return ok({ marked });
  }

  /** DELETE /notifications/threads/{id}/subscription: stays in the inbox, no further updates. */
  unsubscribeThread(id: string): DemoResult<void> {
    const t = this.thread(id);
    if (!t) return fail(404, 'thread_not_found', GITHUB_MESSAGES.notFound);
    t.subscribed = false;
    return ok(undefined);
  }

  // ---------------------------------------------------------------- simulation hooks (tests, demos)

  /**
   * Someone pushed to the PR's branch: new head SHA, one more commit, fresh check runs for the new
   * head (pending by default). A 'clean' PR becomes 'unstable' while its checks are not green.
   */
  simulatePush(repo: string, number: number, opts: { sha?: string; checks?: 'pending' | 'passing' | 'failing' | 'none'; mergeableState?: MergeableState } = {}): string {
    const p = this.requirePull(repo, number);
    const oldSha = p.headSha;
    const newSha = opts.sha ?? sha1Hex(`push:${p.repo}#${p.number}:${oldSha}:${++this.pushCounter}`);
    const at = this.tick();
    p.headSha = newSha;
    p.commits += 1;
    p.updatedAt = at;
    const old = this.checks.get(checkKey(p.repo, oldSha));
    const names = old && old.runs.length > 0 ? old.runs.map((r) => r.name) : opts.checks && opts.checks !== 'none' ? ['build'] : [];
    const mode = opts.checks ?? 'pending';
    const runs =
      mode === 'none'
        ? []
        : names.map((name, i) =>
            mode === 'pending'
              ? this.newCheckRun(name, newSha, 'queued', null, at)
              : this.newCheckRun(name, newSha, 'completed', mode === 'failing' && i === names.length - 1 ? 'failure' : 'success', at),
          );
    this.checks.set(checkKey(p.repo, newSha), { runs, statuses: [] });
    if (opts.mergeableState !== undefined) this.setMergeable(p.repo, p.number, opts.mergeableState);
    else if (p.mergeableState === 'clean' && (mode === 'pending' || mode === 'failing')) p.mergeableState = 'unstable';
    return newSha;
  }

  /** Completes every check run on the PR's current head with `conclusion`. */
  simulateChecksCompleted(repo: string, number: number, conclusion: DemoCheckConclusion = 'success'): void {
    const p = this.requirePull(repo, number);
    const at = this.tick();
    const c = this.checks.get(checkKey(p.repo, p.headSha));
    for (const r of c?.runs ?? []) {
      r.status = 'completed';
      r.conclusion = conclusion;
      r.startedAt ??= at;
      r.completedAt = at;
    }
    if (conclusion === 'success' && p.mergeableState === 'unstable') p.mergeableState = 'clean';
  }

  /** Adds completed check runs to the PR's current head (e.g. 150 runs, so the list spans pages). */
  simulateCheckRuns(repo: string, number: number, runs: ReadonlyArray<{ name: string; conclusion: DemoCheckConclusion }>): void {
    const p = this.requirePull(repo, number);
    const at = this.tick();
    const key = checkKey(p.repo, p.headSha);
    const c = this.checks.get(key) ?? { runs: [], statuses: [] };
    for (const r of runs) c.runs.push(this.newCheckRun(r.name, p.headSha, 'completed', r.conclusion, at));
    this.checks.set(key, c);
  }

  /** `author` submits a review (any GitHub user may review a public PR; their association says who they are). */
  simulateReview(repo: string, number: number, author: string, state: DemoReview['state']): void {
    const p = this.requirePull(repo, number);
    const at = this.tick();
    this.user(author, null);
    p.reviews.push({ id: stableId(`review:${p.repo}#${p.number}:${p.reviews.length}`, 2_000_000_000), author, state, body: '', submittedAt: at, commitId: p.headSha });
  }

  /** Sets mergeability directly (dirty → mergeable false, unknown → null, else true unless given). */
  setMergeable(repo: string, number: number, state: MergeableState, mergeable?: boolean | null): void {
    const p = this.requirePull(repo, number);
    p.mergeableState = state;
    p.mergeable = mergeable !== undefined ? mergeable : state === 'dirty' ? false : state === 'unknown' ? null : true;
    p.draft = state === 'draft' ? true : p.draft && state !== 'clean';
  }

  /** A new unread thread (id = highest id + 1 unless given), dated now. */
  simulateNotification(input: {
    repo: string;
    subjectType: NotificationSubjectType;
    reason: NotificationReason;
    number?: number;
    title?: string;
    id?: string;
    ref?: string;
  }): DemoThread {
    const r = this.repo(input.repo);
    if (!r) throw new Error(`simulateNotification: unknown repo ${input.repo}`);
    const item = input.number === undefined ? undefined : input.subjectType === 'PullRequest' ? this.pull(r.fullName, input.number) : this.issue(r.fullName, input.number);
    const maxId = this.threadList.reduce((m, t) => (BigInt(t.id) > m ? BigInt(t.id) : m), 0n);
    const thread: DemoThread = {
      id: input.id ?? String(maxId + 1n),
      repo: r.fullName,
      subjectType: input.subjectType,
      number: input.number ?? null,
      title: input.title ?? item?.title ?? `${input.subjectType} in ${r.fullName}`,
      ref: input.ref ?? null,
      reason: input.reason,
      unread: true,
      updatedAt: this.tick(),
      lastReadAt: null,
      subscribed: true,
    };
    const existing = this.threadList.findIndex((t) => t.id === thread.id);
    if (existing >= 0) this.threadList.splice(existing, 1);
    this.threadList.push(thread);
    return thread;
  }

  /** Someone (e.g. an agent's bot account) opens a PR in `repo`: the next number, head/base on fresh branches. */
  simulatePullRequest(input: { repo: string; author: string; title: string; body?: string; headRef?: string; baseRef?: string }): DemoPull {
    const r = this.repo(input.repo);
    if (!r) throw new Error(`simulatePullRequest: unknown repo ${input.repo}`);
    let max = 0;
    for (const x of [...this.pullMap.values(), ...this.issueMap.values()]) if (x.repo === r.fullName && x.number > max) max = x.number;
    const number = max + 1;
    const at = this.tick();
    const headSha = sha1Hex(`pr:${r.fullName}#${number}:${at}`);
    const pull: DemoPull = {
      repo: r.fullName,
      number,
      id: stableId(`pull:${r.fullName}#${number}`, 1_500_000_000),
      title: input.title,
      body: input.body ?? '',
      author: this.user(input.author, null).login,
      state: 'open',
      draft: false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      closedAt: null,
      createdAt: at,
      updatedAt: at,
      baseRef: input.baseRef ?? 'main',
      baseSha: sha1Hex(`base:${r.fullName}:${at}`),
      headRef: input.headRef ?? `agent/${number}`,
      headSha,
      mergeable: true,
      mergeableState: 'clean',
      additions: 1,
      deletions: 0,
      changedFiles: 1,
      commits: 1,
      labels: [],
      assignees: [],
      requestedReviewers: [],
      reviews: [],
      commentCount: 0,
      files: [],
      reviewComments: [],
    };
    this.pullMap.set(key(r.fullName, number), pull);
    this.checks.set(checkKey(r.fullName, headSha), { runs: [], statuses: [] });
    return pull;
  }

  // ---------------------------------------------------------------- internals

  private requirePull(repo: string, number: number): DemoPull {
    const p = this.pull(repo, number);
    if (!p) throw new Error(`no PR ${repo}#${number} in the demo state`);
    return p;
  }

  private user(login: string, name: string | null): DemoUser {
    const k = login.toLowerCase();
    const existing = this.users.get(k);
    if (existing) {
      if (name !== null && existing.name === null) existing.name = name;
      return existing;
    }
    const u: DemoUser = { login, id: stableId(`user:${login}`, 1_000_000, 190_000_000), name, type: login.endsWith('[bot]') || login === 'Copilot' ? 'Bot' : 'User' };
    this.users.set(k, u);
    return u;
  }

  private newCheckRun(name: string, headSha: string, status: DemoCheckRun['status'], conclusion: DemoCheckConclusion | null, at: string): DemoCheckRun {
    return {
      id: this.nextCheckRunId++,
      name,
      headSha,
      status,
      conclusion: status === 'completed' ? conclusion : null,
      startedAt: status === 'queued' ? null : at,
      completedAt: status === 'completed' ? at : null,
      runAttempt: 1,
    };
  }

  /** Advances the virtual clock by one second and returns the new time. */
  private tick(): string {
    if (this.clockMs) return iso(this.clockMs());
    this.virtualMs += 1000;
    return iso(this.virtualMs);
  }
}

/**
 * Files of a fixture PR that lists none: `changed` files named after the head branch, the
 * additions and deletions shared out with falling weights (the first file churns most).
 */
function deriveFiles(headRef: string, changed: number, additions: number, deletions: number): DemoFile[] {
  const n = Math.max(0, Math.min(changed, 300));
  if (n === 0) return [];
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const share = (sum: number) => {
    const parts = weights.map((w) => Math.floor((sum * w) / total));
    parts[0]! += sum - parts.reduce((a, b) => a + b, 0);
    return parts;
  };
  const adds = share(additions);
  const dels = share(deletions);
  const slug = headRef.replace(/^.*\//, '').replace(/[^a-z0-9]+/gi, '_') || 'change';
  return weights.map((_, i) => ({ filename: i === 0 ? `src/${slug}.go` : `src/${slug}_${i}.go`, status: 'modified' as const, additions: adds[i]!, deletions: dels[i]! }));
}

/** Conclusions "re-run failed jobs" re-runs. */
const FAILED_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'cancelled']);

/**
 * An Actions job's steps as GitHub reports them: set-up, checkout, the job's own step (where a
 * failure happens, named by the fixture or "Run <job>"), post-checkout, complete. A failed step
 * skips the ones after it except the clean-up steps. A queued job has no steps yet.
 */
function jobSteps(run: DemoCheckRun): DemoJobStep[] {
  if (run.status === 'queued') return [];
  const failing = run.conclusion !== null && FAILED_CONCLUSIONS.has(run.conclusion);
  const names = ['Set up job', 'Run actions/checkout@v4', run.failedStep ?? `Run ${run.name}`, 'Post Run actions/checkout@v4', 'Complete job'];
  return names.map((name, i) => {
    const done = run.status === 'completed' || i < 2;
    const conclusion: DemoJobStep['conclusion'] = !done ? null : i === 2 && failing ? (run.conclusion === 'cancelled' ? 'cancelled' : 'failure') : 'success';
    return {
      number: i + 1,
      name,
      status: done ? 'completed' : i === 2 ? 'in_progress' : 'queued',
      conclusion,
      startedAt: done || i === 2 ? run.startedAt : null,
      completedAt: done ? run.completedAt ?? run.startedAt : null,
    };
  });
}

function key(repo: string, number: number): string {
  return `${repo.toLowerCase()}#${number}`;
}

function checkKey(repo: string, sha: string): string {
  return `${repo.toLowerCase()}@${sha}`;
}
