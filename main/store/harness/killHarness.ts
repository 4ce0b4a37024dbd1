/**
 * DB-1: kill -9 during writes. Child processes (killChild.ts, compiled) open the store and commit
 * transactions (rows + checksums + a row counter), acknowledging each only after it returned; the
 * parent SIGKILLs them at random times — during start-up recovery, between writes, inside
 * compaction.
 *
 * Every start after a kill is checked. The next child's own start reports its startup report,
 * temp files left after the start and `integrity_check`; every `verifyEvery` kills (and after the
 * last) the parent reopens the store itself and checks everything: it opens with a clean report,
 * `integrity_check` is ok, no acknowledged row is missing (rows are never deleted, so a loss at
 * any earlier kill is still visible), every checksum matches, the counter equals the row count
 * (transactions are atomic), and no temp file is left after the start.
 *
 * Children are pre-spawned (sql.js loaded, waiting on stdin) so process start-up overlaps the
 * previous run; `lanes` independent stores run in parallel.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../store.js';
import { prng, rowChecksum } from './protocol.js';

export interface KillHarnessOptions {
  /** Total SIGKILLs across all lanes. */
  kills: number;
  /** Independent stores killed in parallel (default 2). */
  lanes?: number;
  /** Longest run after `ready` before the kill, in ms (default 150). */
  maxRunMs?: number;
  /** PRNG seed; printed in the report so a failure can be replayed. */
  seed?: number;
  /** Parent directory for the lanes' stores (default: a new temp dir, removed afterwards unless a check failed). */
  dir?: string;
  /** Path of the compiled child script (default: build/main/store/harness/killChild.js). */
  childScript?: string;
  /**
   * Children first exercise the store on a scratch directory so the timed run is JIT-warm
   * (default false: costs ~40% more CPU per kill; without it more kills land during start-up).
   */
  warmChildren?: boolean;
  /** Full verification in the parent every this many kills per lane (default 4; 1 = after every kill). */
  verifyEvery?: number;
  /** Self-test only: children acknowledge before committing, so the harness must report lost rows. */
  brokenAckEarly?: boolean;
  /** Called after every kill-and-verify cycle. */
  onProgress?: (done: number, total: number) => void;
}

export interface KillHarnessReport {
  seed: number;
  kills: number;
  lanes: number;
  /** Transactions acknowledged by children. */
  ackedTransactions: number;
  ackedRows: number;
  /** Starts checked: children's own starts after a kill plus the parent's verification reopens. */
  startsChecked: number;
  /** Full verifications by the parent. */
  parentVerifications: number;
  /** Reopens that threw. */
  openFailures: number;
  /** Reopens whose startup report was not ok or that quarantined files. */
  unhealthyStarts: number;
  integrityFailures: number;
  lostAckedRows: number;
  badChecksums: number;
  /** Counter ≠ row count: a transaction was partially applied. */
  atomicityViolations: number;
  /** Temp files present after a start completed. */
  orphanTempFiles: number;
  /** Kills that landed before the child's store was open (during recovery/replay/initial compaction). */
  killsDuringOpen: number;
  /** Kills that landed between a compaction's start and finish. */
  killsDuringCompaction: number;
  /** Starts that discarded a torn (unacknowledged) last journal record. */
  tornTailsDiscarded: number;
  /** Starts that removed temp files left by an interrupted compaction. */
  tempFilesCleaned: number;
  elapsedMs: number;
  /** First failures, human-readable; empty when every check passed. */
  failures: string[];
}

/** Locates the compiled child script next to this module, or under build/ when running from source. */
export function defaultChildScript(): string {
  const here = fileURLToPath(import.meta.url);
  const candidate = here.endsWith('.js')
    ? join(dirname(here), 'killChild.js')
    : resolve(dirname(here), '../../../build/main/store/harness/killChild.js');
  return candidate;
}

interface Child {
  proc: ChildProcessWithoutNullStreams;
  lines: string[];
  loaded: Promise<void>;
  closed: Promise<void>;
  ready: boolean;
  /** The child's own report of its start (see killChild.ts). */
  readyReport: { ok: boolean; message: string; quarantined: number; torn: number; temp: number; tempAfter: number; integrity: string } | undefined;
  inCompaction: boolean;
  ackedIds: number[];
  ackedTx: number;
  stderr: string;
}

