import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { decodeJournal } from './journal.js';
import { DAY_MS, openStore, StoreLockedError } from './index.js';
import type { Store } from './index.js';

let dir: string;
let path: string;
const open: Store[] = [];

async function openAt(p = path, extra: Partial<Parameters<typeof openStore>[0]> = {}): Promise<Store> {
  const s = await openStore({ path: p, ...extra });
  open.push(s);
  return s;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-store-'));
  path = join(dir, 'hf.db');
});

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openStore', () => {
  it('creates a new store with every table and reports it', async () => {
    const s = await openAt();
    expect(s.startupReport).toMatchObject({ ok: true, created: true, quarantined: [], restoredFrom: null });
    const tables = s.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => r.name);
    for (const t of [
      'agent_tasks',
      'api_keys',
      'audit_log',
      'commands',
      'notification_subscriptions',
      'notifications',
      'pending_actions',
      'schema_migrations',
      'sessions',
      'webhook_events',
    ]) {
      expect(tables).toContain(t);
    }
    expect(s.all('SELECT version FROM schema_migrations ORDER BY version').map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.integrityCheck()).toBe('ok');
    expect(s.path).toBe(path);
  });

  it('keeps everything across close and reopen (journal replay and snapshots)', async () => {
    let s = await openAt();
    s.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL)');
    for (let i = 0; i < 50; i++) s.run('INSERT INTO t (v, b, r) VALUES (?, ?, ?)', [`v${i}`, new Uint8Array([i, 255, 0]), i / 3]);
    s.close();
    s = await openAt();
    expect(s.startupReport.ok).toBe(true);
    expect(s.startupReport.replayedEntries).toBeGreaterThanOrEqual(50);
    s.compact();
    for (let i = 50; i < 60; i++) s.run('INSERT INTO t (v, b, r) VALUES (?, ?, ?)', [`v${i}`, new Uint8Array([i]), i / 3]);
    s.close();
    s = await openAt();
    const rows = s.all('SELECT * FROM t ORDER BY id');
    expect(rows).toHaveLength(60);
    expect(rows[7]).toEqual({ id: 8, v: 'v7', b: new Uint8Array([7, 255, 0]), r: 7 / 3 });
    expect(s.startupReport.replayedEntries).toBe(10);
  });

  it('makes a write durable before returning: the record is in the journal file', async () => {
    const s = await openAt();
    s.run('CREATE TABLE t (v TEXT)');
    s.run('INSERT INTO t VALUES (?)', ['durable-marker']);
    const journal = readdirSync(dir).find((n) => n.startsWith('hf.db.journal.'));
    const decoded = decodeJournal(readFileSync(join(dir, journal as string)));
    expect(decoded.tail).toBe('clean');
    expect(JSON.stringify(decoded.entries.at(-1))).toContain('durable-marker');
  });

  it('skips the disk for writes that change nothing', async () => {
    const s = await openAt();
    s.run('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    const journal = join(dir, readdirSync(dir).find((n) => n.startsWith('hf.db.journal.')) as string);
    const before = readFileSync(journal).length;
    expect(s.run('UPDATE t SET v = 1 WHERE k = ?', ['missing']).changes).toBe(0);
    expect(readFileSync(journal).length).toBe(before);
  });

  it('compacts automatically every compactEveryWrites writes and keeps 3 generations', async () => {
    const s = await openAt(path, { compactEveryWrites: 5 });
    s.run('CREATE TABLE t (v INTEGER)');
    for (let i = 0; i < 40; i++) s.run('INSERT INTO t VALUES (?)', [i]);
    const snaps = readdirSync(dir).filter((n) => n.includes('.snap.'));
    const journals = readdirSync(dir).filter((n) => n.includes('.journal.'));
    expect(snaps).toHaveLength(3);
    expect(journals).toHaveLength(3);
    s.close();
    const s2 = await openAt();
    expect(s2.all('SELECT count(*) AS n FROM t')[0]?.n).toBe(40);
  });

  it('with journalToSnapshotRatio, a count-triggered compaction waits until the journal is as large as the snapshot', async () => {
    const s = await openAt(path, { compactEveryWrites: 5, journalToSnapshotRatio: 1 });
    s.run('CREATE TABLE t (v TEXT)');
    const snaps = () => readdirSync(dir).filter((n) => n.includes('.snap.') && !n.endsWith('.tmp'));
    const first = snaps(); // open and migrations may already have compacted
    expect(first.length).toBeLessThan(3);
    // 40 small writes: far past the count, far below the snapshot's size → no compaction
    for (let i = 0; i < 40; i++) s.run('INSERT INTO t VALUES (?)', [String(i)]);
    expect(snaps()).toEqual(first);
    const snapBytes = Math.max(...first.map((f) => readFileSync(join(dir, f)).length));
    // big rows: the journal outgrows the snapshot → compaction
    const big = 'x'.repeat(8192);
    for (let i = 0; i * big.length < snapBytes * 1.5 && snaps().length === first.length; i++) s.run('INSERT INTO t VALUES (?)', [big]);
    expect(snaps().length).toBe(first.length + 1);
    s.close();
    const s2 = await openAt();
    expect(Number(s2.all('SELECT count(*) AS n FROM t')[0]?.n)).toBeGreaterThan(40);
  });

  it('writes a transaction atomically and rolls everything back when it throws', async () => {
    const s = await openAt();
    s.run('CREATE TABLE t (v INTEGER)');
    expect(() =>
      s.transaction(() => {
        s.run('INSERT INTO t VALUES (1)');
        s.run('INSERT INTO t VALUES (2)');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(s.all('SELECT count(*) AS n FROM t')[0]?.n).toBe(0);
    s.transaction(() => {
      s.run('INSERT INTO t VALUES (3)');
      expect(() =>
        s.transaction(() => {
          s.run('INSERT INTO t VALUES (4)');
          throw new Error('inner');
        }),
      ).toThrow('inner');
      s.run('INSERT INTO t VALUES (5)');
    });
    s.close();
    const s2 = await openAt();
    expect(s2.all('SELECT v FROM t ORDER BY v').map((r) => r.v)).toEqual([3, 5]);
  });

  it('refuses async transaction callbacks', async () => {
    const s = await openAt();
    expect(() => s.transaction(() => Promise.resolve(1))).toThrow(/synchronous/);
  });

  it('refuses compaction inside a transaction without rolling it back (DB-4)', async () => {
    const s = await openAt();
    s.run('CREATE TABLE t (v INTEGER)');
    s.transaction(() => {
      s.run('INSERT INTO t VALUES (1)');
      let err: unknown;
      try {
        s.compact();
      } catch (e) {
        err = e;
      }
      expect(isAppError(err) && err.code === 'store_failed' && err.details?.reason === 'in_transaction').toBe(true);
      s.run('INSERT INTO t VALUES (2)');
    });
    expect(s.all('SELECT count(*) AS n FROM t')[0]?.n).toBe(2);
    s.close();
    const s2 = await openAt();
    expect(s2.all('SELECT count(*) AS n FROM t')[0]?.n).toBe(2);
  });

  it('keeps PRAGMAs and cached statements working across 100 compactions (DB-4)', async () => {
    const s = await openAt();
    s.run('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
    s.run('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id))');
    s.run('INSERT INTO parent (id) VALUES (1)');
    for (let i = 0; i < 100; i++) {
      s.compact();
      expect(s.all('PRAGMA foreign_keys')[0]?.foreign_keys).toBe(1);
      expect(() => s.run('INSERT INTO child (parent_id) VALUES (?)', [999])).toThrow(/FOREIGN KEY/);
      s.run('INSERT INTO child (parent_id) VALUES (?)', [1]);
      expect(s.repos.pendingActions.get('nope')).toBeUndefined();
    }
    expect(s.all('SELECT count(*) AS n FROM child')[0]?.n).toBe(100);
    expect(s.integrityCheck()).toBe('ok');
  });

  it('refuses non-deterministic or engine-owned SQL in writes, and writes in all()', async () => {
    const s = await openAt();
    s.run('CREATE TABLE t (v)');
    for (const sql of [
      'INSERT INTO t VALUES (random())',
      "INSERT INTO t VALUES (datetime('now'))",
      'INSERT INTO t VALUES (CURRENT_TIMESTAMP)',
      'BEGIN',
      'PRAGMA foreign_keys = OFF',
      'VACUUM',
      'INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)',
    ]) {
      expect(() => s.run(sql), sql).toThrow();
    }
    expect(() => s.all('DELETE FROM t')).toThrow(/reads/);
    expect(() => s.all('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')).toThrow(/reads/);
    expect(() => s.run('INSERT INTO t VALUES (?)', [true as unknown as number])).toThrow(/unsupported/);
    expect(() => s.run('INSERT INTO t VALUES (?)', [Number.NaN])).toThrow(/finite/);
    expect(s.all('SELECT count(*) AS n FROM t')[0]?.n).toBe(0);
  });

  it('discards a torn last journal record and still reports ok', async () => {
    const s = await openAt();
    s.run('CREATE TABLE t (v INTEGER)');
    s.run('INSERT INTO t VALUES (1)');
    s.close();
    const journal = join(dir, readdirSync(dir).find((n) => n.startsWith('hf.db.journal.')) as string);
    appendFileSync(journal, Buffer.from([0x48, 0x46, 0x4a, 0x31, 200, 0, 0, 0, 1, 2, 3]));
    const s2 = await openAt();
    expect(s2.startupReport).toMatchObject({ ok: true, quarantined: [] });
    expect(s2.startupReport.discardedTornBytes).toBe(11);
    s2.run('INSERT INTO t VALUES (2)');
    s2.close();
    const s3 = await openAt();
    expect(s3.all('SELECT v FROM t ORDER BY v').map((r) => r.v)).toEqual([1, 2]);
  });

  it('refuses a database from a newer app version', async () => {
    const s = await openAt();
    s.run('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (99, ?, 0)', ['0099-future-thing']);
    s.close();
    open.length = 0;
    await expect(openStore({ path })).rejects.toMatchObject({ code: 'store_failed', details: { reason: 'schema_too_new' } });
  });

  it('removes orphan temp files at start', async () => {
    const s = await openAt();
    s.close();
    writeFileSync(join(dir, 'hf.db.snap.000009.tmp'), 'partial');
    const s2 = await openAt();
    expect(s2.startupReport.ok).toBe(true);
    expect(s2.startupReport.removedTempFiles).toHaveLength(1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('fails every call after close with store_failed', async () => {
    const s = await openAt();
    s.close();
    expect(() => s.all('SELECT 1')).toThrow(expect.objectContaining({ code: 'store_failed' }));
    s.close();
  });
});

describe('single writer (DB-6)', () => {
  it('refuses a second opener with a typed error and allows it after close', async () => {
    const s = await openAt();
    const err = await openStore({ path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as StoreLockedError).holderPid).toBe(process.pid);
    expect((err as StoreLockedError).code).toBe('store_failed');
    s.close();
    open.length = 0;
    await openAt();
  });

  it('refuses while another live process holds the lock', async () => {
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), atMs: 1 }));
    await expect(openStore({ path })).rejects.toBeInstanceOf(StoreLockedError);
  });

  it('takes over a lock whose pid now belongs to another process (pid reuse, Linux)', async () => {
    if (process.platform !== 'linux') return;
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), atMs: 1, start: '1' }));
    const s = await openAt();
    expect(s.startupReport.ok).toBe(true);
  });

  it('treats a fresh unreadable lock as held, an old one as stale', async () => {
    writeFileSync(`${path}.lock`, '');
    await expect(openStore({ path })).rejects.toBeInstanceOf(StoreLockedError);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    const s = await openAt();
    expect(s.startupReport.ok).toBe(true);
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), atMs: 1 }));
    const s = await openAt();
    expect(s.startupReport.ok).toBe(true);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    s.close();
    expect(readdirSync(dir)).not.toContain('hf.db.lock');
  });
});

