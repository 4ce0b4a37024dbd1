/** "repeat": the last thing said, word for word. */
import { defineCommand } from './types.js';

export const systemRepeat = defineCommand('system.repeat', {
  description: 'Repeat the last thing said.',
  examples: ['repeat', 'say that again'],
  anchors: [],
  entities: [],
  patterns: [
    'repeat [that | it | yourself | the last (one | thing | answer | message)] [again]',
    'say (that | it) again',
    'come again',
    'what did you [just] say',
    'what',
    'what was that',
    'one more time',
    'again',
    'pardon [me]',
    'i did not (hear | catch) that',
  ],
  run: (_e, t) => ({ status: 'ok', spoken: t.session.lastSpoken ?? "I haven't said anything yet.", cards: [], keepLastSpoken: true, exact: true }),
});
