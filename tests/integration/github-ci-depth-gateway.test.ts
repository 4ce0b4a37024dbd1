/**
 * The issue-15 read calls (check runs with ids, Actions jobs and their logs, workflow-run jobs,
 * re-run failed jobs, PR files and comments) over Octokit against the fake GitHub (answers
 * validated against GitHub's OpenAPI description), and the fixture gateway giving the same answers.
 * The job log arrives as GitHub sends it: a 302 to another URL, followed without the token.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { fakeGitHubPerFile } from '../support/liveAppOverFakeGitHub.js';

const fake = fakeGitHubPerFile({ checkServerErrors: true });

const octokit = () => new OctokitGitHubGateway({ token: 'ghp_cidepth', baseUrl: fake().url, circuitBreaker: false, readRetries: 0 });
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe('CI and PR depth calls (issue 15)', () => {
  it('a failing Actions job: id, steps with the failing one, log tail via the 302 without the token; both gateways agree', async () => {
    const fixture = new FixtureGitHubGateway();
    for (const gw of [octokit(), fixture]) {
      const pr = await gw.getPullRequest('acme/api', 15);
      const runs = await gw.listCheckRuns('acme/api', pr.headSha);
      const failing = runs.filter((r) => r.conclusion === 'failure');
      expect(failing.map((r) => [r.name, r.actions])).toEqual([['integration-tests', true]]);
      const job = await gw.getActionsJob('acme/api', failing[0]!.id);
      expect(job.steps.find((s) => s.conclusion === 'failure')?.name).toBe('Run integration tests');
      expect(job.runAttempt).toBe(1);
      const tail = await gw.getActionsJobLogTail('acme/api', job.id, 3);
      expect(tail).toEqual(['--- FAIL: TestLimiterPerTenant (0.41s)', 'FAIL\tgithub.com/acme/api/integration\t3.112s', '##[error]Process completed with exit code 1.']);
      const jobs = await gw.listWorkflowRunJobs('acme/api', job.runId);
      expect(jobs.map((j) => j.name).sort()).toEqual(['build', 'integration-tests', 'lint', 'unit-tests']);
    }
    expect(fake().count('GET', /\/actions\/jobs\/\d+\/logs$/)).toBe(1);
    expect(fake().logRequests).toHaveLength(1);
    expect(fake().logRequests[0]!.authorized).toBe(false);
  });

  it('a log redirect to a plain-http host other than the API is refused, nothing fetched', async () => {
    fake().setLogBase(fake().url.replace('127.0.0.1', 'localhost'));
    const gw = octokit();
    const pr = await gw.getPullRequest('acme/api', 15);
    const id = (await gw.listCheckRuns('acme/api', pr.headSha)).find((r) => r.conclusion === 'failure')!.id;
    const e = await gw.getActionsJobLogTail('acme/api', id, 5).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('github_validation');
    expect((e as AppError).message).toMatch(/does not fetch \(http:\/\/localhost/);
    expect(fake().logRequests).toHaveLength(0);
  });

  it('rerun-failed-jobs: once, new attempt with the failed job queued; a second POST is refused while it runs', async () => {
    const gw = octokit();
    const pr = await gw.getPullRequest('acme/api', 15);
    const id = (await gw.listCheckRuns('acme/api', pr.headSha)).find((r) => r.conclusion === 'failure')!.id;
    const { runId } = await gw.getActionsJob('acme/api', id);
    await gw.rerunFailedJobs('acme/api', runId);
    expect(fake().state.reruns).toHaveLength(1);
    const jobs = await gw.listWorkflowRunJobs('acme/api', runId);
    expect(jobs.every((j) => j.runAttempt === 2)).toBe(true);
    expect(jobs.find((j) => j.name === 'integration-tests')?.status).toBe('queued');
    expect(await codeOf(gw.rerunFailedJobs('acme/api', runId))).toBe('github_forbidden');
    expect(await codeOf(gw.rerunFailedJobs('acme/api', 1))).toBe('not_found');
    expect(fake().count('POST', /rerun-failed-jobs$/)).toBe(3);
  });

  it('files and comments (issue and review), newest first; both gateways agree', async () => {
    fake().state.simulateComment('acme/api', 15, { author: 'omar-h', body: 'Looks close.' });
    const fixture = new FixtureGitHubGateway();
    fixture.state.simulateComment('acme/api', 15, { author: 'omar-h', body: 'Looks close.' });
    const seen = [];
    for (const gw of [octokit(), fixture]) {
      const files = await gw.listPullRequestFiles('acme/api', 15);
      expect(files).toHaveLength(11);
      expect(files[0]).toEqual({ filename: 'internal/ratelimit/limiter.go', status: 'added', additions: 188, deletions: 0 });
      const comments = await gw.listPullRequestComments('acme/api', 15);
      seen.push(comments.map((c) => [c.kind, c.author, c.body.slice(0, 12), c.path ?? null]));
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]![0]).toEqual(['issue', 'omar-h', 'Looks close.', null]);
    expect(seen[0]!.at(-1)).toEqual(['review', 'marco-b', 'The limiter ', 'internal/ratelimit/limiter.go']);
  });
});
