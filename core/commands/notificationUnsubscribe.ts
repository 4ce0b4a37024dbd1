/** "unsubscribe from this": the current thread, after a read-back. */
import type { NotificationThread } from '../../contract/github.js';
import { unsubscribeReadBack } from '../responses/speak.js';
import { str } from './payload.js';
import { defineAction, defineCommand } from './types.js';

const action = defineAction({
  kind: 'notification.unsubscribe',
  target: { verb: 'unsubscribe from', noun: 'thread' },
  payload: (p) => ({ threadId: str(p, 'threadId') }),
  async execute(_rec, p, { github }) {
    await github.unsubscribeThread(p.threadId);
    return { state: 'done', outcome: 'unsubscribed', message: 'Unsubscribed from that thread.' };
  },
});

export const notificationUnsubscribe = defineCommand('notification.unsubscribe', {
  description: 'Unsubscribe from the current thread (after a read-back).',
  examples: ['unsubscribe from this', 'mute this thread'],
  anchors: ['unsubscribe', 'mute', 'watching', 'following'],
  entities: [],
  patterns: ['unsubscribe [me] [from <thread>]', 'mute <thread>', 'stop (watching | following) <thread>'],
  action,
  async run(_e, t) {
    const ref = t.currentNotification();
    t.allow(ref.repo, 'notification.unsubscribe');
    const thread: NotificationThread = (await t.github.listNotifications()).find((n) => n.id === ref.threadId) ?? {
      ...ref,
      id: ref.threadId,
      title: '',
      reason: 'subscribed',
      unread: false,
      updatedAt: '',
      htmlUrl: '',
    };
    return t.pending(action, { repo: ref.repo, number: ref.number, headSha: null, payload: { threadId: ref.threadId }, readBack: unsubscribeReadBack(thread, t.profile), cards: [] });
  },
});
