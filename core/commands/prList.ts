/**
 * What "my pull requests" and "what do I need to review" share: a list from GitHub search (one
 * search call: `is:pr is:open author:@me` / `review-requested:@me`), then the review and check
 * state of the first few PRs (one PR read + one checks read each, in parallel): the search API
 * has neither. The rest are named by number only.
 */
import type { PullRequestDetail, PullRequestSummary } from '../../contract/github.js';
import { checksPhrase, pullRequestCard, reviewPhrase } from '../responses/speak.js';
import { joinNames, plural, quoteTitle } from '../responses/text.js';
import type { CommandTools, Outcome } from './types.js';

/** PRs read in detail (review and check state); the GitHub reads cost 2 per PR. */
export const DETAILED_PRS = 5;

/** Speaks a PR list: a count, then each detailed PR's review and check state, API fields first. */
export async function prListOutcome(list: readonly PullRequestSummary[], t: CommandTools, words: { none: string; some: (n: number) => string }): Promise<Outcome> {
  if (list.length === 0) return { status: 'ok', spoken: words.none, cards: [] };
  const head = list.slice(0, DETAILED_PRS);
  // A PR that vanished between the search and the read (merged, deleted) is named without state.
  const details = await Promise.all(head.map((p) => t.github.getPullRequest(p.repo, p.number).catch(() => null)));
  const lines = head.map((p, i) => prLine(p, details[i] ?? null, t.profile.readBack === 'short'));
  const rest = list.slice(DETAILED_PRS);
  const restLine = rest.length > 0 ? ` Also ${joinNames(rest.slice(0, 10).map((p) => `PR ${p.number} in ${p.repo}`))}${rest.length > 10 ? `, and ${plural(rest.length - 10, 'more')}` : ''}.` : '';
  // "it" is the PR when there is exactly one; a list leaves "it" as it was.
  if (list.length === 1) t.session.lastPr = { repo: list[0]!.repo, number: list[0]!.number };
  const cards = details.filter((d): d is PullRequestDetail => d !== null).map(pullRequestCard);
  return { status: 'ok', spoken: `${words.some(list.length)} ${lines.join(' ')}${restLine}`, tail: 'Say read PR and a number for more.', cards };
}

/** API fields first (number, repo, draft, reviews, checks); the author's title last, quoted. */
function prLine(p: PullRequestSummary, d: PullRequestDetail | null, short: boolean): string {
  const title = short ? '' : `, titled ${quoteTitle(p.title, 50)}`;
  const draft = p.draft ? ', a draft' : '';
  if (d === null) return `PR ${p.number} in ${p.repo}${draft}${title}.`;
  return `PR ${p.number} in ${p.repo}${draft}: ${reviewPhrase(d)}, ${checksPhrase(d.checks)}${title}.`;
}
