import type {
  CheckRun,
  CheckSummary,
  CommentResult,
  IssueSummary,
  MergeResult,
  NotificationThread,
  PullRequestDetail,
  PullRequestSummary,
  RateLimitInfo,
  RepoFullName,
  Viewer,
} from '../../contract/github.js';
import type { MergeMethod } from '../../contract/intent.js';

/**
 * Everything the app asks of GitHub. Implementations: FixtureGitHubGateway (offline demo account)
 * and OctokitGitHubGateway (REST via @octokit/rest).
 *
 * Errors are thrown as AppError with codes: pr_not_found, issue_not_found, unknown_repo,
 * head_moved (409), not_mergeable (405), already_merged, no_token, github_unauthorized,
 * github_forbidden, github_rate_limited, github_unavailable (5xx / network), github_timeout,
 * github_validation (422).
 *
 * Write calls (merge, requestReviewers, createComment, submitReview, rerunFailedJobs, createIssue, markThreadDone, unsubscribe,
 * markAllNotificationsRead)
 * are sent exactly once: adapters never retry them. Reconciliation after an ambiguous failure
 * is the caller's job (core/actions), using the read calls.
 */
export interface GitHubGateway {
  readonly mode: 'fixture' | 'live';
  viewer(): Promise<Viewer>;
  /** Repos the user works with ("owner/name"), for resolving spoken repo names. */
  listRepos(): Promise<RepoFullName[]>;
  /** Unread notification threads, newest first. */
  listNotifications(): Promise<NotificationThread[]>;
  markThreadDone(threadId: string): Promise<void>;
  unsubscribeThread(threadId: string): Promise<void>;
  /**
   * PUT /notifications with `last_read_at` (and read: true): every thread updated at or before
   * that time is marked read on GitHub (202: GitHub may finish it in the background). Threads
   * updated later stay unread. A write: sent once, never retried.
   */
  markAllNotificationsRead(lastReadAt: string): Promise<void>;
  /** Open PRs authored by the viewer. */
  listMyPullRequests(): Promise<PullRequestSummary[]>;
  /** Open PRs where the viewer's review is requested. */
  listReviewRequests(): Promise<PullRequestSummary[]>;
  /** Open PRs of one repo, newest update first (up to 50): the numbers a spoken PR number is checked against. */
  listOpenPullRequests(repo: RepoFullName): Promise<PullRequestSummary[]>;
  getPullRequest(repo: RepoFullName, number: number): Promise<PullRequestDetail>;
  getChecks(repo: RepoFullName, ref: string): Promise<CheckSummary>;
  /** True when GitHub reports the PR merged (GET …/pulls/{n}/merge → 204). */
  isMerged(repo: RepoFullName, number: number): Promise<boolean>;
  /** Merges only if the head still is `sha`; 409 → AppError('head_moved'). Never retried. */
  mergePullRequest(req: { repo: RepoFullName; number: number; sha: string; method: MergeMethod }): Promise<MergeResult>;
  requestReviewers(repo: RepoFullName, number: number, reviewers: string[]): Promise<void>;
  createComment(repo: RepoFullName, number: number, body: string): Promise<CommentResult>;
  /**
   * POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews with `event` and `commit_id` (the head
   * that was read back): an approval or a change request, submitted at once (never left pending).
   * GitHub answers 422 for a review of one's own PR or a change request without a body. Never retried.
   */
  submitReview(req: SubmitReviewRequest): Promise<ReviewResult>;
  // ---- CI and PR depth (issue 15: pr.checks_failure, pr.rerun_checks, pr.diff_summary, pr.comments)
  /** Check runs of `ref` with their ids (GET …/commits/{ref}/check-runs, every page): the ids of Actions jobs. */
  listCheckRuns(repo: RepoFullName, ref: string): Promise<CheckRunDetail[]>;
  /** GET /repos/{owner}/{repo}/actions/jobs/{job_id}: one Actions job with its steps. */
  getActionsJob(repo: RepoFullName, jobId: number): Promise<ActionsJob>;
  /** GET …/actions/runs/{run_id}/jobs (latest attempt, every page): what a re-run is checked against. */
  listWorkflowRunJobs(repo: RepoFullName, runId: number): Promise<ActionsJob[]>;
  /**
   * The last lines of an Actions job's log (GET …/actions/jobs/{job_id}/logs answers 302 with a
   * short-lived URL; the adapter follows it without the token, with a byte cap and a deadline).
   * Untrusted text: the PR's code writes it.
   */
  getActionsJobLogTail(repo: RepoFullName, jobId: number, maxLines: number): Promise<string[]>;
  /** POST …/actions/runs/{run_id}/rerun-failed-jobs (201). Never retried. */
  rerunFailedJobs(repo: RepoFullName, runId: number): Promise<void>;
  /** GET …/pulls/{n}/files, every page (GitHub lists at most 3,000 files). */
  listPullRequestFiles(repo: RepoFullName, number: number): Promise<PullRequestFile[]>;
  /** Issue comments and review comments of a PR, newest first (every page of both lists). */
  listPullRequestComments(repo: RepoFullName, number: number): Promise<PullRequestComment[]>;
  // ---- end CI and PR depth
  getIssue(repo: RepoFullName, number: number): Promise<IssueSummary>;
  createIssue(repo: RepoFullName, issue: { title: string; body: string; labels?: string[] }): Promise<IssueSummary>;
  /**
   * POST /repos/{owner}/{repo}/issues/{issue_number}/assignees. With `agent`, the body also carries
   * `agent_assignment` (options for GitHub Copilot's coding agent when COPILOT_ASSIGNEE is among
   * `assignees`). GitHub answers 201 even when it silently drops an assignee the caller may not
   * assign (e.g. Copilot not enabled in the repo): callers check the returned `assignees`.
   * Assigning twice is harmless on GitHub's side, but like every write it is sent once, never retried.
   */
  addAssignees(repo: RepoFullName, number: number, assignees: string[], agent?: AgentAssignment): Promise<IssueSummary>;
  /**
   * Conditional poll of GET /notifications (unread threads): sends `If-Modified-Since: lastModified`
   * when given, so an unchanged inbox answers 304 (no rate-limit cost, `threads` empty). 403 with a
   * fine-grained / GitHub App token → AppError('github_forbidden') saying a classic or OAuth token is needed.
   */
  pollNotifications(req: { lastModified: string | null }): Promise<NotificationPoll>;
  /**
   * Issues and PRs whose body contains `text` (e.g. a dispatch marker), newest first; `repo` limits
   * the search to one repository. Used to correlate agent PRs and to dedupe dispatch after an
   * ambiguous failure. May lag behind writes on GitHub (search index).
   */
  searchIssuesByText(text: string, opts?: { repo?: RepoFullName; type?: 'issue' | 'pr' }): Promise<TextSearchHit[]>;
  /** Last rate-limit figures seen, or null before the first call / in fixture mode. */
  rateLimit(): RateLimitInfo | null;
}

