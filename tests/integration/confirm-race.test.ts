/**
 * CF-3: voice "confirm", "confirm 12", clicks and duplicated API confirms for one merge, started in
 * every order fast-check's scheduler generates and interleaved at the merge call and inside the
 * window between a confirmation's state check and its compare-and-set (the action service's
 * `interleave` point), 10,000 times: exactly one PUT …/merge reaches the fake GitHub server each
 * time. So the race itself — several confirmations past the check at once — guards exactly-once.
 * Real pipeline, real store, real Octokit client; only api.github.com is replaced (by the
 * OpenAPI-validated fake).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubGateway } from '../../core/ports/github.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

const RUNS = Number(process.env['HANDSFREE_RACE_RUNS'] ?? 10_000);
/** pr.rerun_checks goes through the same compare-and-set: a bounded check that its one POST holds too. */
const RERUN_RUNS = Number(process.env['HANDSFREE_RACE_RERUN_RUNS'] ?? 200);
const SOURCES = ['voice', 'voice-number', 'click', 'api', 'click-duplicate'] as const;
type Source = (typeof SOURCES)[number];

/** One confirmation of `token` as it arrives from `src` (spoken, spoken with the PR number, a click, the API). */
function confirmFrom(src: Source, a: { sessionId: string; userId: string; token: string; number: number }) {
  const caller = { userId: a.userId, transport: 'http' as const };
  switch (src) {
    case 'voice':
      return app.service.runCommand({ text: 'confirm', session_id: a.sessionId }, caller);
    case 'voice-number':
      return app.service.runCommand({ text: `confirm ${a.number}`, session_id: a.sessionId }, caller);
    case 'click':
    case 'click-duplicate':
      return app.service.confirm({ token: a.token }, caller, 'click');
    case 'api':
      return app.service.confirm({ token: a.token }, caller, 'api');
  }
}

let fake: FakeGitHub;
let app: App;
let dir: string;
let headSha: string;
let scheduler: fc.Scheduler | null = null;
/** Confirmations between their state check and their compare-and-set right now, and the most seen in a run. */
let inWindow = 0;
let maxInWindow = 0;

