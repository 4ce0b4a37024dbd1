/**
 * One behaviour suite, two adapters: FixtureGitHubGateway (in memory) and OctokitGitHubGateway
 * talking HTTP to the fake GitHub server. Both sit on the same demo account, so they must give the
 * same answers — including identical domain objects for every read of the initial state.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import type { GitHubGateway } from '../../core/ports/github.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import type { FakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { startFakeGitHub } from '../fakes/github/fakeGitHubServer.js';

interface Harness {
  gw: GitHubGateway;
  /** Someone pushes to the PR; returns the new head SHA. */
  push(repo: string, number: number): string;
  /** Merges that actually happened. */
  merges(): number;
}

let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  expect(fake.validationErrors).toEqual([]);
  expect(fake.serverErrors).toEqual([]);
});

const adapters: Array<[string, () => Harness]> = [
  [
    'FixtureGitHubGateway',
    () => {
      const gw = new FixtureGitHubGateway();
      return { gw, push: (r, n) => gw.simulatePush(r, n), merges: () => gw.state.merges.length };
    },
  ],
  [
    'OctokitGitHubGateway + fake GitHub',
    () => {
      fake.reset();
      const gw = new OctokitGitHubGateway({ token: 'ghp_test', baseUrl: fake.url, retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 } });
      return { gw, push: (r, n) => fake.state.simulatePush(r, n), merges: () => fake.state.merges.length };
    },
  ],
];

const PR12_SHA = '0cd08008ab97498757fb034e437fe78c199e2d4a';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
}

