/**
 * Store benchmark (DB-7 + DB-1 at scale): durable write latency of this store vs. the naive sql.js
 * persistence (`export()` + `fs.writeFileSync`, as in the sql.js README) and vs. a naive but
 * crash-safe variant (`export()` + temp file + fsync + rename + directory fsync), at several
 * database sizes, in the same run; then the kill -9 harness.
 *
 * Run: `npx tsc -b && node build/main/store/harness/benchStore.js [--kills N] [--sizes 1000,10000,100000]`
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandRecord } from '../../../core/ports/store.js';
import { decodeSnapshot } from '../snapshot.js';
import { loadSqlJs } from '../sqljs.js';
import { openStore } from '../store.js';
import { runKillHarness } from './killHarness.js';
import type { KillHarnessReport } from './killHarness.js';

export interface LatencyStats {
  /** Milliseconds. */
  p50: number;
  p99: number;
  mean: number;
  max: number;
  samples: number;
}

export interface BenchStoreOptions {
  /** Row counts of the `commands` table to measure at (default 1k, 10k, 100k). */
  sizes?: number[];
  /** Timed durable writes per size for this store (default 300). */
  writes?: number;
  /** Timed writes per size for each naive variant (default 40; each is O(size)). */
  naiveWrites?: number;
  /** Kill -9 trials after the latency part (default 1000; 0 skips). */
  kills?: number;
  /** Working directory (default: a temp dir, removed afterwards). */
  dir?: string;
  /** Progress/report lines (default console.log). */
  log?: (line: string) => void;
}

export interface SizeResult {
  rows: number;
  /** Snapshot size in bytes. */
  dbBytes: number;
  store: LatencyStats;
  /** export() + writeFileSync (README style; not crash-safe). */
  naive: LatencyStats;
  /** export() + temp + fsync + rename + dir fsync (crash-safe, still O(size)). */
  naiveDurable: LatencyStats;
  /** One compaction (export + snapshot + new journal), ms; paid once per compactEveryWrites writes. */
  compactMs: number;
  /** store p50 + compactMs / compactEveryWrites: the per-write cost including compaction, ms. */
  storeAmortizedMs: number;
  /** naive p50 / store p50. */
  ratioP50: number;
  ratioP99: number;
  ratioDurableP50: number;
}

export interface BenchStoreReport {
  sizes: SizeResult[];
  /** store p50 at the largest size / at the smallest: ~1 means flat. */
  storeGrowth: number;
  targets: { ratioAtLargestAtLeast10x: boolean; flatWithin2x: boolean; killHarnessClean: boolean | null };
  kill: KillHarnessReport | null;
}

const COMPACT_EVERY = 1000;

function stats(ms: number[]): LatencyStats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return { p50: r(at(0.5)), p99: r(at(0.99)), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)), max: r(s.at(-1) ?? 0), samples: s.length };
}

function command(i: number): CommandRecord {
  return {
    id: `cmd-${i.toString(36).padStart(8, '0')}`,
    atMs: 1_700_000_000_000 + i,
    userId: 'user-1',
    sessionId: `session-${i % 97}`,
    correlationId: `corr-${i}`,
    source: i % 2 ? 'voice' : 'text',
    text: `what needs my attention in acme/api pull request ${i} and the failing checks on main`,
    intent: 'inbox.list',
    confidence: 0.91,
    status: 'ok',
    errorCode: null,
    durationMs: 42,
  };
}

const INSERT =
  'INSERT INTO commands (id, at_ms, user_id, session_id, correlation_id, source, text, intent, confidence, status, error_code, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const params = (c: CommandRecord): (string | number | null)[] => [
  c.id,
  c.atMs,
  c.userId,
  c.sessionId,
  c.correlationId,
  c.source,
  c.text,
  c.intent,
  c.confidence,
  c.status,
  c.errorCode,
  c.durationMs,
];

