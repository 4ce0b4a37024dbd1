import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import type { PullRequestDetail } from '../../contract/github.js';
import type { GitHubGateway } from '../ports/github.js';
import { NO_METRICS } from '../ports/metrics.js';
import { manualClock, memoryRepositories, silentLogger, testRandom } from '../../tests/support/memoryRepositories.js';
import { ActionService, TOKEN_BYTES } from './actionService.js';

type Script = 'ok' | 'head_moved' | 'unknown_merged' | 'unknown_not_merged' | 'unknown_unreadable';

function fakeGitHub(script: { merge: Script }) {
  const state = { puts: 0, merged: false, head: 'a'.repeat(40), isMergedFails: script.merge === 'unknown_unreadable' };
  const gw: Partial<GitHubGateway> = {
    mode: 'fixture',
    async mergePullRequest(req) {
      state.puts++;
      await new Promise((r) => setTimeout(r, 1));
      switch (script.merge) {
        case 'ok':
          if (req.sha !== state.head) throw new AppError('head_moved', 'Head branch was modified.');
          state.merged = true;
          return { sha: 'm'.repeat(40), reconciled: false };
        case 'head_moved':
          state.head = 'b'.repeat(40);
          throw new AppError('head_moved', 'Head branch was modified.');
        case 'unknown_merged':
          state.merged = true;
          throw new AppError('outcome_unknown', '502');
        default:
          throw new AppError('outcome_unknown', '502');
      }
    },
    async isMerged() {
      if (state.isMergedFails) throw new AppError('github_unavailable', 'down');
      return state.merged;
    },
    // The confirm-time gate re-check reads the PR: open, green, at the current head.
    async getPullRequest() {
      return { headSha: state.head, state: 'open', merged: false, checks: { state: 'passing', total: 1, passing: 1, failing: 0, pending: 0, runs: [] }, reviews: [] } as unknown as PullRequestDetail;
    },
  };
  return { gw: gw as GitHubGateway, state };
}

function setup(script: { merge: Script } = { merge: 'ok' }, bootId = 'boot1') {
  const repos = memoryRepositories();
  const clock = manualClock();
  const { gw, state } = fakeGitHub(script);
  const svc = new ActionService({ repos, github: gw, clock, random: testRandom, logger: silentLogger, metrics: NO_METRICS, bootId, agent: { dispatchRepo: 'acme/agent-tasks', label: 'agent-task' }, dispatchMarker: () => 'f00dfeedf00dfeed' });
  const create = (userId = 'u1') =>
    svc.create({
      kind: 'pr.merge',
      sessionId: 's1',
      userId,
      repo: 'acme/api',
      number: 12,
      headSha: 'a'.repeat(40),
      params: { method: 'squash' },
      readBack: 'Merge PR 12…',
      ttlMs: 60_000,
      correlationId: 'c',
    });
  return { repos, clock, gw, state, svc, create };
}

const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: AppError) => e.code);

