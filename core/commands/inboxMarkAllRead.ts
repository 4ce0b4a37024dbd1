/**
 * "mark everything as read": after a read-back with the count, one PUT /notifications whose
 * last_read_at is the newest thread that was counted, so a thread arriving after the read-back
 * stays unread. Sent once on confirm, never retried.
 */
import { AppError } from '../../contract/errors.js';
import { plural } from '../responses/text.js';
import { int, str } from './payload.js';
import { defineAction, defineCommand } from './types.js';

/** Threads a gateway lists at most (GET /notifications per_page, the stored inbox's limit). */
const LIST_LIMIT = 50;

interface MarkAllPayload {
  /** ISO time of the newest unread thread read back (GitHub's updated_at). */
  lastReadAt: string;
  /** How many unread threads were read back. */
  count: number;
}

const action = defineAction({
  kind: 'inbox.mark_all_read',
  target: { verb: 'mark everything as read', noun: 'inbox' },
  notDone: 'Not marked read',
  payload: (p): MarkAllPayload => ({ lastReadAt: str(p, 'lastReadAt'), count: int(p, 'count') }),
  async execute(_rec, p, { github }) {
    await github.markAllNotificationsRead(p.lastReadAt);
    return { state: 'done', outcome: 'marked_read', message: `Marked ${plural(p.count, 'notification')} as read.`, result: { count: p.count, lastReadAt: p.lastReadAt } };
  },
  // No reconcile: GitHub may apply it in the background (202), so a read right after proves
  // nothing; an ambiguous failure is reported and never resent.
});

export const inboxMarkAllRead = defineCommand('inbox.mark_all_read', {
  description: 'Mark every unread notification as read on GitHub (after a read-back with the count).',
  examples: ['mark everything as read', 'mark all as read', 'clear my inbox'],
  anchors: ['mark', 'clear', 'read', 'dismiss'],
  entities: [],
  patterns: [
    'mark (everything | all | all notifications | all of them | all my notifications | the whole inbox | my whole inbox) [as] (read | done)',
    'mark [my | the] (inbox | notifications) [as] (all read | read)',
    '(clear | dismiss) (everything | all | all notifications | all my notifications | my inbox | the inbox | my notifications)',
  ],
  action,
  async run(_e, t) {
    t.allow('', 'inbox.mark_all_read');
    // The inbox as listed (snoozed threads are not in it, but last_read_at covers the older ones too).
    const unread = (await t.github.listNotifications()).filter((n) => n.unread);
    if (unread.length === 0) throw new AppError('no_context', 'There is nothing unread to mark.');
    const newest = unread.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a));
    const repos = new Set(unread.map((n) => n.repo.toLowerCase())).size;
    const count = unread.length >= LIST_LIMIT ? `at least ${unread.length} unread notifications` : plural(unread.length, 'unread notification');
    const snoozed = t.repos.snoozes.hiddenIds().length > 0 ? ' Snoozed threads older than the newest of them are marked read too.' : '';
    const readBack = `Mark ${count} in ${plural(repos, 'repo')} as read on GitHub.${snoozed} Say confirm or cancel.`;
    return t.pending(action, { repo: '', number: null, headSha: null, payload: { lastReadAt: newest.updatedAt, count: unread.length }, readBack, cards: [] });
  },
});
