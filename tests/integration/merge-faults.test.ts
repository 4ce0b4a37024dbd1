/**
 * CF-4, CF-5, CF-6 and live-mode errors end to end: pipeline → OctokitGitHubGateway → fake GitHub
 * (OpenAPI-validated), with faults scripted at the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

let fake: FakeGitHub;
let dir: string;
let app: App;
const caller = { userId: 'sam', transport: 'http' as const };

beforeAll(async () => {
  fake = await startFakeGitHub({ rateLimit: { core: 1e6, search: 1e6 } });
});
afterAll(async () => {
  await fake.close();
});

async function liveApp(opts: { token?: string | null; timeouts?: { mergeMs?: number; readMs?: number } } = {}): Promise<App> {
  dir = mkdtempSync(join(tmpdir(), 'hf-faults-'));
  const github = new OctokitGitHubGateway({
    token: opts.token === undefined ? 'ghp_faulttest' : opts.token,
    baseUrl: fake.url,
    circuitBreaker: false,
    readRetries: 0,
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
  });
  return createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live' }), { logger: SILENT_LOGGER, github });
}

beforeEach(() => fake.reset());
afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
  expect(fake.validationErrors).toEqual([]);
});

const say = (text: string) => app.service.runCommand({ text }, caller);

describe('merge faults', () => {
  it('happy path: exactly one PUT carrying the confirmed SHA', async () => {
    app = await liveApp();
    const m = await say('merge PR 12 in acme/api');
    expect(m.status).toBe('needs_confirmation');
    const c = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    expect(c.status).toBe('ok');
    expect(fake.mergePuts).toBe(1);
    const put = fake.requests.find((r) => r.method === 'PUT');
    expect(put?.body).toMatchObject({ sha: m.pending_action!.head_sha });
  });

  // The confirm-time gate re-check reads the head first, so no PUT is sent at all; GitHub's own
  // `sha` guard (409) stays as the last line for a push in the instant after the re-check
  // (core/actions/actionService.test.ts, 'head moved').
  it('head moved between read-back and confirm → caught by the re-check → told what changed, nothing sent', async () => {
    app = await liveApp();
    const m = await say('merge PR 12 in acme/api');
    const oldSha = m.pending_action!.head_sha!;
    const newSha = fake.state.simulatePush('acme/api', 12);
    const c = await say('confirm');
    expect(c.status).toBe('error');
    expect(c.error?.code).toBe('head_moved');
    expect(c.spoken_text).toContain(oldSha.slice(0, 7));
    expect(c.spoken_text).toContain(newSha.slice(0, 7));
    expect(fake.mergePuts).toBe(0);
    expect(fake.state.merges).toHaveLength(0);
    const again = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    expect(again.error?.code).toBe('token_used');
    expect(fake.mergePuts).toBe(0);
  });

  for (const fault of ['502 after merging', 'connection reset after merging'] as const) {
    it(`${fault} → reconciled by reading merged state, never re-sent`, async () => {
      app = await liveApp();
      const m = await say('merge PR 12 in acme/api');
      if (fault === '502 after merging') fake.faults.failAfterMerge(502);
      else fake.faults.resetAfterMerge();
      const c = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
      expect(c.status).toBe('ok');
      expect(c.cards[0]).toMatchObject({ kind: 'outcome', outcome: 'merged', state: 'done' });
      expect(c.spoken_text).toMatch(/merged/i);
      expect(fake.mergePuts).toBe(1);
      expect(fake.count('GET', '/pulls/12/merge')).toBe(1);
      expect(app.store.repos.pendingActions.get(m.pending_action!.token)?.result).toMatchObject({ reconciled: true });
    });
  }

  it('502 without merging → reported not merged, nothing re-sent', async () => {
    app = await liveApp();
    const m = await say('merge PR 12 in acme/api');
    fake.faults.serverError(502, { times: 1, match: { method: 'PUT' } });
    const c = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    expect(c.status).toBe('error');
    expect(c.spoken_text).toMatch(/not merged/i);
    expect(fake.mergePuts).toBe(1);
    expect(fake.state.merges).toHaveLength(0);
  });

  it('405 not mergeable → told, one PUT', async () => {
    app = await liveApp();
    const m = await say('merge PR 12 in acme/api');
    fake.faults.notMergeable();
    const c = await say('confirm');
    expect(c.error?.code).toBe('not_mergeable');
    expect(fake.mergePuts).toBe(1);
  });

  it('429 on the merge → rate limited, told when, one PUT', async () => {
    app = await liveApp();
    const m = await say('merge PR 12 in acme/api');
    fake.faults.rateLimited({ retryAfterS: 60, times: 1, match: { method: 'PUT' } });
    const c = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    expect(c.status).toBe('error');
    expect(c.error?.code).toBe('github_rate_limited');
    expect(fake.mergePuts).toBe(1);
  });

  it('a merge that times out is reconciled, not re-sent', async () => {
    app = await liveApp({ timeouts: { mergeMs: 300 } });
    const m = await say('merge PR 12 in acme/api');
    fake.faults.slow(1_000, { times: 1, match: { method: 'PUT' } });
    const c = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    // The slow merge still completes at the fake after our deadline; the reconciling read may see either state.
    expect(['merged', 'not_merged', 'outcome_unknown']).toContain((c.cards[0] as { outcome: string }).outcome);
    expect(fake.mergePuts).toBe(1);
    await new Promise((r) => setTimeout(r, 1_200));
    await app.pipeline.reconcile();
    expect(fake.mergePuts).toBe(1);
  });
});

describe('live-mode errors', () => {
  it('no token: a typed error and a spoken way out, no request sent', async () => {
    app = await liveApp({ token: null });
    const r = await say('what needs my attention');
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('no_token');
    expect(r.spoken_text).toMatch(/token/);
    expect(fake.requests).toHaveLength(0);
  });

  it('GitHub down: github_unavailable with a spoken explanation', async () => {
    app = await liveApp();
    fake.faults.serverError(503, { times: 100 });
    const r = await say('read PR 12 in acme/api');
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('github_unavailable');
    expect(r.spoken_text).toMatch(/GitHub/);
  });

  it('PR not found and unknown repo are told apart', async () => {
    app = await liveApp();
    expect((await say('read PR 999 in acme/api')).error?.code).toBe('pr_not_found');
    expect((await say('read PR 1 in nobody/nothing')).error?.code).toMatch(/unknown_repo|pr_not_found/);
  });
});
