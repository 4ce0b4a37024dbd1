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
