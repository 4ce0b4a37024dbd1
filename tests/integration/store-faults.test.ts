/**
 * DB-3: SQLite-style I/O fault loop. The store's file-system facade fails the k-th operation
 * (ENOSPC, EIO, EPERM, EBUSY, EACCES; a failing write first writes half its bytes), once or from
 * then on, for k = 1, 2, … until an attempt completes without reaching k. Checked every time: a
 * failed save is reported as AppError('store_failed') and is not visible, a save reported as done
 * is visible, the next save succeeds once the fault clears (odd k; even k closes right after the
 * faults instead), and a fresh start on the real file system finds every acknowledged write,
 * integrity ok and no temp files. A failed save never reappears — except in one case no store
 * can rule out: its record was fully written, fdatasync failed, and the fault persisted through
 * the truncation meant to remove it; then it may reappear after a restart, but only whole.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import { nodeFs, openStore } from '../../main/store/index.js';
import type { Store, StoreFs } from '../../main/store/index.js';

const CODES = ['ENOSPC', 'EIO', 'EPERM', 'EBUSY', 'EACCES'] as const;

interface Faulty {
  fs: StoreFs;
  /** Start counting operations; the failAt-th one (and, in 'always' mode, every later one) fails. */
  arm(failAt: number, mode: 'once' | 'always', code: string): void;
  disarm(): void;
  /** Operations counted since arm(). */
  readonly count: number;
  /** True once a fault was injected since arm(). */
  readonly fired: boolean;
}

function faultyFs(): Faulty {
  let armed = false;
  let failAt = 0;
  let mode: 'once' | 'always' = 'once';
  let code = 'EIO';
  let count = 0;
  let fired = false;
  const shouldFail = (): boolean => {
    if (!armed) return false;
    count++;
    const fail = count === failAt || (mode === 'always' && count > failAt);
    if (fail) fired = true;
    return fail;
  };
  const err = (op: string): Error => Object.assign(new Error(`injected ${code} in ${op}`), { code });
  const wrap =
    <A extends unknown[], R>(op: string, fn: (...a: A) => R) =>
    (...a: A): R => {
      if (shouldFail()) throw err(op);
      return fn(...a);
    };
  const fs: StoreFs = {
    ...nodeFs,
    openSync: wrap('open', nodeFs.openSync),
    closeSync: wrap('close', nodeFs.closeSync),
    writeSync: (fd, buf, offset, length, position) => {
      if (shouldFail()) {
        // A failing write may still have put part of the data in the file.
        const half = Math.floor(length / 2);
        if (half > 0) nodeFs.writeSync(fd, buf, offset, half, position);
        throw err('write');
      }
      return nodeFs.writeSync(fd, buf, offset, length, position);
    },
    fsyncSync: wrap('fsync', nodeFs.fsyncSync),
    fdatasyncSync: wrap('fdatasync', nodeFs.fdatasyncSync),
    ftruncateSync: wrap('ftruncate', nodeFs.ftruncateSync),
    fstatSize: wrap('fstat', nodeFs.fstatSize),
    renameSync: wrap('rename', nodeFs.renameSync),
    linkSync: wrap('link', nodeFs.linkSync),
    unlinkSync: wrap('unlink', nodeFs.unlinkSync),
    readdirSync: wrap('readdir', nodeFs.readdirSync),
    readFileSync: wrap('read', nodeFs.readFileSync),
  };
  return {
    fs,
    arm(k, m, c) {
      armed = true;
      failAt = k;
      mode = m;
      code = c;
      count = 0;
      fired = false;
    },
    disarm() {
      armed = false;
    },
    get count() {
      return count;
    },
    get fired() {
      return fired;
    },
  };
}

let root: string;
let golden: string;
let caseNo = 0;
const BASE_ROWS = 20;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hf-faults-'));
  golden = join(root, 'golden');
  const s = await openStore({ path: join(golden, 'f.db') });
  s.run('CREATE TABLE t (id INTEGER PRIMARY KEY, batch TEXT NOT NULL)');
  s.run("CREATE TABLE meta (k TEXT PRIMARY KEY, n INTEGER NOT NULL)");
  s.run("INSERT INTO meta VALUES ('rows', 0)");
  for (let i = 0; i < BASE_ROWS; i++) writeBatch(s, `base${i}`, 1);
  s.close();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One transaction: `n` rows tagged `batch` plus the row counter. */
function writeBatch(s: Store, batch: string, n = 2): void {
  s.transaction(() => {
    for (let i = 0; i < n; i++) s.run('INSERT INTO t (batch) VALUES (?)', [batch]);
    s.run("UPDATE meta SET n = n + ? WHERE k = 'rows'", [n]);
  });
}

function batches(s: Store): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of s.all('SELECT batch, count(*) AS n FROM t GROUP BY batch')) m.set(String(r.batch), Number(r.n));
  return m;
}

function copyCase(): string {
  const dir = join(root, `case${++caseNo}`);
  cpSync(golden, dir, { recursive: true });
  return join(dir, 'f.db');
}

/** Tries `save`; true if it reported success, false if it threw store_failed (anything else fails the test). */
function attempt(save: () => void): boolean {
  try {
    save();
    return true;
  } catch (e) {
    expect(isAppError(e) && e.code === 'store_failed', String(e)).toBe(true);
    return false;
  }
}

