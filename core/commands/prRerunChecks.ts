/**
 * "rerun the failed checks": GitHub Actions' "re-run failed jobs" for each workflow run with a
 * failed job on the PR's head, after a read-back from API fields (repo, number, head, how many runs
 * and jobs; the job names, which the PR's workflow sets, last). Each POST is sent once; an
 * ambiguous failure is settled by reading the runs' attempts, never by sending again.
 */
import { AppError, isAppError } from '../../contract/errors.js';
import type { PullRequestDetail } from '../../contract/github.js';
import { pullRequestCard } from '../responses/speak.js';
import { plural, shortSha, spokenTitle } from '../responses/text.js';
import type { Profile } from '../session/profiles.js';
import { failingJobs, RERUNNABLE_CONCLUSIONS, runAttempt } from './ciJobs.js';
import type { ActionTarget, ExecuteDeps, Settlement } from './types.js';
import { defineAction, defineCommand } from './types.js';

/** A workflow run to re-run, and the attempt that was read back (a higher one means it already was). */
export interface RerunTarget {
  id: number;
  attempt: number;
}

export interface RerunPayload {
  runs: RerunTarget[];
}

/** Failing Actions jobs looked at when planning (their runs are what gets re-run). */
const MAX_JOBS_PLANNED = 20;

function rerunPayload(p: Readonly<Record<string, unknown>>): RerunPayload {
  const runs = p['runs'];
  const ok = (x: unknown): x is RerunTarget =>
    typeof x === 'object' && x !== null && Number.isSafeInteger((x as RerunTarget).id) && (x as RerunTarget).id > 0 && Number.isSafeInteger((x as RerunTarget).attempt);
  if (!Array.isArray(runs) || runs.length === 0 || !runs.every(ok)) throw new AppError('internal', 'The stored action has no valid runs; nothing was sent.');
  return { runs: runs.map((r) => ({ id: r.id, attempt: r.attempt })) };
}

const action = defineAction({
  kind: 'pr.rerun_checks',
  target: { verb: 'rerun of the failed checks on', noun: 'PR' },
  notDone: 'Not rerun',
  payload: rerunPayload,
  execute: rerunFailed,
  reconcile: reconcileRerun,
});

export const prRerunChecks = defineCommand('pr.rerun_checks', {
  description: 'Re-run the failed GitHub Actions jobs of a pull request (after a read-back and your confirmation).',
  examples: ['rerun the failed checks', 'rerun the failed jobs on PR 15', 'retry CI on it'],
  anchors: ['rerun', 'run', 'retry', 'restart', 'rebuild'],
  entities: ['repo', 'number'],
  patterns: [
    // No "runs" / "actions" nouns: "re run runs" was what the offline grammar made of chit-chat.
    '(rerun | re run | retry | restart) [the | all the] [failed | failing | red | broken] (<check_thing> | jobs | job | workflow | workflows) [(on | for | in | of) <pr> [<inrepo>]]',
    '(rerun | re run | retry | restart) (<check_thing> | jobs | workflow) (on | for | in | of) <pr> [<inrepo>]',
    '(run | kick off | trigger | start) [the] (failed | failing) (<check_thing> | jobs | job | workflow | workflows) again [(on | for | in | of) <pr> [<inrepo>]]',
    // An explicit "PR 230": with a bare number the offline grammar turned chit-chat ("play some
    // music in the living room") into "re run a hundred eighty nine under the infra".
    '(rebuild | rerun | re run | retry) <explicit_pr> [<inrepo>]',
  ],
  action,
  async run(e, t) {
    const pr = await t.fetchPr(e);
    t.allow(pr.repo, action.kind);
    if (pr.state !== 'open') throw new AppError('not_mergeable', `PR ${pr.number} in ${pr.repo} is ${pr.merged ? 'merged' : 'closed'}, so its checks are not re-run from here.`);
    const { failing } = await failingJobs(t.github, pr, MAX_JOBS_PLANNED);
    const jobs = failing.filter((f) => f.job !== null && f.run.conclusion !== null && RERUNNABLE_CONCLUSIONS.has(f.run.conclusion));
    if (jobs.length === 0) {
      const why = failing.length > 0 ? 'the failing checks are not GitHub Actions jobs, which are the ones I can re-run' : 'nothing has failed';
      throw new AppError('no_context', `There are no failed GitHub Actions jobs to re-run on PR ${pr.number} in ${pr.repo}: ${why}.`);
    }
    const byRun = new Map<number, RerunTarget>();
    for (const f of jobs) {
      const j = f.job!;
      const seen = byRun.get(j.runId);
      byRun.set(j.runId, { id: j.runId, attempt: Math.max(seen?.attempt ?? 0, j.runAttempt) });
    }
    const payload: RerunPayload = { runs: [...byRun.values()] };
    return t.pending(action, {
      repo: pr.repo,
      number: pr.number,
      headSha: pr.headSha,
      payload,
      readBack: rerunReadBack(pr, payload, jobs.map((f) => f.run.name), t.profile),
      cards: [pullRequestCard(pr)],
    });
  },
});

