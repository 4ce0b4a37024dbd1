/**
 * The durable write path over an in-memory sql.js database.
 *
 * A write executes in memory inside a transaction, is appended to the journal as one record and
 * fdatasync'ed, and only then committed in memory and returned: the cost per write is one small
 * append + one fdatasync, independent of database size. If the append fails, the in-memory
 * transaction is rolled back and AppError('store_failed') is thrown, so memory never holds a
 * write the disk does not. Compaction (`export()` → new snapshot generation + new journal) runs
 * every `compactEveryWrites` writes and is the only O(size) step.
 */
import type { Database, SqlJsStatic, Statement } from 'sql.js';
import { AppError } from '../../contract/errors.js';
import type { Logger } from '../../core/ports/clock.js';
import type { StoreFiles } from './files.js';
import type { StoreFs } from './fsFacade.js';
import { fsyncDir, tryQuietly, writeAll, writeTempThenRename } from './fsFacade.js';
import { encodeEntry, encodeHeader, MAX_RECORD_BYTES } from './journal.js';
import type { JournalOp } from './journal.js';
import { encodeSnapshot } from './snapshot.js';
import type { Row, SqlParams, SqlValue } from './sql.js';
import { assertDeterministicWrite, assertParams, assertRead, decodeParams, encodeParams, isDml } from './sql.js';

/** Connection settings; sql.js versions before 1.14 reset them on every export(), so they are re-applied after each. */
const PRAGMAS = 'PRAGMA foreign_keys = ON; PRAGMA journal_mode = MEMORY; PRAGMA temp_store = MEMORY;';

/** Prepared statements kept (least recently used are freed beyond this). */
const STATEMENT_CACHE_SIZE = 256;

export interface RunResult {
  /** Rows changed by an INSERT/UPDATE/DELETE (0 for other statements). */
  changes: number;
  lastInsertRowid: number;
}

export interface OpenJournal {
  file: string;
  gen: number;
  fd: number;
  /** Current length in bytes; the next record is written here. */
  size: number;
}

export interface DurableDbOptions {
  SQL: SqlJsStatic;
  db: Database;
  files: StoreFiles;
  fs: StoreFs;
  logger: Logger;
  /** Sequence number of the last write the database holds. */
  lastSeq: number;
  /** Generation number the next compaction uses. */
  nextGen: number;
  /** Journal to append to; undefined = compact() before the first write. */
  journal: OpenJournal | undefined;
  /** Compact after this many journaled writes. */
  compactEveryWrites: number;
  /** Compact once the journal exceeds this many bytes. */
  maxJournalBytes: number;
  /**
   * A count-triggered compaction also waits until the journal is this fraction of the last
   * snapshot's size (0: count alone). Keeps compaction O(1) amortized per write as the database
   * grows, so its stall (export + snapshot write) is rare instead of every N writes.
   */
  journalToSnapshotRatio: number;
  /** Snapshot generations kept on disk (≥ 1). */
  keepGenerations: number;
}

function storeFailed(message: string, cause: unknown, details?: Record<string, unknown>): AppError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new AppError('store_failed', `${message}${cause instanceof Error ? `: ${cause.message}` : ''}`, { ...details, ...(code ? { errno: code } : {}) }, { cause });
}

export class DurableDb {
  private readonly o: DurableDbOptions;
  private db: Database;
  private readonly stmts = new Map<string, Statement>();
  private journal: OpenJournal | undefined;
  private lastSeqValue: number;
  private nextGen: number;
  private writesSinceCompact = 0;
  private nextAutoCompactAt: number;
  /** Bytes of the last snapshot this process wrote (0 until the first compaction). */
  private snapshotBytes = 0;
  private txDepth = 0;
  private txOps: JournalOp[] = [];
  /** Why the journal cannot be appended to until a compaction succeeds. */
  private poisoned: string | undefined;
  /** A deferred-sync record was appended but not yet fdatasync'ed. */
  private pendingSync = false;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set by runDeferred() for the commit it triggers. */
  private deferCommit = false;
  private closed = false;

  constructor(o: DurableDbOptions) {
    this.o = o;
    this.db = o.db;
    this.journal = o.journal;
    this.lastSeqValue = o.lastSeq;
    this.nextGen = o.nextGen;
    this.nextAutoCompactAt = o.compactEveryWrites;
    this.applyPragmas();
  }

