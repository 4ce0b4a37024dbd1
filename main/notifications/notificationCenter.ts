/**
 * Where every new notification goes, whether the poller or a webhook found it: one stored row
 * (dedupe by thread and updated_at, and across channels by subject: see upsertThread), one UI push
 * per item ('notification.new') plus the whole inbox ('inbox.changed'), one OS notification per
 * batch ('notification.alert', same filters, quiet hours and mute as speech), one spoken batch
 * ('notification.spoken', through the Announcer's gates).
 *
 * The store is the one inbox: the spoken rundown, the Inbox screen, the tray and
 * GET /v1/notifications all read it (withStoreInbox wraps the gateway the pipeline uses).
 */
import type { NotificationView, SubscriptionView } from '../../contract/api.js';
import type { NotificationAlertEvent } from '../../contract/events.js';
import type { NotificationThread } from '../../contract/github.js';
import type { NotificationCard } from '../../contract/response.js';
import type { Logger } from '../../core/ports/clock.js';
import type { GitHubGateway } from '../../core/ports/github.js';
import type { SnoozeRecord, SnoozeRepository } from '../../core/ports/store.js';
import { describeSubject, notificationCard } from '../../core/responses/speak.js';
import { sanitizeUntrusted } from '../../core/responses/text.js';
import type { AppEventBus } from '../app/events.js';
import { Announcer, type AnnounceSettings, type SpeechGate } from './announcer.js';
import { isWebhookId, NotificationRepository, SubscriptionRepository, type SqlStore, type StoredNotification, type Subscription } from './notificationStore.js';
import { NotificationPoller } from './poller.js';

export interface NotificationCenterDeps {
  store: SqlStore;
  github: GitHubGateway;
  events: AppEventBus;
  /** The user whose GitHub inbox is polled (the token's owner). */
  userId: string;
  nowMs: () => number;
  gate: SpeechGate;
  settings?: Partial<AnnounceSettings>;
  localMinutes?: (ms: number) => number;
  logger?: Logger;
  minPollIntervalS?: number;
  /** Snoozed threads (notification.snooze): hidden from the inbox until fireDueSnoozes brings them back. */
  snoozes?: SnoozeRepository;
}

/** Threads in the inbox as read by every UI and the spoken rundown. */
export const INBOX_LIMIT = 50;

export const DEFAULT_ANNOUNCE_SETTINGS: AnnounceSettings = { autoSpeak: true, profile: 'default', quietHours: null };

export class NotificationCenter {
  readonly notifications: NotificationRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly announcer: Announcer;
  readonly poller: NotificationPoller;
  settings: AnnounceSettings;

