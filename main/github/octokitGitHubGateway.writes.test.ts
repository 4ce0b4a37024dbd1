/**
 * The gateway's write calls, request by request, over an in-process fetch (no server): the exact
 * method, path and body each sends, what it returns, how GitHub's refusals map to typed errors,
 * and that a write is sent once. The fake GitHub server suites (tests/integration/github-*) cover
 * the same calls against a stateful GitHub; this one pins the wire format and the mapping.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import { OctokitGitHubGateway, type OctokitGitHubGatewayOptions } from './octokitGitHubGateway.js';
import { failure } from '../../tests/support/appErrorOf.js';

interface Sent {
  method: string;
  path: string;
  body: unknown;
}
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A scripted GitHub: `replies` are answered in order, keyed by `METHOD path` (a function for several). */
function github(replies: Record<string, Reply | ((n: number) => Reply)>) {
  const sent: Sent[] = [];
  const counts = new Map<string, number>();
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const key = `${method} ${url.pathname}`;
    const raw = typeof init?.body === 'string' ? init.body : undefined;
    sent.push({ method, path: url.pathname, body: raw === undefined ? undefined : (JSON.parse(raw) as unknown) });
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    const r = replies[key];
    const reply = typeof r === 'function' ? r(n) : (r ?? { status: 404, body: { message: 'Not Found' } });
    const body = reply.body === undefined ? null : JSON.stringify(reply.body);
    return new Response(reply.status === 204 ? null : body, { status: reply.status, headers: { 'content-type': 'application/json', ...reply.headers } });
  }) as typeof globalThis.fetch;
  const gw = (opts: Partial<OctokitGitHubGatewayOptions> = {}) =>
    new OctokitGitHubGateway({ token: 'ghp_test', baseUrl: 'https://api.example.test', fetch, retryBackoff: { initialDelayMs: 1, maxDelayMs: 2 }, ...opts });
  return { sent, gw };
}

const SHA = '0cd08008ab97498757fb034e437fe78c199e2d4a';
const ISSUE = (n: number, extra: Record<string, unknown> = {}) => ({
  number: n,
  title: 'Flaky test',
  user: { login: 'alice' },
  state: 'open',
  labels: [{ name: 'bug' }],
  assignees: [{ login: 'bob' }],
  body: 'details',
  repository_url: 'https://api.example.test/repos/acme/api',
  ...extra,
});
const NO_REPO = { 'GET /repos/acme/api': { status: 404, body: { message: 'Not Found' } } };
const REPO_OK = { 'GET /repos/acme/api': { status: 200, body: { full_name: 'acme/api' } } };

