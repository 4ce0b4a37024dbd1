import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFERRED_SYNC_MS } from './durableDb.js';
import { nodeFs, type StoreFs } from './fsFacade.js';
import { openStore, type Store } from './index.js';

let dir: string;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function countingFs(): { fs: StoreFs; syncs: () => number } {
  let n = 0;
  return { fs: { ...nodeFs, fdatasyncSync: (fd) => (n++, nodeFs.fdatasyncSync(fd)) }, syncs: () => n };
}

const session = (id: string) => ({ id, userId: 'u', profile: 'default' as const, lastPr: null, inbox: [], cursor: -1, lastSpoken: 'hi', createdAtMs: 1, updatedAtMs: 1 });

describe('deferred sync (group commit) for history', () => {
  it('session and command-log writes skip the fdatasync; a durable write or the timer syncs them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-defer-'));
    const c = countingFs();
    store = await openStore({ path: join(dir, 'db.sqlite'), fs: c.fs });
    const before = c.syncs();
    for (let i = 0; i < 20; i++) store.repos.sessions.put(session(`s${i}`));
    expect(c.syncs()).toBe(before);
    // A durable write syncs once, covering every deferred record before it.
    store.repos.apiKeys.insert({ id: 'k', name: 'n', userId: 'u', hash: 'h'.repeat(64), rateLimitPerMin: 1, createdAtMs: 1, revokedAtMs: null });
    expect(c.syncs()).toBe(before + 1);
    store.repos.sessions.put(session('late'));
    await new Promise((r) => setTimeout(r, DEFERRED_SYNC_MS * 3));
    expect(c.syncs()).toBe(before + 2);
    // Everything is there after reopening.
    await store.close();
    store = await openStore({ path: join(dir, 'db.sqlite') });
    expect(store.repos.sessions.get('s19')?.lastSpoken).toBe('hi');
    expect(store.repos.sessions.get('late')).toBeDefined();
  });

  it('close() syncs pending deferred records', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-defer-'));
    const c = countingFs();
    store = await openStore({ path: join(dir, 'db.sqlite'), fs: c.fs });
    store.repos.sessions.put(session('x'));
    const before = c.syncs();
    await store.close();
    store = undefined;
    expect(c.syncs()).toBeGreaterThan(before);
  });
});
