/**
 * CF-3 at the action service: confirmations and cancels for one merge, in every order fast-check's
 * scheduler generates, with the scheduler also deciding when each confirmation leaves the window
 * between its state check and its compare-and-set (the `interleave` point) and when the merge
 * call returns. Exactly one merge call in every run: the compare-and-set, not a synchronous
 * window, is what guards exactly-once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../contract/errors.js';
import type { GitHubGateway } from '../ports/github.js';
import { NO_METRICS } from '../ports/metrics.js';
import { manualClock, memoryRepositories, silentLogger, testRandom } from '../../tests/support/memoryRepositories.js';
import { ActionService } from './actionService.js';

const OPS = ['confirm-click', 'confirm-voice', 'confirm-api', 'cancel'] as const;

describe('confirmation race inside the check → compare-and-set window', () => {
  it('exactly one merge call, and every loser is told why, in 1,000 generated interleavings', async () => {
    let raced = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.constantFrom(...OPS), { minLength: 2, maxLength: 6 }), async (s, ops) => {
        let puts = 0;
        let inWindow = 0;
        let maxInWindow = 0;
        const github = {
          mode: 'fixture',
          // The confirm-time gate re-check: open and green at the confirmed head.
          async getPullRequest() {
            return { headSha: 'a'.repeat(40), state: 'open', merged: false, checks: { state: 'passing', total: 1, passing: 1, failing: 0, pending: 0, runs: [] }, reviews: [] };
          },
          async mergePullRequest() {
            puts++;
            await s.schedule(Promise.resolve(), 'merge in flight');
            return { sha: 'm'.repeat(40), reconciled: false };
          },
        } as unknown as GitHubGateway;
        const repos = memoryRepositories();
        const svc = new ActionService({
          repos,
          github,
          clock: manualClock(),
          random: testRandom,
          logger: silentLogger,
          metrics: NO_METRICS,
          bootId: 'b',
          agent: { dispatchRepo: 'acme/agent-tasks', label: 'agent-task' }, dispatchMarker: () => 'f00dfeedf00dfeed',
          interleave: async (point) => {
            maxInWindow = Math.max(maxInWindow, ++inWindow);
            try {
              await s.schedule(Promise.resolve(), point);
            } finally {
              inWindow--;
            }
          },
        });
        const a = svc.create({ kind: 'pr.merge', sessionId: 's', userId: 'u', repo: 'acme/api', number: 12, headSha: 'a'.repeat(40), params: { method: 'merge' }, readBack: 'Merge PR 12', ttlMs: 60_000, correlationId: 'c' });
        const run = (op: (typeof OPS)[number]): Promise<string> => {
          if (op === 'cancel') return Promise.resolve().then(() => svc.cancel(a.token, 'u', 'c')).then((r) => (r.state === 'cancelled' ? 'cancelled' : 'ok'), (e: AppError) => e.code);
          return svc.confirm(a.token, 'u', op === 'confirm-voice' ? 'voice' : op === 'confirm-api' ? 'api' : 'click', 'c').then(() => 'ok', (e: AppError) => e.code);
        };
        const results = ops.map((op) => s.schedule(Promise.resolve(op), op).then(run));
        // waitFor, not waitAll: a confirmation may reach a scheduling point only after real I/O
        // (the store, the fake server), when waitAll would already have returned.
        const codes = await s.waitFor(Promise.all(results));
        if (maxInWindow >= 2) raced++;

        const final = repos.pendingActions.get(a.token)!;
        const confirmedOk = codes.filter((c, i) => c === 'ok' && ops[i] !== 'cancel').length;
        if (final.state === 'done') {
          expect(puts).toBe(1);
          expect(confirmedOk).toBe(1);
        } else {
          // A cancel won the compare-and-set first: nothing was sent.
          expect(final.state).toBe('cancelled');
          expect(puts).toBe(0);
          expect(confirmedOk).toBe(0);
        }
        for (let i = 0; i < ops.length; i++) {
          if (ops[i] !== 'cancel' && codes[i] !== 'ok') expect(['token_used', 'action_cancelled'], `${ops[i]} → ${codes[i]}`).toContain(codes[i]);
        }
      }),
      { numRuns: 1_000, endOnFailure: true },
    );
    // The window was explored: in a good share of runs, two or more confirmations were inside it at once.
    expect(raced).toBeGreaterThan(100);
  }, 120_000);
});
