/**
 * DB-5: damaged files at start. A store with three snapshot generations and their journals is
 * built once; each case copies it, damages files (byte flips, truncation, zero length, wrong
 * header, a corrupt journal entry), and checks that the store starts, detects and quarantines
 * the damage, restores the last good generation, says so, and holds a consistent prefix of the
 * writes (all of them when only snapshots were damaged, because older journals cover the gap).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJournal } from '../../main/store/journal.js';
import { openStore } from '../../main/store/index.js';
import type { Store } from '../../main/store/index.js';

const ROWS_PER_GEN = 30;
const TOTAL = ROWS_PER_GEN * 3;
let root: string;
let golden: string;
let caseNo = 0;

const sum = (id: number, v: string): string => createHash('sha256').update(`${id}:${v}`).digest('hex').slice(0, 16);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hf-corrupt-'));
  golden = join(root, 'golden');
  const s = await openStore({ path: join(golden, 'c.db'), compactEveryWrites: 100_000 });
  s.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, sum TEXT NOT NULL)');
  let id = 0;
  for (let g = 0; g < 3; g++) {
    if (g > 0) s.compact();
    for (let i = 0; i < ROWS_PER_GEN; i++) {
      id++;
      const v = `value ${id} ${'.'.repeat(id % 50)}`;
      s.run('INSERT INTO t (id, v, sum) VALUES (?, ?, ?)', [id, v, sum(id, v)]);
    }
  }
  s.close();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Files {
  dir: string;
  snaps: string[];
  journals: string[];
}

function copyCase(): Files {
  const dir = join(root, `case${++caseNo}`);
  cpSync(golden, dir, { recursive: true });
  const names = readdirSync(dir).sort();
  return {
    dir,
    snaps: names.filter((n) => /\.snap\.\d+$/.test(n)).map((n) => join(dir, n)),
    journals: names.filter((n) => /\.journal\.\d+$/.test(n)).map((n) => join(dir, n)),
  };
}

/** Opens, checks the invariants every start must meet, closes; returns the ids present and the report. */
async function startAndCheck(f: Files): Promise<{ ids: number[]; report: Store['startupReport'] }> {
  const s = await openStore({ path: join(f.dir, 'c.db') });
  try {
    expect(s.integrityCheck()).toBe('ok');
    // When damage reaches back past the write that created it, the table itself is gone.
    const hasT = s.all("SELECT 1 AS x FROM sqlite_master WHERE name = 't'").length > 0;
    const rows = hasT ? s.all('SELECT id, v, sum FROM t ORDER BY id') : [];
    for (const r of rows) expect(r.sum).toBe(sum(Number(r.id), String(r.v)));
    const ids = rows.map((r) => Number(r.id));
    // Writes are replayed in order: whatever survives is a prefix, never a set with holes.
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    for (const q of s.startupReport.quarantined) expect(existsSync(q)).toBe(true);
    if (!s.startupReport.ok) expect(s.startupReport.message).toMatch(/damage/i);
    return { ids, report: s.startupReport };
  } finally {
    s.close();
  }
}

async function expectCleanSecondStart(f: Files, ids: number[]): Promise<void> {
  const again = await startAndCheck(f);
  expect(again.report).toMatchObject({ ok: true, quarantined: [] });
  expect(again.ids).toEqual(ids);
}

function flip(file: string, positions: number[]): void {
  const b = readFileSync(file);
  for (const p of positions) b[p % b.length] = (b[p % b.length] as number) ^ 0x5a;
  writeFileSync(file, b);
}

describe('corrupt newest snapshot', () => {
  const cases: Record<string, (file: string) => void> = {
    'random byte flips': (file) => flip(file, [1000, 4321, 9999]),
    truncation: (file) => truncateSync(file, Math.floor(readFileSync(file).length / 2)),
    'zero length': (file) => writeFileSync(file, Buffer.alloc(0)),
    'wrong header': (file) => {
      const b = readFileSync(file);
      Buffer.from('SQLite format 3\0').copy(b, 0);
      writeFileSync(file, b);
    },
    'flip inside the SQLite page data only': (file) => flip(file, [readFileSync(file).length - 200]),
  };
  for (const [name, damage] of Object.entries(cases)) {
    it(`${name}: quarantines it, restores the previous generation and loses nothing`, async () => {
      const f = copyCase();
      const newest = f.snaps.at(-1) as string;
      damage(newest);
      const { ids, report } = await startAndCheck(f);
      expect(report.ok).toBe(false);
      expect(report.quarantined).toEqual([expect.stringContaining(newest)]);
      expect(report.restoredFrom).toBe(f.snaps.at(-2));
      expect(report.message).toMatch(/Snapshot \d+ is damaged/);
      expect(ids).toHaveLength(TOTAL);
      expect(existsSync(newest)).toBe(false);
      await expectCleanSecondStart(f, ids);
    });
  }

  it('all three snapshots damaged: rebuilds from the journals', async () => {
    const f = copyCase();
    for (const s of f.snaps) writeFileSync(s, 'garbage');
    const { ids, report } = await startAndCheck(f);
    expect(report.ok).toBe(false);
    expect(report.quarantined).toHaveLength(3);
    expect(ids).toHaveLength(TOTAL);
    await expectCleanSecondStart(f, ids);
  });
});

