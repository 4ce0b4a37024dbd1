/** "my pull requests": the viewer's open PRs with their review and check state. */
import { plural } from '../responses/text.js';
import { prListOutcome } from './prList.js';
import { defineCommand } from './types.js';

export const inboxMyPrs = defineCommand('inbox.my_prs', {
  description: 'List your open pull requests with their review and check state.',
  examples: ['my pull requests', "what's the state of my PRs", 'how are my pull requests doing'],
  anchors: [],
  entities: [],
  patterns: [
    // The recognizer hears "pull requests" and "PRs" as "pr" (core/intent/normalize.ts); the plural
    // alternative is for the offline grammar, whose "pr" only stands for "pull request".
    '[show | list | read | check] [me] my [open] (pr | pull requests)',
    'what is the (state | status) of my [open] (pr | pull requests)',
    'what are my [open] (pr | pull requests)',
    'how are my [open] (pr | pull requests) [doing]',
    '(status | state) of my [open] (pr | pull requests)',
    'any news on my (pr | pull requests)',
  ],
  async run(_e, t) {
    return prListOutcome(await t.github.listMyPullRequests(), t, {
      none: 'You have no open pull requests.',
      some: (n) => `You have ${plural(n, 'open pull request')}.`,
    });
  },
});
