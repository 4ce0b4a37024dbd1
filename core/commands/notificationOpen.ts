/**
 * "open it": answers with an open_url directive for the client (the desktop app opens it through
 * its link policy). Target: the PR or issue named; else, when the current notification is a PR
 * and the user has since moved to another PR ("summarize PR 40", "open it"), that PR; else the
 * current notification; else the PR "it" refers to. The URL is GitHub's html_url, never text.
 */
import { AppError } from '../../contract/errors.js';
import { isAllowedExternalUrl } from '../../contract/linkPolicy.js';
import { describeSubject } from '../responses/speak.js';
import { defineCommand } from './types.js';

export const notificationOpen = defineCommand('notification.open', {
  description: 'Open the current notification or pull request on GitHub in your browser.',
  examples: ['open it', 'open that on GitHub', 'show it in the browser', 'open PR 12 on GitHub'],
  anchors: [],
  entities: ['repo', 'number', 'issue'],
  patterns: [
    'open [up] <thread> [up]',
    '(open | show [me] | view | see | pull up | bring up) <thread> (on | in) <web>',
    '(open | show [me] | view | pull up | bring up) <pr> [<inrepo>] (on | in) <web>',
    '(open | show [me] | view | pull up | bring up) <issue> [<inrepo>] (on | in) <web>',
    '(open | go to | follow | click) [the] (link | url | page | web page)',
    'take me (there | to it | to that | to the (link | page))',
    '(open | launch) <web>',
  ],
  async run(e, t) {
    const { github, session } = t;
    let target: { url: string; label: string };
    if (e.issue !== undefined) {
      const repo = e.repo !== undefined ? await t.canonicalRepo(e.repo) : await t.guessRepo(e.issue);
      const issue = await t.fetchIssue(repo, e.issue);
      target = { url: issue.htmlUrl, label: `issue ${issue.number} in ${issue.repo}` };
    } else {
      const ref = session.inbox[session.cursor];
      const last = session.lastPr;
      const movedOn = ref !== undefined && last !== null && ref.subjectType === 'PullRequest' && !(ref.repo === last.repo && ref.number === last.number);
      if (e.number !== undefined || (ref === undefined && last !== null) || movedOn) {
        const pr = await t.fetchPr(e);
        target = { url: pr.htmlUrl, label: `PR ${pr.number} in ${pr.repo}` };
      } else if (ref !== undefined) {
        const thread = (await github.listNotifications()).find((n) => n.id === ref.threadId);
        let url = thread?.htmlUrl ?? '';
        if (!url && ref.number !== null && ref.subjectType === 'PullRequest') url = (await github.getPullRequest(ref.repo, ref.number)).htmlUrl;
        if (!url && ref.number !== null && ref.subjectType === 'Issue') url = (await github.getIssue(ref.repo, ref.number)).htmlUrl;
        target = { url, label: `${describeSubject(ref)} in ${ref.repo}` };
      } else {
        throw new AppError('no_context', 'Open what? Read a notification or a PR first, then say open it.');
      }
    }
    if (!isAllowedExternalUrl(target.url)) throw new AppError('policy_denied', `${target.label} has no github.com link to open.`);
    return { status: 'ok', spoken: `Opening ${target.label} on GitHub.`, cards: [], directives: [{ kind: 'open_url', url: target.url, label: target.label }] };
  },
});