beforeAll(async () => {
  fake = await startFakeGitHub({ rateLimit: { core: 1e9, search: 1e9 } });
  const octokit = new OctokitGitHubGateway({ token: 'ghp_test_race', baseUrl: fake.url, circuitBreaker: false });
  // The merge call waits for the current run's scheduler, so fast-check also decides where the
  // in-flight merge interleaves with the other confirmations.
  const github: GitHubGateway = Object.create(octokit, {
    // Writable and configurable like a normal method: the app wraps the gateway in a Proxy, and a
    // Proxy must return a non-configurable, read-only property's own value.
    mergePullRequest: {
      writable: true,
      configurable: true,
      value: async (req: Parameters<GitHubGateway['mergePullRequest']>[0]) => {
        if (scheduler) await scheduler.schedule(Promise.resolve(), 'merge in flight');
        return octokit.mergePullRequest(req);
      },
    },
    rerunFailedJobs: {
      writable: true,
      configurable: true,
      value: async (repo: string, runId: number) => {
        if (scheduler) await scheduler.schedule(Promise.resolve(), 'rerun in flight');
        return octokit.rerunFailedJobs(repo, runId);
      },
    },
  }) as GitHubGateway;
  // Durability is not under test here (see the store's kill tests): a RAM-backed dir keeps 10,000 runs fast.
  dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hf-race-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), {
    logger: SILENT_LOGGER,
    github,
    // fast-check decides when each confirmation leaves the window between its check and its CAS.
    interleave: async (point) => {
      if (!scheduler) return;
      maxInWindow = Math.max(maxInWindow, ++inWindow);
      try {
        await scheduler.schedule(Promise.resolve(), point);
      } finally {
        inWindow--;
      }
    },
  });
  headSha = (await octokit.getPullRequest('acme/api', 12)).headSha;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('confirmation race', () => {
  it(`exactly one merge request reaches GitHub in ${RUNS} generated interleavings`, async () => {
    let run = 0;
    let successes = 0;
    let racedInWindow = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.constantFrom(...SOURCES), { minLength: 2, maxLength: 6 }), async (s, sources) => {
        fake.reset();
        run++;
        const userId = 'racer';
        const sessionId = `race-${run}`;
        const action = app.pipeline.actions.create({
          kind: 'pr.merge',
          sessionId,
          userId,
          repo: 'acme/api',
          number: 12,
          headSha,
          params: { method: 'squash' },
          readBack: 'Merge PR 12 …',
          ttlMs: 60_000,
          correlationId: `race-${run}`,
        });
        const fire = (src: Source) => confirmFrom(src, { sessionId, userId, token: action.token, number: 12 });
        scheduler = s;
        maxInWindow = 0;
        const calls = sources.map((src) => s.schedule(Promise.resolve(src), src).then(fire));
        // waitFor, not waitAll: a confirmation may reach a scheduling point only after real I/O
        // (the store, the fake server), when waitAll would already have returned.
        const results = await s.waitFor(Promise.all(calls));
        scheduler = null;
        if (maxInWindow >= 2) racedInWindow++;

        const merged = results.filter((r) => r.status === 'ok' && r.cards.some((c) => c.kind === 'outcome' && c.outcome === 'merged'));
        if (fake.mergePuts !== 1) console.log(JSON.stringify(results.map((r) => [r.status, r.error, r.spoken_text])));
        expect(fake.mergePuts).toBe(1);
        expect(merged).toHaveLength(1);
        expect(fake.state.merges).toHaveLength(1);
        expect(app.store.repos.pendingActions.get(action.token)?.state).toBe('done');
        // Every loser was told why nothing more happened.
        for (const r of results) if (r !== merged[0]) expect(['token_used', 'no_pending_action']).toContain(r.error?.code);
        successes++;
      }),
      // No shrinking: a failing interleaving is reported as found (shrinking replays thousands of runs).
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(successes).toBe(RUNS);
    // The window was really explored: in many runs two or more confirmations passed the state
    // check before any of them took the compare-and-set.
    expect(racedInWindow).toBeGreaterThan(RUNS / 10);
    expect(fake.validationErrors).toEqual([]);
  }, 600_000);

  it(`exactly one rerun-failed-jobs POST reaches GitHub in ${RERUN_RUNS} generated interleavings (issue 15)`, async () => {
    const RERUN = /\/actions\/runs\/\d+\/rerun-failed-jobs$/;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.constantFrom(...SOURCES), { minLength: 2, maxLength: 5 }), async (s, sources) => {
        fake.reset();
        run++;
        const userId = 'racer';
        const sessionId = `rerun-race-${run}`;
        const head = fake.state.pull('acme/api', 15)!.headSha;
        const action = app.pipeline.actions.create({
          kind: 'pr.rerun_checks',
          sessionId,
          userId,
          repo: 'acme/api',
          number: 15,
          headSha: head,
          params: { runs: [{ id: fake.state.runIdOf('acme/api', head), attempt: 1 }] },
          readBack: 'Rerun the failed jobs …',
          ttlMs: 60_000,
          correlationId: `rerun-race-${run}`,
        });
        const fire = (src: Source) => confirmFrom(src, { sessionId, userId, token: action.token, number: 15 });
        scheduler = s;
        const calls = sources.map((src) => s.schedule(Promise.resolve(src), src).then(fire));
        const results = await s.waitFor(Promise.all(calls));
        scheduler = null;
        const rerun = results.filter((r) => r.status === 'ok' && r.cards.some((c) => c.kind === 'outcome' && c.outcome === 'rerun'));
        expect(fake.requests.filter((r) => r.method === 'POST' && RERUN.test(r.path))).toHaveLength(1);
        expect(rerun).toHaveLength(1);
        expect(fake.state.reruns).toHaveLength(1);
        for (const r of results) if (r !== rerun[0]) expect(['token_used', 'no_pending_action']).toContain(r.error?.code);
      }),
      { numRuns: RERUN_RUNS, endOnFailure: true },
    );
    expect(fake.validationErrors).toEqual([]);
  }, 600_000);
});