  /** Sequence number of the last durable write. */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** Generation of the journal being appended to (0 before the first compaction). */
  get generation(): number {
    return this.journal?.gen ?? 0;
  }

  get inTransaction(): boolean {
    return this.txDepth > 0;
  }

  /** Why writes currently fail, or undefined when writable. */
  get notWritableReason(): string | undefined {
    return this.poisoned;
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('store_failed', 'the store is closed', { reason: 'closed' });
  }

  private applyPragmas(): void {
    this.db.exec(PRAGMAS);
  }

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (s) {
      // Least-recently-used order: move to the end.
      this.stmts.delete(sql);
      this.stmts.set(sql, s);
    } else {
      // prepare() compiles the first statement only and silently drops the rest: refuse that.
      let count = 0;
      const it = this.db.iterateStatements(sql);
      for (const st of it) {
        count++;
        st.free();
      }
      if (count !== 1) throw new AppError('internal', `expected exactly one SQL statement, got ${count}`);
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
      if (this.stmts.size > STATEMENT_CACHE_SIZE) {
        const [oldest, st] = this.stmts.entries().next().value as [string, Statement];
        this.stmts.delete(oldest);
        tryQuietly(() => void st.free());
      }
    }
    return s;
  }

  private lastInsertRowid(): number {
    const s = this.stmt('SELECT last_insert_rowid()');
    try {
      s.step();
      const v = s.get()[0];
      return typeof v === 'number' ? v : 0;
    } finally {
      s.reset();
    }
  }

  private clearStatements(): void {
    for (const s of this.stmts.values()) tryQuietly(() => void s.free());
    this.stmts.clear();
  }

  /** Executes one journaled op in memory; returns rows changed (DML only). */
  private execOp(sql: string, params: SqlValue[] | Record<string, SqlValue> | null): number {
    if (params === null) {
      this.db.exec(sql);
      return 0;
    }
    this.stmt(sql).run(params as SqlValue[]);
    return isDml(sql) ? this.db.getRowsModified() : 0;
  }

  /**
   * Runs one write durably: returns after it is fdatasync'ed to the journal.
   * Inside transaction() it joins the enclosing transaction instead.
   * @throws AppError('store_failed') when the write could not be made durable (nothing changed).
   */
  run(sql: string, params?: SqlParams): RunResult {
    this.assertOpen();
    assertDeterministicWrite(sql);
    assertParams(params);
    if (this.txDepth === 0) return this.transaction(() => this.run(sql, params));
    const changes = this.execOp(sql, (params ?? []) as SqlValue[]);
    this.txOps.push([sql, encodeParams(params), changes]);
    return { changes, lastInsertRowid: this.lastInsertRowid() };
  }

  /**
   * Like run(), but the journal record is fdatasync'ed later: within DEFERRED_SYNC_MS, or by the
   * next durable write or close(), whichever comes first (group commit). For history that may be
   * lost on power failure but not reordered or corrupted: session context and the command log.
   * A killed process loses nothing (the record is in the OS page cache); a torn record is discarded
   * at open like any other. Inside transaction() it joins the enclosing (durable) transaction.
   */
  runDeferred(sql: string, params?: SqlParams): RunResult {
    if (this.txDepth > 0) return this.run(sql, params);
    this.deferCommit = true;
    try {
      return this.run(sql, params);
    } finally {
      this.deferCommit = false;
    }
  }

  /** fdatasyncs deferred records now (timer, close, compaction). A failure makes the next write compact. */
  flushDeferred(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    const journal = this.journal;
    if (!this.pendingSync || !journal) return;
    this.pendingSync = false;
    try {
      this.o.fs.fdatasyncSync(journal.fd);
    } catch (e) {
      // The records are committed in memory; the next write's compaction snapshots them durably.
      this.o.logger.error({ err: String(e), file: journal.file }, 'store: deferred fdatasync failed; compacting on the next write');
      this.poisoned = `deferred fdatasync failed (${(e as NodeJS.ErrnoException)?.code ?? String(e)})`;
    }
  }

  /** Runs a parameterless multi-statement script (DDL) inside the current transaction. */
  execScript(sql: string): void {
    this.assertOpen();
    if (this.txDepth === 0) throw new AppError('internal', 'execScript must run inside transaction()');
    assertDeterministicWrite(sql);
    this.execOp(sql, null);
    this.txOps.push([sql, null, 0]);
  }

  /** Reads rows. Sees uncommitted writes of the current transaction. */
  all(sql: string, params?: SqlParams): Row[] {
    this.assertOpen();
    assertRead(sql);
    assertParams(params);
    const s = this.stmt(sql);
    const rows: Row[] = [];
    try {
      s.bind((params ?? []) as SqlValue[]);
      while (s.step()) rows.push(s.getAsObject() as Row);
    } finally {
      s.reset();
    }
    return rows;
  }

  /** First row of all(), or undefined. */
  get(sql: string, params?: SqlParams): Row | undefined {
    return this.all(sql, params)[0];
  }

  /**
   * Runs `fn` as one atomic, durable transaction: all its writes reach the journal as one record
   * (or none do). Nested calls become savepoints. `fn` must be synchronous.
   * @throws AppError('store_failed') if the commit could not be made durable (everything rolled back).
   */
  transaction<T>(fn: () => T): T {
    this.assertOpen();
    if (this.txDepth > 0) return this.savepoint(fn);
    this.ensureWritable();
    this.db.exec('BEGIN');
    this.txDepth = 1;
    this.txOps = [];
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) throw new AppError('internal', 'transaction() callbacks must be synchronous');
    } catch (e) {
      this.txDepth = 0;
      this.txOps = [];
      this.rollbackQuietly();
      throw e;
    }
    this.txDepth = 0;
    const ops = this.txOps;
    this.txOps = [];
    this.commit(ops);
    return result;
  }

  private savepoint<T>(fn: () => T): T {
    const name = `sp${this.txDepth}`;
    const mark = this.txOps.length;
    this.db.exec(`SAVEPOINT ${name}`);
    this.txDepth++;
    try {
      const r = fn();
      if (r instanceof Promise) throw new AppError('internal', 'transaction() callbacks must be synchronous');
      this.db.exec(`RELEASE ${name}`);
      return r;
    } catch (e) {
      this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      this.txOps.length = mark;
      throw e;
    } finally {
      this.txDepth--;
    }
  }

  private rollbackQuietly(): void {
    tryQuietly(() => this.db.exec('ROLLBACK'));
  }

  private commit(ops: JournalOp[]): void {
    // A DML statement that changed no row has no effect to replay; a transaction of only those needs no disk write.
    const effective = ops.filter(([sql, , changes]) => changes > 0 || !isDml(sql));
    if (effective.length === 0) {
      this.db.exec('COMMIT');
      return;
    }
    const seq = this.lastSeqValue + 1;
    const journal = this.journal;
    if (!journal) {
      this.rollbackQuietly();
      throw new AppError('store_failed', 'no journal is open', { reason: 'no_journal' });
    }
    const at = journal.size;
    const record = encodeEntry({ seq, ops: effective });
    if (record.length > MAX_RECORD_BYTES) {
      this.rollbackQuietly();
      throw new AppError('store_failed', `transaction too large to journal (${record.length} bytes)`, { reason: 'too_large' });
    }
    const deferred = this.deferCommit;
    try {
      writeAll(this.o.fs, journal.fd, record, at);
      // One fdatasync also covers every deferred record appended before this one.
      if (!deferred) this.o.fs.fdatasyncSync(journal.fd);
    } catch (e) {
      this.rollbackQuietly();
      this.discardTail(journal, at, e);
      throw storeFailed('could not save (journal append failed)', e, { seq });
    }
    journal.size = at + record.length;
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      // Only reachable with deferred constraints; undo the record so it is never replayed.
      this.rollbackQuietly();
      journal.size = at;
      this.discardTail(journal, at, e);
      throw e;
    }
    this.lastSeqValue = seq;
    this.writesSinceCompact++;
    if (deferred) {
      this.pendingSync = true;
      if (!this.syncTimer) {
        this.syncTimer = setTimeout(() => this.flushDeferred(), DEFERRED_SYNC_MS);
        this.syncTimer.unref?.();
      }
    } else {
      this.pendingSync = false;
      if (this.syncTimer) clearTimeout(this.syncTimer);
      this.syncTimer = undefined;
    }
    this.maybeAutoCompact();
  }

  /**
   * After a failed append: cut the journal back so the unacknowledged record cannot be replayed,
   * and rotate to a new journal before the next write (an fsync error leaves the file's cached
   * state untrustworthy).
   */
  private discardTail(journal: OpenJournal, at: number, cause: unknown): void {
    try {
      this.o.fs.ftruncateSync(journal.fd, at);
      this.o.fs.fdatasyncSync(journal.fd);
    } catch (e) {
      this.o.logger.error({ err: String(e), file: journal.file }, 'store: could not truncate the journal after a failed append');
    }
    this.poisoned = `journal append failed (${(cause as NodeJS.ErrnoException)?.code ?? String(cause)})`;
  }

  private ensureWritable(): void {
    if (!this.journal && !this.poisoned) this.poisoned = 'no journal open';
    if (!this.poisoned) return;
    try {
      this.compact();
    } catch (e) {
      throw storeFailed(`the store is not writable (${this.poisoned})`, e, { reason: 'not_writable' });
    }
  }

  private maybeAutoCompact(): void {
    const journal = this.journal;
    const bySize = !journal || journal.size >= this.o.maxJournalBytes;
    const byCount = this.writesSinceCompact >= this.nextAutoCompactAt && (!journal || journal.size >= this.o.journalToSnapshotRatio * this.snapshotBytes);
    if (!bySize && !byCount) return;
    try {
      this.compact();
    } catch (e) {
      // The write itself is durable; retry compaction a little later rather than on every write.
      this.nextAutoCompactAt = this.writesSinceCompact + Math.max(1, Math.floor(this.o.compactEveryWrites / 4));
      this.o.logger.warn({ err: String(e) }, 'store: compaction failed; the journal keeps growing until it succeeds');
    }
  }

  /**
   * Writes a new snapshot generation from memory and starts a new journal. O(database size).
   * @throws AppError('store_failed') inside a transaction (refused, nothing rolled back) or on I/O failure.
   */
  compact(): void {
    this.flushDeferred();
    this.assertOpen();
    if (this.txDepth > 0) {
      throw new AppError('store_failed', 'refusing to compact inside a transaction (export() would end it)', { reason: 'in_transaction' });
    }
    const { fs, files, logger } = this.o;
    const gen = this.nextGen++;
    const baseSeq = this.lastSeqValue;
    const started = performance.now();
    logger.debug({ gen, baseSeq }, 'store: compaction started');
    let bytes: Uint8Array;
    try {
      bytes = this.db.export();
    } catch (e) {
      throw storeFailed('export failed', e, { reason: 'export' });
    } finally {
      this.afterExport();
    }
    const snapFile = files.file('snap', gen);
    const journalFile = files.file('journal', gen);
    try {
      writeTempThenRename(fs, snapFile, encodeSnapshot({ gen, baseSeq }, bytes));
    } catch (e) {
      throw storeFailed('could not write snapshot', e, { reason: 'snapshot', gen });
    }
    try {
      writeTempThenRename(fs, journalFile, encodeHeader({ gen, baseSeq }));
    } catch (e) {
      // The journal in use stays valid (recovery replays it on top of this snapshot); remove the snapshot anyway.
      tryQuietly(() => fs.unlinkSync(snapFile));
      throw storeFailed('could not create journal', e, { reason: 'journal', gen });
    }
    // From here the new journal exists, and recovery stops replaying the old one at baseSeq:
    // appends must go to the new journal.
    let dirError: unknown;
    try {
      fsyncDir(fs, files.dir);
    } catch (e) {
      dirError = e;
    }
    let fd: number;
    try {
      fd = fs.openSync(journalFile, 'r+');
    } catch (e) {
      try {
        fs.unlinkSync(journalFile);
      } catch {
        this.poisoned = 'new journal neither usable nor removable';
      }
      throw storeFailed('could not open the new journal', e, { reason: 'journal_open', gen });
    }
    let size: number;
    try {
      size = fs.fstatSize(fd);
    } catch (e) {
      tryQuietly(() => fs.closeSync(fd));
      this.poisoned = 'new journal not readable';
      throw storeFailed('could not stat the new journal', e, { reason: 'journal_open', gen });
    }
    const old = this.journal;
    this.journal = { file: journalFile, gen, fd, size };
    if (old) tryQuietly(() => fs.closeSync(old.fd));
    this.writesSinceCompact = 0;
    this.nextAutoCompactAt = this.o.compactEveryWrites;
    this.snapshotBytes = bytes.byteLength;
    if (dirError !== undefined) {
      this.poisoned = 'directory fsync failed';
      throw storeFailed('could not fsync the store directory', dirError, { reason: 'dir_fsync', gen });
    }
    this.poisoned = undefined;
    this.removeOldGenerations();
    logger.debug({ gen, baseSeq, bytes: bytes.byteLength, ms: Math.round(performance.now() - started) }, 'store: compaction finished');
  }

  private afterExport(): void {
    // sql.js < 1.14 closed and reopened the connection in export(): PRAGMAs reset, statements freed.
    const fk = this.db.exec('PRAGMA foreign_keys')[0]?.values[0]?.[0];
    if (fk !== 1) {
      this.clearStatements();
      this.o.logger.debug({}, 'store: connection was reset by export(); re-applying PRAGMAs');
    }
    this.applyPragmas();
  }

  private removeOldGenerations(): void {
    const { fs, files } = this.o;
    let names: string[];
    try {
      names = fs.readdirSync(files.dir);
    } catch {
      return;
    }
    const snaps: number[] = [];
    const journals: number[] = [];
    for (const n of names) {
      const p = files.parse(n);
      if (p) (p.kind === 'snap' ? snaps : journals).push(p.gen);
    }
    snaps.sort((a, b) => b - a);
    const kept = snaps.slice(0, this.o.keepGenerations);
    const oldestKept = kept.length > 0 ? Math.min(...kept) : 0;
    for (const g of snaps.slice(this.o.keepGenerations)) tryQuietly(() => fs.unlinkSync(files.file('snap', g)));
    for (const g of journals) if (g < oldestKept) tryQuietly(() => fs.unlinkSync(files.file('journal', g)));
  }

  /** Replays one journal entry during recovery; returns false if an op's row count differed (non-determinism). */
  static replayEntry(db: Database, ops: JournalOp[], stmts: Map<string, Statement>): boolean {
    let same = true;
    db.exec('BEGIN');
    try {
      for (const [sql, p, changes] of ops) {
        const params = decodeParams(p);
        let n = 0;
        if (params === null) db.exec(sql);
        else {
          let s = stmts.get(sql);
          if (!s) {
            s = db.prepare(sql);
            stmts.set(sql, s);
          }
          s.run(params as SqlValue[]);
          n = isDml(sql) ? db.getRowsModified() : 0;
        }
        if (isDml(sql) && n !== changes) same = false;
      }
      db.exec('COMMIT');
    } catch (e) {
      tryQuietly(() => db.exec('ROLLBACK'));
      throw e;
    }
    return same;
  }

  /** `PRAGMA integrity_check` + `foreign_key_check` + writability: 'ok' or a description of each problem. */
  integrityCheck(): string {
    this.assertOpen();
    const problems: string[] = [];
    const ic = this.db.exec('PRAGMA integrity_check')[0]?.values.map((r) => String(r[0])) ?? ['no result'];
    if (!(ic.length === 1 && ic[0] === 'ok')) problems.push(...ic);
    const fk = this.db.exec('PRAGMA foreign_key_check')[0]?.values ?? [];
    for (const r of fk) problems.push(`foreign key violation in ${String(r[0])} rowid ${String(r[1])} → ${String(r[2])}`);
    if (this.poisoned) problems.push(`not writable until the next successful compaction: ${this.poisoned}`);
    return problems.length === 0 ? 'ok' : problems.join('\n');
  }

  /** Closes the journal and the database. Idempotent; never throws (everything acknowledged is already durable). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.txDepth > 0) this.rollbackQuietly();
    this.flushDeferred();
    this.clearStatements();
    const j = this.journal;
    if (j) tryQuietly(() => this.o.fs.closeSync(j.fd));
    this.journal = undefined;
    tryQuietly(() => this.db.close());
  }
}

/** Longest a deferred-sync record waits for its fdatasync, in ms. */
export const DEFERRED_SYNC_MS = 50;

