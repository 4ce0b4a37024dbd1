/**
 * GitHub domain types as the app uses them: a projection of GitHub's REST fields.
 * Text fields that come from GitHub users (titles, bodies, names) are untrusted data:
 * they may be shown and spoken (sanitised) but never reach the intent recognizer.
 */

/** "owner/name". */
export type RepoFullName = string;

export type CheckState = 'passing' | 'failing' | 'pending' | 'none';

export interface CheckRun {
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | 'stale'
    | null;
}

export interface CheckSummary {
  state: CheckState;
  total: number;
  passing: number;
  failing: number;
  pending: number;
  runs: CheckRun[];
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

/** GitHub's `author_association` of a review's author with the repository. */
export type AuthorAssociation = 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIME_CONTRIBUTOR' | 'FIRST_TIMER' | 'MANNEQUIN' | 'NONE';

export interface Review {
  author: string;
  state: ReviewState;
  submittedAt: string | null;
  /** Only OWNER, MEMBER and COLLABORATOR reviews count for the merge gates (anyone can review a public PR). */
  association: AuthorAssociation;
}

/** GitHub's `mergeable_state`. */
export type MergeableState =
  | 'clean'
  | 'dirty'
  | 'blocked'
  | 'behind'
  | 'unstable'
  | 'has_hooks'
  | 'draft'
  | 'unknown';

export interface PullRequestSummary {
  repo: RepoFullName;
  number: number;
  title: string;
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  updatedAt: string;
  htmlUrl: string;
}

export interface PullRequestDetail extends PullRequestSummary {
  baseRef: string;
  headRef: string;
  headSha: string;
  /** null while GitHub is still computing mergeability. */
  mergeable: boolean | null;
  mergeableState: MergeableState;
  additions: number;
  deletions: number;
  changedFiles: number;
  commits: number;
  checks: CheckSummary;
  reviews: Review[];
  requestedReviewers: string[];
  labels: string[];
  /** Untrusted; trimmed by the gateway to at most 4,000 chars. */
  body: string;
}

export type NotificationReason =
  | 'approval_requested'
  | 'assign'
  | 'author'
  | 'ci_activity'
  | 'comment'
  | 'invitation'
  | 'manual'
  | 'member_feature_requested'
  | 'mention'
  | 'review_requested'
  | 'security_advisory_credit'
  | 'security_alert'
  | 'state_change'
  | 'subscribed'
  | 'team_mention';

export type NotificationSubjectType =
  | 'PullRequest'
  | 'Issue'
  | 'CheckSuite'
  | 'Release'
  | 'Discussion'
  | 'Commit'
  | 'RepositoryVulnerabilityAlert';

export interface NotificationThread {
  /** GitHub's thread id (string of digits). */
  id: string;
  repo: RepoFullName;
  subjectType: NotificationSubjectType;
  /** Untrusted. */
  title: string;
  reason: NotificationReason;
  unread: boolean;
  updatedAt: string;
  /** PR or issue number when the subject is one, parsed from the subject URL. */
  number: number | null;
  /** https://github.com/... link for "open it". */
  htmlUrl: string;
}

export interface IssueSummary {
  repo: RepoFullName;
  number: number;
  title: string;
  author: string;
  state: 'open' | 'closed';
  labels: string[];
  assignees: string[];
  htmlUrl: string;
  /** Untrusted; trimmed by the gateway to at most 4,000 chars. */
  body: string;
}

export interface MergeResult {
  /** The merge commit SHA GitHub reports. */
  sha: string;
  /** True when the result was learnt by reading merged state after an ambiguous failure. */
  reconciled: boolean;
}

export interface CommentResult {
  id: number;
  htmlUrl: string;
}

export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** Epoch ms when the window resets. */
  resetAtMs: number;
}

export interface Viewer {
  login: string;
  name: string | null;
}