describe('ActionService', () => {
  it('makes ≥128-bit tokens and audits the request', () => {
    const { create, repos } = setup();
    const a = create();
    expect(TOKEN_BYTES * 8).toBeGreaterThanOrEqual(128);
    expect(a.token).toMatch(/^[0-9a-f]{32}$/);
    expect(repos._audit.map((e) => e.outcome)).toEqual(['requested']);
  });

  it('executes exactly once under many concurrent confirms', async () => {
    const { create, svc, state } = setup();
    const a = create();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => codeOf(svc.confirm(a.token, 'u1', i % 2 ? 'voice' : 'click', 'c'))));
    expect(state.puts).toBe(1);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'token_used')).toHaveLength(49);
    expect(await codeOf(svc.confirm(a.token, 'u1', 'click', 'c'))).toBe('token_used');
    expect(state.puts).toBe(1);
  });

  it('expires on the monotonic clock; a wall clock set back cannot extend an action', async () => {
    const a = setup();
    const t1 = a.create();
    a.clock.jumpWall(-3_600_000); // wall clock set back an hour: no effect
    a.clock.advance(59_999);
    const r = await a.svc.confirm(t1.token, 'u1', 'click', 'c');
    expect(r.state).toBe('done');

    const b = setup();
    const t2 = b.create();
    b.clock.jumpWall(-3_600_000);
    b.clock.advance(60_001);
    expect(await codeOf(b.svc.confirm(t2.token, 'u1', 'click', 'c'))).toBe('token_expired');
    expect(b.state.puts).toBe(0);
    expect(await codeOf(b.svc.confirm(t2.token, 'u1', 'click', 'c'))).toBe('token_expired');
  });

  it('an action planned before a suspend expires on resume (the monotonic clock stood still, the wall clock did not)', async () => {
    const a = setup();
    const t = a.create();
    a.clock.advance(5_000);
    a.clock.jumpWall(3_600_000); // an hour asleep: wall time moves, monotonic time does not
    expect(a.svc.view(a.repos.pendingActions.get(t.token)!).expires_in_ms).toBe(0);
    expect(await codeOf(a.svc.confirm(t.token, 'u1', 'voice', 'c'))).toBe('token_expired');
    expect(a.state.puts).toBe(0);
    expect(a.repos.pendingActions.get(t.token)!.state).toBe('expired');
  });

  it('re-checks the gates on the confirmed SHA at confirm time and names the gate that stopped it', async () => {
    const a = setup();
    const t = a.create();
    const pr = { headSha: 'a'.repeat(40), state: 'open', merged: false, checks: { state: 'failing', total: 3, passing: 2, failing: 1, pending: 0, runs: [] }, reviews: [] };
    (a.gw as { getPullRequest: unknown }).getPullRequest = async () => pr;
    const r = await a.svc.confirm(t.token, 'u1', 'click', 'c');
    expect(r.state).toBe('failed');
    expect(r.outcome).toBe('policy_denied');
    expect(r.result).toEqual({ gate: 'checks_failing' });
    expect(r.outcomeMessage).toMatch(/^Not merged: PR 12 no longer passes the checks gate: a check failed since the read-back\. 1 of 3 checks is failing/);
    expect(a.state.puts).toBe(0);
    // A failed re-read sends nothing either.
    const t2 = a.create();
    (a.gw as { getPullRequest: unknown }).getPullRequest = async () => {
      throw new AppError('github_unavailable', 'down');
    };
    const r2 = await a.svc.confirm(t2.token, 'u1', 'click', 'c');
    expect(r2).toMatchObject({ state: 'failed', outcome: 'not_mergeable', result: { gate: 'recheck' } });
    expect(a.state.puts).toBe(0);
  });

  it('rejects forged, foreign, cancelled tokens without a GitHub call', async () => {
    const { create, svc, state } = setup();
    const a = create();
    expect(await codeOf(svc.confirm('f'.repeat(32), 'u1', 'click', 'c'))).toBe('token_invalid');
    expect(await codeOf(svc.confirm(a.token, 'someone-else', 'click', 'c'))).toBe('token_invalid');
    svc.cancel(a.token, 'u1', 'c');
    expect(await codeOf(svc.confirm(a.token, 'u1', 'click', 'c'))).toBe('action_cancelled');
    expect(state.puts).toBe(0);
  });

  it('head moved: fails, says the new head, never re-merges', async () => {
    const { create, svc, state } = setup({ merge: 'head_moved' });
    const r = await svc.confirm(create().token, 'u1', 'click', 'c');
    expect(r.state).toBe('failed');
    expect(r.outcome).toBe('head_moved');
    expect(r.outcomeMessage).toContain('aaaaaaa');
    expect(r.outcomeMessage).toContain('bbbbbbb');
    expect(state.puts).toBe(1);
  });

  it('ambiguous failure after merging: reconciled as merged, one PUT', async () => {
    const { create, svc, state } = setup({ merge: 'unknown_merged' });
    const r = await svc.confirm(create().token, 'u1', 'click', 'c');
    expect(r.state).toBe('done');
    expect(r.outcome).toBe('merged');
    expect(r.result).toMatchObject({ reconciled: true });
    expect(state.puts).toBe(1);
  });

  it('ambiguous failure without merging: failed, not re-sent', async () => {
    const { create, svc, state } = setup({ merge: 'unknown_not_merged' });
    const r = await svc.confirm(create().token, 'u1', 'click', 'c');
    expect(r.state).toBe('failed');
    expect(r.outcome).toBe('not_merged');
    expect(state.puts).toBe(1);
  });

  it('unreadable outcome stays executing and is settled later by reconcile, never re-executed', async () => {
    const s = setup({ merge: 'unknown_unreadable' });
    const a = s.create();
    const r = await s.svc.confirm(a.token, 'u1', 'click', 'c');
    expect(r.state).toBe('executing');
    expect(r.outcome).toBe('outcome_unknown');
    s.state.isMergedFails = false;
    s.state.merged = true;
    const rec = await s.svc.reconcile('c');
    expect(rec.reconciled).toBe(1);
    expect(s.repos.pendingActions.get(a.token)?.state).toBe('done');
    expect(s.state.puts).toBe(1);
  });

  it('after a restart: pending actions expire and interrupted ones are reconciled', async () => {
    const first = setup({ merge: 'ok' });
    const pending = first.create();
    const running = first.create();
    first.repos.pendingActions.transition(running.token, ['pending'], 'executing');
    // A new process run over the same repositories.
    const second = new ActionService({
      repos: first.repos,
      github: first.gw,
      clock: first.clock,
      random: testRandom,
      logger: silentLogger,
      metrics: NO_METRICS,
      bootId: 'boot2',
      agent: { dispatchRepo: 'acme/agent-tasks', label: 'agent-task' }, dispatchMarker: () => 'f00dfeedf00dfeed',
    });
    const r = await second.reconcile('c');
    expect(r).toEqual({ expired: 1, reconciled: 1 });
    expect(first.repos.pendingActions.get(pending.token)?.state).toBe('expired');
    expect(first.repos.pendingActions.get(running.token)?.state).toBe('failed');
    expect(await codeOf(second.confirm(pending.token, 'u1', 'click', 'c'))).toBe('token_expired');
    expect(first.state.puts).toBe(0);
  });

  it('cancels after three wrong spoken confirmations', () => {
    const { create, svc, repos } = setup();
    const a = create();
    expect(svc.recordWrongConfirmation(a, 'c')).toBe(1);
    expect(svc.recordWrongConfirmation(a, 'c')).toBe(2);
    expect(repos.pendingActions.get(a.token)?.state).toBe('pending');
    expect(svc.recordWrongConfirmation(a, 'c')).toBe(3);
    expect(repos.pendingActions.get(a.token)?.state).toBe('cancelled');
  });
});