  constructor(private readonly deps: NotificationCenterDeps) {
    this.notifications = new NotificationRepository(deps.store);
    this.subscriptions = new SubscriptionRepository(deps.store);
    this.settings = { ...DEFAULT_ANNOUNCE_SETTINGS, ...deps.settings };
    this.announcer = new Announcer({
      notifications: this.notifications,
      subscriptions: this.subscriptions,
      gate: deps.gate,
      nowMs: deps.nowMs,
      ...(deps.localMinutes ? { localMinutes: deps.localMinutes } : {}),
      settings: () => this.settings,
      speak: (text, ids) => deps.events.emit('notification.spoken', { user_id: deps.userId, text, thread_ids: ids }),
    });
    this.poller = new NotificationPoller({
      github: deps.github,
      notifications: this.notifications,
      userId: deps.userId,
      nowMs: deps.nowMs,
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.minPollIntervalS !== undefined ? { minIntervalS: deps.minPollIntervalS } : {}),
      onNew: (items) => this.deliver(items, 'poll'),
      onPolled: () => this.pushInbox(),
      // Snoozes come back within one check (≤ 5 s) of being due, whichever host runs the poller.
      onCheck: () => void this.fireDueSnoozes(),
      onStatus: (s) => deps.events.emit('notification.poller', { state: s.state, message: s.message, next_poll_at: s.nextPollAtMs === null ? null : new Date(s.nextPollAtMs).toISOString() }),
    });
  }

  /** A thread from a webhook: stored like a polled one (same row), delivered if new. Returns whether it was new. */
  ingest(userId: string, t: NotificationThread, source: 'poll' | 'webhook'): boolean {
    // The stored id may differ from t.id: a webhook change merged into its polled thread.
    const r = this.notifications.upsertThread(userId, t, source, this.deps.nowMs());
    if (r.result === 'unchanged') return false;
    this.deliver([this.notifications.get(userId, r.threadId)!], source);
    return true;
  }

  /**
   * The unread inbox from the store, newest first. Polls first when a poll is due (at once before
   * the first one); a failed poll still serves the store, unless nothing was ever stored (then the
   * poll's error is thrown: there is nothing to show).
   */
  async inboxThreads(): Promise<NotificationThread[]> {
    const { userId } = this.deps;
    const r = await this.poller.tick();
    // Nothing stored yet and GitHub failing: say so, rather than "your inbox is empty".
    if (r.kind === 'failed' && this.poller.lastFailure && this.notifications.list(userId, { limit: 1 }).length === 0) throw this.poller.lastFailure.error;
    this.fireDueSnoozes();
    return this.visibleUnread().map(toThread);
  }

  /** Cards for the Inbox screen and the tray (same order and positions as inbox.list). */
  inboxCards(): NotificationCard[] {
    return this.visibleUnread().map((n, i) => notificationCard(toThread(n), i + 1));
  }

  /** Unread threads in the store (all of them, not only the first INBOX_LIMIT), snoozed ones left out. */
  unreadCount(): number {
    const hidden = this.hiddenIds();
    return this.notifications.unreadIds(this.deps.userId).filter((id) => !hidden.has(id)).length;
  }

  /**
   * Brings back every snooze due now: each is handed out once, ever (marked fired durably before
   * it is announced, so a restart cannot fire it again). A thread still unread returns to the
   * inbox and is announced ("Back from snooze: PR 12 in acme/api."), through the announcer's
   * gates; one read or done meanwhile just stays gone. Call on a timer and before the inbox is read.
   * @returns the snoozes that fired now.
   */
  fireDueSnoozes(): SnoozeRecord[] {
    const snoozes = this.deps.snoozes;
    if (!snoozes) return [];
    const fired = snoozes.takeDue(this.deps.nowMs());
    const back = fired.filter((s) => this.notifications.get(this.deps.userId, s.threadId)?.unread !== false);
    if (fired.length > 0) this.pushInbox();
    if (back.length > 0) {
      const names = back.slice(0, 5).map((s) => `${describeSubject(s)} in ${s.repo}`);
      const more = back.length > 5 ? `, and ${back.length - 5} more` : '';
      this.announcer.enqueueSentence(this.deps.userId, `Back from snooze: ${names.join(', ')}${more}.`);
      this.announcer.flush();
    }
    return fired;
  }

  /** Epoch ms of the next snooze to fire, or null (for a timer). */
  nextSnoozeDueMs(): number | null {
    return this.deps.snoozes?.nextDueMs() ?? null;
  }

  /**
   * After PUT /notifications: stored threads updated at or before `lastReadAt` are read here too
   * (webhook-only rows included: the user asked for everything up to what was read back).
   */
  markAllReadUpTo(lastReadAt: string): void {
    const cutoff = Date.parse(lastReadAt);
    if (!Number.isFinite(cutoff)) return;
    const ids = this.notifications.list(this.deps.userId, { unreadOnly: true, limit: 500 }).filter((n) => n.updatedAtMs <= cutoff).map((n) => n.threadId);
    this.notifications.batch(() => this.notifications.markRead(this.deps.userId, ids, this.deps.nowMs()));
    this.pushInbox();
  }

  private hiddenIds(): Set<string> {
    return new Set(this.deps.snoozes?.hiddenIds() ?? []);
  }

  /** Unread stored threads, newest first, without snoozed ones (at most INBOX_LIMIT). */
  private visibleUnread(): StoredNotification[] {
    const hidden = this.hiddenIds();
    const rows = this.notifications.list(this.deps.userId, { unreadOnly: true, limit: INBOX_LIMIT + hidden.size });
    return rows.filter((n) => !hidden.has(n.threadId)).slice(0, INBOX_LIMIT);
  }

  /** Pushes the stored inbox to every UI and the tray. */
  pushInbox(): void {
    this.deps.events.emit('inbox.changed', { items: this.inboxCards(), unread: this.unreadCount() });
  }

  /** A thread marked done (or read) by the user: no longer in the inbox. */
  markDone(threadId: string): void {
    const id = this.notifications.get(this.deps.userId, threadId)?.threadId ?? threadId;
    this.notifications.markRead(this.deps.userId, [id], this.deps.nowMs());
    this.pushInbox();
  }

  /** Retries held spoken batches (call when the user stops talking or a confirmation settles). */
  flush(): void {
    this.announcer.flush();
  }

  private deliver(all: StoredNotification[], source: 'poll' | 'webhook'): void {
    // A snoozed thread's new activity waits for the snooze: it is announced when it comes back.
    const hidden = this.hiddenIds();
    const items = all.filter((i) => !hidden.has(i.threadId));
    for (const i of items) this.deps.events.emit('notification.new', { user_id: i.userId, source, item: toCard(i, 0) });
    // A webhook changes the inbox here; a poll pushes it once the whole list is stored (onPolled).
    if (source === 'webhook') this.pushInbox();
    const wanted = this.announcer.wanted(items);
    if (wanted.length > 0 && this.announcer.silencedNow() === null) this.deps.events.emit('notification.alert', alertOf(this.deps.userId, wanted));
    this.announcer.enqueue(items);
    this.announcer.flush();
  }
}

