/**
 * OctokitGitHubGateway against the fake GitHub server: the failure modes from
 * reliability-tests.md (CF-4, CF-5, CF-6, NET-1, NET-2, NET-3, NET-4, NET-6).
 */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import { GITHUB_MESSAGES } from '../../main/github/demo/demoGitHubState.js';
import type { OctokitGitHubGatewayOptions } from '../../main/github/octokitGitHubGateway.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import type { FakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { startFakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { failure } from '../support/appErrorOf.js';

const PR12_SHA = '0cd08008ab97498757fb034e437fe78c199e2d4a';
const MERGE_12 = { repo: 'acme/api', number: 12, sha: PR12_SHA, method: 'squash' } as const;

let fake: FakeGitHub;
let nowMs: number;

beforeAll(async () => {
  fake = await startFakeGitHub({ token: 'ghp_test' });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  nowMs = Date.now();
});
afterEach(() => {
  expect(fake.validationErrors).toEqual([]);
  expect(fake.serverErrors).toEqual([]);
});

function gateway(opts: Partial<OctokitGitHubGatewayOptions> = {}): OctokitGitHubGateway {
  return new OctokitGitHubGateway({
    token: 'ghp_test',
    baseUrl: fake.url,
    clock: { nowMs: () => nowMs },
    retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
    ...opts,
  });
}

const mergePutBodies = () => fake.requests.filter((r) => r.method === 'PUT').map((r) => r.body);

