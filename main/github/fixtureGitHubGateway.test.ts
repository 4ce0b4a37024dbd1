import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import { FixtureGitHubGateway } from './fixtureGitHubGateway.js';

const PR12_SHA = '0cd08008ab97498757fb034e437fe78c199e2d4a';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
}

describe('FixtureGitHubGateway', () => {
  it('is mode fixture, has no rate limit, and loads the demo account', async () => {
    const gw = new FixtureGitHubGateway();
    expect(gw.mode).toBe('fixture');
    expect(gw.rateLimit()).toBeNull();
    expect((await gw.viewer()).login).toBe('sam-dev');
    expect(await gw.listRepos()).toEqual(expect.arrayContaining(['acme/api', 'acme/web', 'acme/infra', 'octo-org/payments']));
  });

  it('is deterministic: two instances doing the same things agree exactly', async () => {
    const run = async () => {
      const gw = new FixtureGitHubGateway();
      const merged = await gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: PR12_SHA, method: 'squash' });
      const issue = await gw.createIssue('acme/api', { title: 'Flaky', body: 'x' });
      const comment = await gw.createComment('acme/api', 918, 'On it');
      const newSha = gw.simulatePush('acme/api', 19);
      return { merged, issue, comment, newSha, pr: await gw.getPullRequest('acme/api', 12), inbox: await gw.listNotifications() };
    };
    expect(await run()).toEqual(await run());
  });

  it('merge: sha guard, then merged/closed with a merge commit; already_merged after', async () => {
    const gw = new FixtureGitHubGateway();
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: 'f'.repeat(40), method: 'merge' }))).toBe('head_moved');
    const r = await gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: PR12_SHA, method: 'squash' });
    expect(r.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(r.reconciled).toBe(false);
    const pr = await gw.getPullRequest('acme/api', 12);
    expect(pr).toMatchObject({ merged: true, state: 'closed' });
    expect(await gw.isMerged('acme/api', 12)).toBe(true);
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: PR12_SHA, method: 'squash' }))).toBe('already_merged');
    expect(gw.state.merges).toHaveLength(1);
  });

  it('merge refusals: not mergeable states, disallowed method, unknown PR/repo', async () => {
    const gw = new FixtureGitHubGateway();
    const pr204 = await gw.getPullRequest('acme/web', 204);
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/web', number: 204, sha: pr204.headSha, method: 'squash' }))).toBe('not_mergeable');
    const pr342 = await gw.getPullRequest('octo-org/payments', 342);
    expect(await codeOf(gw.mergePullRequest({ repo: 'octo-org/payments', number: 342, sha: pr342.headSha, method: 'rebase' }))).toBe('not_mergeable');
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/api', number: 4040, sha: PR12_SHA, method: 'merge' }))).toBe('pr_not_found');
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/nope', number: 1, sha: PR12_SHA, method: 'merge' }))).toBe('unknown_repo');
    expect(gw.state.merges).toHaveLength(0);
  });

  it('simulatePush moves the head: the read-back SHA no longer merges', async () => {
    const gw = new FixtureGitHubGateway();
    const before = await gw.getPullRequest('acme/api', 12);
    const newSha = gw.simulatePush('acme/api', 12);
    expect(newSha).not.toBe(before.headSha);
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: before.headSha, method: 'merge' }))).toBe('head_moved');
    const after = await gw.getPullRequest('acme/api', 12);
    expect(after.headSha).toBe(newSha);
    expect(after.checks.state).toBe('pending');
    gw.simulateChecksCompleted('acme/api', 12);
    expect((await gw.getPullRequest('acme/api', 12)).checks.state).toBe('passing');
    await gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: newSha, method: 'merge' });
    expect(gw.state.merges.map((m) => m.headSha)).toEqual([newSha]);
  });

  it('fault injection: before (nothing happens) and after (it happened, then the error)', async () => {
    const gw = new FixtureGitHubGateway();
    gw.injectFault({ method: 'mergePullRequest', error: 'github_unavailable' });
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: PR12_SHA, method: 'merge' }))).toBe('github_unavailable');
    expect(await gw.isMerged('acme/api', 12)).toBe(false);
    gw.injectFault({ method: 'mergePullRequest', error: 'outcome_unknown', when: 'after' });
    expect(await codeOf(gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: PR12_SHA, method: 'merge' }))).toBe('outcome_unknown');
    expect(await gw.isMerged('acme/api', 12)).toBe(true);
    expect(gw.callCount('mergePullRequest')).toBe(2);
    gw.injectFault({ method: 'listNotifications', error: new AppError('github_rate_limited', 'slow down'), times: 2 });
    expect(await codeOf(gw.listNotifications())).toBe('github_rate_limited');
    expect(await codeOf(gw.listNotifications())).toBe('github_rate_limited');
    expect(await codeOf(gw.listNotifications())).toBe('ok');
  });

  it('notifications: unread newest first, done removes, simulateNotification adds on top', async () => {
    const gw = new FixtureGitHubGateway();
    const inbox = await gw.listNotifications();
    expect(inbox.length).toBeGreaterThanOrEqual(15);
    expect(inbox.every((t) => t.unread)).toBe(true);
    expect([...inbox].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))).toEqual(inbox);
    expect(inbox[0]).toMatchObject({ repo: 'acme/api', number: 12, reason: 'review_requested', htmlUrl: 'https://github.com/acme/api/pull/12' });
    await gw.markThreadDone(inbox[0]!.id);
    expect((await gw.listNotifications()).map((t) => t.id)).not.toContain(inbox[0]!.id);
    expect(await codeOf(gw.markThreadDone(inbox[0]!.id))).toBe('not_found');
    expect(await codeOf(gw.markThreadDone('../x'))).toBe('bad_request');
    const t = gw.simulateNotification({ repo: 'acme/api', subjectType: 'Issue', number: 918, reason: 'mention' });
    expect((await gw.listNotifications())[0]).toEqual(t);
    expect(t.title).toBe('Password reset emails are sent twice');
  });

  it('requestReviewers, createComment, createIssue, getIssue', async () => {
    const gw = new FixtureGitHubGateway();
    await gw.requestReviewers('acme/api', 12, ['marco-b']);
    expect((await gw.getPullRequest('acme/api', 12)).requestedReviewers).toEqual(['sam-dev', 'marco-b']);
    expect(await codeOf(gw.requestReviewers('acme/api', 12, ['priya-k']))).toBe('github_validation');
    expect(await codeOf(gw.requestReviewers('acme/api', 12, ['mallory']))).toBe('github_validation');
    const c = await gw.createComment('acme/api', 918, 'Looking');
    expect(c.htmlUrl).toBe(`https://github.com/acme/api/issues/918#issuecomment-${c.id}`);
    const issue = await gw.createIssue('acme/api', { title: 'Agent: fix 918', body: 'please', labels: ['agent'] });
    expect(issue).toMatchObject({ number: 922, author: 'sam-dev', state: 'open', labels: ['agent'] });
    expect((await gw.getIssue('acme/api', 922)).title).toBe('Agent: fix 918');
    expect(await codeOf(gw.getIssue('acme/api', 5000))).toBe('issue_not_found');
    expect(await codeOf(gw.createIssue('acme/api', { title: '  ', body: '' }))).toBe('github_validation');
  });

  it('trims untrusted bodies to 4,000 chars', async () => {
    const gw = new FixtureGitHubGateway();
    gw.state.pull('acme/api', 12)!.body = 'x'.repeat(50_000);
    expect((await gw.getPullRequest('acme/api', 12)).body).toHaveLength(4000);
  });
  it('submits reviews as GitHub does (own PR and bodiless change requests refused) and replays them from the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-fixture-review-'));
    try {
      const journalPath = join(dir, 'journal.jsonl');
      const gw = new FixtureGitHubGateway({ journalPath });
      const r = await gw.submitReview({ repo: 'acme/api', number: 12, commitId: PR12_SHA, event: 'APPROVE' });
      expect(r.state).toBe('APPROVED');
      expect(r.htmlUrl).toBe(`https://github.com/acme/api/pull/12#pullrequestreview-${r.id}`);
      expect(await codeOf(gw.submitReview({ repo: 'acme/api', number: 12, commitId: PR12_SHA, event: 'REQUEST_CHANGES' }))).toBe('github_validation');
      expect(await codeOf(gw.submitReview({ repo: 'acme/api', number: 12, commitId: 'f'.repeat(40), event: 'APPROVE' }))).toBe('github_validation');
      const own = gw.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Mine' });
      expect(await codeOf(gw.submitReview({ repo: 'acme/api', number: own.number, commitId: own.headSha, event: 'APPROVE' }))).toBe('github_validation');
      const again = new FixtureGitHubGateway({ journalPath });
      expect((await again.getPullRequest('acme/api', 12)).reviews.filter((x) => x.author === 'sam-dev').map((x) => x.state)).toEqual(['APPROVED']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('re-runs failed Actions jobs as GitHub does (refused while running) and replays the re-run from the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-fixture-rerun-'));
    try {
      const journalPath = join(dir, 'journal.jsonl');
      const gw = new FixtureGitHubGateway({ journalPath });
      const pr = await gw.getPullRequest('acme/api', 15);
      const failing = (await gw.listCheckRuns('acme/api', pr.headSha)).find((r) => r.conclusion === 'failure')!;
      const job = await gw.getActionsJob('acme/api', failing.id);
      await gw.rerunFailedJobs('acme/api', job.runId);
      expect(await codeOf(gw.rerunFailedJobs('acme/api', job.runId))).toBe('github_forbidden');
      const again = new FixtureGitHubGateway({ journalPath });
      const jobs = await again.listWorkflowRunJobs('acme/api', job.runId);
      expect(jobs.map((j) => j.runAttempt)).toEqual([2, 2, 2, 2]);
      expect(jobs.find((j) => j.name === 'integration-tests')?.status).toBe('queued');
      expect(again.state.reruns).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
