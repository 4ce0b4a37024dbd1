/**
 * "snooze this for an hour" / "remind me tomorrow": the current thread leaves the inbox here (not
 * on GitHub, where it stays unread) until due; then the notification center brings it back and
 * announces it (main/notifications: fireDueSnoozes). Stored durably, so it survives a restart and
 * fires once.
 */
import { AppError } from '../../contract/errors.js';
import { describeSubject } from '../responses/speak.js';
import { plural } from '../responses/text.js';
import { defineCommand } from './types.js';

const MINUTE_MS = 60_000;
/** Longest snooze, ms (a week): a longer one is more likely a misheard number than a wish. */
export const MAX_SNOOZE_MS = 7 * 24 * 60 * MINUTE_MS;
/** Local hour "tomorrow" means. */
export const TOMORROW_HOUR = 9;

/**
 * When a snooze is due, epoch ms. `tomorrow` is TOMORROW_HOUR:00 local time the next day (the
 * process time zone: the host's, where the user is); nothing said means an hour.
 */
export function snoozeUntil(e: { minutes?: number; hours?: number; until?: 'tomorrow' }, nowMs: number): { untilMs: number; phrase: string } {
  if (e.until === 'tomorrow') {
    const d = new Date(nowMs);
    d.setDate(d.getDate() + 1);
    d.setHours(TOMORROW_HOUR, 0, 0, 0);
    return { untilMs: d.getTime(), phrase: `until tomorrow at ${TOMORROW_HOUR} AM` };
  }
  const minutes = (e.minutes ?? 0) + (e.hours ?? 0) * 60 || 60;
  if (minutes * MINUTE_MS > MAX_SNOOZE_MS) throw new AppError('validation_failed', 'I can snooze a thread for up to a week. Say, for example, snooze this for an hour.');
  const phrase = minutes === 60 ? 'for an hour' : minutes % 60 === 0 ? `for ${plural(minutes / 60, 'hour')}` : `for ${plural(minutes, 'minute')}`;
  return { untilMs: nowMs + minutes * MINUTE_MS, phrase };
}

export const notificationSnooze = defineCommand('notification.snooze', {
  description: 'Snooze the current notification; it comes back (and is announced) when due.',
  examples: ['snooze this for an hour', 'remind me tomorrow', 'snooze it for 30 minutes', 'snooze this'],
  anchors: [],
  entities: ['minutes', 'hours', 'until'],
  patterns: [
    { p: 'snooze [<thread>] [for] (an | one | 1) hour', set: { hours: 1 } },
    'snooze [<thread>] [for] {minutes:number} (minutes | minute | mins | min)',
    'snooze [<thread>] [for] {hours:number} (hours | hour)',
    { p: 'snooze [<thread>] [for] (half an hour | thirty minutes)', set: { minutes: 30 } },
    { p: 'snooze [<thread>] [for] (a | one) day', set: { hours: 24 } },
    { p: 'snooze [<thread>] (till | until | to) tomorrow', set: { until: 'tomorrow' } },
    { p: 'snooze [<thread>] tomorrow', set: { until: 'tomorrow' } },
    'snooze [<thread>]',
    { p: 'remind me [about <thread>] (tomorrow | tomorrow morning)', set: { until: 'tomorrow' } },
    { p: 'remind me [about <thread>] in (an | one) hour', set: { hours: 1 } },
    'remind me [about <thread>] in {minutes:number} (minutes | minute)',
    'remind me [about <thread>] in {hours:number} (hours | hour)',
    { p: '(come back to | bring back) <thread> tomorrow', set: { until: 'tomorrow' } },
  ],
  run(e, t) {
    const ref = t.currentNotification();
    const now = t.clock.nowMs();
    const { untilMs, phrase } = snoozeUntil(e, now);
    t.repos.snoozes.put({ userId: t.userId, threadId: ref.threadId, repo: ref.repo, number: ref.number, subjectType: ref.subjectType, untilMs, createdAtMs: now });
    t.repos.audit.append({
      atMs: now,
      userId: t.userId,
      sessionId: t.session.id,
      correlationId: t.correlationId,
      action: 'notification.snooze',
      target: `${ref.repo}${ref.number !== null ? `#${ref.number}` : ''} thread ${ref.threadId}`,
      token: null,
      outcome: 'snoozed',
      detail: { untilMs },
    });
    t.session.inbox.splice(t.session.cursor, 1);
    t.session.cursor -= 1;
    const left = t.session.inbox.length - t.session.cursor - 1;
    return {
      status: 'ok',
      spoken: `Snoozed ${describeSubject(ref)} in ${ref.repo} ${phrase}. I'll bring it back then.`,
      tail: left > 0 ? `${plural(left, 'more')} to go. Say next.` : undefined,
      cards: [],
    };
  },
});
