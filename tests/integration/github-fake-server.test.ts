/**
 * The fake GitHub server itself: GitHub's REST behaviour over raw HTTP, OpenAPI validation of
 * every body it sends, ETag/304, rate-limit headers, faults, the request log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GITHUB_MESSAGES } from '../../main/github/demo/demoGitHubState.js';
import type { FakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { startFakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { gitHubResponseValidator } from '../fakes/github/openapiValidator.js';

const PR12_SHA = '0cd08008ab97498757fb034e437fe78c199e2d4a';
const AUTH = { authorization: 'token ghp_test', accept: 'application/vnd.github+json' };

let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(fake.url + path, {
    method,
    headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

describe('OpenAPI validation', () => {
  it('the validator accepts GitHub shapes and rejects others', () => {
    const v = gitHubResponseValidator();
    const tpl = '/repos/{owner}/{repo}/pulls/{pull_number}/merge';
    expect(v.validate('PUT', tpl, 200, { sha: PR12_SHA, merged: true, message: 'Pull Request successfully merged' })).toBeNull();
    expect(v.validate('PUT', tpl, 200, { sha: 42, merged: 'yes' })).toMatch(/does not match/);
    expect(v.validate('GET', tpl, 204, undefined)).toBeNull();
    expect(v.validate('GET', tpl, 204, { merged: true })).toMatch(/no body/);
    expect(v.validate('GET', tpl, 404, undefined)).toMatch(/none was sent/);
    expect(v.validate('GET', tpl, 201, {})).toMatch(/not documented/);
    expect(() => v.operationId('GET', '/no/such/path')).toThrow();
    expect(v.operationId('PUT', tpl)).toBe('pulls/merge');
  });

  it('a body that breaks the schema is not sent: the fake answers 500 and records it', async () => {
    (fake.state.pull('acme/api', 12) as unknown as { title: unknown }).title = 12345;
    const r = await call('GET', '/repos/acme/api/pulls/12');
    expect(r.status).toBe(500);
    expect(String(r.json?.['message'])).toMatch(/OpenAPI validation.*title/);
    expect(fake.validationErrors).toHaveLength(1);
    expect(fake.requests[0]!.status).toBe(500);
  });

  it('every endpoint the gateway uses answers with valid bodies (incl. errors)', async () => {
    const paths: Array<[string, string, unknown?]> = [
      ['GET', '/user'],
      ['GET', '/user/repos?per_page=100&sort=pushed'],
      ['GET', '/repos/acme/api'],
      ['GET', '/repos/acme/nope'],
      ['GET', '/notifications?all=true'],
      ['GET', '/search/issues?q=is%3Apr+is%3Aopen+author%3A%40me'],
      ['GET', '/search/issues?q='],
      ['GET', '/repos/acme/api/pulls/12'],
      ['GET', '/repos/acme/api/pulls/404'],
      ['GET', '/repos/acme/api/pulls/12/reviews'],
      ['GET', `/repos/acme/api/commits/${PR12_SHA}/check-runs`],
      ['GET', `/repos/acme/infra/commits/fix%2Fnothing/check-runs`],
      ['GET', `/repos/acme/infra/commits/s3-versioning/status`],
      ['GET', '/repos/acme/api/pulls/12/merge'],
      ['GET', '/repos/acme/api/issues/918'],
      ['GET', '/repos/acme/api/issues/12'],
      ['POST', '/repos/acme/api/issues/918/comments', { body: 'hi' }],
      ['POST', '/repos/acme/api/issues/918/comments', { body: '' }],
      ['POST', '/repos/acme/api/pulls/12/requested_reviewers', { reviewers: ['marco-b'] }],
      ['POST', '/repos/acme/api/pulls/12/requested_reviewers', { reviewers: ['priya-k'] }],
      ['POST', '/repos/acme/api/issues', { title: 'New', body: 'b', labels: ['x'] }],
      ['POST', '/repos/acme/api/issues', { body: 'no title' }],
      ['PUT', '/repos/acme/api/pulls/12/merge', { sha: 'f'.repeat(40) }],
      ['PUT', '/repos/acme/api/pulls/12/merge', { sha: PR12_SHA, merge_method: 'octopus' }],
      ['PUT', '/repos/acme/api/pulls/12/merge', { sha: PR12_SHA, merge_method: 'squash' }],
      ['PUT', '/repos/acme/api/pulls/12/merge', { sha: PR12_SHA }],
      ['GET', '/repos/acme/api/pulls/12'],
      ['DELETE', '/notifications/threads/14892301003/subscription'],
      ['DELETE', '/notifications/threads/14892301003'],
      ['DELETE', '/notifications/threads/99'],
    ];
    for (const [m, p, b] of paths) await call(m, p, b);
    expect(fake.validationErrors).toEqual([]);
    expect(fake.serverErrors).toEqual([]);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 200, 404, 200, 200, 422, 200, 404, 200, 200, 422, 200, 404, 200, 200, 201, 422, 201, 422, 201, 422, 409, 422, 200, 405, 200, 204, 204, 404]);
  });
});

describe('GitHub behaviour over HTTP', () => {
  it('merge: 409 with GitHub\'s message on a moved head, 405 when not mergeable, 200 + state change', async () => {
    const moved = await call('PUT', '/repos/acme/api/pulls/12/merge', { sha: 'a'.repeat(40), merge_method: 'merge' });
    expect(moved).toMatchObject({ status: 409, json: { message: 'Head branch was modified. Review and try the merge again.' } });
    const dirty = await call('PUT', '/repos/acme/web/pulls/204/merge', { sha: '9d13e3a8c9229abc1d7e58b89e8ee8fb645c7856' });
    expect(dirty).toMatchObject({ status: 405, json: { message: 'Pull Request is not mergeable' } });
    const ok = await call('PUT', '/repos/acme/api/pulls/12/merge', { sha: PR12_SHA, merge_method: 'rebase' });
    expect(ok).toMatchObject({ status: 200, json: { merged: true, message: GITHUB_MESSAGES.merged } });
    const pr = await call('GET', '/repos/acme/api/pulls/12');
    expect(pr.json).toMatchObject({ merged: true, state: 'closed', merge_commit_sha: ok.json?.['sha'], merged_by: { login: 'sam-dev' } });
    expect((await call('GET', '/repos/acme/api/pulls/12/merge')).status).toBe(204);
    expect(fake.mergePuts).toBe(3);
    expect(fake.state.merges).toHaveLength(1);
  });

  it('requires a token; a configured token must match', async () => {
    expect((await fetch(`${fake.url}/user`)).status).toBe(401);
    const strict = await startFakeGitHub({ token: 'right' });
    try {
      const r = await fetch(`${strict.url}/user`, { headers: { authorization: 'token wrong' } });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { message: string }).message).toBe('Bad credentials');
      expect((await fetch(`${strict.url}/user`, { headers: { authorization: 'Bearer right' } })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('ETag / If-None-Match → 304 without using rate limit; x-ratelimit-* on every response', async () => {
    const a = await call('GET', '/repos/acme/api/pulls/12');
    const etag = a.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect(a.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(a.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(a.headers.get('x-ratelimit-resource')).toBe('core');
    const b = await call('GET', '/repos/acme/api/pulls/12', undefined, { 'if-none-match': etag });
    expect(b.status).toBe(304);
    expect(b.json).toBeUndefined();
    expect(b.headers.get('x-ratelimit-remaining')).toBe('4999');
    fake.state.simulatePush('acme/api', 12);
    const c = await call('GET', '/repos/acme/api/pulls/12', undefined, { 'if-none-match': etag });
    expect(c.status).toBe(200);
    expect(c.headers.get('etag')).not.toBe(etag);
    const s = await call('GET', '/search/issues?q=is%3Apr+review-requested%3A%40me');
    expect(s.headers.get('x-ratelimit-resource')).toBe('search');
    expect(s.headers.get('x-ratelimit-limit')).toBe('30');
  });

  it('/notifications: Last-Modified / If-Modified-Since → 304, X-Poll-Interval', async () => {
    const a = await call('GET', '/notifications');
    expect(a.headers.get('x-poll-interval')).toBe('60');
    const lm = a.headers.get('last-modified')!;
    expect(new Date(lm).toISOString()).toBe('2026-03-18T09:41:57.000Z');
    expect((await call('GET', '/notifications', undefined, { 'if-modified-since': lm })).status).toBe(304);
    fake.state.simulateNotification({ repo: 'acme/web', subjectType: 'Issue', number: 215, reason: 'comment' });
    const c = await call('GET', '/notifications', undefined, { 'if-modified-since': lm });
    expect(c.status).toBe(200);
    expect((c.json as unknown as Array<{ subject: { title: string } }>)[0]!.subject.title).toBe('Safari: date picker overlaps the footer');
  });

  it('faults: 502 after merging is ambiguous — merged, but the client hears 502', async () => {
    fake.faults.failAfterMerge();
    const r = await call('PUT', '/repos/acme/api/pulls/12/merge', { sha: PR12_SHA });
    expect(r.status).toBe(502);
    expect(fake.state.merges).toHaveLength(1);
    expect(fake.faults.pending()).toBe(0);
  });

  it('faults: reset after merging → the client sees a socket error; the merge happened', async () => {
    fake.faults.resetAfterMerge();
    await expect(call('PUT', '/repos/acme/api/pulls/12/merge', { sha: PR12_SHA })).rejects.toThrow();
    expect(fake.state.merges).toHaveLength(1);
    expect(fake.requests[0]!.status).toBeNull();
  });

  it('faults: 429 with retry-after, matching and counts', async () => {
    fake.faults.rateLimited({ retryAfterS: 42, times: 2, match: { path: '/user' } });
    const a = await call('GET', '/user');
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('42');
    expect((await call('GET', '/repos/acme/api')).status).toBe(200);
    expect((await call('GET', '/user')).status).toBe(429);
    expect((await call('GET', '/user')).status).toBe(200);
  });

  it('faults: primary rate limit exhausted → 403 with remaining 0 and a reset time', async () => {
    fake.faults.exhaustRateLimit('core', 90);
    const r = await call('GET', '/user');
    expect(r.status).toBe(403);
    expect(String(r.json?.['message'])).toMatch(/API rate limit exceeded/);
    expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(r.headers.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now() + 80_000);
  });

  it('the request log has method, path, query and body; count() filters', async () => {
    await call('POST', '/repos/acme/api/issues/918/comments', { body: 'Taking this' });
    await call('GET', '/notifications?all=false&per_page=5');
    expect(fake.requests[0]).toMatchObject({ seq: 1, method: 'POST', path: '/repos/acme/api/issues/918/comments', body: { body: 'Taking this' }, status: 201, operationId: 'issues/create-comment' });
    expect(fake.requests[1]).toMatchObject({ method: 'GET', path: '/notifications', query: { all: 'false', per_page: '5' } });
    expect(fake.count('POST')).toBe(1);
    expect(fake.count('GET', '/notifications')).toBe(1);
    expect(fake.count('GET', /^\/repos\//)).toBe(0);
  });

  it('keeps per-request overhead low (keep-alive)', async () => {
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) await call('GET', '/repos/acme/api/pulls/12/merge');
    const perRequestMs = (performance.now() - t0) / 300;
    expect(perRequestMs).toBeLessThan(15);
  });
});
