/**
 * The action service's answers, one by one (issue 18's mutation run): what a confirm or cancel is
 * told in each state and after a lost compare-and-set, the failure messages per error, what is
 * audited and counted, the view's expiry, and that an ambiguous write is never sent again.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import type { PullRequestDetail } from '../../contract/github.js';
import type { ActionKind } from '../../contract/response.js';
import type { GitHubGateway } from '../ports/github.js';
import type { Metrics } from '../ports/metrics.js';
import type { PendingActionRecord } from '../ports/store.js';
import { manualClock, memoryRepositories, testRandom } from '../../tests/support/memoryRepositories.js';
import { ActionService, MAX_FAILED_CONFIRMATIONS } from './actionService.js';

const HEAD = 'a'.repeat(40);

function setup() {
  const repos = memoryRepositories();
  const clock = manualClock();
  const calls: string[] = [];
  const warns: Array<Record<string, unknown>> = [];
  const observed: string[] = [];
  const counted: string[] = [];
  const metrics: Metrics = { observe: (s) => void observed.push(s), increment: (c) => void counted.push(c) };
  const logger = { debug() {}, info() {}, warn: (o: Record<string, unknown>) => void warns.push(o), error() {}, child: () => logger };
  let prHead = HEAD;
  const gw = {
    mode: 'fixture',
    mergePullRequest: async () => {
      calls.push('merge');
      return { sha: 'm'.repeat(40), reconciled: false };
    },
    isMerged: async () => {
      calls.push('isMerged');
      return false;
    },
    getPullRequest: async () => {
      calls.push('getPullRequest');
      return { headSha: prHead, state: 'open', merged: false, checks: { state: 'passing', total: 1, passing: 1, failing: 0, pending: 0, runs: [] }, reviews: [] } as unknown as PullRequestDetail;
    },
    createComment: async () => {
      calls.push('comment');
      return { id: 1, htmlUrl: 'https://github.com/acme/api/pull/12#c1' };
    },
  } as unknown as GitHubGateway & Record<string, unknown>;
  const svc = new ActionService({ repos, github: gw, clock, random: testRandom, logger, metrics, bootId: 'boot1', agent: { dispatchRepo: 'acme/agent-tasks', label: 'agent-task' }, dispatchMarker: () => 'f00d' });
  const create = (over: { kind?: ActionKind; number?: number | null; params?: Record<string, unknown>; ttlMs?: number } = {}) =>
    svc.create({
      kind: over.kind ?? 'pr.merge',
      sessionId: 's1',
      userId: 'u1',
      repo: 'acme/api',
      number: over.number === undefined ? 12 : over.number,
      headSha: HEAD,
      params: over.params ?? { method: 'squash' },
      readBack: 'Merge PR 12',
      ttlMs: over.ttlMs ?? 60_000,
      correlationId: 'c0',
    });
  return { repos, clock, gw, svc, create, calls, warns, observed, counted, setHead: (h: string) => (prHead = h) };
}

const failure = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return { code: (e as AppError).code, message: (e as AppError).message };
  }
  return null;
};

describe('create and view', () => {
  it('stores a pending record with both expiry clocks and audits the request with its head SHA', () => {
    const { create, repos, clock } = setup();
    const a = create({ ttlMs: 30_000 });
    expect(repos.pendingActions.get(a.token)).toEqual(a);
    expect(a).toMatchObject({ state: 'pending', createdAtMs: clock.nowMs(), updatedAtMs: clock.nowMs(), expiresAtMs: clock.nowMs() + 30_000, deadlineMonoMs: clock.monotonicMs() + 30_000, bootId: 'boot1', failedConfirmations: 0, outcome: null, outcomeMessage: null, result: null, params: { method: 'squash' } });
    expect(repos._audit).toEqual([{ atMs: clock.nowMs(), userId: 'u1', sessionId: 's1', correlationId: 'c0', action: 'pr.merge', target: 'acme/api#12', token: a.token, outcome: 'requested', detail: { headSha: HEAD } }]);
  });

  it('the view counts down on whichever clock is nearer, and is 0 for another boot', () => {
    const { create, svc, clock } = setup();
    const a = create();
    expect(svc.view(a)).toEqual({ token: a.token, kind: 'pr.merge', expires_at: new Date(a.expiresAtMs).toISOString(), expires_in_ms: 60_000, summary: 'Merge PR 12', repo: 'acme/api', number: 12, head_sha: HEAD });
    clock.advance(10_000);
    expect(svc.view(a).expires_in_ms).toBe(50_000);
    clock.jumpWall(20_000);
    expect(svc.view(a).expires_in_ms).toBe(30_000);
    clock.jumpWall(-40_000);
    expect(svc.view(a).expires_in_ms).toBe(50_000);
    clock.advance(70_000);
    expect(svc.view(a).expires_in_ms).toBe(0);
    expect(svc.view({ ...a, bootId: 'other' }).expires_in_ms).toBe(0);
  });

  it('isExpired at the exact deadline is still valid; one ms later it is not, on either clock', () => {
    const { create, svc, clock } = setup();
    const a = create();
    clock.advance(60_000);
    expect(svc.isExpired(a)).toBe(false);
    clock.advance(1);
    expect(svc.isExpired(a)).toBe(true);
    const b = create();
    clock.jumpWall(60_001);
    expect(svc.isExpired(b)).toBe(true);
  });

  it('pendingForSession lists pending actions, expiring overdue ones on the way', () => {
    const { create, svc, clock, repos } = setup();
    const old = create({ ttlMs: 1_000 });
    const fresh = create();
    clock.advance(2_000);
    expect(svc.pendingForSession('s1', 'c').map((r) => r.token)).toEqual([fresh.token]);
    expect(repos.pendingActions.get(old.token)).toMatchObject({ state: 'expired', outcome: 'expired', outcomeMessage: 'Expired before it was confirmed; nothing was done.' });
    expect(repos._audit.at(-1)).toMatchObject({ token: old.token, outcome: 'expired', detail: null, correlationId: 'c' });
  });
});

describe('confirm', () => {
  it('says why a token that is not pending does nothing, per state', async () => {
    const { create, svc, repos, calls } = setup();
    const set = (state: PendingActionRecord['state']) => {
      const a = create();
      repos._actions.get(a.token)!.state = state;
      return a.token;
    };
    expect(await failure(svc.confirm('f'.repeat(32), 'u1', 'click', 'c'))).toEqual({ code: 'token_invalid', message: 'That confirmation token is not valid.' });
    expect(await failure(svc.confirm(set('expired'), 'u1', 'click', 'c'))).toEqual({ code: 'token_expired', message: 'That confirmation expired; nothing was done.' });
    expect(await failure(svc.confirm(set('cancelled'), 'u1', 'click', 'c'))).toEqual({ code: 'action_cancelled', message: 'That action was cancelled; nothing was done.' });
    expect(await failure(svc.confirm(set('executing'), 'u1', 'click', 'c'))).toEqual({ code: 'token_used', message: 'That action is already running.' });
    expect(await failure(svc.confirm(set('done'), 'u1', 'click', 'c'))).toEqual({ code: 'token_used', message: 'That action was already confirmed.' });
    expect(await failure(svc.confirm(set('failed'), 'u1', 'click', 'c'))).toEqual({ code: 'token_used', message: 'That action was already confirmed.' });
    expect(calls).toEqual([]);
  });

  it('an expired pending token is expired on the spot and audited', async () => {
    const { create, svc, clock, repos } = setup();
    const a = create();
    clock.advance(60_001);
    expect(await failure(svc.confirm(a.token, 'u1', 'voice', 'c1'))).toEqual({ code: 'token_expired', message: 'That confirmation expired; nothing was done.' });
    expect(repos.pendingActions.get(a.token)?.state).toBe('expired');
    expect(repos._audit.map((e) => e.outcome)).toEqual(['requested', 'expired']);
  });

  it('losing the compare-and-set reports what the winner did', async () => {
    for (const [winner, code, message] of [
      ['cancelled', 'action_cancelled', 'That action was cancelled; nothing was done.'],
      ['expired', 'token_expired', 'That confirmation expired; nothing was done.'],
      ['executing', 'token_used', 'That action was already confirmed.'],
    ] as const) {
      const s = setup();
      const a = s.create();
      const svc = new ActionService({
        repos: s.repos, github: s.gw, clock: s.clock, random: testRandom, logger: { debug() {}, info() {}, warn() {}, error() {}, child: () => { throw new Error('unused'); } }, metrics: { observe() {}, increment() {} }, bootId: 'boot1', agent: { dispatchRepo: 'x/y', label: 'l' }, dispatchMarker: () => 'm',
        interleave: async () => void s.repos.pendingActions.transition(a.token, ['pending'], winner),
      });
      expect(await failure(svc.confirm(a.token, 'u1', 'click', 'c')), winner).toEqual({ code, message });
      expect(s.calls).toEqual([]);
    }
  });

  it('a confirmed merge is counted per channel, audited (executing, merged) and timed per kind', async () => {
    const { create, svc, repos, counted, observed, calls } = setup();
    const a = create();
    const r = await svc.confirm(a.token, 'u1', 'voice', 'c7');
    expect(r).toMatchObject({ state: 'done', outcome: 'merged', outcomeMessage: 'Merged PR 12 in acme/api.', result: { sha: 'm'.repeat(40), reconciled: false } });
    expect(repos.pendingActions.get(a.token)).toEqual(r);
    expect(counted).toEqual(['confirm.voice']);
    expect(observed).toEqual(['execute.pr.merge']);
    expect(calls).toEqual(['getPullRequest', 'merge']);
    expect(repos._audit.slice(1)).toEqual([
      expect.objectContaining({ outcome: 'executing', detail: { via: 'voice' }, correlationId: 'c7' }),
      expect.objectContaining({ outcome: 'merged', detail: { sha: 'm'.repeat(40), reconciled: false }, correlationId: 'c7', target: 'acme/api#12' }),
    ]);
  });
});

describe('failure messages', () => {
  const run = async (error: AppError, opts: { number?: number | null; headAfter?: string | null } = {}) => {
    const s = setup();
    const a = s.create({ number: opts.number === undefined ? 12 : opts.number });
    s.gw.mergePullRequest = async () => {
      s.calls.push('merge');
      if (opts.headAfter !== undefined) {
        if (opts.headAfter === null) s.gw.getPullRequest = () => Promise.reject(new AppError('github_unavailable', 'down'));
        else s.setHead(opts.headAfter);
      }
      throw error;
    };
    const r = await s.svc.confirm(a.token, 'u1', 'click', 'c');
    return { r, s };
  };

  it('head moved: the old and new heads, or only the old one when the new cannot be read; never re-sent', async () => {
    const moved = await run(new AppError('head_moved', 'moved'), { headAfter: 'b'.repeat(40) });
    expect(moved.r).toMatchObject({ state: 'failed', outcome: 'head_moved', result: { newHeadSha: 'b'.repeat(40) } });
    expect(moved.r.outcomeMessage).toBe('Not merged: PR 12 changed after the read-back. Its head moved from aaaaaaa to bbbbbbb. Say read it to hear what changed.');
    expect(moved.s.calls.filter((c) => c === 'merge')).toHaveLength(1);
    const unread = await run(new AppError('head_moved', 'moved'), { headAfter: null });
    expect(unread.r).toMatchObject({ outcome: 'head_moved', result: null });
    expect(unread.r.outcomeMessage).toBe('Not merged: PR 12 changed after the read-back; its head is no longer aaaaaaa. Say read it to hear what changed.');
  });

  it('not mergeable, with and without a named gate', async () => {
    const gated = await run(new AppError('not_mergeable', 'Checks are running.', { gate: 'checks_pending' }));
    expect(gated.r).toMatchObject({ outcome: 'not_mergeable', result: { gate: 'checks_pending' }, outcomeMessage: 'Not merged: Checks are running.' });
    const plain = await run(new AppError('not_mergeable', 'Conflicts.'));
    expect(plain.r).toMatchObject({ result: null, outcomeMessage: "Not merged: GitHub says PR 12 can't be merged right now. Conflicts." });
  });

  it('policy denied names the gate in words', async () => {
    const cases: Array<[string | undefined, string]> = [
      ['checks_failing', 'the checks gate: a check failed since the read-back'],
      ['checks_pending', 'the checks gate: a check is running again'],
      ['changes_requested', 'the review gate: changes were requested'],
      ['approvals', 'the approvals gate'],
      ['something_else', 'your merge settings'],
      [undefined, 'your merge settings'],
    ];
    for (const [gate, words] of cases) {
      const { r } = await run(new AppError('policy_denied', 'Why.', gate === undefined ? undefined : { gate }));
      expect(r.outcomeMessage, gate).toBe(`Not merged: PR 12 no longer passes ${words}. Why.`);
    }
  });

  it('already merged, any other error, and an action on a repo without a number', async () => {
    expect((await run(new AppError('already_merged', 'x'))).r.outcomeMessage).toBe('PR 12 was already merged.');
    expect((await run(new AppError('github_validation', 'Bad method.'))).r).toMatchObject({ outcome: 'github_validation', outcomeMessage: 'That failed: Bad method.' });
    const s = setup();
    s.gw.createComment = () => Promise.reject(new AppError('already_merged', 'x'));
    const a = s.create({ kind: 'pr.comment', number: null, params: { body: 'hi' } });
    expect((await s.svc.confirm(a.token, 'u1', 'click', 'c')).outcomeMessage).toBe('acme/api was already merged.');
    // Kinds without their own words say "Not done".
    s.gw.createComment = () => Promise.reject(new AppError('policy_denied', 'Why.'));
    const b = s.create({ kind: 'pr.comment', number: 12, params: { body: 'hi' } });
    expect((await s.svc.confirm(b.token, 'u1', 'click', 'c')).outcomeMessage).toBe('Not done: PR 12 no longer passes your merge settings. Why.');
    expect(s.repos._audit.at(-1)).toMatchObject({ target: 'acme/api#12', outcome: 'policy_denied' });
    expect(s.repos._audit.find((e) => e.token === a.token && e.outcome === 'already_merged')).toMatchObject({ target: 'acme/api' });
  });

  it('a non-AppError failure is internal and not retried', async () => {
    const s = setup();
    const a = s.create();
    s.gw.mergePullRequest = () => Promise.reject(new Error('socket hang up'));
    const r = await s.svc.confirm(a.token, 'u1', 'click', 'c');
    expect(r).toMatchObject({ state: 'failed', outcome: 'internal', outcomeMessage: 'That failed: Unexpected failure.' });
  });
});

describe('ambiguous outcomes are read, never re-sent', () => {
  for (const code of ['outcome_unknown', 'github_unavailable', 'github_timeout'] as const) {
    it(`${code} on a merge: settled by reading GitHub`, async () => {
      const s = setup();
      const a = s.create();
      s.gw.mergePullRequest = async () => {
        s.calls.push('merge');
        throw new AppError(code, 'x');
      };
      const r = await s.svc.confirm(a.token, 'u1', 'click', 'c');
      expect(r).toMatchObject({ state: 'failed', outcome: 'not_merged' });
      expect(s.calls.filter((c) => c === 'merge')).toHaveLength(1);
      expect(s.calls).toContain('isMerged');
    });
  }

  it('a kind without a read-back (comment) is reported unknown and failed, not resent', async () => {
    const s = setup();
    const a = s.create({ kind: 'pr.comment', params: { body: 'hi' } });
    s.gw.createComment = async () => {
      s.calls.push('comment');
      throw new AppError('github_timeout', 'slow');
    };
    const r = await s.svc.confirm(a.token, 'u1', 'click', 'c');
    expect(r).toMatchObject({ state: 'failed', outcome: 'outcome_unknown', outcomeMessage: "GitHub did not answer clearly, so I can't tell whether it went through. I did not send it again; check on GitHub." });
    expect(s.calls.filter((c) => c === 'comment')).toHaveLength(1);
  });

  it('an unreadable outcome stays executing, warns and audits; the message says it will check again', async () => {
    const s = setup();
    const a = s.create();
    s.gw.mergePullRequest = () => Promise.reject(new AppError('github_timeout', 'slow'));
    s.gw.isMerged = () => Promise.reject(new AppError('github_unavailable', 'down'));
    const r = await s.svc.confirm(a.token, 'u1', 'click', 'c3');
    expect(r).toMatchObject({ state: 'executing', outcome: 'outcome_unknown', outcomeMessage: 'I could not tell whether that went through, and I did not send it again. I will check again.' });
    expect(s.repos.pendingActions.get(a.token)?.state).toBe('executing');
    expect(s.warns).toEqual([{ correlationId: 'c3', token: a.token.slice(0, 8), code: 'github_unavailable' }]);
    expect(s.repos._audit.at(-1)).toMatchObject({ outcome: 'outcome_unknown', detail: { code: 'github_unavailable' } });
    s.gw.isMerged = () => Promise.reject(new Error('weird'));
    await s.svc.reconcile('c4');
    expect(s.warns.at(-1)).toMatchObject({ code: 'internal' });
  });

  it('reconcile leaves an action alone while this process is executing it', async () => {
    const s = setup();
    const a = s.create();
    let release!: () => void;
    s.gw.mergePullRequest = () => new Promise((resolve) => (release = () => resolve({ sha: 'm'.repeat(40), reconciled: false })));
    const confirming = s.svc.confirm(a.token, 'u1', 'click', 'c');
    await new Promise((r) => setTimeout(r, 5));
    expect(await s.svc.reconcile('c')).toEqual({ expired: 0, reconciled: 0 });
    release();
    expect((await confirming).state).toBe('done');
    expect(s.calls).not.toContain('isMerged');
  });

  it('a settle that loses its compare-and-set returns the stored record and audits nothing', async () => {
    const s = setup();
    const a = s.create();
    s.gw.mergePullRequest = async () => {
      s.repos.pendingActions.transition(a.token, ['executing'], 'failed', { outcome: 'elsewhere' });
      return { sha: 'm'.repeat(40), reconciled: false };
    };
    const r = await s.svc.confirm(a.token, 'u1', 'click', 'c');
    expect(r).toMatchObject({ state: 'failed', outcome: 'elsewhere' });
    expect(s.repos._audit.map((e) => e.outcome)).toEqual(['requested', 'executing']);
  });
});

describe('cancel and wrong confirmations', () => {
  it('cancel: records why, audits; a second cancel returns it; expired and confirmed ones say so', async () => {
    const { create, svc, repos, clock } = setup();
    const a = create();
    const c = svc.cancel(a.token, 'u1', 'c1');
    expect(c).toMatchObject({ state: 'cancelled', outcome: 'cancelled', outcomeMessage: 'Cancelled; nothing was done.', updatedAtMs: clock.nowMs() });
    expect(repos._audit.at(-1)).toMatchObject({ outcome: 'cancelled', detail: null, correlationId: 'c1' });
    expect(svc.cancel(a.token, 'u1', 'c1')).toMatchObject({ state: 'cancelled' });
    expect(repos._audit.filter((e) => e.outcome === 'cancelled')).toHaveLength(1);
    expect(await failure(() => svc.cancel(a.token, 'u2', 'c'))).toEqual({ code: 'token_invalid', message: 'That confirmation token is not valid.' });
    expect(await failure(() => svc.cancel('nope', 'u1', 'c'))).toMatchObject({ code: 'token_invalid' });
    const e = create();
    repos._actions.get(e.token)!.state = 'expired';
    expect(await failure(() => svc.cancel(e.token, 'u1', 'c'))).toEqual({ code: 'token_expired', message: 'That confirmation had already expired; nothing was done.' });
    const d = create();
    await svc.confirm(d.token, 'u1', 'click', 'c');
    expect(await failure(() => svc.cancel(d.token, 'u1', 'c'))).toEqual({ code: 'token_used', message: 'Too late to cancel: that action was already confirmed.' });
  });

  it('the third wrong confirmation cancels with its reason and audits once', () => {
    const { create, svc, repos } = setup();
    const a = create();
    for (let i = 1; i < MAX_FAILED_CONFIRMATIONS; i++) svc.recordWrongConfirmation(a, 'c');
    expect(repos._audit.map((e) => e.outcome)).toEqual(['requested']);
    expect(svc.recordWrongConfirmation(a, 'c')).toBe(MAX_FAILED_CONFIRMATIONS);
    expect(repos.pendingActions.get(a.token)).toMatchObject({ state: 'cancelled', outcome: 'cancelled', outcomeMessage: 'Cancelled after three confirmations that did not match.' });
    expect(repos._audit.at(-1)).toMatchObject({ outcome: 'cancelled', detail: { reason: 'wrong_confirmations' } });
    svc.recordWrongConfirmation(a, 'c');
    expect(repos._audit.filter((e) => e.outcome === 'cancelled')).toHaveLength(1);
  });
});

describe('reconcile at start-up', () => {
  it('expires only overdue pending actions and counts them', async () => {
    const { create, svc, clock } = setup();
    create({ ttlMs: 1_000 });
    create({ ttlMs: 1_000 });
    create({ ttlMs: 100_000 });
    clock.advance(2_000);
    expect(await svc.reconcile('c')).toEqual({ expired: 2, reconciled: 0 });
  });
});
