/**
 * The command response: one shape for the CLI, HTTP API, IPC and the voice loop.
 * Field names follow the seed contract (snake_case at the top level).
 */
import type { AppErrorShape } from './errors.js';
import type { CheckState, MergeableState, NotificationReason, NotificationSubjectType, ReviewState } from './github.js';
import type { IntentName } from './intent.js';
import { commandsOfKind, type ConfirmedCommand } from './commands.js';

export type ResponseStatus = 'ok' | 'needs_confirmation' | 'error';

/** The pending-action kinds: the commands of kind `confirmed` in contract/commands.ts. */
export type ActionKind = ConfirmedCommand;
export const ACTION_KINDS = commandsOfKind('confirmed') as ActionKind[];

export const ACTION_STATES = ['pending', 'executing', 'done', 'failed', 'cancelled', 'expired'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export interface PendingActionView {
  /** Opaque confirmation token, ≥ 128 bits, hex. */
  token: string;
  kind: ActionKind;
  /** ISO-8601 wall-clock time for display; expiry itself is enforced on a monotonic clock. */
  expires_at: string;
  /** Milliseconds left when the response was built. */
  expires_in_ms: number;
  /** The exact read-back, built from GitHub API fields only. */
  summary: string;
  repo: string;
  number: number | null;
  head_sha: string | null;
}

export interface NotificationCard {
  kind: 'notification';
  position: number;
  thread_id: string;
  repo: string;
  subject_type: NotificationSubjectType;
  title: string;
  reason: NotificationReason;
  number: number | null;
  updated_at: string;
  unread: boolean;
  url: string;
  checks?: CheckState;
  review?: ReviewState | 'none';
}

export interface PullRequestCard {
  kind: 'pull_request';
  repo: string;
  number: number;
  title: string;
  author: string;
  base: string;
  head: string;
  head_sha: string;
  state: 'open' | 'closed' | 'merged';
  draft: boolean;
  mergeable_state: MergeableState;
  checks: { state: CheckState; total: number; passing: number; failing: number; pending: number };
  reviews: { approved: number; changes_requested: number; requested: string[] };
  size: { additions: number; deletions: number; changed_files: number; commits: number };
  url: string;
}

export interface ConfirmationCard {
  kind: 'confirmation';
  action: PendingActionView;
}

export interface OutcomeCard {
  kind: 'outcome';
  token: string;
  action: ActionKind;
  state: ActionState;
  /** Short machine-readable outcome: merged, head_moved, expired, failed, cancelled, commented, ... */
  outcome: string;
  message: string;
}

export interface HelpCard {
  kind: 'help';
  examples: string[];
}

export type Card = NotificationCard | PullRequestCard | ConfirmationCard | OutcomeCard | HelpCard;

/**
 * Something the client should do besides speaking and showing cards. `open_url`: open `url` in the
 * user's browser ("open it"); the URL is built from GitHub API fields (html_url), and clients still
 * check it with contract/linkPolicy.ts isAllowedExternalUrl (https://github.com only) before opening.
 */
export interface OpenUrlDirective {
  kind: 'open_url';
  url: string;
  /** What is opened, for screen readers and logs, e.g. "PR 12 in acme/api". */
  label: string;
}

export type Directive = OpenUrlDirective;

export interface CommandResponse {
  status: ResponseStatus;
  intent: { name: IntentName; confidence: number; entities: Record<string, unknown> };
  spoken_text: string;
  cards: Card[];
  pending_action?: PendingActionView;
  /** Client-side effects (absent when none). */
  directives?: Directive[];
  error?: AppErrorShape;
  session_id: string;
  debug: {
    processing_time_ms: number;
    correlation_id: string;
    /** Where the time went (ms): recognising the intent, and handling it (GitHub calls, planning). */
    timings_ms?: { intent: number; handle: number };
  };
}
