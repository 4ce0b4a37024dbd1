/**
 * Persistence ports. Synchronous on purpose: the main-process store (sql.js + fsynced journal)
 * is synchronous, and a synchronous compare-and-set is what makes confirmation exactly-once
 * under concurrent confirms without locks. Every write method returns only after the write
 * is durable (survives kill -9 / power loss); it throws AppError('store_failed') otherwise —
 * except SessionRepository.put and CommandLog.append, which are history: they survive kill -9 but
 * are fsynced in groups (within 50 ms, or by the next durable write), so a read-only command costs
 * no fsync.
 */
import type { NotificationSubjectType } from '../../contract/github.js';
import type { ProfileName } from '../../contract/intent.js';
import type { ActionKind, ActionState } from '../../contract/response.js';

export interface InboxRef {
  threadId: string;
  repo: string;
  number: number | null;
  subjectType: NotificationSubjectType;
}

export interface SessionState {
  id: string;
  userId: string;
  profile: ProfileName;
  /** The PR "it" refers to: last PR summarized, read from the inbox, or acted on. */
  lastPr: { repo: string; number: number } | null;
  /** Inbox as last listed to the user, in spoken order. */
  inbox: InboxRef[];
  /** 0-based index into `inbox` of the current item; -1 before the first was read. */
  cursor: number;
  /** Last spoken response, for "repeat". */
  lastSpoken: string | null;
  /** "owner/name" chosen with "use acme slash api": the repo of commands that name none (null/absent: none chosen). */
  repo?: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SessionRepository {
  get(id: string): SessionState | undefined;
  /** Insert or replace. */
  put(state: SessionState): void;
}

export interface PendingActionRecord {
  /** ≥ 128-bit random hex; primary key. */
  token: string;
  sessionId: string;
  userId: string;
  kind: ActionKind;
  repo: string;
  /** PR or issue number the action targets (null for notification actions without one). */
  number: number | null;
  /** Head SHA read back to the user; merge is bound to it. */
  headSha: string | null;
  /** Kind-specific parameters: method, reviewers, body, issue, instruction, threadId, provider. */
  params: Record<string, unknown>;
  /** The exact read-back the user confirmed. */
  readBack: string;
  state: ActionState;
  createdAtMs: number;
  /** Wall-clock expiry for display. */
  expiresAtMs: number;
  /** Monotonic-clock deadline; only meaningful within the monotonic epoch identified by bootId. */
  deadlineMonoMs: number;
  /** The monotonic clock's epoch (OS boot) when created; a pending action from another epoch is expired. */
  bootId: string;
  failedConfirmations: number;
  /** Short machine-readable outcome once settled: merged, head_moved, not_mergeable, expired, ... */
  outcome: string | null;
  outcomeMessage: string | null;
  result: Record<string, unknown> | null;
  updatedAtMs: number;
}

export type PendingActionPatch = Partial<Pick<PendingActionRecord, 'outcome' | 'outcomeMessage' | 'result' | 'updatedAtMs'>>;

export interface PendingActionRepository {
  insert(rec: PendingActionRecord): void;
  get(token: string): PendingActionRecord | undefined;
  /** Newest first. */
  listBySession(sessionId: string, states?: readonly ActionState[]): PendingActionRecord[];
  /** Oldest first. */
  listByState(states: readonly ActionState[]): PendingActionRecord[];
  /**
   * Atomic compare-and-set: if the action's state is one of `from`, set it to `to` (and apply
   * `patch`), durably, and return the updated record; otherwise change nothing and return undefined.
   */
  transition(token: string, from: readonly ActionState[], to: ActionState, patch?: PendingActionPatch): PendingActionRecord | undefined;
  /** Durably increments and returns the new count. */
  incrementFailedConfirmations(token: string): number;
}

export interface AuditEntry {
  atMs: number;
  userId: string;
  sessionId: string | null;
  correlationId: string;
  /** e.g. "pr.merge". */
  action: string;
  /** e.g. "acme/api#12". */
  target: string;
  token: string | null;
  /** e.g. "requested", "executing", "merged", "head_moved", "failed", "cancelled", "expired". */
  outcome: string;
  detail: Record<string, unknown> | null;
}

export interface AuditLog {
  append(entry: AuditEntry): void;
  /** Newest first. */
  list(opts?: { limit?: number; token?: string }): AuditEntry[];
}

export interface CommandRecord {
  id: string;
  atMs: number;
  userId: string;
  sessionId: string;
  correlationId: string;
  source: 'text' | 'voice' | 'cli' | 'http' | 'ipc';
  /** The user's own words, truncated to 500 chars. */
  text: string;
  intent: string;
  confidence: number;
  status: 'ok' | 'needs_confirmation' | 'error';
  errorCode: string | null;
  durationMs: number;
}

export interface CommandLog {
  append(rec: CommandRecord): void;
  /** Newest first. */
  recent(opts?: { limit?: number; sessionId?: string }): CommandRecord[];
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  userId: string;
  /** SHA-256 hex of the key; the key itself is never stored. */
  hash: string;
  /** Requests per minute. */
  rateLimitPerMin: number;
  createdAtMs: number;
  revokedAtMs: number | null;
}

export interface ApiKeyRepository {
  insert(rec: ApiKeyRecord): void;
  findByHash(hash: string): ApiKeyRecord | undefined;
  /** Returns false when no such (unrevoked) key exists. */
  revoke(id: string, atMs: number): boolean;
  list(): ApiKeyRecord[];
}

/**
 * A thread snoozed here ("snooze this for an hour"): hidden from the inbox until it fires. Local
 * only: GitHub has no snooze; the thread stays unread there.
 */
export interface SnoozeRecord {
  userId: string;
  threadId: string;
  repo: string;
  number: number | null;
  subjectType: NotificationSubjectType;
  /** Wall-clock epoch ms when it is due. */
  untilMs: number;
  createdAtMs: number;
  /** When it fired (was brought back and announced); null while snoozed. */
  firedAtMs: number | null;
}

export interface SnoozeRepository {
  /** Snoozes a thread (a new snooze of the same thread replaces the old one and re-arms it). Durable. */
  put(rec: Omit<SnoozeRecord, 'firedAtMs'>): void;
  /**
   * Thread ids of snoozes that have not fired yet (hidden from the inbox): one user's, or every
   * user's when `userId` is omitted (the stored inbox is the token owner's, whoever snoozed).
   */
  hiddenIds(userId?: string): string[];
  /**
   * Snoozes due at `nowMs` (epoch ms) that have not fired, oldest due first, each marked fired in
   * the same durable transaction: a snooze is returned by exactly one call, ever (across restarts).
   */
  takeDue(nowMs: number): SnoozeRecord[];
  /** The earliest unfired due time (epoch ms), or null. */
  nextDueMs(): number | null;
}

/** All repositories of one store. */
export interface Repositories {
  sessions: SessionRepository;
  pendingActions: PendingActionRepository;
  audit: AuditLog;
  commands: CommandLog;
  apiKeys: ApiKeyRepository;
  snoozes: SnoozeRepository;
}
