/** "ask alice and bob to review PR 12": a read-back naming the reviewers, then one request. */
import { AppError } from '../../contract/errors.js';
import { pullRequestCard, reviewReadBack } from '../responses/speak.js';
import { strList } from './payload.js';
import { defineAction, defineCommand } from './types.js';

const action = defineAction({
  kind: 'pr.request_review',
  target: { verb: 'review request on', noun: 'PR' },
  payload: (p) => ({ reviewers: strList(p, 'reviewers') }),
  async execute(rec, p, { github }) {
    await github.requestReviewers(rec.repo, rec.number!, p.reviewers);
    return { state: 'done', outcome: 'review_requested', message: `Review requested on PR ${rec.number}.` };
  },
  async reconcile(rec, p, { github }) {
    const pr = await github.getPullRequest(rec.repo, rec.number!);
    const have = new Set(pr.requestedReviewers.map((r) => r.toLowerCase()));
    return p.reviewers.every((w) => have.has(w.toLowerCase()))
      ? { state: 'done', outcome: 'review_requested', message: `Review requested on PR ${rec.number}.`, result: { reconciled: true } }
      : { state: 'failed', outcome: 'not_requested', message: `The review request on PR ${rec.number} did not go through. Nothing was retried.`, result: { reconciled: true } };
  },
});

export const prRequestReview = defineCommand('pr.request_review', {
  description: 'Ask people to review a pull request.',
  examples: ['ask alice and bob to review PR 12', 'request a review from carol on it'],
  anchors: ['review', 'reviews', 'reviewer', 'reviewers', 'look'],
  entities: ['repo', 'number', 'reviewers'],
  patterns: [
    '(ask | get | have) {reviewers} to review [<pr>] [<inrepo>]',
    '(ask | get | have) {reviewers} to (take a look at | look at | look over) <pr> [<inrepo>]',
    'request [a] (review | reviews) from {reviewers} [(on | for | of) <pr> [<inrepo>]]',
    '(request | get) [a] review (on | for | of) <pr> [<inrepo>] from {reviewers}',
    '(add | assign | request) {reviewers} as [a] (reviewer | reviewers) [(on | to | for) <pr> [<inrepo>]]',
    'ask {reviewers} for a review [(on | of) <pr> [<inrepo>]]',
  ],
  action,
  async run(e, t) {
    if (e.reviewers.length === 0) throw new AppError('no_context', 'Who should review it? Say, for example, ask alice to review it.');
    const pr = await t.fetchPr(e);
    t.allow(pr.repo, 'pr.request_review');
    if (pr.state !== 'open') throw new AppError('not_mergeable', `PR ${pr.number} in ${pr.repo} is ${pr.merged ? 'merged' : 'closed'}.`);
    const reviewers = [...new Set(e.reviewers.map((r) => r.toLowerCase()))];
    return t.pending(action, { repo: pr.repo, number: pr.number, headSha: pr.headSha, payload: { reviewers }, readBack: reviewReadBack(pr, reviewers, t.profile), cards: [pullRequestCard(pr)] });
  },
});