function startChild(script: string, flags: string[]): Child {
  // A child lives < 1 s: optimizing sql.js's WASM (TurboFan tier-up) would only burn CPU the
  // other lanes need. The code under test is JS + file I/O; the WASM tier does not change it.
  const proc = spawn(process.execPath, ['--liftoff-only', script, ...flags], { stdio: ['pipe', 'pipe', 'pipe'] });
  const c: Child = { proc, lines: [], ready: false, readyReport: undefined, inCompaction: false, ackedIds: [], ackedTx: 0, stderr: '', loaded: Promise.resolve(), closed: Promise.resolve() };
  let buf = '';
  let onLoaded: () => void = () => {};
  let onLoadFail: (e: Error) => void = () => {};
  c.loaded = new Promise<void>((res, rej) => {
    onLoaded = res;
    onLoadFail = rej;
  });
  c.loaded.catch(() => {});
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('ack ')) {
        for (const id of line.slice(4).split(',')) c.ackedIds.push(Number(id));
        c.ackedTx++;
      } else if (line === 'c+') c.inCompaction = true;
      else if (line === 'c-') c.inCompaction = false;
      else if (line === 'loaded') onLoaded();
      else if (line.startsWith('ready ')) {
        c.ready = true;
        c.readyReport = JSON.parse(line.slice(6)) as Child['readyReport'];
      }
      else c.lines.push(line);
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d: string) => {
    if (c.stderr.length < 4000) c.stderr += d;
  });
  c.closed = new Promise<void>((res) => proc.on('close', () => res()));
  proc.on('close', () => onLoadFail(new Error(`child exited before loading: ${c.stderr.slice(0, 500)}`)));
  return c;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the kill -9 harness. Resolves with counts; never rejects for a failed check (see `failures`).
 * Requires the compiled build (`npx tsc -b`).
 */