describe('notification thread writes', () => {
  it('done and unsubscribe: one DELETE each, on the thread or its subscription', async () => {
    const { sent, gw } = github({
      'DELETE /notifications/threads/123': { status: 204 },
      'DELETE /notifications/threads/123/subscription': { status: 204 },
    });
    const g = gw();
    await g.markThreadDone('123');
    await g.unsubscribeThread('123');
    expect(sent).toEqual([
      { method: 'DELETE', path: '/notifications/threads/123', body: undefined },
      { method: 'DELETE', path: '/notifications/threads/123/subscription', body: undefined },
    ]);
  });

  it('a thread id that is not digits is refused before anything is sent', async () => {
    const { sent, gw } = github({});
    expect((await failure(gw().markThreadDone('12a'))).code).toBe('bad_request');
    expect((await failure(gw().unsubscribeThread('../1'))).code).toBe('bad_request');
    expect(sent).toEqual([]);
  });

  it('a gone thread is not_found, naming it; a 403 explains fine-grained tokens', async () => {
    const { gw } = github({
      'DELETE /notifications/threads/7': { status: 403, body: { message: 'Resource not accessible by personal access token' } },
    });
    for (const call of [(g: OctokitGitHubGateway) => g.markThreadDone('9'), (g: OctokitGitHubGateway) => g.unsubscribeThread('9')]) {
      const e = await failure(call(gw()));
      expect(e.code).toBe('not_found');
      expect(e.message).toBe('Notification thread 9 no longer exists.');
    }
    const f = await failure(gw().markThreadDone('7'));
    expect(f.code).toBe('github_forbidden');
    expect(f.message).toContain('fine-grained');
  });

  it('unsubscribe: a 403 explains fine-grained tokens too', async () => {
    const { gw } = github({ 'DELETE /notifications/threads/7/subscription': { status: 403, body: { message: 'nope' } } });
    expect((await failure(gw().unsubscribeThread('7'))).message).toContain('fine-grained');
  });

  it('mark all read: PUT with last_read_at in whole seconds and read: true', async () => {
    const { sent, gw } = github({ 'PUT /notifications': { status: 205 } });
    await gw().markAllNotificationsRead('2026-03-01T12:34:56.789+01:00');
    expect(sent).toEqual([{ method: 'PUT', path: '/notifications', body: { last_read_at: '2026-03-01T11:34:56Z', read: true } }]);
  });

  it('mark all read: a bad time is refused locally; a 403 explains fine-grained tokens', async () => {
    const { sent, gw } = github({ 'PUT /notifications': { status: 403, body: { message: 'Forbidden' } } });
    const e = await failure(gw().markAllNotificationsRead('yesterday'));
    expect(e.code).toBe('validation_failed');
    expect(e.message).toBe('last_read_at must be an ISO 8601 time, not "yesterday".');
    expect((await failure(gw().markAllNotificationsRead('x'.repeat(100)))).message).toBe(`last_read_at must be an ISO 8601 time, not "${'x'.repeat(40)}".`);
    expect(sent).toEqual([]);
    expect((await failure(gw().markAllNotificationsRead('2026-03-01T00:00:00Z'))).message).toContain('fine-grained');
  });
});

