import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_STATES } from '../../contract/response.js';
import type { ActionState } from '../../contract/response.js';
import type { ApiKeyRecord, AuditEntry, CommandRecord, PendingActionRecord, SessionState } from '../../core/ports/store.js';
import { openStore } from './index.js';
import type { Store } from './index.js';
import { truncateText } from './repositories.js';

let dir: string;
let store: Store;
let n = 0;
const fixedClock = { nowMs: () => 1_700_000_000_000, monotonicMs: () => 5 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-repos-'));
  store = await openStore({ path: join(dir, 'r.db'), clock: fixedClock });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function reopen(): Promise<Store> {
  store.close();
  store = await openStore({ path: join(dir, 'r.db'), clock: fixedClock });
  return store;
}

function action(over: Partial<PendingActionRecord> = {}): PendingActionRecord {
  n++;
  return {
    token: `${'ab'.repeat(16)}${String(n).padStart(6, '0')}`,
    sessionId: 's1',
    userId: 'u1',
    kind: 'pr.merge',
    repo: 'acme/api',
    number: 12,
    headSha: 'deadbeef',
    params: { method: 'squash', nested: { a: [1, 'two', null] } },
    readBack: 'Merge acme/api #12 "Fix" by squash?',
    state: 'pending',
    createdAtMs: 1000 + n,
    expiresAtMs: 61_000 + n,
    deadlineMonoMs: 1234.5,
    bootId: 'boot-1',
    failedConfirmations: 0,
    outcome: null,
    outcomeMessage: null,
    result: null,
    updatedAtMs: 1000 + n,
    ...over,
  };
}

describe('sessions', () => {
  it('round-trips, upserts and survives reopen', async () => {
    const s: SessionState = {
      id: 'sess-1',
      userId: 'u1',
      profile: 'commute',
      lastPr: { repo: 'acme/api', number: 7 },
      inbox: [
        { threadId: 't1', repo: 'acme/api', number: 7, subjectType: 'PullRequest' },
        { threadId: 't2', repo: 'acme/web', number: null, subjectType: 'Release' },
      ],
      cursor: 1,
      lastSpoken: 'Two notifications. “Ünïcødé” ✓',
      createdAtMs: 10,
      updatedAtMs: 20,
    };
    store.repos.sessions.put(s);
    expect(store.repos.sessions.get('sess-1')).toEqual(s);
    const s2 = { ...s, lastPr: null, inbox: [], cursor: -1, lastSpoken: null, updatedAtMs: 30 };
    store.repos.sessions.put(s2);
    await reopen();
    expect(store.repos.sessions.get('sess-1')).toEqual(s2);
    expect(store.repos.sessions.get('nope')).toBeUndefined();
  });
});

describe('pending actions', () => {
  it('round-trips every field and lists by session (newest first) and state (oldest first)', async () => {
    const a = action({ sessionId: 'sx', result: { merged: true }, outcome: 'x', outcomeMessage: 'y' });
    const b = action({ sessionId: 'sx', number: null, headSha: null, kind: 'notification.unsubscribe', state: 'done' });
    const c = action({ sessionId: 'sy' });
    for (const r of [a, b, c]) store.repos.pendingActions.insert(r);
    await reopen();
    expect(store.repos.pendingActions.get(a.token)).toEqual(a);
    expect(store.repos.pendingActions.get(b.token)).toEqual(b);
    expect(store.repos.pendingActions.listBySession('sx').map((r) => r.token)).toEqual([b.token, a.token]);
    expect(store.repos.pendingActions.listBySession('sx', ['pending']).map((r) => r.token)).toEqual([a.token]);
    expect(store.repos.pendingActions.listBySession('sx', [])).toEqual([]);
    const pending = store.repos.pendingActions.listByState(['pending']).map((r) => r.token);
    expect(pending.indexOf(a.token)).toBeLessThan(pending.indexOf(c.token));
    expect(pending).not.toContain(b.token);
  });

  it('transition is a compare-and-set that applies the patch', () => {
    const a = action();
    store.repos.pendingActions.insert(a);
    expect(store.repos.pendingActions.transition(a.token, ['executing'], 'done')).toBeUndefined();
    const r = store.repos.pendingActions.transition(a.token, ['pending'], 'executing', { updatedAtMs: 5 });
    expect(r).toMatchObject({ state: 'executing', updatedAtMs: 5, outcome: null });
    const done = store.repos.pendingActions.transition(a.token, ['executing'], 'done', {
      outcome: 'merged',
      outcomeMessage: 'Merged.',
      result: { sha: 'abc' },
    });
    expect(done).toMatchObject({ state: 'done', outcome: 'merged', outcomeMessage: 'Merged.', result: { sha: 'abc' }, updatedAtMs: fixedClock.nowMs() });
    expect(store.repos.pendingActions.transition(a.token, ['pending', 'executing'], 'cancelled')).toBeUndefined();
    expect(store.repos.pendingActions.transition('missing', ['pending'], 'cancelled')).toBeUndefined();
    expect(store.repos.pendingActions.transition(a.token, [], 'cancelled')).toBeUndefined();
    expect(store.repos.pendingActions.get(a.token)?.state).toBe('done');
  });

  it('exactly one of many interleaved confirmations wins, and the win is durable (CF-3 at the store level)', async () => {
    const tokens = Array.from({ length: 50 }, () => action());
    for (const t of tokens) store.repos.pendingActions.insert(t);
    const wins = new Map<string, number>();
    const contenders: Promise<void>[] = [];
    const rand = fc.sample(fc.integer({ min: 0, max: 3 }), 50 * 8);
    let i = 0;
    for (const t of tokens) {
      for (let c = 0; c < 8; c++) {
        const delay = rand[i++] ?? 0;
        contenders.push(
          (async () => {
            for (let k = 0; k < delay; k++) await Promise.resolve();
            if (delay === 3) await new Promise((r) => setTimeout(r, 0));
            const via = c % 2 === 0 ? 'voice' : 'click';
            const won = store.repos.pendingActions.transition(t.token, ['pending'], 'executing', { outcome: via });
            if (won) wins.set(t.token, (wins.get(t.token) ?? 0) + 1);
          })(),
        );
      }
    }
    await Promise.all(contenders);
    expect([...wins.values()].every((w) => w === 1)).toBe(true);
    expect(wins.size).toBe(tokens.length);
    await reopen();
    for (const t of tokens) expect(store.repos.pendingActions.get(t.token)?.state).toBe('executing');
  });

  it('matches a model under random transition sequences (fast-check)', () => {
    const stateArb = fc.constantFrom(...ACTION_STATES);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.subarray([...ACTION_STATES]), stateArb), { minLength: 1, maxLength: 20 }), (steps) => {
        const a = action();
        store.repos.pendingActions.insert(a);
        let model: ActionState = 'pending';
        for (const [from, to] of steps) {
          const r = store.repos.pendingActions.transition(a.token, from, to);
          const ok = from.includes(model);
          expect(r !== undefined).toBe(ok);
          if (ok) model = to;
          expect(store.repos.pendingActions.get(a.token)?.state).toBe(model);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('increments failed confirmations durably', async () => {
    const a = action();
    store.repos.pendingActions.insert(a);
    expect(store.repos.pendingActions.incrementFailedConfirmations(a.token)).toBe(1);
    expect(store.repos.pendingActions.incrementFailedConfirmations(a.token)).toBe(2);
    await reopen();
    expect(store.repos.pendingActions.get(a.token)?.failedConfirmations).toBe(2);
    expect(() => store.repos.pendingActions.incrementFailedConfirmations('missing')).toThrow(expect.objectContaining({ code: 'token_invalid' }));
  });

  it('rejects a duplicate token', () => {
    const a = action();
    store.repos.pendingActions.insert(a);
    expect(() => store.repos.pendingActions.insert(a)).toThrow(/UNIQUE/);
  });
});

describe('audit log', () => {
  it('appends, lists newest first, filters by token, and is append-only', async () => {
    const base: AuditEntry = {
      atMs: 100,
      userId: 'u1',
      sessionId: null,
      correlationId: 'c1',
      action: 'pr.merge',
      target: 'acme/api#12',
      token: 'tok-a',
      outcome: 'requested',
      detail: null,
    };
    store.repos.audit.append(base);
    store.repos.audit.append({ ...base, atMs: 200, outcome: 'merged', detail: { sha: 'x' }, sessionId: 's1' });
    store.repos.audit.append({ ...base, atMs: 150, token: null, outcome: 'other' });
    await reopen();
    const byToken = store.repos.audit.list({ token: 'tok-a' });
    expect(byToken.map((e) => e.outcome)).toEqual(['merged', 'requested']);
    expect(byToken[0]).toEqual({ ...base, atMs: 200, outcome: 'merged', detail: { sha: 'x' }, sessionId: 's1' });
    expect(store.repos.audit.list({ limit: 2 }).map((e) => e.atMs)).toEqual([200, 150]);
    expect(() => store.run('UPDATE audit_log SET outcome = ?', ['forged'])).toThrow(/append-only/);
    expect(() => store.run('DELETE FROM audit_log')).toThrow(/append-only/);
  });
});

describe('commands', () => {
  it('appends, truncates text to 500 chars, lists newest first per session', async () => {
    const c: CommandRecord = {
      id: 'cmd-1',
      atMs: 10,
      userId: 'u1',
      sessionId: 'sa',
      correlationId: 'c',
      source: 'voice',
      text: 'x'.repeat(499) + '😀tail',
      intent: 'inbox.list',
      confidence: 0.93,
      status: 'ok',
      errorCode: null,
      durationMs: 12.5,
    };
    store.repos.commands.append(c);
    store.repos.commands.append({ ...c, id: 'cmd-2', atMs: 20, sessionId: 'sb', status: 'error', errorCode: 'github_timeout' });
    store.repos.commands.append({ ...c, id: 'cmd-3', atMs: 30, text: 'short' });
    await reopen();
    const sa = store.repos.commands.recent({ sessionId: 'sa' });
    expect(sa.map((r) => r.id)).toEqual(['cmd-3', 'cmd-1']);
    expect(sa[1]?.text).toBe('x'.repeat(499));
    expect(sa[1]).toEqual({ ...c, text: 'x'.repeat(499) });
    expect(store.repos.commands.recent({ limit: 1 })[0]?.id).toBe('cmd-3');
  });

  it('never splits a surrogate pair when truncating', () => {
    expect(truncateText('a'.repeat(499) + '😀', 500)).toBe('a'.repeat(499));
    expect(truncateText('a'.repeat(498) + '😀b', 500)).toBe('a'.repeat(498) + '😀');
  });
});

describe('api keys', () => {
  it('inserts, finds by hash, revokes once, lists', async () => {
    const k: ApiKeyRecord = { id: 'k1', name: 'laptop', userId: 'u1', hash: 'a'.repeat(64), rateLimitPerMin: 60, createdAtMs: 5, revokedAtMs: null };
    store.repos.apiKeys.insert(k);
    store.repos.apiKeys.insert({ ...k, id: 'k2', hash: 'b'.repeat(64), createdAtMs: 6 });
    expect(store.repos.apiKeys.findByHash('a'.repeat(64))).toEqual(k);
    expect(store.repos.apiKeys.findByHash('c'.repeat(64))).toBeUndefined();
    expect(store.repos.apiKeys.revoke('k1', 99)).toBe(true);
    expect(store.repos.apiKeys.revoke('k1', 100)).toBe(false);
    expect(store.repos.apiKeys.revoke('nope', 100)).toBe(false);
    await reopen();
    expect(store.repos.apiKeys.findByHash('a'.repeat(64))?.revokedAtMs).toBe(99);
    expect(store.repos.apiKeys.list().map((r) => r.id)).toEqual(['k1', 'k2']);
    expect(() => store.repos.apiKeys.insert({ ...k, id: 'k3' })).toThrow(/UNIQUE/);
  });
});

describe('snoozes', () => {
  const snooze = (threadId: string, untilMs: number, userId = 'u1') => ({ userId, threadId, repo: 'acme/api', number: 12, subjectType: 'PullRequest' as const, untilMs, createdAtMs: 1000 });

  it('hides until taken; each due snooze is taken once, durably; a new snooze re-arms the thread', async () => {
    store.repos.snoozes.put(snooze('t1', 5_000));
    store.repos.snoozes.put(snooze('t2', 9_000, 'u2'));
    expect(store.repos.snoozes.hiddenIds('u1')).toEqual(['t1']);
    expect(store.repos.snoozes.hiddenIds().sort()).toEqual(['t1', 't2']);
    expect(store.repos.snoozes.nextDueMs()).toBe(5_000);
    expect(store.repos.snoozes.takeDue(4_999)).toEqual([]);
    expect(store.repos.snoozes.takeDue(5_000).map((s) => [s.threadId, s.firedAtMs])).toEqual([['t1', 5_000]]);
    expect(store.repos.snoozes.takeDue(6_000)).toEqual([]);
    const s = await reopen();
    expect(s.repos.snoozes.takeDue(6_000)).toEqual([]);
    expect(s.repos.snoozes.hiddenIds()).toEqual(['t2']);
    s.repos.snoozes.put(snooze('t1', 7_000));
    expect(s.repos.snoozes.hiddenIds().sort()).toEqual(['t1', 't2']);
    expect(s.repos.snoozes.takeDue(10_000).map((x) => x.threadId)).toEqual(['t1', 't2']);
    expect(s.repos.snoozes.nextDueMs()).toBeNull();
  });
});
