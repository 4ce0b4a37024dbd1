/** "help": a few things to say, and every command's first example on a card. */
import { defineCommand } from './types.js';

export const systemHelp = defineCommand('system.help', {
  description: 'List what you can say.',
  examples: ['help', 'what can I say'],
  anchors: [],
  entities: [],
  patterns: [
    'help [me]',
    'i need help',
    'what can i (say | do | ask)',
    'what can you do',
    'what do i say',
    '(what are | list | show [me]) [the] commands',
    'commands',
    'how does this work',
    'what are my options',
  ],
  run(_e, t) {
    const examples = t.helpExamples();
    return { status: 'ok', spoken: `You can say: ${examples.slice(0, 4).map((e) => `"${e}"`).join(', ')}.`, cards: [{ kind: 'help', examples }] };
  },
});