/** The review events the app submits (GitHub's COMMENT event is what createComment is for). */
export type ReviewEvent = 'APPROVE' | 'REQUEST_CHANGES';

export interface SubmitReviewRequest {
  repo: RepoFullName;
  number: number;
  /** The head SHA that was read back: the review is of that commit. */
  commitId: string;
  event: ReviewEvent;
  /** Required by GitHub for REQUEST_CHANGES. */
  body?: string;
}

export interface ReviewResult {
  id: number;
  /** GitHub's state of the submitted review: APPROVED or CHANGES_REQUESTED. */
  state: string;
  htmlUrl: string;
}

// ---- CI and PR depth types (issue 15)

/** A check run as listed for a commit, with the id GitHub Actions uses for its job. */
export interface CheckRunDetail {
  id: number;
  /** Untrusted (a workflow in the PR can name its jobs). */
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: CheckRun['conclusion'];
  /** Made by GitHub Actions (app slug github-actions): the id is a job id, with steps and logs. */
  actions: boolean;
}

export interface ActionsStep {
  number: number;
  /** Untrusted. */
  name: string;
  status: 'queued' | 'in_progress' | 'completed' | 'pending' | 'waiting';
  conclusion: string | null;
}

export interface ActionsJob {
  id: number;
  runId: number;
  runAttempt: number;
  /** Untrusted. */
  name: string;
  /** Untrusted. */
  workflowName: string | null;
  headSha: string;
  status: string;
  conclusion: string | null;
  steps: ActionsStep[];
  htmlUrl: string | null;
}

export interface PullRequestFile {
  /** Untrusted (the PR author names files). */
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions: number;
  deletions: number;
}

export interface PullRequestComment {
  id: number;
  kind: 'issue' | 'review';
  author: string;
  /** Untrusted, trimmed. */
  body: string;
  createdAt: string;
  htmlUrl: string;
  /** Review comments: the file commented on (untrusted). */
  path?: string;
}

/**
 * `agent_assignment` of the REST assignees call: where and how Copilot's coding agent works on the
 * issue. See https://github.blog/changelog/2025-12-03-assign-issues-to-copilot-using-the-api and
 * https://docs.github.com/en/copilot/how-tos/use-copilot-agents/cloud-agent/use-cloud-agent-via-the-api
 * (the issues REST/GraphQL APIs assign issues to Copilot; fields target_repo, base_branch,
 * custom_instructions). The GraphQL route (replaceActorsForAssignable after suggestedActors with
 * CAN_BE_ASSIGNED) does the same; REST keeps one transport for every write here.
 */
export interface AgentAssignment {
  /** "owner/name" where Copilot opens its PR (default: the issue's repo). */
  targetRepo?: RepoFullName;
  /** Branch Copilot starts from and targets (default: the repo's default branch). */
  baseBranch?: string;
  /** Extra instructions for this task (the user's spoken instruction). */
  customInstructions?: string;
}

/** The assignee login that asks GitHub to hand an issue to Copilot's coding agent (REST). */
export const COPILOT_ASSIGNEE = 'copilot-swe-agent[bot]';

/**
 * Whether a login is Copilot's coding agent: GitHub shows the assignee and the PR author as
 * "Copilot" (a Bot account), commits and some APIs as "copilot-swe-agent[bot]". Case-insensitive.
 */
export function isCopilotLogin(login: string): boolean {
  return ['copilot', 'copilot-swe-agent[bot]', 'copilot-swe-agent'].includes(login.toLowerCase());
}

export interface NotificationPoll {
  /** 304: nothing changed since `lastModified` (threads is empty). */
  status: 200 | 304;
  /** Last-Modified of this answer (or the one sent, on 304); send it back next time. */
  lastModified: string | null;
  /** X-Poll-Interval: the earliest next poll, in seconds (GitHub's default 60). */
  pollIntervalS: number;
  /** Unread threads, newest first (200 only). */
  threads: NotificationThread[];
}

export interface TextSearchHit {
  kind: 'issue' | 'pr';
  repo: RepoFullName;
  number: number;
  /** Login of the author: only allow-listed authors may be trusted (e.g. an agent's bot account). */
  author: string;
  state: 'open' | 'closed';
  /** Untrusted. */
  title: string;
  /** Untrusted, trimmed. */
  body: string;
  htmlUrl: string;
  createdAt: string;
}
