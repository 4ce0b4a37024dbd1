/**
 * Polls GET /notifications the way GitHub intends: If-Modified-Since with the last Last-Modified,
 * so an unchanged inbox answers 304 (free: no rate-limit use); never sooner than X-Poll-Interval;
 * exponential back-off on failures; stops (and says why, once) on errors only the user can fix,
 * such as a fine-grained token, which the notifications API does not accept.
 *
 * Time is injected: `tick()` polls only when due, so a test can simulate an idle hour by advancing
 * a fake clock, and the live loop (`start`) just calls tick on a timer.
 */
import { isAppError } from '../../contract/errors.js';
import type { NotificationThread } from '../../contract/github.js';
import type { Logger } from '../../core/ports/clock.js';
import type { GitHubGateway } from '../../core/ports/github.js';
import { isWebhookId, type NotificationRepository, type StoredNotification } from './notificationStore.js';

/** Longest back-off after repeated failures, ms. */
export const MAX_BACKOFF_MS = 15 * 60_000;
/** GitHub's default (and minimum we honour) poll interval, seconds. */
export const DEFAULT_POLL_INTERVAL_S = 60;

export interface PollerDeps {
  github: GitHubGateway;
  notifications: NotificationRepository;
  userId: string;
  /** Wall clock, epoch ms. */
  nowMs: () => number;
  logger?: Logger;
  /** Called with the threads stored for the first time or with new activity, once per poll. */
  onNew: (items: StoredNotification[], source: 'poll') => void;
  onStatus?: (s: { state: 'ok' | 'backoff' | 'stopped'; message: string | null; nextPollAtMs: number | null }) => void;
  /** After every poll that got a list (200): the stored inbox may have changed (new, updated or read threads). */
  onPolled?: () => void;
  /** Called on every check of the live loop (start()), poll due or not: e.g. bringing back due snoozes. */
  onCheck?: () => void;
  /** Floor for the interval, seconds (default 60; GitHub's X-Poll-Interval may raise it). */
  minIntervalS?: number;
}

export type PollOutcome =
  | { kind: 'not_due'; nextPollAtMs: number }
  | { kind: 'not_modified'; nextPollAtMs: number }
  | { kind: 'changed'; fresh: number; nextPollAtMs: number }
  | { kind: 'failed'; code: string; nextPollAtMs: number | null }
  | { kind: 'stopped' }
  /** Offline or asleep (see pause): nothing was asked of GitHub. */
  | { kind: 'paused'; reasons: PauseReason[] };

/** Why polling is suspended: no network, or the machine is going to sleep. */
export type PauseReason = 'offline' | 'asleep';

const STOPPING: ReadonlySet<string> = new Set(['no_token', 'github_unauthorized', 'github_forbidden']);

export class NotificationPoller {
  private failures = 0;
  private stoppedReason: string | null = null;
  private inFlight: Promise<PollOutcome> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly paused = new Set<PauseReason>();
  /** The last failure's code and message (cleared by a successful poll), for callers that must report it. */
  lastFailure: { code: string; message: string; error: unknown } | null = null;

  constructor(private readonly deps: PollerDeps) {}

  /**
   * Suspends polling while offline or asleep (Gitify does the same): a poll then would only fail
   * and back off. When the last reason clears, the next tick polls at once (resume on wake).
   */
  pause(reason: PauseReason, on: boolean): void {
    const was = this.paused.size > 0;
    if (on) this.paused.add(reason);
    else this.paused.delete(reason);
    if (was && this.paused.size === 0) {
      // Back-off earned while the network was down says nothing about GitHub: start afresh.
      this.failures = 0;
      const st = this.deps.notifications.pollState(this.deps.userId);
      this.deps.notifications.savePollState(this.deps.userId, { ...st, nextPollAtMs: 0 }, this.deps.nowMs());
      if (this.timer) void this.tick().catch((e: unknown) => this.deps.logger?.warn({ err: String(e) }, 'notification poll crashed'));
    }
  }

  /** Reasons polling is suspended now (empty when it runs). */
  get pausedFor(): PauseReason[] {
    return [...this.paused];
  }