/**
 * Fresh start on the real file system: everything acknowledged is there, nothing failed is.
 * `failedMayReappear`: see the file comment (persistent fault, no later write) — then a failed save may be present, but whole.
 */
async function verifyOnDisk(path: string, acked: string[], failed: string[], failedMayReappear = false): Promise<void> {
  const s = await openStore({ path });
  try {
    expect(s.integrityCheck()).toBe('ok');
    expect(s.startupReport.quarantined).toEqual([]);
    const b = batches(s);
    for (let i = 0; i < BASE_ROWS; i++) expect(b.get(`base${i}`)).toBe(1);
    for (const a of acked) expect(b.get(a), `acknowledged ${a}`).toBe(2);
    for (const f of failed) {
      if (failedMayReappear) expect([undefined, 2], `failed ${f}: absent or whole`).toContain(b.get(f));
      else expect(b.get(f), `failed ${f} must not reappear`).toBeUndefined();
    }
    const counter = Number(s.all("SELECT n FROM meta WHERE k = 'rows'")[0]?.n);
    expect(counter).toBe([...b.values()].reduce((x, y) => x + y, 0));
    const dir = path.slice(0, path.lastIndexOf('/'));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  } finally {
    s.close();
  }
}

interface LoopStats {
  attempts: number;
  failedSaves: number;
  lastK: number;
}

/**
 * The fault loop: for k = 1, 2, …, open a copy through the faulty facade, arm it, run `scenario`,
 * and verify. Stops when the armed phase completed without reaching operation k.
 */
async function faultLoop(mode: 'once' | 'always', scenario: (s: Store, f: Faulty, k: number) => { acked: string[]; failed: string[] }): Promise<LoopStats> {
  const stats: LoopStats = { attempts: 0, failedSaves: 0, lastK: 0 };
  for (let k = 1; k < 500; k++) {
    const path = copyCase();
    const f = faultyFs();
    const s = await openStore({ path, fs: f.fs, compactEveryWrites: 3 });
    let result: { acked: string[]; failed: string[] };
    try {
      f.arm(k, mode, CODES[k % CODES.length] as string);
      result = scenario(s, f, k);
      f.disarm();
      if (k % 2 === 1) {
        // The fault has cleared: the next save must succeed.
        expect(attempt(() => writeBatch(s, 'after'))).toBe(true);
        result.acked.push('after');
      }
    } finally {
      f.disarm();
      s.close();
    }
    stats.attempts++;
    stats.failedSaves += result.failed.length;
    stats.lastK = k;
    await verifyOnDisk(path, result.acked, result.failed, mode === 'always' && k % 2 === 0);
    rmSync(path.slice(0, path.lastIndexOf('/')), { recursive: true, force: true });
    if (!f.fired) return stats;
  }
  throw new Error('fault loop did not terminate');
}

/** Journal append path: several saves (one triggers an automatic compaction, compactEveryWrites = 3). */
function appendScenario(s: Store, f: Faulty): { acked: string[]; failed: string[] } {
  const acked: string[] = [];
  const failed: string[] = [];
  for (let i = 0; i < 4; i++) {
    const name = `w${i}`;
    const ok = attempt(() => writeBatch(s, name));
    // What the caller was told is what memory holds.
    expect(batches(s).get(name)).toBe(ok ? 2 : undefined);
    (ok ? acked : failed).push(name);
  }
  expect(f.count).toBeGreaterThan(0);
  return { acked, failed };
}

/** Compaction path: explicit compact() between saves. */
function compactScenario(s: Store): { acked: string[]; failed: string[] } {
  const acked: string[] = [];
  const failed: string[] = [];
  const save = (name: string) => {
    if (attempt(() => writeBatch(s, name))) acked.push(name);
    else failed.push(name);
  };
  save('c0');
  attempt(() => s.compact());
  save('c1');
  attempt(() => s.compact());
  save('c2');
  for (const a of acked) expect(batches(s).get(a)).toBe(2);
  for (const x of failed) expect(batches(s).get(x)).toBeUndefined();
  return { acked, failed };
}

describe('I/O fault loop (DB-3)', () => {
  for (const mode of ['once', 'always'] as const) {
    it(`journal append + auto-compaction, fail ${mode}`, async () => {
      const st = await faultLoop(mode, appendScenario);
      expect(st.failedSaves).toBeGreaterThan(0);
      expect(st.lastK).toBeGreaterThan(10);
    }, 120_000);

    it(`explicit compaction, fail ${mode}`, async () => {
      const st = await faultLoop(mode, compactScenario);
      expect(st.lastK).toBeGreaterThan(15);
    }, 120_000);
  }

  it('a fault while opening fails the open (or recovers) and leaves the files usable', async () => {
    for (let k = 1; k < 200; k++) {
      const path = copyCase();
      const f = faultyFs();
      f.arm(k, 'always', CODES[k % CODES.length] as string);
      let s: Store | undefined;
      try {
        s = await openStore({ path, fs: f.fs });
      } catch (e) {
        expect(isAppError(e) && e.code === 'store_failed', String(e)).toBe(true);
      }
      f.disarm();
      s?.close();
      await verifyOnDisk(path, [], []);
      expect(k).toBeLessThan(200);
      rmSync(path.slice(0, path.lastIndexOf('/')), { recursive: true, force: true });
      if (!f.fired) return;
    }
    throw new Error('did not terminate');
  }, 120_000);
});