describe.each(adapters)('%s', (_name, make) => {
  let h: Harness;
  beforeEach(() => {
    h = make();
  });

  it('viewer, repos', async () => {
    expect(await h.gw.viewer()).toEqual({ login: 'sam-dev', name: 'Sam Rivera' });
    expect(await h.gw.listRepos()).toEqual(['acme/api', 'acme/web', 'acme/infra', 'octo-org/payments', 'acme/agent-tasks']);
  });

  it('inbox: unread threads newest first, acme/api#12 review request on top, numbers and links parsed', async () => {
    const inbox = await h.gw.listNotifications();
    expect(inbox.length).toBeGreaterThanOrEqual(15);
    expect(inbox[0]).toMatchObject({ repo: 'acme/api', number: 12, subjectType: 'PullRequest', reason: 'review_requested', title: 'Fix login redirect loop' });
    const issue = inbox.find((t) => t.number === 918)!;
    expect(issue).toMatchObject({ subjectType: 'Issue', htmlUrl: 'https://github.com/acme/api/issues/918' });
    const ci = inbox.find((t) => t.subjectType === 'CheckSuite')!;
    expect(ci).toMatchObject({ number: null, reason: 'ci_activity', htmlUrl: 'https://github.com/acme/api/actions' });
    expect(inbox.every((t) => t.htmlUrl.startsWith('https://github.com/'))).toBe(true);
  });

  it('my PRs and review requests', async () => {
    const mine = await h.gw.listMyPullRequests();
    expect(mine.map((p) => `${p.repo}#${p.number}`).sort()).toEqual(['acme/api#15', 'acme/infra#91', 'acme/web#207']);
    expect(mine.every((p) => p.author === 'sam-dev' && p.state === 'open')).toBe(true);
    const asked = await h.gw.listReviewRequests();
    expect(asked.map((p) => `${p.repo}#${p.number}`)).toEqual(['acme/api#12', 'acme/infra#88', 'acme/web#211', 'acme/api#19']);
  });

  it('reads the demo PR acme/api#12', async () => {
    const pr = await h.gw.getPullRequest('acme/api', 12);
    expect(pr).toMatchObject({
      repo: 'acme/api',
      number: 12,
      title: 'Fix login redirect loop',
      author: 'priya-k',
      state: 'open',
      merged: false,
      draft: false,
      baseRef: 'main',
      headRef: 'fix/login-redirect-loop',
      headSha: PR12_SHA,
      mergeable: true,
      mergeableState: 'clean',
      additions: 38,
      deletions: 12,
      changedFiles: 3,
      commits: 2,
      requestedReviewers: ['sam-dev'],
      labels: ['bug', 'auth'],
      htmlUrl: 'https://github.com/acme/api/pull/12',
    });
    expect(pr.checks).toMatchObject({ state: 'passing', total: 4, passing: 4, failing: 0, pending: 0 });
    expect(pr.reviews.map((r) => r.state)).toEqual(['COMMENTED', 'APPROVED']);
  });

  it('checks by SHA and by branch; commit statuses count', async () => {
    expect((await h.gw.getChecks('acme/api', 'feat/rate-limit')).state).toBe('failing');
    expect(await h.gw.getChecks('acme/web', '82628ba42327ff89fbaf1a9adbd2df76bdee23fe')).toMatchObject({ state: 'pending', total: 4, pending: 4 });
    expect(await h.gw.getChecks('acme/infra', '097f822592625bb097ab6e33a425b8c364a44aaf')).toMatchObject({ state: 'passing', total: 3 });
    expect((await h.gw.getChecks('acme/web', '06454d904aecdbd0208494cb63157b43c2b6e673')).state).toBe('none');
    expect(await codeOf(h.gw.getChecks('acme/api', 'no-such-branch'))).toBe('github_validation');
  });

  it('not found: PR, issue, repo', async () => {
    expect(await codeOf(h.gw.getPullRequest('acme/api', 4040))).toBe('pr_not_found');
    expect(await codeOf(h.gw.getIssue('acme/api', 4040))).toBe('issue_not_found');
    expect(await codeOf(h.gw.getPullRequest('acme/nope', 1))).toBe('unknown_repo');
    expect(await codeOf(h.gw.getIssue('nobody/nothing', 1))).toBe('unknown_repo');
    expect(await codeOf(h.gw.getPullRequest('not a repo', 1))).toBe('unknown_repo');
  });

  it('merge with the read-back SHA: merged, closed, merge commit; then already_merged', async () => {
    const pr = await h.gw.getPullRequest('acme/api', 12);
    expect(await h.gw.isMerged('acme/api', 12)).toBe(false);
    const r = await h.gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: pr.headSha, method: 'squash' });
    expect(r.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(r.reconciled).toBe(false);
    expect(await h.gw.isMerged('acme/api', 12)).toBe(true);
    expect(await h.gw.getPullRequest('acme/api', 12)).toMatchObject({ merged: true, state: 'closed' });
    expect(await codeOf(h.gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: pr.headSha, method: 'squash' }))).toBe('already_merged');
    expect(h.merges()).toBe(1);
    expect((await h.gw.listReviewRequests()).map((p) => p.number)).not.toContain(12);
  });

  it('head moved after read-back → head_moved, nothing merged; the new SHA merges', async () => {
    const pr = await h.gw.getPullRequest('acme/api', 12);
    const newSha = h.push('acme/api', 12);
    expect(await codeOf(h.gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: pr.headSha, method: 'merge' }))).toBe('head_moved');
    expect(h.merges()).toBe(0);
    const again = await h.gw.getPullRequest('acme/api', 12);
    expect(again.headSha).toBe(newSha);
    expect(again.checks.state).toBe('pending');
    await h.gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: newSha, method: 'merge' });
    expect(h.merges()).toBe(1);
  });

  it('not mergeable: conflicts, draft, blocked, behind, disallowed method', async () => {
    for (const [repo, n] of [
      ['acme/web', 204],
      ['acme/web', 207],
      ['acme/infra', 88],
      ['acme/api', 19],
    ] as const) {
      const pr = await h.gw.getPullRequest(repo, n);
      expect(await codeOf(h.gw.mergePullRequest({ repo, number: n, sha: pr.headSha, method: 'merge' })), `${repo}#${n}`).toBe('not_mergeable');
    }
    const pay = await h.gw.getPullRequest('octo-org/payments', 342);
    expect(await codeOf(h.gw.mergePullRequest({ repo: 'octo-org/payments', number: 342, sha: pay.headSha, method: 'merge' }))).toBe('not_mergeable');
    expect(h.merges()).toBe(0);
    await h.gw.mergePullRequest({ repo: 'octo-org/payments', number: 342, sha: pay.headSha, method: 'squash' });
    expect(h.merges()).toBe(1);
  });

  it('already merged in the fixture: octo-org/payments#340', async () => {
    const pr = await h.gw.getPullRequest('octo-org/payments', 340);
    expect(pr).toMatchObject({ merged: true, state: 'closed' });
    expect(await h.gw.isMerged('octo-org/payments', 340)).toBe(true);
    expect(await codeOf(h.gw.mergePullRequest({ repo: 'octo-org/payments', number: 340, sha: pr.headSha, method: 'squash' }))).toBe('already_merged');
  });

  it('request reviewers (collaborators only, never the author)', async () => {
    await h.gw.requestReviewers('acme/api', 12, ['marco-b']);
    expect((await h.gw.getPullRequest('acme/api', 12)).requestedReviewers).toEqual(['sam-dev', 'marco-b']);
    expect(await codeOf(h.gw.requestReviewers('acme/api', 12, ['priya-k']))).toBe('github_validation');
    expect(await codeOf(h.gw.requestReviewers('acme/api', 12, ['mallory']))).toBe('github_validation');
    expect(await codeOf(h.gw.requestReviewers('acme/api', 4040, ['marco-b']))).toBe('pr_not_found');
  });

  it('comments and issues', async () => {
    const c = await h.gw.createComment('acme/api', 12, 'Merging after lunch.');
    expect(c.id).toBeGreaterThan(0);
    expect(c.htmlUrl).toBe(`https://github.com/acme/api/pull/12#issuecomment-${c.id}`);
    expect(await codeOf(h.gw.createComment('acme/api', 4040, 'x'))).toBe('issue_not_found');
    const created = await h.gw.createIssue('acme/api', { title: 'Agent: fix #918', body: 'Dispatch marker', labels: ['agent'] });
    expect(created).toMatchObject({ repo: 'acme/api', number: 922, author: 'sam-dev', state: 'open', labels: ['agent'], htmlUrl: 'https://github.com/acme/api/issues/922' });
    expect(await h.gw.getIssue('acme/api', 922)).toEqual(created);
    expect(await h.gw.getIssue('acme/api', 918)).toMatchObject({ title: 'Password reset emails are sent twice', author: 'ana-s', state: 'open' });
    expect(await codeOf(h.gw.createIssue('acme/nope', { title: 'x', body: '' }))).toBe('unknown_repo');
  });

  it('threads: done removes from the inbox; unsubscribe keeps it; unknown → not_found', async () => {
    const inbox = await h.gw.listNotifications();
    await h.gw.markThreadDone(inbox[0]!.id);
    await h.gw.unsubscribeThread(inbox[1]!.id);
    const after = await h.gw.listNotifications();
    expect(after.map((t) => t.id)).not.toContain(inbox[0]!.id);
    expect(after.map((t) => t.id)).toContain(inbox[1]!.id);
    expect(await codeOf(h.gw.markThreadDone('1'))).toBe('not_found');
    expect(await codeOf(h.gw.markThreadDone('12; rm -rf'))).toBe('bad_request');
  });

  it('untrusted bodies are trimmed to 4,000 chars', async () => {
    const pr = (await h.gw.getPullRequest('acme/api', 15)).body;
    expect(pr.length).toBeLessThanOrEqual(4000);
  });
});

describe('both adapters give identical answers on the initial demo state', () => {
  it('every read', async () => {
    fake.reset();
    const a = new FixtureGitHubGateway();
    const b = new OctokitGitHubGateway({ token: 'ghp_test', baseUrl: fake.url });
    const reads = async (gw: GitHubGateway) => {
      const out: Record<string, unknown> = {
        viewer: await gw.viewer(),
        repos: await gw.listRepos(),
        inbox: await gw.listNotifications(),
        mine: await gw.listMyPullRequests(),
        asked: await gw.listReviewRequests(),
      };
      for (const p of a.state.pulls()) out[`pr ${p.repo}#${p.number}`] = await gw.getPullRequest(p.repo, p.number);
      for (const i of a.state.issues()) out[`issue ${i.repo}#${i.number}`] = await gw.getIssue(i.repo, i.number);
      out['merged 340'] = await gw.isMerged('octo-org/payments', 340);
      return out;
    };
    expect(await reads(b)).toEqual(await reads(a));
  });
});
