/** "comment on PR 12 saying looks good": the words read back, then one comment. */
import { AppError } from '../../contract/errors.js';
import { commentReadBack, pullRequestCard } from '../responses/speak.js';
import { str } from './payload.js';
import { defineAction, defineCommand } from './types.js';

const action = defineAction({
  kind: 'pr.comment',
  target: { verb: 'comment on', noun: 'PR' },
  payload: (p) => ({ body: str(p, 'body') }),
  async execute(rec, p, { github }) {
    const c = await github.createComment(rec.repo, rec.number!, p.body);
    return { state: 'done', outcome: 'commented', message: `Comment posted on ${rec.number === null ? rec.repo : `PR ${rec.number}`}.`, result: { id: c.id, url: c.htmlUrl } };
  },
  // No cheap read-back of "did my comment land": an ambiguous failure is reported, never resent.
});

export const prComment = defineCommand('pr.comment', {
  description: 'Comment on a pull request with your words (after a read-back).',
  examples: ['comment on PR 12 saying looks good to me', 'reply to it: ship it'],
  anchors: ['comment', 'reply', 'respond'],
  entities: ['repo', 'number', 'body'],
  patterns: [
    '[add | leave | post | write] [a] comment (on | to) <pr> [<inrepo>] <say> {body}',
    '(comment | reply | respond) (on | to) <pr> [<inrepo>] <say> {body}',
    { p: '(comment | reply | respond) (on | to) <pr> [<inrepo>] {body}', cost: 0.1 },
    '[add | leave | post | write] [a] comment <say> {body}',
    '(reply | respond) <say> {body}',
  ],
  action,
  async run(e, t) {
    const body = e.body.trim();
    if (body === '') throw new AppError('no_context', 'What should the comment say? Say, for example, comment on it saying looks good.');
    const pr = await t.fetchPr(e);
    t.allow(pr.repo, 'pr.comment');
    return t.pending(action, { repo: pr.repo, number: pr.number, headSha: pr.headSha, payload: { body }, readBack: commentReadBack(pr.repo, pr.number, pr.title, body, t.profile), cards: [pullRequestCard(pr)] });
  },
});