describe('merge', () => {
  const MERGE = { repo: 'acme/api', number: 12, sha: SHA, method: 'squash' } as const;

  it('sends one PUT with the read-back SHA and method, and returns the merge commit', async () => {
    const { sent, gw } = github({ 'PUT /repos/acme/api/pulls/12/merge': { status: 200, body: { sha: 'f'.repeat(40), merged: true, message: 'Pull Request successfully merged' } } });
    expect(await gw().mergePullRequest(MERGE)).toEqual({ sha: 'f'.repeat(40), reconciled: false });
    expect(sent).toEqual([{ method: 'PUT', path: '/repos/acme/api/pulls/12/merge', body: { sha: SHA, merge_method: 'squash' } }]);
  });

  it('accepts an upper-case SHA; refuses anything but 40 hex characters locally', async () => {
    const { sent, gw } = github({ 'PUT /repos/acme/api/pulls/12/merge': { status: 200, body: { sha: 'f'.repeat(40) } } });
    await gw().mergePullRequest({ ...MERGE, sha: SHA.toUpperCase() });
    expect(sent).toHaveLength(1);
    for (const sha of [SHA.slice(1), `${SHA}0`, `x${SHA.slice(1)}`, ` ${SHA}`, '']) {
      const e = await failure(gw().mergePullRequest({ ...MERGE, sha }));
      expect(e.code).toBe('bad_request');
      expect(e.message).toContain('40-character head SHA');
    }
    expect((await failure(gw().mergePullRequest({ ...MERGE, number: 0 }))).code).toBe('pr_not_found');
    expect(sent).toHaveLength(1);
  });

  it('409 → head_moved with GitHub’s message; nothing retried', async () => {
    const { sent, gw } = github({ 'PUT /repos/acme/api/pulls/12/merge': { status: 409, body: { message: 'Head branch was modified. Review and try the merge again.' } } });
    const e = await failure(gw().mergePullRequest(MERGE));
    expect(e.code).toBe('head_moved');
    expect(e.message).toBe('The branch of acme/api#12 changed since it was read back; nothing was merged.');
    expect(e.details).toMatchObject({ githubMessage: 'Head branch was modified. Review and try the merge again.', status: 409 });
    expect(sent).toHaveLength(1);
  });

  it('405 on a PR that is not merged → not_mergeable with GitHub’s reason (one read tells)', async () => {
    const { sent, gw } = github({
      'PUT /repos/acme/api/pulls/12/merge': { status: 405, body: { message: 'Pull Request is not mergeable' } },
      'GET /repos/acme/api/pulls/12/merge': { status: 404, body: { message: 'Not Found' } },
    });
    const e = await failure(gw().mergePullRequest(MERGE));
    expect(e.code).toBe('not_mergeable');
    expect(e.message).toBe("GitHub won't merge acme/api#12: Pull Request is not mergeable");
    expect(e.details).toMatchObject({ status: 405, githubMessage: 'Pull Request is not mergeable' });
    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual(['PUT /repos/acme/api/pulls/12/merge', 'GET /repos/acme/api/pulls/12/merge']);
  });

  it('405 on a PR that is merged already → already_merged (not sent again)', async () => {
    const { sent, gw } = github({
      'PUT /repos/acme/api/pulls/12/merge': { status: 405, body: { message: 'Pull Request is not mergeable' } },
      'GET /repos/acme/api/pulls/12/merge': { status: 204 },
    });
    const e = await failure(gw().mergePullRequest(MERGE));
    expect(e.code).toBe('already_merged');
    expect(e.message).toBe('acme/api#12 is already merged.');
    expect(e.details).toMatchObject({ githubMessage: 'Pull Request is not mergeable' });
    expect(e.cause).toMatchObject({ code: 'not_mergeable' });
    expect(sent.filter((s) => s.method === 'PUT')).toHaveLength(1);
  });

  it('405 and the merged-state read fails too → still not_mergeable', async () => {
    const { gw } = github({
      'PUT /repos/acme/api/pulls/12/merge': { status: 405, body: { message: 'Base branch was modified' } },
      'GET /repos/acme/api/pulls/12/merge': { status: 401, body: { message: 'Bad credentials' } },
    });
    expect((await failure(gw().mergePullRequest(MERGE))).code).toBe('not_mergeable');
  });

  it('other failures are not reconciled: no merged-state read', async () => {
    const { sent, gw } = github({ 'PUT /repos/acme/api/pulls/12/merge': { status: 422, body: { message: 'Invalid merge method' } } });
    expect((await failure(gw().mergePullRequest(MERGE))).code).toBe('github_validation');
    expect(sent).toHaveLength(1);
  });

  it('404: no such PR in an existing repo, or no such repo', async () => {
    const pr404 = github({ 'PUT /repos/acme/api/pulls/12/merge': { status: 404, body: { message: 'Not Found' } }, ...REPO_OK });
    const e = await failure(pr404.gw().mergePullRequest(MERGE));
    expect(e.code).toBe('pr_not_found');
    expect(e.message).toBe('There is no pull request acme/api#12.');
    const repo404 = github({ 'PUT /repos/acme/api/pulls/12/merge': { status: 404, body: { message: 'Not Found' } }, ...NO_REPO });
    expect((await failure(repo404.gw().mergePullRequest(MERGE))).code).toBe('unknown_repo');
  });

  it('uses the merge deadline, not the shorter write deadline', async () => {
    // GitHub takes 150 ms: within mergeMs (1 s) although writeMs is 50 ms.
    const g = new OctokitGitHubGateway({
      token: 'ghp_test',
      baseUrl: 'https://api.example.test',
      timeouts: { mergeMs: 1_000, writeMs: 50 },
      fetch: (async () => {
        await new Promise((r) => setTimeout(r, 150));
        return new Response(JSON.stringify({ sha: 'e'.repeat(40) }), { status: 200, headers: { 'content-type': 'application/json' } });
      }) as typeof globalThis.fetch,
    });
    expect((await g.mergePullRequest(MERGE)).sha).toBe('e'.repeat(40));
  });
});

