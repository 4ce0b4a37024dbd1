/**
 * "read the last comment" / "read the comments on PR 12": issue and review comments, newest first,
 * each with its author and age, within the profile's word budget. Comment bodies are the commenters'
 * text: code, quotes and links are shortened, the rest sanitised and quoted as data.
 */
import type { PullRequestComment } from '../ports/github.js';
import { pullRequestCard } from '../responses/speak.js';
import { countWords, plural, sanitizeUntrusted, spokenAge } from '../responses/text.js';
import type { Profile } from '../session/profiles.js';
import { defineCommand } from './types.js';

export const prComments = defineCommand('pr.comments', {
  description: 'Read the latest comments on a pull request, newest first, with who wrote them and when.',
  examples: ['read the last comment', 'read the comments on PR 12', 'any new comments on it'],
  anchors: [],
  entities: ['repo', 'number', 'count'],
  patterns: [
    { p: '(read | play | tell) [me] the (last | latest | newest | most recent | new) comment [(on | in | of | for) <pr> [<inrepo>]]', set: { count: 1 } },
    { p: 'what (was | is) the (last | latest | newest | most recent) comment [(on | in | of | for) <pr> [<inrepo>]]', set: { count: 1 } },
    { p: 'who commented (last | latest) [(on | in) <pr> [<inrepo>]]', set: { count: 1 } },
    // The plural forms name their PR ("on it" included): a bare "read the comments" was, for the
    // offline grammar, too close to "list the commands" and "what was that".
    '(read | show) [me] the [last | latest | newest | new | recent] comments (on | in | of | for) <pr> [<inrepo>]',
    '(any | are there [any]) [new] comments (on | in | for) <pr> [<inrepo>]',
    'what (are | were) the [latest | new | recent] comments (on | in | for) <pr> [<inrepo>]',
    'what (did | do) (people | reviewers | they | the reviewers | everyone) say (on | about | in) <pr> [<inrepo>]',
  ],
  async run(e, t) {
    const pr = await t.fetchPr(e);
    const comments = await t.github.listPullRequestComments(pr.repo, pr.number);
    return { status: 'ok', spoken: commentsText(`PR ${pr.number} in ${pr.repo}`, comments, e.count ?? null, t.clock.nowMs(), t.profile), cards: [pullRequestCard(pr)] };
  },
});

/** A comment body as it is spoken: code blocks, quoted replies and links shortened; sanitised; ≤ 200 chars. */
export function speakableBody(body: string): string {
  const text = body
    .replace(/```[\s\S]*?(```|$)/g, ' (code) ')
    .replace(/`([^`\n]{0,40})`/g, '$1')
    .split('\n')
    .filter((l) => !/^\s*>/.test(l))
    .join(' ')
    .replace(/https?:\/\/\S+/g, '(link)')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/"/g, "'");
  return sanitizeUntrusted(text, 200);
}

/**
 * "3 comments on PR 15 in acme/api; newest first. sam-dev, 2 hours ago: "…". marco-b on limiter.go,
 * a day ago: "…"." `count` 1 reads only the newest. Whole comments while they fit the budget.
 */
export function commentsText(where: string, comments: readonly PullRequestComment[], count: number | null, nowMs: number, profile: Profile): string {
  if (comments.length === 0) return `There are no comments on ${where}.`;
  const wanted = count ?? comments.length;
  const line = (c: PullRequestComment) => {
    const on = c.kind === 'review' && c.path ? ` on ${sanitizeUntrusted(c.path.split('/').pop() ?? '', 40)}` : '';
    const age = Number.isFinite(Date.parse(c.createdAt)) ? `, ${spokenAge(Date.parse(c.createdAt), nowMs)}` : '';
    return `${sanitizeUntrusted(c.author, 40)}${on}${age}: "${speakableBody(c.body) || '(empty)'}".`;
  };
  const head = wanted === 1 ? `The last comment on ${where}, of ${comments.length}:` : `${plural(comments.length, 'comment')} on ${where}, newest first.`;
  const out = [head];
  for (const c of comments.slice(0, wanted)) {
    const l = line(c);
    // The first comment is read even when long (the pipeline cuts it to the budget).
    if (out.length > 1 && countWords([...out, l].join(' ')) > profile.wordBudget) break;
    out.push(l);
  }
  return out.join(' ');
}