describe('token', () => {
  it('missing token: every call fails with no_token and nothing is sent', async () => {
    for (const token of [undefined, null, '', '   ']) {
      const gw = new OctokitGitHubGateway({ token, baseUrl: fake.url });
      const calls: Array<Promise<unknown>> = [
        gw.viewer(),
        gw.listRepos(),
        gw.listNotifications(),
        gw.markThreadDone('1'),
        gw.unsubscribeThread('1'),
        gw.listMyPullRequests(),
        gw.listReviewRequests(),
        gw.getPullRequest('acme/api', 12),
        gw.getChecks('acme/api', PR12_SHA),
        gw.isMerged('acme/api', 12),
        gw.mergePullRequest(MERGE_12),
        gw.requestReviewers('acme/api', 12, ['marco-b']),
        gw.createComment('acme/api', 12, 'x'),
        gw.getIssue('acme/api', 918),
        gw.createIssue('acme/api', { title: 't', body: 'b' }),
      ];
      for (const c of calls) {
        const e = await failure(c);
        expect(e.code).toBe('no_token');
        expect(e.message).toMatch(/token/i);
      }
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('revoked token → github_unauthorized, not retried', async () => {
    const gw = gateway({ token: 'ghp_revoked' });
    expect((await failure(gw.viewer())).code).toBe('github_unauthorized');
    expect(fake.requests).toHaveLength(1);
  });

  it('403 on /notifications says a fine-grained token is the likely cause', async () => {
    fake.faults.serverError(403, { match: { path: '/notifications' } });
    const e = await failure(gateway().listNotifications());
    expect(e.code).toBe('github_forbidden');
    expect(e.message).toMatch(/fine-grained/);
  });
});

describe('merge (CF-4, CF-5, CF-6)', () => {
  it('head moved between read-back and confirm → 409 → head_moved; one PUT carrying the confirmed SHA; 0 merges', async () => {
    const gw = gateway();
    const pr = await gw.getPullRequest('acme/api', 12);
    fake.faults.headMovedBeforeMerge('acme/api', 12);
    const e = await failure(gw.mergePullRequest({ repo: 'acme/api', number: 12, sha: pr.headSha, method: 'squash' }));
    expect(e.code).toBe('head_moved');
    expect(e.details?.['githubMessage']).toBe(GITHUB_MESSAGES.headModified);
    expect(fake.mergePuts).toBe(1);
    expect(mergePutBodies()).toEqual([{ sha: pr.headSha, merge_method: 'squash' }]);
    expect(fake.state.merges).toHaveLength(0);
  });

  it('502 after merging → outcome_unknown; exactly one PUT; isMerged then reports true', async () => {
    const gw = gateway();
    fake.faults.failAfterMerge(502);
    const e = await failure(gw.mergePullRequest(MERGE_12));
    expect(e.code).toBe('outcome_unknown');
    expect(fake.mergePuts).toBe(1);
    expect(fake.state.merges).toHaveLength(1);
    expect(await gw.isMerged('acme/api', 12)).toBe(true);
    expect(fake.mergePuts).toBe(1);
  });

  it('connection reset after merging → outcome_unknown; exactly one PUT; isMerged true', async () => {
    const gw = gateway();
    fake.faults.resetAfterMerge();
    const e = await failure(gw.mergePullRequest(MERGE_12));
    expect(e.code).toBe('outcome_unknown');
    expect(fake.mergePuts).toBe(1);
    expect(await gw.isMerged('acme/api', 12)).toBe(true);
  });

  it.each([500, 502, 503, 504])('%i before merging → outcome_unknown, one PUT, not merged', async (status) => {
    const gw = gateway();
    fake.faults.serverError(status, { match: { method: 'PUT' } });
    expect((await failure(gw.mergePullRequest(MERGE_12))).code).toBe('outcome_unknown');
    expect(fake.mergePuts).toBe(1);
    expect(await gw.isMerged('acme/api', 12)).toBe(false);
  });

  it('connection reset before handling → outcome_unknown, one PUT', async () => {
    const gw = gateway();
    fake.faults.resetConnection({ match: { method: 'PUT' } });
    expect((await failure(gw.mergePullRequest(MERGE_12))).code).toBe('outcome_unknown');
    expect(fake.mergePuts).toBe(1);
    expect(fake.state.merges).toHaveLength(0);
  });

  it('405 "Base branch was modified" → not_mergeable with GitHub\'s message; one PUT', async () => {
    const gw = gateway();
    fake.faults.notMergeable(GITHUB_MESSAGES.baseModified);
    const e = await failure(gw.mergePullRequest(MERGE_12));
    expect(e.code).toBe('not_mergeable');
    expect(e.message).toContain('Base branch was modified');
    expect(fake.mergePuts).toBe(1);
  });

  it('429 on merge → github_rate_limited; one PUT', async () => {
    const gw = gateway();
    fake.faults.rateLimited({ retryAfterS: 30, match: { method: 'PUT' } });
    expect((await failure(gw.mergePullRequest(MERGE_12))).code).toBe('github_rate_limited');
    expect(fake.mergePuts).toBe(1);
    expect(fake.state.merges).toHaveLength(0);
  });

  it('422 (e.g. invalid merge method) → github_validation', async () => {
    const gw = gateway();
    const e = await failure(gw.mergePullRequest({ ...MERGE_12, method: 'fast-forward' as 'merge' }));
    expect(e.code).toBe('github_validation');
    expect(fake.mergePuts).toBe(1);
  });

  it('a malformed SHA is refused locally; nothing is sent', async () => {
    expect((await failure(gateway().mergePullRequest({ ...MERGE_12, sha: 'abc123' }))).code).toBe('bad_request');
    expect(fake.requests).toHaveLength(0);
  });

  it('slow merge → outcome_unknown at the 30 s-style deadline; the server still merges; one PUT', async () => {
    const gw = gateway({ timeouts: { mergeMs: 300 } });
    fake.faults.slow(600, { match: { method: 'PUT' } });
    const t0 = performance.now();
    const e = await failure(gw.mergePullRequest(MERGE_12));
    const elapsed = performance.now() - t0;
    expect(e.code).toBe('outcome_unknown');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(500);
    expect(fake.mergePuts).toBe(1);
    await new Promise((r) => setTimeout(r, 450));
    expect(fake.state.merges).toHaveLength(1);
    expect(await gw.isMerged('acme/api', 12)).toBe(true);
    expect(fake.mergePuts).toBe(1);
  });
});

describe('writes are never retried (NET-2)', () => {
  it('comment / reviewers / issue / thread writes: one request each on 5xx', async () => {
    const gw = gateway();
    fake.faults.serverError(502, { times: Infinity, match: { method: 'POST' } });
    fake.faults.serverError(502, { times: Infinity, match: { method: 'DELETE' } });
    expect((await failure(gw.createComment('acme/api', 12, 'x'))).code).toBe('outcome_unknown');
    expect((await failure(gw.requestReviewers('acme/api', 12, ['marco-b']))).code).toBe('outcome_unknown');
    expect((await failure(gw.createIssue('acme/api', { title: 't', body: 'b' }))).code).toBe('outcome_unknown');
    expect((await failure(gw.markThreadDone('14892301001'))).code).toBe('outcome_unknown');
    expect((await failure(gw.unsubscribeThread('14892301001'))).code).toBe('outcome_unknown');
    expect(fake.count('POST')).toBe(3);
    expect(fake.count('DELETE')).toBe(2);
  });

  it('issue created server-side, then 502: exactly one issue (CF-11 precondition)', async () => {
    const gw = gateway();
    fake.faults.add({ match: { method: 'POST', path: /\/issues$/ }, action: { kind: 'statusAfter', status: 502 } });
    expect((await failure(gw.createIssue('acme/api', { title: 'Dispatch 918', body: 'marker' }))).code).toBe('outcome_unknown');
    expect(fake.state.issues().filter((i) => i.title === 'Dispatch 918')).toHaveLength(1);
    expect(fake.count('POST', /\/issues$/)).toBe(1);
  });

  it('connection refused: the write was never sent → github_unavailable (not outcome_unknown)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const gw = new OctokitGitHubGateway({ token: 'ghp_test', baseUrl: `http://127.0.0.1:${port}`, readRetries: 0 });
    const e = await failure(gw.createComment('acme/api', 12, 'x'));
    expect(e.code).toBe('github_unavailable');
    expect(e.details?.['notSent']).toBe(true);
  });
});

describe('reads: retries, deadlines, cache (NET-1, NET-2)', () => {
  it('5xx on a GET is retried a little, then succeeds', async () => {
    const gw = gateway();
    fake.faults.serverError(502, { times: 2, match: { method: 'GET', path: '/pulls/12' } });
    const pr = await gw.getPullRequest('acme/api', 12);
    expect(pr.number).toBe(12);
    expect(fake.count('GET', /\/pulls\/12$/)).toBe(3);
  });

  it('gives up after 1 + readRetries attempts with github_unavailable', async () => {
    const gw = gateway({ readRetries: 2 });
    fake.faults.serverError(503, { times: Infinity, match: { method: 'GET', path: '/user' } });
    expect((await failure(gw.viewer())).code).toBe('github_unavailable');
    expect(fake.count('GET', '/user')).toBe(3);
  });

  it('a connection reset on a GET is retried', async () => {
    const gw = gateway();
    fake.faults.resetConnection({ match: { method: 'GET' } });
    expect((await gw.viewer()).login).toBe('sam-dev');
    expect(fake.count('GET', '/user')).toBe(2);
  });

  it('4xx reads are not retried', async () => {
    const gw = gateway();
    expect((await failure(gw.getIssue('acme/api', 4040))).code).toBe('issue_not_found');
    expect(fake.count('GET', '/issues/4040')).toBe(1);
  });

  it('slow response → github_timeout at the deadline, not retried', async () => {
    const gw = gateway({ timeouts: { readMs: 300 } });
    fake.faults.slow(2_000, { match: { path: '/user' } });
    const t0 = performance.now();
    const e = await failure(gw.viewer());
    const elapsed = performance.now() - t0;
    expect(e.code).toBe('github_timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(450);
    expect(fake.count('GET', '/user')).toBe(1);
  });

  it('the deadline covers retries and their backoff', async () => {
    const gw = gateway({ timeouts: { readMs: 250 }, readRetries: 5, retryBackoff: { initialDelayMs: 200, maxDelayMs: 200 } });
    fake.faults.serverError(502, { times: Infinity, match: { path: '/user' } });
    const t0 = performance.now();
    expect((await failure(gw.viewer())).code).toBe('github_timeout');
    expect(performance.now() - t0).toBeLessThan(400);
  });

  it('conditional requests: the second read sends If-None-Match, gets 304 and is served from cache', async () => {
    const gw = gateway();
    const first = await gw.getPullRequest('acme/api', 12);
    const second = await gw.getPullRequest('acme/api', 12);
    expect(second).toEqual(first);
    const prGets = fake.requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/api/pulls/12');
    expect(prGets.map((r) => r.status)).toEqual([200, 304]);
    expect(prGets[0]!.ifNoneMatch).toBeNull();
    expect(prGets[1]!.ifNoneMatch).toMatch(/^W\/"[0-9a-f]{40}"$/);
    // every GET of the second read was a 304
    const all = fake.requests.filter((r) => r.method === 'GET');
    expect(all.filter((r) => r.status === 304)).toHaveLength(all.length / 2);
  });

  it('a change on GitHub is seen at once (revalidation, not blind caching)', async () => {
    const gw = gateway();
    const before = await gw.getPullRequest('acme/api', 12);
    const sha = fake.state.simulatePush('acme/api', 12);
    const after = await gw.getPullRequest('acme/api', 12);
    expect(after.headSha).toBe(sha);
    expect(after.headSha).not.toBe(before.headSha);
  });

  it('cache entries expire after 5 minutes (no If-None-Match then)', async () => {
    const gw = gateway();
    await gw.viewer();
    nowMs += 5 * 60_000 + 1;
    await gw.viewer();
    expect(fake.requests.map((r) => [r.status, r.ifNoneMatch])).toEqual([
      [200, null],
      [200, null],
    ]);
  });

  it('notifications: 304 served from cache', async () => {
    const gw = gateway();
    const a = await gw.listNotifications();
    const b = await gw.listNotifications();
    expect(b).toEqual(a);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 304]);
  });
});

describe('rate limits (NET-4)', () => {
  it('429 with retry-after → github_rate_limited saying when; nothing is sent before that time', async () => {
    const gw = gateway();
    fake.faults.rateLimited({ retryAfterS: 60 });
    const e = await failure(gw.listNotifications());
    expect(e.code).toBe('github_rate_limited');
    expect(e.message).toMatch(/60 seconds/);
    expect(e.details?.['retryAtMs']).toBe(nowMs + 60_000);
    expect(fake.requests).toHaveLength(1);

    nowMs += 30_000;
    for (const call of [gw.viewer(), gw.getPullRequest('acme/api', 12), gw.mergePullRequest(MERGE_12), gw.listMyPullRequests()]) {
      const again = await failure(call);
      expect(again.code).toBe('github_rate_limited');
      expect(again.message).toMatch(/30 seconds/);
    }
    expect(fake.requests).toHaveLength(1);

    nowMs += 30_001;
    expect((await gw.viewer()).login).toBe('sam-dev');
    expect(fake.requests).toHaveLength(2);
  });

  it('primary limit used up (403, remaining 0) → blocked until reset, per resource', async () => {
    const gw = gateway();
    fake.faults.exhaustRateLimit('core', 120);
    const e = await failure(gw.viewer());
    expect(e.code).toBe('github_rate_limited');
    expect(gw.rateLimit()).toMatchObject({ limit: 5000, remaining: 0 });
    expect((await failure(gw.getIssue('acme/api', 918))).code).toBe('github_rate_limited');
    expect(fake.requests).toHaveLength(1);
    // search has its own budget
    expect((await gw.listReviewRequests()).length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('records x-ratelimit-* and stops before sending once remaining reaches 0', async () => {
    await fake.close();
    fake = await startFakeGitHub({ token: 'ghp_test', rateLimit: { core: 3 } });
    const gw = gateway();
    expect(gw.rateLimit()).toBeNull();
    await gw.viewer();
    expect(gw.rateLimit()).toMatchObject({ limit: 3, remaining: 2 });
    await gw.listRepos();
    await gw.getIssue('acme/api', 918);
    expect(gw.rateLimit()?.remaining).toBe(0);
    expect((await failure(gw.getIssue('acme/api', 921))).code).toBe('github_rate_limited');
    expect(fake.requests).toHaveLength(3);
    await fake.close();
    fake = await startFakeGitHub({ token: 'ghp_test' });
  });
});

describe('circuit breaker (NET-3)', () => {
  it('opens after 5 consecutive outages: calls then fail fast without a request; a half-open probe closes it', async () => {
    const gw = gateway({ readRetries: 0, circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 200 } });
    fake.faults.serverError(503, { times: 5 });
    for (let i = 0; i < 5; i++) expect((await failure(gw.viewer())).code).toBe('github_unavailable');
    expect(fake.requests).toHaveLength(5);
    const t0 = performance.now();
    const e = await failure(gw.getPullRequest('acme/api', 12));
    expect(performance.now() - t0).toBeLessThan(50);
    expect(e.code).toBe('github_unavailable');
    expect(e.details?.['notSent']).toBe(true);
    expect(fake.requests).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 220));
    expect((await gw.viewer()).login).toBe('sam-dev');
    expect(fake.requests).toHaveLength(6);
  });
});