describe('isMerged', () => {
  it('204 → true, 404 → false, anything else is an error', async () => {
    const { gw } = github({
      'GET /repos/acme/api/pulls/1/merge': { status: 204 },
      'GET /repos/acme/api/pulls/2/merge': { status: 404, body: { message: 'Not Found' } },
      'GET /repos/acme/api/pulls/3/merge': { status: 401, body: { message: 'Bad credentials' } },
    });
    expect(await gw().isMerged('acme/api', 1)).toBe(true);
    expect(await gw().isMerged('acme/api', 2)).toBe(false);
    expect((await failure(gw().isMerged('acme/api', 3))).code).toBe('github_unauthorized');
    expect((await failure(gw().isMerged('acme/api', -1))).code).toBe('pr_not_found');
  });
});

describe('reviewers, comments, reviews', () => {
  it('request reviewers: one POST with the logins; at least one is needed', async () => {
    const { sent, gw } = github({ 'POST /repos/acme/api/pulls/12/requested_reviewers': { status: 201, body: { number: 12 } } });
    await gw().requestReviewers('acme/api', 12, ['marco-b', 'li']);
    expect(sent).toEqual([{ method: 'POST', path: '/repos/acme/api/pulls/12/requested_reviewers', body: { reviewers: ['marco-b', 'li'] } }]);
    const e = await failure(gw().requestReviewers('acme/api', 12, []));
    expect(e.code).toBe('github_validation');
    expect(e.message).toBe('Name at least one reviewer.');
    expect((await failure(gw().requestReviewers('acme/api', 0, ['li']))).code).toBe('pr_not_found');
    expect(sent).toHaveLength(1);
  });

  it('request reviewers on a missing PR → pr_not_found naming it', async () => {
    const { gw } = github({ 'POST /repos/acme/api/pulls/99/requested_reviewers': { status: 404, body: { message: 'Not Found' } }, ...REPO_OK });
    const e = await failure(gw().requestReviewers('acme/api', 99, ['li']));
    expect(e.code).toBe('pr_not_found');
    expect(e.message).toBe('There is no pull request acme/api#99.');
  });

  it('comment: one POST with the body; returns the id and GitHub’s link, or a link of our own for a foreign one', async () => {
    const { sent, gw } = github({
      'POST /repos/acme/api/issues/12/comments': (n) => ({ status: 201, body: { id: 501 + n, html_url: n === 0 ? 'https://github.com/acme/api/pull/12#issuecomment-501' : 'https://evil.example/x' } }),
    });
    expect(await gw().createComment('acme/api', 12, 'LGTM')).toEqual({ id: 501, htmlUrl: 'https://github.com/acme/api/pull/12#issuecomment-501' });
    expect(await gw().createComment('acme/api', 12, 'again')).toEqual({ id: 502, htmlUrl: 'https://github.com/acme/api/issues/12#issuecomment-502' });
    expect(sent.map((s) => s.body)).toEqual([{ body: 'LGTM' }, { body: 'again' }]);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/repos/acme/api/issues/12/comments' });
  });

  it('comment: a link on a look-alike host is replaced too', async () => {
    const { gw } = github({ 'POST /repos/acme/api/issues/12/comments': { status: 201, body: { id: 7, html_url: 'https://github.com.evil.example/x' } } });
    expect((await gw().createComment('acme/api', 12, 'x')).htmlUrl).toBe('https://github.com/acme/api/issues/12#issuecomment-7');
  });

  it('comment on a missing issue → issue_not_found; an invalid number is refused locally', async () => {
    const { sent, gw } = github({ 'POST /repos/acme/api/issues/99/comments': { status: 404, body: { message: 'Not Found' } }, ...REPO_OK });
    const e = await failure(gw().createComment('acme/api', 99, 'x'));
    expect(e.code).toBe('issue_not_found');
    expect(e.message).toBe('There is no issue or pull request acme/api#99.');
    sent.length = 0;
    expect((await failure(gw().createComment('acme/api', 1.5, 'x'))).code).toBe('issue_not_found');
    expect(sent).toEqual([]);
  });

  it('review: one POST with commit, event and body (body left out when absent)', async () => {
    const { sent, gw } = github({
      // GitHub's own link is kept as given (here not the one the gateway would build, to tell them apart).
      'POST /repos/acme/api/pulls/12/reviews': (n) => ({ status: 200, body: { id: 80 + n, state: 'APPROVED', html_url: n === 0 ? 'https://github.com/acme/api/pull/12/files#pullrequestreview-80' : 'http://github.com/x' } }),
    });
    expect(await gw().submitReview({ repo: 'acme/api', number: 12, commitId: SHA, event: 'APPROVE', body: 'ship it' })).toEqual({
      id: 80,
      state: 'APPROVED',
      htmlUrl: 'https://github.com/acme/api/pull/12/files#pullrequestreview-80',
    });
    expect(await gw().submitReview({ repo: 'acme/api', number: 12, commitId: SHA, event: 'APPROVE' })).toEqual({
      id: 81,
      state: 'APPROVED',
      htmlUrl: 'https://github.com/acme/api/pull/12#pullrequestreview-81',
    });
    expect(sent).toEqual([
      { method: 'POST', path: '/repos/acme/api/pulls/12/reviews', body: { commit_id: SHA, event: 'APPROVE', body: 'ship it' } },
      { method: 'POST', path: '/repos/acme/api/pulls/12/reviews', body: { commit_id: SHA, event: 'APPROVE' } },
    ]);
  });

  it('review on a missing PR → pr_not_found; an invalid number is refused locally', async () => {
    const { sent, gw } = github({ 'POST /repos/acme/api/pulls/99/reviews': { status: 404, body: { message: 'Not Found' } }, ...REPO_OK });
    const e = await failure(gw().submitReview({ repo: 'acme/api', number: 99, commitId: SHA, event: 'REQUEST_CHANGES', body: 'x' }));
    expect(e.code).toBe('pr_not_found');
    expect(e.message).toBe('There is no pull request acme/api#99.');
    sent.length = 0;
    expect((await failure(gw().submitReview({ repo: 'acme/api', number: 0, commitId: SHA, event: 'REQUEST_CHANGES' }))).code).toBe('pr_not_found');
    expect(sent).toEqual([]);
  });
});

