/** "what do I need to review": open PRs where the viewer's review is requested, with their state. */
import { plural } from '../responses/text.js';
import { prListOutcome } from './prList.js';
import { defineCommand } from './types.js';

export const inboxReviewRequests = defineCommand('inbox.review_requests', {
  description: 'List the pull requests waiting for your review.',
  examples: ['what do I need to review', 'my review requests', 'which PRs are waiting for my review'],
  anchors: [],
  entities: [],
  patterns: [
    'what (do | should) i (need | have) to review',
    'what [is | are] (waiting for | left for) my review',
    '[show | list | read] [me] my (review requests | reviews to do | pending reviews)',
    '(which | what) (pr | pull requests) (are | is) waiting for my review',
    '(which | what) (pr | pull requests) (need | needs) my review',
    '(which | what) (pr | pull requests) (do i | should i) (need to | have to) review',
    'what (pr | pull requests) am i (asked | requested) to review',
    'what needs my review',
    'what (reviews | review requests) do i have',
    '[any] review requests [for me]',
  ],
  async run(_e, t) {
    return prListOutcome(await t.github.listReviewRequests(), t, {
      none: 'Nothing is waiting for your review.',
      some: (n) => `${plural(n, 'pull request')} waiting for your review.`,
    });
  },
});
