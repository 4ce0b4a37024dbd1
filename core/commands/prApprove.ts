/** "approve PR 12" / "approve it, looks good": an approving review, after a read-back bound to the head. */
import { defineAction, defineCommand } from './types.js';
import { planReview, reviewPayload, submitReview } from './prReview.js';

const action = defineAction({
  kind: 'pr.approve',
  target: { verb: 'approval of', noun: 'PR' },
  notDone: 'Not approved',
  payload: reviewPayload,
  execute: submitReview,
  // No reconcile: a review has no cheap "did mine land" read here; an ambiguous failure is reported, never resent.
});

export const prApprove = defineCommand('pr.approve', {
  description: 'Approve a pull request (after a read-back and your confirmation).',
  examples: ['approve PR 12', 'approve it', 'approve pull request 7 in acme/api saying looks good to me'],
  anchors: ['approve', 'approval', 'approved'],
  entities: ['repo', 'number', 'body'],
  patterns: [
    'approve [<pr>] [<inrepo>]',
    'approve [<pr>] [<inrepo>] <say> {body}',
    '(give | leave | submit | add) [an | my] approval (on | to | for) <pr> [<inrepo>]',
    '(mark | set) <pr> [<inrepo>] as approved',
  ],
  action,
  run: (e, t) => planReview(action, e, { event: 'APPROVE', body: e.body?.trim() || null }, t),
});