describe('issues and assignees', () => {
  it('create issue: one POST with title, body and labels (labels left out when absent)', async () => {
    const { sent, gw } = github({ 'POST /repos/acme/api/issues': (n) => ({ status: 201, body: ISSUE(40 + n) }) });
    const a = await gw().createIssue('acme/api', { title: 'Flaky test', body: 'details', labels: ['bug'] });
    expect(a).toEqual({ repo: 'acme/api', number: 40, title: 'Flaky test', author: 'alice', state: 'open', labels: ['bug'], assignees: ['bob'], htmlUrl: 'https://github.com/acme/api/issues/40', body: 'details' });
    await gw().createIssue('acme/api', { title: 'T', body: 'B' });
    expect(sent).toEqual([
      { method: 'POST', path: '/repos/acme/api/issues', body: { title: 'Flaky test', body: 'details', labels: ['bug'] } },
      { method: 'POST', path: '/repos/acme/api/issues', body: { title: 'T', body: 'B' } },
    ]);
  });

  it('create issue: no such repo → unknown_repo; issues turned off (410) → github_validation', async () => {
    const missing = github({ 'POST /repos/acme/api/issues': { status: 404, body: { message: 'Not Found' } }, ...REPO_OK });
    const e = await failure(missing.gw().createIssue('acme/api', { title: 't', body: 'b' }));
    expect(e.code).toBe('unknown_repo');
    expect(e.message).toBe("I can't find the repository acme/api, or the token can't see it.");
    const off = github({ 'POST /repos/acme/api/issues': { status: 410, body: { message: 'Issues are disabled for this repo' } } });
    const f = await failure(off.gw().createIssue('acme/api', { title: 't', body: 'b' }));
    expect(f.code).toBe('github_validation');
    expect(f.message).toBe('Issues are turned off in acme/api.');
  });

  it('assignees: one POST with the logins, no agent_assignment without an agent', async () => {
    const { sent, gw } = github({ 'POST /repos/acme/api/issues/40/assignees': { status: 201, body: ISSUE(40, { assignees: [{ login: 'bob' }, { login: 'Copilot' }] }) } });
    const r = await gw().addAssignees('acme/api', 40, ['Copilot']);
    expect(r.assignees).toEqual(['bob', 'Copilot']);
    expect(sent).toEqual([{ method: 'POST', path: '/repos/acme/api/issues/40/assignees', body: { assignees: ['Copilot'] } }]);
  });

  it('assignees with an agent: agent_assignment carries only the fields given', async () => {
    const { sent, gw } = github({ 'POST /repos/acme/api/issues/40/assignees': { status: 201, body: ISSUE(40) } });
    await gw().addAssignees('acme/api', 40, ['Copilot'], { targetRepo: 'acme/web', baseBranch: 'main', customInstructions: 'keep it small' });
    await gw().addAssignees('acme/api', 40, ['Copilot'], {});
    await gw().addAssignees('acme/api', 40, ['Copilot'], { baseBranch: 'dev' });
    expect(sent.map((s) => s.body)).toEqual([
      { assignees: ['Copilot'], agent_assignment: { target_repo: 'acme/web', base_branch: 'main', custom_instructions: 'keep it small' } },
      { assignees: ['Copilot'], agent_assignment: {} },
      { assignees: ['Copilot'], agent_assignment: { base_branch: 'dev' } },
    ]);
  });

  it('assignees on a missing issue → issue_not_found naming it; an invalid number is refused locally', async () => {
    const { sent, gw } = github({ 'POST /repos/acme/api/issues/41/assignees': { status: 404, body: { message: 'Not Found' } }, ...REPO_OK });
    const e = await failure(gw().addAssignees('acme/api', 41, ['x']));
    expect(e.code).toBe('issue_not_found');
    expect(e.message).toBe('There is no issue acme/api#41.');
    sent.length = 0;
    expect((await failure(gw().addAssignees('acme/api', -4, ['x']))).code).toBe('issue_not_found');
    expect(sent).toEqual([]);
  });
});

