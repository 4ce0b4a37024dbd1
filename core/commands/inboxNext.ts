/** "next": the item after the current one in the list last read. */
import { readInboxAt } from './inboxRead.js';
import { defineCommand } from './types.js';

export const inboxNext = defineCommand('inbox.next', {
  description: 'Move to the next item in the list.',
  examples: ['next', 'next one', 'skip'],
  anchors: [],
  entities: [],
  patterns: [
    'next [one | item | notification | thread]',
    '[go | move | skip] (on | to) [the] next [one | item | notification]',
    'move on',
    'skip [it | this | that | this one | that one]',
    'what is next',
    '[read] the next [one | item | notification]',
  ],
  run: (_e, t) => readInboxAt(t.session.cursor + 1, t),
});
