/**
 * Notifications, subscriptions and poll state over the store's durable run/all (tables from
 * migration 0002). One row per (user, thread): a poll and a webhook seeing the same thread, or the
 * same delivery twice, update that row instead of adding one.
 */
import type { NotificationReason, NotificationSubjectType, NotificationThread } from '../../contract/github.js';
import type { Row, SqlStore } from '../store/index.js';

export type { SqlStore } from '../store/index.js';

export interface StoredNotification {
  userId: string;
  threadId: string;
  repo: string;
  subjectType: NotificationSubjectType;
  /** Untrusted. */
  title: string;
  url: string | null;
  number: number | null;
  reason: NotificationReason;
  unread: boolean;
  updatedAtMs: number;
  firstSeenAtMs: number;
  lastSeenAtMs: number;
  announcedAtMs: number | null;
  /** The channel whose sighting set `updatedAtMs` (see upsertThread: cross-channel comparison). */
  source: 'poll' | 'webhook';
}

export type UpsertResult = 'new' | 'updated' | 'unchanged';

/**
 * How far apart, ms, a webhook's timestamp (comment/review/PR updated_at) and the notification
 * thread's updated_at for the same change may be. GitHub sets both within seconds; a second change
 * on the same subject inside this window is folded into the first (shown, not spoken twice).
 */
export const CROSS_CHANNEL_SKEW_MS = 2 * 60_000;

/** Ids the webhook receiver makes up (`wh:pr:…`, `wh:issue:…`, `wh:ci:…`); GitHub's are digits. */
export function isWebhookId(threadId: string): boolean {
  return threadId.startsWith('wh:');
}

const aliasKey = (userId: string, threadId: string): string => `${userId}\u0000${threadId}`;

export interface PollState {
  lastModified: string | null;
  pollIntervalS: number;
  nextPollAtMs: number;
  lastPolledAtMs: number | null;
  lastStatus: number | null;
}

export type SubscriptionScope = 'thread' | 'repo';
export type SubscriptionState = 'subscribed' | 'unsubscribed' | 'ignored';

export interface Subscription {
  id: number;
  userId: string;
  scope: SubscriptionScope;
  target: string;
  state: SubscriptionState;
  createdAtMs: number;
  updatedAtMs: number;
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function toNotification(r: Row): StoredNotification {
  return {
    userId: String(r['user_id']),
    threadId: String(r['thread_id']),
    repo: String(r['repo']),
    subjectType: String(r['subject_type']) as NotificationSubjectType,
    title: String(r['subject_title']),
    url: r['subject_url'] === null ? null : String(r['subject_url']),
    number: num(r['number']),
    reason: String(r['reason']) as NotificationReason,
    unread: Number(r['unread']) === 1,
    updatedAtMs: Number(r['updated_at_ms']),
    firstSeenAtMs: Number(r['first_seen_at_ms']),
    lastSeenAtMs: Number(r['last_seen_at_ms']),
    announcedAtMs: num(r['announced_at_ms']),
    source: r['source'] === 'webhook' ? 'webhook' : 'poll',
  };
}

function toSubscription(r: Row): Subscription {
  return {
    id: Number(r['id']),
    userId: String(r['user_id']),
    scope: String(r['scope']) as SubscriptionScope,
    target: String(r['target']),
    state: String(r['state']) as SubscriptionState,
    createdAtMs: Number(r['created_at_ms']),
    updatedAtMs: Number(r['updated_at_ms']),
  };
}

export class NotificationRepository {
  /**
   * Thread ids merged into another row → that row's id. In memory on purpose: only in-memory
   * holders (the announcer's held queue) can still name the old id, and they do not survive a restart.
   */
  private readonly aliases = new Map<string, string>();

  constructor(private readonly db: SqlStore) {}

  /** Runs `fn` as one durable transaction (one fdatasync for a whole poll), or rolls all of it back. */
  batch<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  /** The row for a thread id, following ids merged into another row in this process (see upsertThread). */
  get(userId: string, threadId: string): StoredNotification | undefined {
    const r = this.db.all('SELECT * FROM notifications WHERE user_id = ? AND thread_id = ?', [userId, threadId])[0];
    if (r) return toNotification(r);
    const alias = this.aliases.get(aliasKey(userId, threadId));
    return alias !== undefined && alias !== threadId ? this.get(userId, alias) : undefined;
  }

  /** Newest first. */
  list(userId: string, opts: { unreadOnly?: boolean; limit?: number; repo?: string } = {}): StoredNotification[] {
    const where = ['user_id = ?'];
    const params: (string | number)[] = [userId];
    if (opts.unreadOnly) where.push('unread = 1');
    if (opts.repo) {
      where.push('repo = ?');
      params.push(opts.repo);
    }
    params.push(Math.min(Math.max(opts.limit ?? 50, 1), 500));
    return this.db.all(`SELECT * FROM notifications WHERE ${where.join(' AND ')} ORDER BY updated_at_ms DESC, thread_id DESC LIMIT ?`, params).map(toNotification);
  }

