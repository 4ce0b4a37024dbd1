import type {
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
 * Write calls (merge, requestReviewers, createComment, createIssue, markThreadDone, unsubscribe)
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
  /** Open PRs authored by the viewer. */
  listMyPullRequests(): Promise<PullRequestSummary[]>;
  /** Open PRs where the viewer's review is requested. */
  listReviewRequests(): Promise<PullRequestSummary[]>;
  getPullRequest(repo: RepoFullName, number: number): Promise<PullRequestDetail>;
  getChecks(repo: RepoFullName, ref: string): Promise<CheckSummary>;
  /** True when GitHub reports the PR merged (GET …/pulls/{n}/merge → 204). */
  isMerged(repo: RepoFullName, number: number): Promise<boolean>;
  /** Merges only if the head still is `sha`; 409 → AppError('head_moved'). Never retried. */
  mergePullRequest(req: { repo: RepoFullName; number: number; sha: string; method: MergeMethod }): Promise<MergeResult>;
  requestReviewers(repo: RepoFullName, number: number, reviewers: string[]): Promise<void>;
  createComment(repo: RepoFullName, number: number, body: string): Promise<CommentResult>;
  getIssue(repo: RepoFullName, number: number): Promise<IssueSummary>;
  createIssue(repo: RepoFullName, issue: { title: string; body: string; labels?: string[] }): Promise<IssueSummary>;
  /** Last rate-limit figures seen, or null before the first call / in fixture mode. */
  rateLimit(): RateLimitInfo | null;
}