/** Trusted fields first (repo, number, head, counts), then the job names flattened, as data. */
export function rerunReadBack(pr: PullRequestDetail, p: RerunPayload, jobNames: readonly string[], profile: Profile): string {
  const sayConfirm = profile.voiceConfirmNeedsNumber ? `Say confirm ${pr.number} or cancel.` : 'Say confirm or cancel.';
  const trusted = `Rerun the failed jobs of ${plural(p.runs.length, 'workflow run')} on ${pr.repo} PR ${pr.number}, head ${shortSha(pr.headSha)}: ${plural(jobNames.length, 'failed job')}.`;
  if (profile.readBack === 'short') return `${trusted} ${sayConfirm}`;
  const names = jobNames.slice(0, 3).map((n) => spokenTitle(n, 40)).join(', ');
  return `${trusted} Jobs named: ${names}${jobNames.length > 3 ? ` and ${jobNames.length - 3} more` : ''}. ${sayConfirm}`;
}

/**
 * At confirm time: the PR still has the head that was read back, each run is still at the attempt
 * read back (else someone re-ran it: not sent again), then one POST per run, in order, never retried.
 */
async function rerunFailed(rec: ActionTarget, p: RerunPayload, { github }: ExecuteDeps): Promise<Settlement> {
  const what = `PR ${rec.number} in ${rec.repo}`;
  const todo: RerunTarget[] = [];
  try {
    const pr = await github.getPullRequest(rec.repo, rec.number!);
    if (pr.headSha !== rec.headSha) throw new AppError('head_moved', `${what} has a new head.`, { gate: 'head' });
    for (const r of p.runs) if (runAttempt(await github.listWorkflowRunJobs(rec.repo, r.id)) <= r.attempt) todo.push(r);
  } catch (e) {
    if (isAppError(e) && e.code === 'head_moved') throw e;
    // Nothing sent yet: a failed read is a plain failure.
    throw new AppError('not_mergeable', `I could not re-check ${what} on GitHub just before re-running (${isAppError(e) ? e.code : 'internal'}), so I sent nothing.`, { gate: 'recheck' });
  }
  if (todo.length === 0) return { state: 'done', outcome: 'already_rerun', message: `The failed checks on ${what} were already re-run; I sent nothing.`, result: { rerun: [] } };
  const sent: number[] = [];
  for (const r of todo) {
    try {
      await github.rerunFailedJobs(rec.repo, r.id);
      sent.push(r.id);
    } catch (e) {
      // An ambiguous failure (or any failure after an earlier run was re-run) is settled by reading.
      if (sent.length === 0) throw e;
      throw new AppError('outcome_unknown', `Re-running stopped part way on ${what}.`, { cause: isAppError(e) ? e.code : 'internal' });
    }
  }
  return { state: 'done', outcome: 'rerun', message: `Re-running the failed checks on ${what}.`, result: { rerun: sent } };
}

/** After an ambiguous failure: a run whose attempt went up was re-run. Reads only; never resends. */
async function reconcileRerun(rec: ActionTarget, p: RerunPayload, { github }: ExecuteDeps): Promise<Settlement> {
  const what = `PR ${rec.number} in ${rec.repo}`;
  const rerun: number[] = [];
  for (const r of p.runs) if (runAttempt(await github.listWorkflowRunJobs(rec.repo, r.id)) > r.attempt) rerun.push(r.id);
  if (rerun.length === 0) return { state: 'failed', outcome: 'not_rerun', message: `The failed checks on ${what} were not re-run: GitHub failed first. Nothing was retried; say rerun the failed checks to try again.`, result: { reconciled: true, rerun } };
  const partial = rerun.length < p.runs.length ? ` (${rerun.length} of ${p.runs.length} workflow runs; the others were not, and nothing was retried)` : '';
  return { state: 'done', outcome: 'rerun', message: `Re-running the failed checks on ${what}${partial}. GitHub answered with an error, but the runs show a new attempt.`, result: { reconciled: true, rerun } };
}
