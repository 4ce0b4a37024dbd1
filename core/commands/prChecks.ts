/** "are the checks passing on 12": the PR's check state, failing checks named. */
import { checksSummary, pullRequestCard } from '../responses/speak.js';
import { defineCommand } from './types.js';

export const prChecks = defineCommand('pr.checks', {
  description: 'Say whether the checks (CI) pass on a pull request.',
  examples: ['are the checks passing on 12', 'how is CI on it', 'did the checks pass on PR 40'],
  anchors: [],
  entities: ['repo', 'number'],
  patterns: [
    '(are | is) [the] <check_thing> <check_state> [(on | for | in | of) <pr> [<inrepo>]]',
    'how (is | are) [the] <check_thing> [doing | looking] [(on | for | in | of) <pr> [<inrepo>]]',
    '(check | show [me] | read [me] | what is | what are | get) [the] <check_thing> [status] (on | for | of | in) <pr> [<inrepo>]',
    'did [the] <check_thing> (pass | succeed | fail | go green | turn green | go red) [(on | for | in | of) <pr> [<inrepo>]]',
    '<check_thing> [status] [(on | for | of | in) <pr> [<inrepo>]]',
    'is <pr> [<inrepo>] (green | passing | red | failing)',
    '(are there | any) [failing | red | broken | pending] <check_thing> [(on | for | in | of) <pr> [<inrepo>]]',
  ],
  async run(e, t) {
    const pr = await t.fetchPr(e);
    return { status: 'ok', spoken: checksSummary(pr), cards: [pullRequestCard(pr)] };
  },
});