describe('corrupt journal', () => {
  it('a damaged middle entry: keeps the entries before it, quarantines the journal, says so', async () => {
    const f = copyCase();
    const newest = f.journals.at(-1) as string;
    const buf = readFileSync(newest);
    const d = decodeJournal(buf);
    expect(d.entries).toHaveLength(ROWS_PER_GEN);
    // Byte offset inside entry #10 (records are header + 30 entries; find the 11th record start by re-encoding lengths).
    let off = 0;
    for (let i = 0; i < 11; i++) off += 12 + buf.readUInt32LE(off + 4);
    flip(newest, [off + 20]);
    const { ids, report } = await startAndCheck(f);
    expect(report.ok).toBe(false);
    expect(report.quarantined).toEqual([expect.stringContaining(newest)]);
    expect(report.message).toMatch(/Journal \d+ is damaged/);
    expect(ids).toHaveLength(2 * ROWS_PER_GEN + 10);
    await expectCleanSecondStart(f, ids);
  });

  it('a truncated newest journal is a torn tail: prefix kept, bytes discarded and reported', async () => {
    const f = copyCase();
    const newest = f.journals.at(-1) as string;
    truncateSync(newest, readFileSync(newest).length - 7);
    const { ids, report } = await startAndCheck(f);
    expect(report.discardedTornBytes).toBeGreaterThan(0);
    expect(ids).toHaveLength(TOTAL - 1);
  });

  it('damaged newest snapshot and the journal bridging to it: restores what is reachable and reports the gap', async () => {
    const f = copyCase();
    writeFileSync(f.snaps.at(-1) as string, 'x');
    flip(f.journals.at(-2) as string, [300]);
    const { ids, report } = await startAndCheck(f);
    expect(report.ok).toBe(false);
    expect(report.quarantined.length).toBeGreaterThanOrEqual(2);
    expect(ids.length).toBeLessThan(TOTAL);
    expect(ids.length).toBeGreaterThanOrEqual(ROWS_PER_GEN);
    await expectCleanSecondStart(f, ids);
  });
});

describe('random damage to any file (DB-5 fuzz)', () => {
  it('always starts, detects snapshot damage, never holds a row with a bad checksum or a hole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            file: fc.nat(),
            kind: fc.constantFrom('flip', 'truncate', 'zero', 'header', 'garbage'),
            pos: fc.nat(),
            n: fc.integer({ min: 1, max: 8 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        async (damages) => {
          const f = copyCase();
          const all = [...f.snaps, ...f.journals];
          let snapshotDamaged = false;
          for (const d of damages) {
            const file = all[d.file % all.length] as string;
            const before = readFileSync(file);
            if (before.length === 0) continue;
            if (d.kind === 'flip') flip(file, Array.from({ length: d.n }, (_, i) => d.pos + i * 997));
            else if (d.kind === 'truncate') truncateSync(file, d.pos % before.length);
            else if (d.kind === 'zero') writeFileSync(file, Buffer.alloc(0));
            else if (d.kind === 'header') writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0'), before.subarray(16)]));
            else writeFileSync(file, Buffer.from(Array.from({ length: 100 + (d.pos % 5000) }, (_, i) => (i * 31 + d.pos) & 255)));
            if (f.snaps.includes(file) && !readFileSync(file).equals(before)) snapshotDamaged = true;
          }
          const { ids, report } = await startAndCheck(f);
          if (snapshotDamaged) {
            expect(report.ok).toBe(false);
            expect(report.quarantined.length).toBeGreaterThan(0);
          }
          if (report.ok) expect(report.quarantined).toEqual([]);
          await expectCleanSecondStart(f, ids);
          rmSync(f.dir, { recursive: true, force: true });
        },
      ),
      { numRuns: Number(process.env.HF_STORE_FUZZ_RUNS ?? 150) },
    );
  }, 120_000);
});