describe('prune', () => {
  it('deletes commands and notifications older than the retention period only', async () => {
    const now = 1_000 * DAY_MS;
    const clock: Clock = { nowMs: () => now, monotonicMs: () => 0 };
    const s = await openAt(path, { clock, retentionDays: 90 });
    const cmd = (id: string, atMs: number) =>
      s.repos.commands.append({
        id,
        atMs,
        userId: 'u',
        sessionId: 's',
        correlationId: 'c',
        source: 'text',
        text: 'hi',
        intent: 'help',
        confidence: 1,
        status: 'ok',
        errorCode: null,
        durationMs: 1,
      });
    cmd('old', now - 91 * DAY_MS);
    cmd('edge', now - 90 * DAY_MS);
    cmd('new', now - DAY_MS);
    const notif = (thread: string, updatedAtMs: number) =>
      s.run(
        `INSERT INTO notifications (user_id, thread_id, repo, subject_type, subject_title, reason, updated_at_ms, first_seen_at_ms, last_seen_at_ms)
         VALUES ('u', ?, 'a/b', 'PullRequest', 't', 'mention', ?, ?, ?)`,
        [thread, updatedAtMs, updatedAtMs, updatedAtMs],
      );
    notif('1', now - 100 * DAY_MS);
    notif('2', now - 10 * DAY_MS);
    expect(s.prune(now)).toEqual({ commands: 1, notifications: 1 });
    expect(s.repos.commands.recent().map((c) => c.id)).toEqual(['new', 'edge']);
    s.close();
    const s2 = await openAt(path, { clock });
    expect(s2.all('SELECT thread_id FROM notifications').map((r) => r.thread_id)).toEqual(['2']);
    expect(s2.repos.commands.recent()).toHaveLength(2);
  });

  it('honours a configured retention', async () => {
    const s = await openAt(path, { retentionDays: 1 });
    s.repos.commands.append({
      id: 'x',
      atMs: 0,
      userId: 'u',
      sessionId: 's',
      correlationId: 'c',
      source: 'cli',
      text: 't',
      intent: 'i',
      confidence: 0.5,
      status: 'error',
      errorCode: 'internal',
      durationMs: 2,
    });
    expect(s.prune(2 * DAY_MS).commands).toBe(1);
  });
});