describe('re-running failed CI jobs', () => {
  it('one POST on the run; a bad run id is refused locally; a missing run is not_found naming it', async () => {
    const { sent, gw } = github({
      'POST /repos/acme/api/actions/runs/555/rerun-failed-jobs': { status: 201, body: {} },
      'POST /repos/acme/api/actions/runs/556/rerun-failed-jobs': { status: 404, body: { message: 'Not Found' } },
      ...REPO_OK,
    });
    await gw().rerunFailedJobs('acme/api', 555);
    expect(sent).toEqual([{ method: 'POST', path: '/repos/acme/api/actions/runs/555/rerun-failed-jobs', body: undefined }]);
    const e = await failure(gw().rerunFailedJobs('acme/api', 556));
    expect(e.code).toBe('not_found');
    expect(e.message).toBe('GitHub has no workflow run 556 in acme/api.');
    sent.length = 0;
    expect((await failure(gw().rerunFailedJobs('acme/api', 0))).code).toBe('bad_request');
    expect(sent).toEqual([]);
  });
});

describe('what a write response tells', () => {
  it('ids come back as numbers even when GitHub sends strings', async () => {
    const { gw } = github({
      'POST /repos/acme/api/issues/12/comments': { status: 201, body: { id: '501', html_url: 'https://github.com/acme/api/issues/12#issuecomment-501' } },
      'POST /repos/acme/api/pulls/12/reviews': { status: 200, body: { id: '80', state: 'APPROVED', html_url: 'https://github.com/acme/api/pull/12#pullrequestreview-80' } },
    });
    expect((await gw().createComment('acme/api', 12, 'x')).id).toBe(501);
    expect((await gw().submitReview({ repo: 'acme/api', number: 12, commitId: SHA, event: 'APPROVE' })).id).toBe(80);
  });

  it('rate-limit headers on a write count against the core limit; at 0, the next call is not sent', async () => {
    const resetS = Math.floor(Date.now() / 1000) + 600;
    const { sent, gw } = github({
      'POST /repos/acme/api/issues/12/comments': { status: 201, body: { id: 1, html_url: 'https://github.com/x' }, headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetS) } },
    });
    const g = gw();
    expect(g.rateLimit()).toBeNull();
    await g.createComment('acme/api', 12, 'x');
    expect(g.rateLimit()).toEqual({ limit: 5000, remaining: 0, resetAtMs: resetS * 1000 });
    expect((await failure(g.createComment('acme/api', 12, 'y'))).code).toBe('github_rate_limited');
    expect(sent).toHaveLength(1);
  });
});

