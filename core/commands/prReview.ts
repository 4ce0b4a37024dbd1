/**
 * What approve and request-changes share: the plan gates (open, not your own PR, allowed here),
 * the read-back (trusted fields first, the author's title last), and the confirm-time re-check
 * that binds the review to the head that was read back.
 */
import { AppError, isAppError } from '../../contract/errors.js';
import type { PullRequestDetail } from '../../contract/github.js';
import type { ActionKind } from '../../contract/response.js';
import type { ReviewEvent } from '../ports/github.js';
import { checksPhrase, pullRequestCard } from '../responses/speak.js';
import { sanitizeUntrusted, shortSha, spokenTitle } from '../responses/text.js';
import type { Profile } from '../session/profiles.js';
import { oneOf, optStr } from './payload.js';
import type { ActionModule, ActionTarget, CommandTools, ExecuteDeps, Outcome, Settlement } from './types.js';

export interface ReviewPayload {
  event: ReviewEvent;
  body: string | null;
}

export const REVIEW_EVENTS: readonly ReviewEvent[] = ['APPROVE', 'REQUEST_CHANGES'];

export function reviewPayload(p: Readonly<Record<string, unknown>>): ReviewPayload {
  return { event: oneOf(p, 'event', REVIEW_EVENTS), body: optStr(p, 'body') };
}

/** Plans a review of the PR the entities name: the gates, then a pending action with its read-back. */
export async function planReview(
  action: ActionModule<ActionKind, ReviewPayload>,
  e: { repo?: string; number?: number },
  payload: ReviewPayload,
  t: CommandTools,
): Promise<Outcome> {
  const pr = await t.fetchPr(e);
  t.allow(pr.repo, action.kind);
  if (pr.state !== 'open') throw new AppError('not_mergeable', `PR ${pr.number} in ${pr.repo} is ${pr.merged ? 'merged' : 'closed'}, so it can't be reviewed.`);
  // GitHub refuses a review of your own PR (422); say so before a read-back that cannot succeed.
  const me = await t.github.viewer();
  if (me.login.toLowerCase() === pr.author.toLowerCase()) throw new AppError('policy_denied', `PR ${pr.number} in ${pr.repo} is your own, and GitHub does not let you review your own pull request.`);
  return t.pending(action, { repo: pr.repo, number: pr.number, headSha: pr.headSha, payload, readBack: reviewEventReadBack(pr, payload, t.profile), cards: [pullRequestCard(pr)] });
}

/**
 * The exact read-back: verb, repo, number, head and checks (API fields), the user's own words,
 * then the author's free text last, flattened, so it cannot pose as the fields before it.
 */
export function reviewEventReadBack(pr: PullRequestDetail, p: ReviewPayload, profile: Profile): string {
  const sayConfirm = profile.voiceConfirmNeedsNumber ? `Say confirm ${pr.number} or cancel.` : 'Say confirm or cancel.';
  const verb = p.event === 'APPROVE' ? 'Approve' : 'Request changes on';
  const words = p.body !== null ? `, saying "${sanitizeUntrusted(p.body, 200)}"` : '';
  const trusted = `${verb} ${pr.repo} PR ${pr.number}, head ${shortSha(pr.headSha)}, ${checksPhrase(pr.checks)}${words}.`;
  if (profile.readBack === 'short') return `${trusted} ${sayConfirm}`;
  return `${trusted} By ${sanitizeUntrusted(pr.author, 40)}, titled: ${spokenTitle(pr.title, 80)}. ${sayConfirm}`;
}

/** Re-reads the PR at confirm time and sends the review bound to the head that was read back. */
export async function submitReview(rec: ActionTarget, p: ReviewPayload, { github }: ExecuteDeps): Promise<Settlement> {
  const what = `PR ${rec.number} in ${rec.repo}`;
  let pr: PullRequestDetail;
  try {
    pr = await github.getPullRequest(rec.repo, rec.number!);
  } catch (e) {
    // Nothing sent yet: a failed read is a plain failure.
    throw new AppError('not_mergeable', `I could not re-check ${what} on GitHub just before reviewing (${isAppError(e) ? e.code : 'internal'}), so I sent nothing.`, { gate: 'recheck' });
  }
  if (pr.state !== 'open') throw new AppError('not_mergeable', `${what} was ${pr.merged ? 'merged' : 'closed'} after the read-back.`, { gate: 'state' });
  if (pr.headSha !== rec.headSha) throw new AppError('head_moved', `${what} has a new head.`, { gate: 'head' });
  const r = await github.submitReview({ repo: rec.repo, number: rec.number!, commitId: rec.headSha, event: p.event, ...(p.body !== null ? { body: p.body } : {}) });
  const done = p.event === 'APPROVE' ? `Approved PR ${rec.number} in ${rec.repo}.` : `Requested changes on PR ${rec.number} in ${rec.repo}.`;
  return { state: 'done', outcome: p.event === 'APPROVE' ? 'approved' : 'changes_requested', message: done, result: { id: r.id, url: r.htmlUrl } };
}