  /**
   * Inserts a thread seen on GitHub, or refreshes it. 'new' for a thread never stored; 'updated'
   * when GitHub's updated_at moved forward (new activity: it is announced again); 'unchanged'
   * otherwise (a repeat poll, a replayed webhook, or the same change seen by the other channel).
   */
  upsert(userId: string, t: NotificationThread, source: 'poll' | 'webhook', nowMs: number): UpsertResult {
    return this.upsertThread(userId, t, source, nowMs).result;
  }

  /**
   * upsert, also saying under which thread id the row is stored: a webhook change merged into a
   * polled thread keeps GitHub's thread id (mark done / unsubscribe need it), and a polled thread
   * that matches a webhook row renames that row to GitHub's id.
   *
   * Webhook and poll name the same change differently (ids `wh:pr:acme/api#12` vs GitHub's thread
   * id "9001"), so rows are correlated by subject: repo + subject type + number, and the change by
   * updated_at. A change seen by one channel and then by the other within CROSS_CHANNEL_SKEW_MS
   * (the two timestamps come from different GitHub objects: the comment vs the thread) is the same
   * change: one row, not re-announced. Within one channel the comparison stays exact.
   */
  upsertThread(userId: string, t: NotificationThread, source: 'poll' | 'webhook', nowMs: number): { result: UpsertResult; threadId: string } {
    const updatedAtMs = Date.parse(t.updatedAt) || nowMs;
    return this.db.transaction(() => {
      let existing = this.get(userId, t.id);
      if (!existing) {
        const twin = this.correlated(userId, t, source, updatedAtMs);
        if (twin) {
          // Keep GitHub's thread id: rename a webhook row when its polled twin arrives.
          if (source === 'poll' && isWebhookId(twin.threadId)) {
            this.db.run('UPDATE notifications SET thread_id = ? WHERE user_id = ? AND thread_id = ?', [t.id, userId, twin.threadId]);
            this.aliases.set(aliasKey(userId, twin.threadId), t.id);
            existing = { ...twin, threadId: t.id };
          } else {
            this.aliases.set(aliasKey(userId, t.id), twin.threadId);
            existing = twin;
          }
        }
      }
      if (!existing) {
        this.db.run(
          `INSERT INTO notifications (user_id, thread_id, repo, subject_type, subject_title, subject_url, number, reason, unread, updated_at_ms, first_seen_at_ms, last_seen_at_ms, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [userId, t.id, t.repo, t.subjectType, t.title, t.htmlUrl, t.number, t.reason, t.unread ? 1 : 0, updatedAtMs, nowMs, nowMs, source],
        );
        return { result: 'new', threadId: t.id };
      }
      const id = existing.threadId;
      const crossChannel = existing.source !== source;
      const fresh = crossChannel ? updatedAtMs > existing.updatedAtMs + CROSS_CHANNEL_SKEW_MS : updatedAtMs > existing.updatedAtMs;
      if (fresh) {
        this.db.run(
          `UPDATE notifications SET subject_title = ?, subject_url = ?, reason = ?, unread = ?, updated_at_ms = ?, last_seen_at_ms = ?, announced_at_ms = NULL, source = ?
           WHERE user_id = ? AND thread_id = ?`,
          [t.title, t.htmlUrl || existing.url, t.reason, t.unread ? 1 : 0, updatedAtMs, nowMs, source, userId, id],
        );
        return { result: 'updated', threadId: id };
      }
      if (crossChannel && updatedAtMs >= existing.updatedAtMs) {
        // The same change through the other channel: remember its timestamp and channel so the
        // next sighting on this channel compares exactly, but do not announce it again.
        this.db.run('UPDATE notifications SET updated_at_ms = ?, last_seen_at_ms = ?, source = ? WHERE user_id = ? AND thread_id = ?', [updatedAtMs, nowMs, source, userId, id]);
      }
      return { result: 'unchanged', threadId: id };
    });
  }

  /**
   * The row of the other channel for the same subject: a webhook thread looks for a polled one and
   * a polled thread for a webhook one (never poll↔poll: GitHub has one thread per subject). Subjects
   * without a number (a CI run on a branch) only match within the skew window.
   */
  private correlated(userId: string, t: NotificationThread, source: 'poll' | 'webhook', updatedAtMs: number): StoredNotification | undefined {
    const wantWebhookRow = source === 'poll';
    const rows = this.db
      .all(
        `SELECT * FROM notifications WHERE user_id = ? AND lower(repo) = lower(?) AND subject_type = ? AND ${t.number === null || t.subjectType === 'CheckSuite' ? '1 = 1' : 'number = ?'}
         ORDER BY updated_at_ms DESC LIMIT 20`,
        t.number === null || t.subjectType === 'CheckSuite' ? [userId, t.repo, t.subjectType] : [userId, t.repo, t.subjectType, t.number],
      )
      .map(toNotification)
      .filter((r) => isWebhookId(r.threadId) === wantWebhookRow);
    const loose = t.number === null || t.subjectType === 'CheckSuite';
    return rows.find((r) => !loose || Math.abs(r.updatedAtMs - updatedAtMs) <= CROSS_CHANNEL_SKEW_MS);
  }

  /** Threads no longer unread on GitHub (read or done elsewhere). */
  markRead(userId: string, threadIds: readonly string[], nowMs: number): void {
    for (const id of threadIds) this.db.run('UPDATE notifications SET unread = 0, last_read_at_ms = ? WHERE user_id = ? AND thread_id = ? AND unread = 1', [nowMs, userId, id]);
  }

  unreadIds(userId: string): string[] {
    return this.db.all('SELECT thread_id FROM notifications WHERE user_id = ? AND unread = 1', [userId]).map((r) => String(r['thread_id']));
  }

  markAnnounced(userId: string, threadIds: readonly string[], atMs: number): void {
    if (threadIds.length === 0) return;
    this.db.transaction(() => {
      for (const raw of threadIds) {
        const id = this.get(userId, raw)?.threadId ?? raw;
        this.db.run('UPDATE notifications SET announced_at_ms = ? WHERE user_id = ? AND thread_id = ?', [atMs, userId, id]);
      }
    });
  }

  pollState(userId: string): PollState {
    const r = this.db.all('SELECT * FROM notification_poll_state WHERE user_id = ?', [userId])[0];
    if (!r) return { lastModified: null, pollIntervalS: 60, nextPollAtMs: 0, lastPolledAtMs: null, lastStatus: null };
    return {
      lastModified: r['last_modified'] === null ? null : String(r['last_modified']),
      pollIntervalS: Number(r['poll_interval_s']),
      nextPollAtMs: Number(r['next_poll_at_ms']),
      lastPolledAtMs: num(r['last_polled_at_ms']),
      lastStatus: num(r['last_status']),
    };
  }

  savePollState(userId: string, s: PollState, nowMs: number): void {
    this.db.run(
      `INSERT INTO notification_poll_state (user_id, last_modified, poll_interval_s, next_poll_at_ms, last_polled_at_ms, last_status, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET last_modified = excluded.last_modified, poll_interval_s = excluded.poll_interval_s,
         next_poll_at_ms = excluded.next_poll_at_ms, last_polled_at_ms = excluded.last_polled_at_ms, last_status = excluded.last_status,
         updated_at_ms = excluded.updated_at_ms`,
      [userId, s.lastModified, s.pollIntervalS, s.nextPollAtMs, s.lastPolledAtMs, s.lastStatus, nowMs],
    );
  }
}

export class SubscriptionRepository {
  constructor(private readonly db: SqlStore) {}

  list(userId: string): Subscription[] {
    return this.db.all('SELECT * FROM notification_subscriptions WHERE user_id = ? ORDER BY id', [userId]).map(toSubscription);
  }

  get(userId: string, id: number): Subscription | undefined {
    const r = this.db.all('SELECT * FROM notification_subscriptions WHERE user_id = ? AND id = ?', [userId, id])[0];
    return r ? toSubscription(r) : undefined;
  }

  find(userId: string, scope: SubscriptionScope, target: string): Subscription | undefined {
    const r = this.db.all('SELECT * FROM notification_subscriptions WHERE user_id = ? AND scope = ? AND target = ?', [userId, scope, target])[0];
    return r ? toSubscription(r) : undefined;
  }

  /** Insert or update the (scope, target) choice; returns the row and whether it was created. */
  put(userId: string, scope: SubscriptionScope, target: string, state: SubscriptionState, nowMs: number, actionToken: string | null = null): { sub: Subscription; created: boolean } {
    return this.db.transaction(() => {
      const existing = this.find(userId, scope, target);
      if (existing) {
        this.db.run('UPDATE notification_subscriptions SET state = ?, action_token = ?, updated_at_ms = ? WHERE id = ?', [state, actionToken, nowMs, existing.id]);
      } else {
        this.db.run(
          'INSERT INTO notification_subscriptions (user_id, scope, target, state, action_token, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [userId, scope, target, state, actionToken, nowMs, nowMs],
        );
      }
      return { sub: this.find(userId, scope, target)!, created: !existing };
    });
  }

  update(userId: string, id: number, state: SubscriptionState, nowMs: number): Subscription | undefined {
    if (!this.get(userId, id)) return undefined;
    this.db.run('UPDATE notification_subscriptions SET state = ?, updated_at_ms = ? WHERE user_id = ? AND id = ?', [state, nowMs, userId, id]);
    return this.get(userId, id);
  }

  delete(userId: string, id: number): boolean {
    if (!this.get(userId, id)) return false;
    this.db.run('DELETE FROM notification_subscriptions WHERE user_id = ? AND id = ?', [userId, id]);
    return true;
  }

  /** Whether a thread may be spoken: a thread choice wins over a repo choice; default subscribed. */
  speaks(userId: string, repo: string, threadId: string): boolean {
    const t = this.find(userId, 'thread', threadId);
    if (t) return t.state === 'subscribed';
    const r = this.find(userId, 'repo', repo.toLowerCase()) ?? this.find(userId, 'repo', repo);
    return r ? r.state === 'subscribed' : true;
  }
}
