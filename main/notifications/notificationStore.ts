/**
 * Notifications, subscriptions and poll state over the store's durable run/all (tables from
 * migration 0002). One row per (user, thread): a poll and a webhook seeing the same thread, or the
 * same delivery twice, update that row instead of adding one.
 */
import type { NotificationReason, NotificationSubjectType, NotificationThread } from '../../contract/github.js';
import type { Row, SqlParams } from '../store/index.js';

/** The part of Store these repositories use. */
export interface SqlStore {
  run(sql: string, params?: SqlParams): unknown;
  all(sql: string, params?: SqlParams): Row[];
  transaction<T>(fn: () => T): T;
}

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
  source: 'poll' | 'webhook';
}

export type UpsertResult = 'new' | 'updated' | 'unchanged';

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
  constructor(private readonly db: SqlStore) {}

  get(userId: string, threadId: string): StoredNotification | undefined {
    const r = this.db.all('SELECT * FROM notifications WHERE user_id = ? AND thread_id = ?', [userId, threadId])[0];
    return r ? toNotification(r) : undefined;
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
   * otherwise (a repeat poll or a replayed webhook).
   */
  upsert(userId: string, t: NotificationThread, source: 'poll' | 'webhook', nowMs: number): UpsertResult {
    const updatedAtMs = Date.parse(t.updatedAt) || nowMs;
    return this.db.transaction(() => {
      const existing = this.get(userId, t.id);
      if (!existing) {
        this.db.run(
          `INSERT INTO notifications (user_id, thread_id, repo, subject_type, subject_title, subject_url, number, reason, unread, updated_at_ms, first_seen_at_ms, last_seen_at_ms, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [userId, t.id, t.repo, t.subjectType, t.title, t.htmlUrl, t.number, t.reason, t.unread ? 1 : 0, updatedAtMs, nowMs, nowMs, source],
        );
        return 'new';
      }
      if (updatedAtMs > existing.updatedAtMs) {
        this.db.run(
          `UPDATE notifications SET subject_title = ?, subject_url = ?, reason = ?, unread = ?, updated_at_ms = ?, last_seen_at_ms = ?, announced_at_ms = NULL
           WHERE user_id = ? AND thread_id = ?`,
          [t.title, t.htmlUrl, t.reason, t.unread ? 1 : 0, updatedAtMs, nowMs, userId, t.id],
        );
        return 'updated';
      }
      return 'unchanged';
    });
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
      for (const id of threadIds) this.db.run('UPDATE notifications SET announced_at_ms = ? WHERE user_id = ? AND thread_id = ?', [atMs, userId, id]);
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
