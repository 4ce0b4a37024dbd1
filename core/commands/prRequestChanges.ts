/** "request changes on PR 12, needs tests": a change-requesting review with the user's words, after a read-back. */
import { AppError } from '../../contract/errors.js';
import { defineAction, defineCommand } from './types.js';
import { planReview, reviewPayload, submitReview } from './prReview.js';

const action = defineAction({
  kind: 'pr.request_changes',
  target: { verb: 'change request on', noun: 'PR' },
  notDone: 'Not sent',
  payload: reviewPayload,
  execute: submitReview,
  // No reconcile: a review has no cheap "did mine land" read here; an ambiguous failure is reported, never resent.
});

export const prRequestChanges = defineCommand('pr.request_changes', {
  description: 'Request changes on a pull request, saying what to change (after a read-back).',
  examples: ['request changes on PR 12 saying needs tests', 'request changes on it: please add tests'],
  anchors: ['changes', 'change'],
  entities: ['repo', 'number', 'body'],
  patterns: [
    '(request | ask for) [some | a] (changes | change) (on | to | for | in) <pr> [<inrepo>] <say> {body}',
    { p: '(request | ask for) [some | a] (changes | change) (on | to | for | in) <pr> [<inrepo>] {body}', cost: 0.1 },
    '(request | ask for) [some | a] (changes | change) (on | to | for | in) <pr> [<inrepo>]',
    '(request | ask for) [some | a] (changes | change) <say> {body}',
  ],
  action,
  run(e, t) {
    const body = e.body?.trim() ?? '';
    // GitHub requires a body for a change request, and the author needs to know what to change.
    if (body === '') throw new AppError('no_context', 'What should change? Say, for example, request changes on it saying please add tests.');
    return planReview(action, e, { event: 'REQUEST_CHANGES', body }, t);
  },
});
