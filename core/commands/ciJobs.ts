/**
 * What pr.checks_failure and pr.rerun_checks share: the failing check runs of a PR's head, and
 * for those GitHub Actions made, their jobs (steps, workflow run and attempt). Names of checks,
 * jobs and steps come from the PR's workflow files, so they are untrusted text.
 */
import type { CheckRun, PullRequestDetail } from '../../contract/github.js';
import type { ActionsJob, CheckRunDetail, GitHubGateway } from '../ports/github.js';

/** Conclusions that count as failed (as the check summary counts them). */
export const FAILED_CONCLUSIONS: ReadonlySet<NonNullable<CheckRun['conclusion']>> = new Set(['failure', 'timed_out', 'cancelled', 'action_required']);

/** Conclusions GitHub's "re-run failed jobs" starts again. */
export const RERUNNABLE_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'cancelled']);

/** At most this many failing jobs are looked into (one job + one log call each). */
export const MAX_JOBS_EXAMINED = 3;

export interface FailingJob {
  run: CheckRunDetail;
  /** The Actions job, or null for a check another app made (or one whose job could not be read). */
  job: ActionsJob | null;
}

/** The failing check runs of the PR's head, with their Actions jobs (the first MAX_JOBS_EXAMINED). */
export async function failingJobs(github: GitHubGateway, pr: PullRequestDetail, limit = MAX_JOBS_EXAMINED): Promise<{ failing: FailingJob[]; total: number }> {
  const runs = await github.listCheckRuns(pr.repo, pr.headSha);
  const failed = runs.filter((r) => r.conclusion !== null && FAILED_CONCLUSIONS.has(r.conclusion));
  const failing = await Promise.all(
    failed.slice(0, limit).map(async (run): Promise<FailingJob> => ({ run, job: run.actions ? await github.getActionsJob(pr.repo, run.id).catch(() => null) : null })),
  );
  return { failing, total: failed.length };
}

/** The step that failed (GitHub marks it with conclusion failure, timed_out or cancelled). */
export function failedStep(job: ActionsJob): string | null {
  return job.steps.find((s) => s.conclusion !== null && RERUNNABLE_CONCLUSIONS.has(s.conclusion))?.name ?? null;
}

/** The current attempt of a workflow run: the highest attempt among its (latest) jobs. */
export function runAttempt(jobs: readonly ActionsJob[]): number {
  return jobs.reduce((m, j) => Math.max(m, j.runAttempt), 0);
}
