/** "mark it done": the current notification, at once (undoable on GitHub, so no read-back); audited. */
import { describeSubject } from '../responses/speak.js';
import { plural } from '../responses/text.js';
import { defineCommand } from './types.js';

export const notificationDone = defineCommand('notification.done', {
  description: 'Mark the current notification as done.',
  examples: ['mark it done', 'mark as read', 'dismiss it'],
  anchors: ['mark', 'dismiss', 'archive', 'clear', 'done'],
  entities: [],
  patterns: ['mark [<thread>] [as] (done | read)', '(dismiss | archive) [<thread>]', 'clear <thread>', 'done with <thread>'],
  async run(_e, t) {
    const ref = t.currentNotification();
    await t.github.markThreadDone(ref.threadId);
    t.repos.audit.append({
      atMs: t.clock.nowMs(),
      userId: t.userId,
      sessionId: t.session.id,
      correlationId: t.correlationId,
      action: 'notification.done',
      target: `${ref.repo}${ref.number !== null ? `#${ref.number}` : ''} thread ${ref.threadId}`,
      token: null,
      outcome: 'done',
      detail: null,
    });
    t.session.inbox.splice(t.session.cursor, 1);
    t.session.cursor -= 1;
    const left = t.session.inbox.length - t.session.cursor - 1;
    return { status: 'ok', spoken: `Marked ${describeSubject(ref)} in ${ref.repo} as done.`, tail: left > 0 ? `${plural(left, 'more')} to go. Say next.` : undefined, cards: [] };
  },
});
