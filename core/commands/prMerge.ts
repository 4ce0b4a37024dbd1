/**
 * "merge it": a read-back bound to the head SHA, then, once confirmed, every merge gate again on
 * that SHA and one merge call (sha-conditional on GitHub's side). An ambiguous failure is settled
 * by asking GitHub whether the PR is merged, never by merging again.
 */
import { AppError, isAppError } from '../../contract/errors.js';
import type { PullRequestDetail } from '../../contract/github.js';
import { MERGE_METHODS, type MergeMethod } from '../../contract/intent.js';
import { checkMergePolicy, policyFor } from '../actions/policy.js';
import { mergeReadBack, pullRequestCard } from '../responses/speak.js';
import { oneOf } from './payload.js';
import { defineAction, defineCommand, type ActionTarget, type ExecuteDeps } from './types.js';

const action = defineAction({
  kind: 'pr.merge',
  target: { verb: 'merge', noun: 'PR' },
  notDone: 'Not merged',
  payload: (p) => ({ method: oneOf<MergeMethod>(p, 'method', MERGE_METHODS) }),
  async execute(rec, p, deps) {
    await recheckMergeGates(rec, deps);
    const r = await deps.github.mergePullRequest({ repo: rec.repo, number: rec.number!, sha: rec.headSha!, method: p.method });
    return { state: 'done', outcome: 'merged', message: `Merged PR ${rec.number} in ${rec.repo}.`, result: { sha: r.sha, reconciled: r.reconciled } };
  },
  async reconcile(rec, _p, { github }) {
    return (await github.isMerged(rec.repo, rec.number!))
      ? { state: 'done', outcome: 'merged', message: `Merged PR ${rec.number} in ${rec.repo}. GitHub answered with an error, but the PR shows as merged.`, result: { reconciled: true } }
      : { state: 'failed', outcome: 'not_merged', message: `PR ${rec.number} was not merged: GitHub failed before merging. Nothing was retried; say merge it to try again.`, result: { reconciled: true } };
  },
});

export const prMerge = defineCommand('pr.merge', {
  description: 'Merge a pull request (after a read-back and your confirmation).',
  examples: ['merge it', 'merge PR 12 in acme/api', 'squash and merge pull request 7', 'rebase merge 30'],
  anchors: ['merge', 'squash'],
  entities: ['repo', 'number', 'method'],
  patterns: [
    'merge [<pr>] [<inrepo>] [<with_method>] [into (main | master | the base branch)]',
    '{method:method_lead} [and] merge [<pr>] [<inrepo>]',
    { p: 'squash <pr> [<inrepo>]', set: { method: 'squash' } },
  ],
  action,
  async run(e, t) {
    const pr = await t.fetchPr(e);
    if (pr.merged) throw new AppError('already_merged', `PR ${pr.number} in ${pr.repo} is already merged.`);
    if (pr.state === 'closed') throw new AppError('not_mergeable', `PR ${pr.number} in ${pr.repo} is closed.`);
    if (pr.draft) throw new AppError('not_mergeable', `PR ${pr.number} in ${pr.repo} is a draft, so it can't be merged yet.`);
    if (pr.mergeable === false || pr.mergeableState === 'dirty') throw new AppError('not_mergeable', `PR ${pr.number} in ${pr.repo} has merge conflicts.`);
    // Our own gates first: they name the reason (failing checks, missing approvals) that GitHub's
    // "blocked" usually stands for.
    const policy = policyFor(t.policy, pr.repo);
    const verdict = checkMergePolicy(policy, pr);
    if (!verdict.ok) throw new AppError('policy_denied', verdict.reason);
    if (pr.mergeableState === 'blocked') {
      throw new AppError('not_mergeable', `PR ${pr.number} in ${pr.repo} is blocked by branch rules, for example a required review or check. Say read it to hear what it is waiting for.`);
    }
    if (pr.mergeable === null) throw new AppError('not_mergeable', `GitHub is still working out whether PR ${pr.number} can merge. Ask again in a moment.`);
    const method = e.method ?? policy.defaultMergeMethod;
    return t.pending(action, { repo: pr.repo, number: pr.number, headSha: pr.headSha, payload: { method }, readBack: mergeReadBack(pr, method, t.profile), cards: [pullRequestCard(pr)] });
  },
});

/**
 * Every merge gate again, at confirm time, on the SHA that was read back: a check that turned
 * red, a new change request or a push since the read-back stops the merge, and the error names
 * the gate. Nothing has been sent yet, so a failed read is a plain failure, never ambiguous.
 */
async function recheckMergeGates(rec: ActionTarget, deps: ExecuteDeps): Promise<void> {
  const what = `PR ${rec.number} in ${rec.repo}`;
  let pr: PullRequestDetail;
  try {
    pr = await deps.github.getPullRequest(rec.repo, rec.number!);
  } catch (e) {
    const code = isAppError(e) ? e.code : 'internal';
    throw new AppError('not_mergeable', `I could not re-check ${what} on GitHub just before merging (${code}), so I did not merge it. Say merge it to try again.`, { gate: 'recheck' });
  }
  if (pr.merged) throw new AppError('already_merged', `${what} is already merged.`);
  if (pr.headSha !== rec.headSha) throw new AppError('head_moved', `${what} has a new head.`, { gate: 'head' });
  if (pr.state !== 'open') throw new AppError('not_mergeable', `${what} was closed after the read-back.`, { gate: 'state' });
  const verdict = checkMergePolicy(policyFor(deps.policy, rec.repo), pr);
  if (!verdict.ok) throw new AppError('policy_denied', verdict.reason, { gate: verdict.gate ?? 'settings' });
}
