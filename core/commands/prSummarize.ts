/** "read PR 123": title, author, size, checks, reviews and mergeability, from API fields. */
import { prSummary, pullRequestCard } from '../responses/speak.js';
import { defineCommand } from './types.js';

export const prSummarize = defineCommand('pr.summarize', {
  description: 'Summarize a pull request: title, author, size, checks, reviews.',
  examples: ['read PR 123', 'summarize pull request 45 in acme/web', "what's PR 7 about", 'what is new with it'],
  anchors: [],
  entities: ['repo', 'number'],
  patterns: [
    '(read | summarize | summarise | describe | explain | show [me] | review | pull up | check out | go to) <pr> [<inrepo>] [again]',
    // "open it" is notification.open (the browser); "open PR 12" names a PR, so it is read out.
    'open <explicit_pr> [<inrepo>] [again]',
    'tell me [more] about <pr> [<inrepo>]',
    'what is <pr> [<inrepo>] about',
    'what does <pr> [<inrepo>] do',
    'what about <pr> [<inrepo>]',
    // "what changed in PR 12" is pr.diff_summary.
    'what (is new | happened) (in | on | with) <pr> [<inrepo>]',
    '(give me | read me) [a | the] summary of <pr> [<inrepo>]',
    '(summary | details) (of | for | on) <pr> [<inrepo>]',
    '<explicit_pr> [<inrepo>]',
  ],
  async run(e, t) {
    const pr = await t.fetchPr(e);
    return { status: 'ok', spoken: prSummary(pr, t.profile), cards: [pullRequestCard(pr)] };
  },
});