export async function runKillHarness(opts: KillHarnessOptions): Promise<KillHarnessReport> {
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const lanes = Math.max(1, opts.lanes ?? 2);
  const maxRunMs = opts.maxRunMs ?? 150;
  const verifyEvery = Math.max(1, opts.verifyEvery ?? 4);
  const script = opts.childScript ?? defaultChildScript();
  if (!existsSync(script)) throw new Error(`kill harness child not found at ${script}; run \`npx tsc -b\` first`);
  const root = opts.dir ?? mkdtempSync(join(tmpdir(), 'hf-kill-'));
  const childFlags = [...(opts.warmChildren ? ['--warm'] : []), ...(opts.brokenAckEarly ? ['--ack-early'] : [])];
  const started = performance.now();
  const r: KillHarnessReport = {
    seed,
    kills: 0,
    lanes,
    startsChecked: 0,
    parentVerifications: 0,
    ackedTransactions: 0,
    ackedRows: 0,
    openFailures: 0,
    unhealthyStarts: 0,
    integrityFailures: 0,
    lostAckedRows: 0,
    badChecksums: 0,
    atomicityViolations: 0,
    orphanTempFiles: 0,
    killsDuringOpen: 0,
    killsDuringCompaction: 0,
    tornTailsDiscarded: 0,
    tempFilesCleaned: 0,
    elapsedMs: 0,
    failures: [],
  };
  const fail = (msg: string): void => {
    if (r.failures.length < 20) r.failures.push(msg);
  };
  let done = 0;

  async function lane(index: number, kills: number): Promise<void> {
    const rand = prng(seed + index * 7919);
    const dir = join(root, `lane${index}`);
    const path = join(dir, 'kill.db');
    const acked = new Set<number>();
    let warm = startChild(script, childFlags);
    try {
      await runKills();
    } finally {
      warm.proc.kill('SIGKILL');
      await warm.closed;
    }

    async function runKills(): Promise<void> {
      for (let k = 0; k < kills; k++) {
        const child = warm;
        await child.loaded;
        warm = startChild(script, childFlags);
        const compactEveryWrites = [3, 10, 40, 200][Math.floor(rand() * 4)] as number;
        child.proc.stdin.write(`${JSON.stringify({ path, compactEveryWrites, seed: Math.floor(rand() * 2 ** 31) })}\n`);
        if (rand() < 0.2) {
          await sleep(rand() * 40);
        } else {
          const deadline = performance.now() + 5_000;
          while (!child.ready && performance.now() < deadline && child.proc.exitCode === null) await sleep(1);
          await sleep(rand() * maxRunMs);
        }
        child.proc.kill('SIGKILL');
        await child.closed;
        r.kills++;
        // Every line printed before the kill is in the pipe, so the state at the kill is exact.
        if (!child.ready) r.killsDuringOpen++;
        if (child.inCompaction) r.killsDuringCompaction++;
        for (const l of child.lines) if (l.startsWith('error') || l.startsWith('log')) fail(`lane ${index} kill ${k}: child said ${l.slice(0, 300)}`);
        for (const id of child.ackedIds) acked.add(id);
        r.ackedTransactions += child.ackedTx;
        r.ackedRows += child.ackedIds.length;
        if (child.readyReport && k > 0) checkChildStart(`lane ${index} start after kill ${k - 1} (seed ${seed})`, child.readyReport);
        if ((k + 1) % verifyEvery === 0 || k === kills - 1) await verify(index, k, dir, path, acked);
        opts.onProgress?.(++done, opts.kills);
  }
    }
  }

  function checkChildStart(where: string, rep: NonNullable<Child['readyReport']>): void {
    r.startsChecked++;
    if (!rep.ok || rep.quarantined > 0) {
      r.unhealthyStarts++;
      fail(`${where}: startup report not clean: ${rep.message}`);
    }
    if (rep.torn > 0) r.tornTailsDiscarded++;
    if (rep.temp > 0) r.tempFilesCleaned++;
    if (rep.integrity !== 'ok') {
      r.integrityFailures++;
      fail(`${where}: integrity_check: ${rep.integrity}`);
    }
    if (rep.tempAfter > 0) {
      r.orphanTempFiles += rep.tempAfter;
      fail(`${where}: ${rep.tempAfter} temp file(s) after start`);
    }
  }

  async function verify(index: number, k: number, dir: string, path: string, acked: Set<number>): Promise<void> {
    const where = `lane ${index} kill ${k} (seed ${seed})`;
    let store;
    try {
      store = await openStore({ path });
    } catch (e) {
      r.openFailures++;
      fail(`${where}: reopen failed: ${(e as Error).message}`);
      return;
    }
    r.startsChecked++;
    r.parentVerifications++;
    try {
      const rep = store.startupReport;
      if (!rep.ok || rep.quarantined.length > 0) {
        r.unhealthyStarts++;
        fail(`${where}: startup report not clean: ${rep.message}`);
      }
      if (rep.discardedTornBytes > 0) r.tornTailsDiscarded++;
      if (rep.removedTempFiles.length > 0) r.tempFilesCleaned++;
      const ic = store.integrityCheck();
      if (ic !== 'ok') {
        r.integrityFailures++;
        fail(`${where}: integrity_check: ${ic}`);
      }
      const temps = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      if (temps.length > 0) {
        r.orphanTempFiles += temps.length;
        fail(`${where}: temp files after start: ${temps.join(', ')}`);
      }
      const hasTable = store.all("SELECT 1 AS x FROM sqlite_master WHERE name = 'kill_rows'").length > 0;
      if (!hasTable) {
        if (acked.size > 0) {
          r.lostAckedRows += acked.size;
          fail(`${where}: table missing with ${acked.size} acknowledged rows`);
        }
        return;
      }
      const present = new Set<number>();
      for (const row of store.all('SELECT id, tx, payload, checksum FROM kill_rows')) {
        const id = Number(row.id);
        present.add(id);
        if (rowChecksum(id, Number(row.tx), String(row.payload)) !== row.checksum) {
          r.badChecksums++;
          fail(`${where}: bad checksum on row ${id}`);
        }
      }
      let lost = 0;
      for (const id of acked) if (!present.has(id)) lost++;
      if (lost > 0) {
        r.lostAckedRows += lost;
        fail(`${where}: ${lost} acknowledged row(s) lost`);
      }
      const counter = Number(store.all("SELECT v FROM kill_meta WHERE k = 'rows'")[0]?.v);
      if (counter !== present.size) {
        r.atomicityViolations++;
        fail(`${where}: counter ${counter} ≠ ${present.size} rows`);
      }
    } finally {
      store.close();
    }
  }

  const per = Math.floor(opts.kills / lanes);
  try {
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i, per + (i < opts.kills % lanes ? 1 : 0))));
  } finally {
    r.elapsedMs = Math.round(performance.now() - started);
    if (!opts.dir && r.failures.length === 0) rmSync(root, { recursive: true, force: true });
    else if (r.failures.length > 0) r.failures.push(`store files kept in ${root}`);
  }
  return r;
}