async function measureSize(root: string, rows: number, writes: number, naiveWrites: number): Promise<SizeResult> {
  const dir = join(root, `size-${rows}`);
  const store = await openStore({ path: join(dir, 'bench.db'), compactEveryWrites: COMPACT_EVERY });
  let next = 0;
  try {
    for (let done = 0; done < rows; ) {
      const n = Math.min(2000, rows - done);
      store.transaction(() => {
        for (let i = 0; i < n; i++) store.run(INSERT, params(command(next++)));
      });
      done += n;
    }
    store.compact();
    const storeMs: number[] = [];
    for (let i = 0; i < writes; i++) {
      const c = command(next++);
      const t = performance.now();
      // A durable write (append + fdatasync before returning); commands.append itself is group-committed.
      store.run(INSERT, params(c));
      storeMs.push(performance.now() - t);
    }
    const c0 = performance.now();
    store.compact();
    const compactMs = performance.now() - c0;

    // The naive variants start from the very same database bytes.
    const snap = readdirSync(dir)
      .filter((n) => /\.snap\.\d+$/.test(n))
      .sort()
      .at(-1) as string;
    const decoded = decodeSnapshot(readFileSync(join(dir, snap)));
    if (!decoded.ok) throw new Error(`bench snapshot unreadable: ${decoded.problem}`);
    const SQL = await loadSqlJs();
    const naiveDb = new SQL.Database(decoded.db);
    const naiveFile = join(dir, 'naive.sqlite');
    const naiveMs: number[] = [];
    const durableMs: number[] = [];
    for (let i = 0; i < naiveWrites; i++) {
      let t = performance.now();
      naiveDb.run(INSERT, params(command(next++)));
      writeFileSync(naiveFile, naiveDb.export());
      naiveMs.push(performance.now() - t);

      t = performance.now();
      naiveDb.run(INSERT, params(command(next++)));
      const bytes = naiveDb.export();
      const fd = openSync(`${naiveFile}.tmp`, 'w');
      writeSync(fd, bytes);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(`${naiveFile}.tmp`, naiveFile);
      const dfd = openSync(dir, 'r');
      fsyncSync(dfd);
      closeSync(dfd);
      durableMs.push(performance.now() - t);
    }
    naiveDb.close();
    const s = stats(storeMs);
    const n = stats(naiveMs);
    const d = stats(durableMs);
    return {
      rows,
      dbBytes: decoded.db.byteLength,
      store: s,
      naive: n,
      naiveDurable: d,
      compactMs: Math.round(compactMs * 10) / 10,
      storeAmortizedMs: Math.round((s.p50 + compactMs / COMPACT_EVERY) * 1000) / 1000,
      ratioP50: Math.round((n.p50 / s.p50) * 10) / 10,
      ratioP99: Math.round((n.p99 / s.p99) * 10) / 10,
      ratioDurableP50: Math.round((d.p50 / s.p50) * 10) / 10,
    };
  } finally {
    store.close();
  }
}

/**
 * Measures durable write latency (ms) of the store vs. naive sql.js persistence at each size, then
 * runs the kill -9 harness. Needs the compiled build for the kill children (`npx tsc -b`).
 */
export async function benchStore(opts: BenchStoreOptions = {}): Promise<BenchStoreReport> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const sizes = opts.sizes ?? [1_000, 10_000, 100_000];
  const root = opts.dir ?? mkdtempSync(join(tmpdir(), 'hf-bench-store-'));
  const results: SizeResult[] = [];
  let kill: KillHarnessReport | null = null;
  try {
    log('store bench: durable write latency, ms (this store = journal append + fdatasync; naive = export() + writeFileSync)');
    log('rows      db MiB  store p50  store p99  naive p50  naive p99  naive+fsync p50  compact ms  ratio p50  ratio p99');
    for (const rows of sizes) {
      const r = await measureSize(root, rows, opts.writes ?? 300, opts.naiveWrites ?? 40);
      results.push(r);
      log(
        [
          String(rows).padEnd(9),
          (r.dbBytes / 2 ** 20).toFixed(1).padStart(6),
          r.store.p50.toFixed(3).padStart(10),
          r.store.p99.toFixed(3).padStart(10),
          r.naive.p50.toFixed(2).padStart(10),
          r.naive.p99.toFixed(2).padStart(10),
          r.naiveDurable.p50.toFixed(2).padStart(16),
          r.compactMs.toFixed(1).padStart(11),
          `${r.ratioP50}×`.padStart(10),
          `${r.ratioP99}×`.padStart(10),
        ].join(' '),
      );
    }
    const kills = opts.kills ?? 1000;
    if (kills > 0) {
      log(`kill -9 harness: ${kills} kills …`);
      kill = await runKillHarness({
        kills,
        onProgress: (d, t) => {
          if (d % 100 === 0) log(`  ${d}/${t}`);
        },
      });
      log(
        `kill -9: ${kill.kills} kills in ${(kill.elapsedMs / 1000).toFixed(1)} s (seed ${kill.seed}); acked tx ${kill.ackedTransactions}; ` +
          `lost acked rows ${kill.lostAckedRows}; bad checksums ${kill.badChecksums}; integrity failures ${kill.integrityFailures}; ` +
          `open failures ${kill.openFailures}; unclean starts ${kill.unhealthyStarts}; orphan temp files ${kill.orphanTempFiles}; ` +
          `kills during open ${kill.killsDuringOpen}, during compaction ${kill.killsDuringCompaction}; failures ${kill.failures.length}`,
      );
      for (const f of kill.failures) log(`  FAIL ${f}`);
    }
  } finally {
    if (!opts.dir) rmSync(root, { recursive: true, force: true });
  }
  const first = results[0];
  const last = results.at(-1);
  const storeGrowth = first && last ? Math.round((last.store.p50 / first.store.p50) * 100) / 100 : 1;
  const report: BenchStoreReport = {
    sizes: results,
    storeGrowth,
    targets: {
      ratioAtLargestAtLeast10x: (last?.ratioP50 ?? 0) >= 10,
      flatWithin2x: storeGrowth <= 2,
      killHarnessClean: kill ? kill.failures.length === 0 : null,
    },
    kill,
  };
  log(`store p50 growth ${first?.rows}→${last?.rows} rows: ${storeGrowth}×; targets: ${JSON.stringify(report.targets)}`);
  return report;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kills = argValue('--kills');
  const sizes = argValue('--sizes');
  benchStore({
    ...(kills !== undefined ? { kills: Number(kills) } : {}),
    ...(sizes !== undefined ? { sizes: sizes.split(',').map(Number) } : {}),
  }).then(
    (r) => process.exit(r.targets.killHarnessClean === false ? 1 : 0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