describe('every write is sent once, under the write deadline', () => {
  it.each([
    ['markThreadDone', (g: OctokitGitHubGateway) => g.markThreadDone('5'), 'DELETE /notifications/threads/5'],
    ['unsubscribeThread', (g: OctokitGitHubGateway) => g.unsubscribeThread('5'), 'DELETE /notifications/threads/5/subscription'],
    ['markAllNotificationsRead', (g: OctokitGitHubGateway) => g.markAllNotificationsRead('2026-03-01T00:00:00Z'), 'PUT /notifications'],
    ['mergePullRequest', (g: OctokitGitHubGateway) => g.mergePullRequest({ repo: 'acme/api', number: 12, sha: SHA, method: 'merge' }), 'PUT /repos/acme/api/pulls/12/merge'],
    ['requestReviewers', (g: OctokitGitHubGateway) => g.requestReviewers('acme/api', 12, ['li']), 'POST /repos/acme/api/pulls/12/requested_reviewers'],
    ['createComment', (g: OctokitGitHubGateway) => g.createComment('acme/api', 12, 'x'), 'POST /repos/acme/api/issues/12/comments'],
    ['submitReview', (g: OctokitGitHubGateway) => g.submitReview({ repo: 'acme/api', number: 12, commitId: SHA, event: 'REQUEST_CHANGES' }), 'POST /repos/acme/api/pulls/12/reviews'],
    ['rerunFailedJobs', (g: OctokitGitHubGateway) => g.rerunFailedJobs('acme/api', 5), 'POST /repos/acme/api/actions/runs/5/rerun-failed-jobs'],
    ['createIssue', (g: OctokitGitHubGateway) => g.createIssue('acme/api', { title: 't', body: 'b' }), 'POST /repos/acme/api/issues'],
    ['addAssignees', (g: OctokitGitHubGateway) => g.addAssignees('acme/api', 12, ['x']), 'POST /repos/acme/api/issues/12/assignees'],
  ])('%s: a 502 is outcome_unknown, not retried', async (op, call, key) => {
    const { sent, gw } = github({ [key]: { status: 502, body: { message: 'Bad Gateway' } } });
    const e = await failure(call(gw({ circuitBreaker: false })));
    expect(e.code).toBe('outcome_unknown');
    expect(e.details).toMatchObject({ op, status: 502 });
    expect(sent).toHaveLength(1);
  });

  it.each([
    ['createComment', (g: OctokitGitHubGateway) => g.createComment('acme/api', 12, 'x'), 'createComment'],
    ['markThreadDone', (g: OctokitGitHubGateway) => g.markThreadDone('5'), 'markThreadDone'],
    ['markAllNotificationsRead', (g: OctokitGitHubGateway) => g.markAllNotificationsRead('2026-03-01T00:00:00Z'), 'markAllNotificationsRead'],
    ['rerunFailedJobs', (g: OctokitGitHubGateway) => g.rerunFailedJobs('acme/api', 5), 'rerunFailedJobs'],
  ])('%s: times out after writeMs as outcome_unknown (not mergeMs)', async (_name, call, op) => {
    const g = new OctokitGitHubGateway({
      token: 'ghp_test',
      baseUrl: 'https://api.example.test',
      timeouts: { writeMs: 60, mergeMs: 5_000 },
      fetch: ((_i: unknown, init?: RequestInit) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
        })) as typeof globalThis.fetch,
    });
    const t0 = performance.now();
    const e = await failure(call(g));
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(e.code).toBe('outcome_unknown');
    expect(e.details).toMatchObject({ op, timeoutMs: 60 });
  });
});
