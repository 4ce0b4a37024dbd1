/**
 * Spoken batches of new notifications: "Three new: two review requests in acme/api, CI failed in
 * acme/web." Within the profile's word budget, filtered by subscriptions and the user's types /
 * reasons, never during quiet hours, and never over the user's own speech or a pending
 * confirmation (held back and retried on the next flush instead).
 */
import type { NotificationReason, NotificationSubjectType } from '../../contract/github.js';
import type { ProfileName } from '../../contract/intent.js';
import { profileOf } from '../../core/session/profiles.js';
import { fitWordBudget, sanitizeUntrusted } from '../../core/responses/text.js';
import type { StoredNotification, NotificationRepository, SubscriptionRepository } from './notificationStore.js';

/** What the voice loop tells the announcer before it speaks. */
export interface SpeechGate {
  /** True while the user is talking (VAD active / push-to-talk held): never speak over them. */
  isUserSpeaking(): boolean;
  /** True while a read-back waits for "confirm" or "cancel": an alert would confuse the two. */
  hasPendingConfirmation(): boolean;
}

export interface QuietHours {
  /** Minutes after local midnight, e.g. 22:00 → 1320. A window may wrap midnight (start > end). */
  startMin: number;
  endMin: number;
}

export interface AnnounceSettings {
  autoSpeak: boolean;
  profile: ProfileName;
  quietHours: QuietHours | null;
  /** Speak only these subject types / reasons (empty or absent: all). */
  types?: readonly NotificationSubjectType[];
  reasons?: readonly NotificationReason[];
}

export interface AnnouncerDeps {
  notifications: NotificationRepository;
  subscriptions: SubscriptionRepository;
  gate: SpeechGate;
  /** Wall clock, epoch ms. */
  nowMs: () => number;
  /** Local minutes after midnight for an epoch-ms time (injected so tests do not depend on TZ). */
  localMinutes?: (ms: number) => number;
  speak: (text: string, threadIds: string[]) => void;
  settings: () => AnnounceSettings;
}

export type FlushResult = { spoken: string; threadIds: string[] } | { held: 'speaking' | 'confirmation' | 'quiet_hours' | 'auto_speak_off' | 'nothing' };

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const MAX_QUEUE = 200;

export function inQuietHours(q: QuietHours | null, minutes: number): boolean {
  if (!q || q.startMin === q.endMin) return false;
  return q.startMin < q.endMin ? minutes >= q.startMin && minutes < q.endMin : minutes >= q.startMin || minutes < q.endMin;
}

function count(n: number): string {
  return n < WORDS.length ? WORDS[n]! : String(n);
}

function phrase(n: number, items: readonly StoredNotification[]): string {
  const first = items[0]!;
  const repo = first.repo;
  if (first.subjectType === 'CheckSuite' || first.reason === 'ci_activity') {
    const failed = items.some((i) => /fail/i.test(i.title));
    const on = n === 1 && first.number !== null ? `on PR ${first.number}` : `in ${repo}`;
    return failed ? `CI failed ${on}` : `CI ${n === 1 ? 'update' : 'updates'} ${on}`;
  }
  const what: Partial<Record<NotificationReason, [string, string]>> = {
    review_requested: ['review request', 'review requests'],
    mention: ['mention', 'mentions'],
    team_mention: ['team mention', 'team mentions'],
    assign: ['assignment', 'assignments'],
    comment: ['comment', 'comments'],
    security_alert: ['security alert', 'security alerts'],
    approval_requested: ['approval request', 'approval requests'],
    state_change: ['state change', 'state changes'],
  };
  const [one, many] = what[first.reason] ?? ['update', 'updates'];
  if (n === 1 && first.number !== null) {
    const kind = first.subjectType === 'PullRequest' ? 'PR' : first.subjectType === 'Issue' ? 'issue' : '';
    if (kind) return `${/^[aeiou]/.test(one) ? 'an' : 'a'} ${one} on ${kind} ${first.number} in ${repo}`;
  }
  return n === 1 ? `${/^[aeiou]/.test(one) ? 'an' : 'a'} ${one} in ${repo}` : `${count(n)} ${many} in ${repo}`;
}