  /** Polls if due; concurrent calls share one request. */
  tick(): Promise<PollOutcome> {
    this.inFlight ??= this.pollIfDue().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Clears a stop (e.g. after the user set a new token) and polls at the next tick. */
  resume(): void {
    this.stoppedReason = null;
    this.failures = 0;
    const st = this.deps.notifications.pollState(this.deps.userId);
    this.deps.notifications.savePollState(this.deps.userId, { ...st, nextPollAtMs: 0 }, this.deps.nowMs());
  }

  get stopped(): string | null {
    return this.stoppedReason;
  }

  /** Live loop: checks every `checkEveryMs` (default 5 s, or a quarter of a shorter poll floor) whether a poll is due. */
  start(checkEveryMs = Math.min(5_000, ((this.deps.minIntervalS ?? DEFAULT_POLL_INTERVAL_S) * 1000) / 4)): void {
    if (this.timer) return;
    const loop = () => {
      try {
        this.deps.onCheck?.();
      } catch (e) {
        this.deps.logger?.warn({ err: String(e) }, 'notification check hook failed; will retry');
      }
      void this.tick().catch((e: unknown) => this.deps.logger?.warn({ err: String(e) }, 'notification poll crashed'));
    };
    loop();
    this.timer = setInterval(loop, checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async pollIfDue(): Promise<PollOutcome> {
    const { github, notifications, userId } = this.deps;
    if (this.stoppedReason !== null) return { kind: 'stopped' };
    if (this.paused.size > 0) return { kind: 'paused', reasons: [...this.paused] };
    const now = this.deps.nowMs();
    const st = notifications.pollState(userId);
    if (now < st.nextPollAtMs) return { kind: 'not_due', nextPollAtMs: st.nextPollAtMs };
    const floorS = this.deps.minIntervalS ?? DEFAULT_POLL_INTERVAL_S;
    try {
      const r = await github.pollNotifications({ lastModified: st.lastModified });
      const after = this.deps.nowMs();
      const intervalS = Math.max(floorS, r.pollIntervalS);
      const next = after + intervalS * 1000;
      this.failures = 0;
      this.lastFailure = null;
      if (r.status === 304) {
        notifications.savePollState(userId, { ...st, pollIntervalS: intervalS, nextPollAtMs: next, lastPolledAtMs: after, lastStatus: 304 }, after);
        return { kind: 'not_modified', nextPollAtMs: next };
      }
      const fresh = this.store(r.threads, after);
      notifications.savePollState(userId, { lastModified: r.lastModified, pollIntervalS: intervalS, nextPollAtMs: next, lastPolledAtMs: after, lastStatus: 200 }, after);
      this.deps.onStatus?.({ state: 'ok', message: null, nextPollAtMs: next });
      if (fresh.length > 0) this.deps.onNew(fresh, 'poll');
      this.deps.onPolled?.();
      return { kind: 'changed', fresh: fresh.length, nextPollAtMs: next };
    } catch (e) {
      const code = isAppError(e) ? e.code : 'internal';
      const message = isAppError(e) ? e.message : 'Unexpected failure while polling notifications.';
      const after = this.deps.nowMs();
      this.lastFailure = { code, message, error: e };
      if (STOPPING.has(code)) {
        this.stoppedReason = message;
        this.deps.logger?.warn({ code }, 'notification polling stopped');
        this.deps.onStatus?.({ state: 'stopped', message, nextPollAtMs: null });
        return { kind: 'failed', code, nextPollAtMs: null };
      }
      this.failures += 1;
      const base = Math.max(floorS, st.pollIntervalS) * 1000;
      let wait = Math.min(MAX_BACKOFF_MS, base * 2 ** Math.min(this.failures, 10));
      const retryAt = isAppError(e) ? Number(e.details?.['retryAtMs'] ?? e.details?.['untilMs'] ?? NaN) : NaN;
      if (code === 'github_rate_limited' && Number.isFinite(retryAt)) wait = Math.max(wait, retryAt - after);
      const next = after + wait;
      notifications.savePollState(userId, { ...st, nextPollAtMs: next, lastPolledAtMs: after, lastStatus: null }, after);
      this.deps.onStatus?.({ state: 'backoff', message, nextPollAtMs: next });
      return { kind: 'failed', code, nextPollAtMs: next };
    }
  }

  /** Upserts every thread; threads unread here but absent from GitHub's unread list become read. */
  private store(threads: readonly NotificationThread[], nowMs: number): StoredNotification[] {
    const { notifications, userId } = this.deps;
    // One transaction per poll: a first poll of 50 threads is one disk sync, not 50, and a failure
    // part-way stores none of them (the next poll sees them all again).
    return notifications.batch(() => {
      const fresh: StoredNotification[] = [];
      const seen = new Set<string>();
      for (const t of threads) {
        seen.add(t.id);
        // May adopt a row a webhook stored first (then 'unchanged': it was delivered already).
        const r = notifications.upsertThread(userId, t, 'poll', nowMs);
        if (r.result !== 'unchanged') fresh.push(notifications.get(userId, r.threadId)!);
      }
      // A webhook's own row (`wh:` id) is never in GitHub's list: it stays until the user marks it
      // done or its polled twin adopts it (then it follows GitHub's thread).
      const gone = notifications.unreadIds(userId).filter((id) => !seen.has(id) && !isWebhookId(id));
      if (threads.length < 50) notifications.markRead(userId, gone, nowMs);
      return fresh;
    });
  }
}
