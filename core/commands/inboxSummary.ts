/** "what needs my attention": a short rundown of the inbox, most urgent first; the list becomes the session's. */
import { inboxRundown, notificationCard } from '../responses/speak.js';
import { defineCommand } from './types.js';

export const inboxSummary = defineCommand('inbox.summary', {
  description: 'Read a short rundown of your notifications inbox.',
  examples: ['what needs my attention', 'show my inbox', "what's new", 'any notifications'],
  anchors: [],
  entities: [],
  patterns: [
    'what (needs | requires | wants) [my] attention',
    '(show | read | check | open | give) [me] [my] (inbox | notifications)',
    'what is (new | in my inbox | on my plate | waiting for me | pending for me)',
    '[are there] any [new] (notifications | updates | news)',
    'do i have any [new] (notifications | updates | news)',
    'go through my (notifications | inbox)',
    '[is there] anything (new | for me)',
    '[my | the] inbox',
    'what did i miss',
    'what (should | do) i (look at | work on | do | review) [first | next | now]',
    'brief me',
    'catch me up',
    '(give me | read me) [a | my | the] (summary | rundown | briefing) [of my (notifications | inbox)]',
  ],
  async run(_e, t) {
    const items = await t.listNotifications({ fresh: true });
    t.session.inbox = items.map((n) => ({ threadId: n.id, repo: n.repo, number: n.number, subjectType: n.subjectType }));
    t.session.cursor = -1;
    const { text, tail } = inboxRundown(items, t.profile);
    return { status: 'ok', spoken: text, tail, cards: items.slice(0, 50).map((n, i) => notificationCard(n, i + 1)) };
  },
});