/** The OS notification for a batch: repo and type of the first item, its title, and how many more. */
export function alertOf(userId: string, items: readonly StoredNotification[]): NotificationAlertEvent {
  const first = items[0]!;
  const reason = first.reason.replace(/_/g, ' ');
  const title = `${first.repo}: ${reason} on ${describeSubject(first)}`;
  const more = items.length > 1 ? ` (and ${items.length - 1} more)` : '';
  return { user_id: userId, title: title.slice(0, 200), body: `${sanitizeUntrusted(first.title, 120)}${more}`, count: items.length, thread_ids: items.map((i) => i.threadId) };
}

/** A stored row as the gateway's thread shape (what the pipeline's inbox rundown reads). */
export function toThread(n: StoredNotification): NotificationThread {
  return { id: n.threadId, repo: n.repo, subjectType: n.subjectType, title: n.title, reason: n.reason, unread: n.unread, updatedAt: new Date(n.updatedAtMs).toISOString(), number: n.number, htmlUrl: n.url ?? '' };
}

/**
 * The gateway the pipeline and UIs use: notifications come from the store (one inbox with the
 * webhook's rows), "done" also clears the stored row, and a thread a webhook made up (`wh:` id,
 * unknown to GitHub) is handled locally. Everything else goes to `inner` unchanged.
 */
export function withStoreInbox(inner: GitHubGateway, center: NotificationCenter): GitHubGateway {
  const overrides: Partial<GitHubGateway> = {
    listNotifications: () => center.inboxThreads(),
    async markThreadDone(threadId: string) {
      if (!isWebhookId(threadId)) await inner.markThreadDone(threadId);
      center.markDone(threadId);
    },
    async markAllNotificationsRead(lastReadAt: string) {
      await inner.markAllNotificationsRead(lastReadAt);
      center.markAllReadUpTo(lastReadAt);
    },
    async unsubscribeThread(threadId: string) {
      // A webhook-only thread has no GitHub subscription; the local one is set when the action settles.
      if (!isWebhookId(threadId)) await inner.unsubscribeThread(threadId);
    },
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop as keyof GitHubGateway];
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export function toCard(n: StoredNotification, position: number): NotificationCard {
  return {
    kind: 'notification',
    position,
    thread_id: n.threadId,
    repo: n.repo,
    subject_type: n.subjectType,
    title: n.title,
    reason: n.reason,
    number: n.number,
    updated_at: new Date(n.updatedAtMs).toISOString(),
    unread: n.unread,
    url: n.url ?? '',
  };
}

export function toView(n: StoredNotification): NotificationView {
  return {
    thread_id: n.threadId,
    repo: n.repo,
    subject_type: n.subjectType,
    title: n.title,
    reason: n.reason,
    number: n.number,
    url: n.url,
    unread: n.unread,
    updated_at: new Date(n.updatedAtMs).toISOString(),
    first_seen_at: new Date(n.firstSeenAtMs).toISOString(),
    announced_at: n.announcedAtMs === null ? null : new Date(n.announcedAtMs).toISOString(),
    source: n.source,
  };
}

export function toSubscriptionView(s: Subscription): SubscriptionView {
  return { id: s.id, scope: s.scope, target: s.target, state: s.state, created_at: new Date(s.createdAtMs).toISOString(), updated_at: new Date(s.updatedAtMs).toISOString() };
}
