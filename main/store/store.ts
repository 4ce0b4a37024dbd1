/** openStore: lock, recover, migrate, and hand out repositories over the durable database. */
import type { Clock, Logger } from '../../core/ports/clock.js';
import type { Repositories } from '../../core/ports/store.js';
import { AppError } from '../../contract/errors.js';
import { DurableDb } from './durableDb.js';
import type { RunResult } from './durableDb.js';
import { StoreFiles } from './files.js';
import type { StoreFs } from './fsFacade.js';
import { nodeFs } from './fsFacade.js';
import { acquireLock } from './lock.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { recover } from './recovery.js';
import type { StartupReport } from './recovery.js';
import { createRepositories } from './repositories.js';
import type { Row, SqlParams } from './sql.js';
import { loadSqlJs } from './sqljs.js';

export const DAY_MS = 86_400_000;

export interface StoreOptions {
  /** Store path, e.g. `<userData>/handsfree.db`; its files are this path plus suffixes (see files.ts). The directory is created if missing. */
  path: string;
  /** Defaults to the system clock. */
  clock?: Clock;
  /** Defaults to a no-op logger. */
  logger?: Logger;
  /** Write a new snapshot generation after this many journaled writes (default 1000). */
  compactEveryWrites?: number;
  /**
   * A count-triggered compaction also waits until the journal reaches this fraction of the last
   * snapshot's size (default 0: count alone). The app uses 1, so compaction stays O(1) per write.
   */
  journalToSnapshotRatio?: number;
  /** Also compact once the journal reaches this size in bytes (default 32 MiB). */
  maxJournalBytes?: number;
  /** Snapshot generations kept on disk (default 3). */
  keepGenerations?: number;
  /** prune() deletes commands and notifications older than this many days (default 90). */
  retentionDays?: number;
  /** File-system facade, for fault injection in tests. */
  fs?: StoreFs;
}

export interface PruneResult {
  commands: number;
  notifications: number;
}

export interface Store {
  /** The resolved store path (the base name of its files). */
  readonly path: string;
  readonly repos: Repositories;
  /** What start-up found: clean open, crash recovery, or damage quarantined and restored. */
  readonly startupReport: StartupReport;
  /** `PRAGMA integrity_check` + `foreign_key_check` + writability: 'ok' or details. */
  integrityCheck(): string;
  /** Writes a new snapshot generation and starts a new journal (O(size)); refused inside a transaction. */
  compact(): void;
  /**
   * Deletes commands and notifications older than the retention period, durably.
   * @param nowMs wall-clock epoch ms.
   */
  prune(nowMs: number): PruneResult;
  /** One durable write (returns after fdatasync). Deterministic SQL only: pass times/ids as params. */
  run(sql: string, params?: SqlParams): RunResult;
  /** Read rows. */
  all(sql: string, params?: SqlParams): Row[];
  /** Runs `fn` (synchronous) as one atomic durable transaction; run()/repository writes inside join it. */
  transaction<T>(fn: () => T): T;
  /** Releases the lock and closes files. Idempotent. */
  close(): void;
}

const SYSTEM_CLOCK: Clock = { nowMs: () => Date.now(), monotonicMs: () => performance.now() };
const NO_LOG: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => NO_LOG };

/**
 * Opens (creating if needed) the store at `opts.path`: takes the single-writer lock, recovers from
 * the newest good snapshot + journal (quarantining damaged files, see `startupReport`), and
 * applies migrations.
 * @throws StoreLockedError if another live process has the store open.
 * @throws AppError('store_failed') if the directory cannot be used or the schema is newer than this app.
 */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const logger = opts.logger ?? NO_LOG;
  const fs = opts.fs ?? nodeFs;
  const files = new StoreFiles(opts.path);
  const retentionMs = (opts.retentionDays ?? 90) * DAY_MS;
  const SQL = await loadSqlJs();
  try {
    fs.mkdirSync(files.dir);
  } catch (e) {
    throw new AppError('store_failed', `cannot create the store directory ${files.dir}`, { reason: 'mkdir' }, { cause: e });
  }
  const lock = acquireLock(fs, files.lock, clock.nowMs());
  let db: DurableDb | undefined;
  try {
    if (lock.tookOver) logger.info({ lock: lock.path }, 'store: took over a stale lock left by a process that exited');
    let recovered;
    try {
      recovered = recover(SQL, fs, files, clock, logger);
    } catch (e) {
      throw new AppError('store_failed', `cannot read the store: ${(e as Error).message}`, { reason: 'recover' }, { cause: e });
    }
    db = new DurableDb({
      SQL,
      db: recovered.db,
      files,
      fs,
      logger,
      lastSeq: recovered.lastSeq,
      nextGen: recovered.nextGen,
      journal: recovered.journal,
      compactEveryWrites: Math.max(1, opts.compactEveryWrites ?? 1000),
      maxJournalBytes: opts.maxJournalBytes ?? 32 * 1024 * 1024,
      journalToSnapshotRatio: Math.max(0, opts.journalToSnapshotRatio ?? 0),
      keepGenerations: Math.max(1, opts.keepGenerations ?? 3),
    });
    // No journal to continue (new store, or recovery changed things): start a fresh generation now.
    if (!recovered.journal) db.compact();
    migrate(db, MIGRATIONS, clock.nowMs());
    const d = db;
    const store: Store = {
      path: files.path,
      repos: createRepositories(d, clock),
      startupReport: recovered.report,
      integrityCheck: () => d.integrityCheck(),
      compact: () => d.compact(),
      prune: (nowMs) => {
        const cutoff = nowMs - retentionMs;
        return d.transaction(() => ({
          commands: d.run('DELETE FROM commands WHERE at_ms < ?', [cutoff]).changes,
          notifications: d.run('DELETE FROM notifications WHERE updated_at_ms < ?', [cutoff]).changes,
        }));
      },
      run: (sql, params) => d.run(sql, params),
      all: (sql, params) => d.all(sql, params),
      transaction: (fn) => d.transaction(fn),
      close: () => {
        d.close();
        lock.release();
      },
    };
    return store;
  } catch (e) {
    db?.close();
    lock.release();
    throw e;
  }
}
