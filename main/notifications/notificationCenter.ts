/**
 * Where every new notification goes, whether the poller or a webhook found it: one stored row
 * (dedupe by thread and updated_at, and across channels by subject: see upsertThread), one UI push ('notification.new'), one spoken batch
 * ('notification.spoken', through the Announcer's gates).
 */
import type { NotificationView, SubscriptionView } from '../../contract/api.js';
import type { NotificationThread } from '../../contract/github.js';
import type { NotificationCard } from '../../contract/response.js';
import type { Logger } from '../../core/ports/clock.js';
import type { GitHubGateway } from '../../core/ports/github.js';
import type { AppEventBus } from '../app/events.js';
import { Announcer, type AnnounceSettings, type SpeechGate } from './announcer.js';
import { NotificationRepository, SubscriptionRepository, type SqlStore, type StoredNotification, type Subscription } from './notificationStore.js';
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
}

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

  /** Retries held spoken batches (call when the user stops talking or a confirmation settles). */
  flush(): void {
    this.announcer.flush();
  }

  private deliver(items: StoredNotification[], source: 'poll' | 'webhook'): void {
    for (const i of items) this.deps.events.emit('notification.new', { user_id: i.userId, source, item: toCard(i, 0) });
    this.announcer.enqueue(items);
    this.announcer.flush();
  }
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