/** The sentence for a batch (review requests first, then CI, then the rest), cut to `budget` words. */
export function batchSentence(items: readonly StoredNotification[], budget: number): string {
  const order = (i: StoredNotification) => (i.reason === 'review_requested' ? 0 : i.subjectType === 'CheckSuite' || i.reason === 'ci_activity' ? 1 : i.reason === 'mention' ? 2 : 3);
  const groups = new Map<string, StoredNotification[]>();
  for (const i of [...items].sort((a, b) => order(a) - order(b))) {
    const k = `${order(i)}|${i.subjectType === 'CheckSuite' ? 'ci' : i.reason}|${i.repo}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  }
  const parts = [...groups.values()].map((g) => phrase(g.length, g));
  if (items.length === 1) {
    const only = items[0]!;
    const title = sanitizeUntrusted(only.title, 80);
    const text = `New: ${parts[0]}${title ? `, '${title}'` : ''}.`.replace(/^New: an? /, 'New: ');
    return fitWordBudget(text, budget);
  }
  const lead = `${count(items.length).replace(/^./, (c) => c.toUpperCase())} new: `;
  return fitWordBudget(`${lead}${parts.join(', ')}.`, budget);
}

export class Announcer {
  /** Threads waiting to be spoken (held by the gate), oldest first. */
  private queue: StoredNotification[] = [];
  /** Whole sentences waiting (e.g. "The agent opened PR 57 for issue 918."), same gates. */
  private sentences: Array<{ userId: string; text: string }> = [];

  constructor(private readonly deps: AnnouncerDeps) {}

  /** The items the user wants told about: subject types, reasons and subscriptions (the spoken batch's filters). */
  wanted(items: readonly StoredNotification[]): StoredNotification[] {
    const s = this.deps.settings();
    return items.filter(
      (i) =>
        !(s.types && s.types.length > 0 && !s.types.includes(i.subjectType)) &&
        !(s.reasons && s.reasons.length > 0 && !s.reasons.includes(i.reason)) &&
        this.deps.subscriptions.speaks(i.userId, i.repo, i.threadId),
    );
  }

  /** Why an alert (spoken or OS notification) may not go out now: mute, quiet hours, or null when it may. */
  silencedNow(): 'auto_speak_off' | 'quiet_hours' | null {
    const s = this.deps.settings();
    if (!s.autoSpeak) return 'auto_speak_off';
    const local = this.deps.localMinutes ?? ((ms: number) => new Date(ms).getHours() * 60 + new Date(ms).getMinutes());
    return inQuietHours(s.quietHours, local(this.deps.nowMs())) ? 'quiet_hours' : null;
  }

  /** Adds new notifications to the next batch (filtered now: unwanted ones are never spoken). */
  enqueue(items: readonly StoredNotification[]): void {
    for (const i of this.wanted(items)) {
      this.queue = this.queue.filter((q) => !(q.userId === i.userId && q.threadId === i.threadId));
      this.queue.push(i);
    }
    if (this.queue.length > MAX_QUEUE) this.queue = this.queue.slice(-MAX_QUEUE);
  }

  /** Queues a finished sentence (built from API fields, not untrusted text) for the next flush. */
  enqueueSentence(userId: string, text: string): void {
    this.sentences.push({ userId, text });
    if (this.sentences.length > MAX_QUEUE) this.sentences = this.sentences.slice(-MAX_QUEUE);
  }

  pending(): number {
    return this.queue.length + this.sentences.length;
  }

  /** Speaks what is queued as one batch per user, if allowed now. */
  flush(): FlushResult {
    if (this.queue.length === 0 && this.sentences.length === 0) return { held: 'nothing' };
    const s = this.deps.settings();
    const now = this.deps.nowMs();
    if (!s.autoSpeak) {
      this.queue = [];
      this.sentences = [];
      return { held: 'auto_speak_off' };
    }
    const local = this.deps.localMinutes ?? ((ms: number) => new Date(ms).getHours() * 60 + new Date(ms).getMinutes());
    if (inQuietHours(s.quietHours, local(now))) {
      // Shown in the tray and the inbox, never spoken later as a stale burst.
      for (const [userId, ids] of this.byUser()) this.deps.notifications.markAnnounced(userId, ids.map((i) => i.threadId), now);
      this.queue = [];
      this.sentences = [];
      return { held: 'quiet_hours' };
    }
    if (this.deps.gate.isUserSpeaking()) return { held: 'speaking' };
    if (this.deps.gate.hasPendingConfirmation()) return { held: 'confirmation' };
    const budget = profileOf(s.profile).wordBudget;
    let last: FlushResult = { held: 'nothing' };
    for (const { userId, text } of this.sentences) {
      const fitted = fitWordBudget(text, budget);
      this.deps.speak(fitted, []);
      void userId;
      last = { spoken: fitted, threadIds: [] };
    }
    this.sentences = [];
    for (const [userId, items] of this.byUser()) {
      // Skip what was spoken already (e.g. a webhook and a poll racing for the same thread).
      // Rows are looked up again: a held webhook item may since have merged into its polled thread.
      const rows = new Map<string, StoredNotification>();
      for (const i of items) {
        const row = this.deps.notifications.get(userId, i.threadId) ?? i;
        if (row.announcedAtMs == null && !rows.has(row.threadId)) rows.set(row.threadId, row);
      }
      const fresh = [...rows.values()];
      if (fresh.length === 0) continue;
      const text = batchSentence(fresh, budget);
      const ids = fresh.map((i) => i.threadId);
      this.deps.notifications.markAnnounced(userId, ids, now);
      this.deps.speak(text, ids);
      last = { spoken: text, threadIds: ids };
    }
    this.queue = [];
    return last;
  }

  private byUser(): Map<string, StoredNotification[]> {
    const m = new Map<string, StoredNotification[]>();
    for (const i of this.queue) m.set(i.userId, [...(m.get(i.userId) ?? []), i]);
    return m;
  }
}
