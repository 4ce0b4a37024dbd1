/**
 * Start-up recovery: pick the newest snapshot that verifies, replay the journals on top of it,
 * discard a torn last append, remove orphan temp files, quarantine anything damaged, and say
 * what happened.
 *
 * Journal ranges: journal i (sorted by generation) contributes the entries with
 * baseSeq_i < seq ≤ baseSeq_{i+1} (the next journal's header), or all after baseSeq_i if it is
 * the newest. Entries beyond the next header's baseSeq were never acknowledged (an append that
 * failed and could not be cut off before the store rotated to a new journal) and are ignored.
 */
import type { Database, SqlJsStatic, Statement } from 'sql.js';
import type { Clock, Logger } from '../../core/ports/clock.js';
import { DurableDb } from './durableDb.js';
import type { OpenJournal } from './durableDb.js';
import type { StoreFiles } from './files.js';
import type { StoreFs } from './fsFacade.js';
import { fsyncDir, tryQuietly } from './fsFacade.js';
import { decodeJournal } from './journal.js';
import type { DecodedJournal } from './journal.js';
import { decodeSnapshot } from './snapshot.js';

/** What start-up found and did. */
export interface StartupReport {
  /** False when anything was damaged, quarantined or lost; true after a clean start or an ordinary crash. */
  ok: boolean;
  /** One or more sentences for logs and the diagnostics screen. */
  message: string;
  /** Files moved aside (their new paths), kept for inspection. */
  quarantined: string[];
  /** The older snapshot the state was rebuilt from when a newer one was unusable; null otherwise. */
  restoredFrom: string | null;
  /** Snapshot the state was loaded from (null: empty database). */
  baseSnapshot: string | null;
  /** Journaled writes replayed on top of the snapshot. */
  replayedEntries: number;
  /** Bytes of an unacknowledged, partially written last journal record that were discarded. */
  discardedTornBytes: number;
  /** Orphan temp files (from an interrupted compaction) that were deleted. */
  removedTempFiles: string[];
  /** True when no store existed and a new one was created. */
  created: boolean;
  /** Sequence number of the last write recovered. */
  lastSeq: number;
}

export interface RecoveryResult {
  db: Database;
  lastSeq: number;
  nextGen: number;
  /** Journal to keep appending to; undefined = the caller must compact (start a new generation) first. */
  journal: OpenJournal | undefined;
  report: StartupReport;
}

interface JournalFile {
  gen: number;
  file: string;
  decoded: DecodedJournal;
  size: number;
}

function quarantine(fs: StoreFs, files: StoreFiles, file: string, nowMs: number, logger: Logger, out: string[]): void {
  const to = files.quarantineName(file, nowMs);
  try {
    fs.renameSync(file, to);
    out.push(to);
    logger.warn({ file, to }, 'store: damaged file quarantined');
  } catch (e) {
    logger.error({ file, err: String(e) }, 'store: could not quarantine a damaged file');
  }
}

function loadDb(SQL: SqlJsStatic, bytes: Uint8Array): Database | string {
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    // The snapshot's SHA-256 already proved the bytes are the ones written; quick_check (no
    // index cross-check, ~10× cheaper) catches a snapshot that was exported from a broken database.
    const ic = db.exec('PRAGMA quick_check')[0]?.values.map((r) => String(r[0])) ?? [];
    if (ic.length === 1 && ic[0] === 'ok') return db;
    db.close();
    return `quick_check: ${ic.slice(0, 3).join('; ')}`;
  } catch (e) {
    if (db) tryQuietly(() => db?.close());
    return `not a database: ${(e as Error).message}`;
  }
}

/**
 * Rebuilds the in-memory database from the files of `files`. Never throws for damaged files
 * (they are quarantined and reported); throws only if the directory cannot be read.
 */
export function recover(SQL: SqlJsStatic, fs: StoreFs, files: StoreFiles, clock: Clock, logger: Logger): RecoveryResult {
  const nowMs = clock.nowMs();
  const notes: string[] = [];
  const quarantined: string[] = [];
  const removedTempFiles: string[] = [];
  let damaged = false;

  const names = fs.readdirSync(files.dir);
  for (const n of names) {
    if (!files.isTemp(n)) continue;
    const p = `${files.dir}/${n}`;
    try {
      fs.unlinkSync(p);
      removedTempFiles.push(p);
    } catch (e) {
      logger.warn({ file: p, err: String(e) }, 'store: could not remove an orphan temp file');
    }
  }
  if (removedTempFiles.length > 0) notes.push(`Removed ${removedTempFiles.length} temp file(s) left by an interrupted compaction.`);

  const snapGens: number[] = [];
  const journalGens: number[] = [];
  for (const n of names) {
    const p = files.parse(n);
    if (p) (p.kind === 'snap' ? snapGens : journalGens).push(p.gen);
  }
  let maxGen = Math.max(0, ...snapGens, ...journalGens);

  if (snapGens.length === 0 && journalGens.length === 0) {
    return {
      db: new SQL.Database(),
      lastSeq: 0,
      nextGen: maxGen + 1,
      journal: undefined,
      report: {
        ok: true,
        message: ['Created a new store.', ...notes].join(' '),
        quarantined,
        restoredFrom: null,
        baseSnapshot: null,
        replayedEntries: 0,
        discardedTornBytes: 0,
        removedTempFiles,
        created: true,
        lastSeq: 0,
      },
    };
  }

  // Journals: decode all (there are at most a few generations), drop those without a valid header.
  const journals: JournalFile[] = [];
  for (const gen of journalGens.sort((a, b) => a - b)) {
    const file = files.file('journal', gen);
    const buf = fs.readFileSync(file);
    const decoded = decodeJournal(buf);
    if (!decoded.header || decoded.header.gen !== gen) {
      damaged = true;
      notes.push(`Journal ${gen} is unreadable (${decoded.problem ?? 'header names another generation'}).`);
      quarantine(fs, files, file, nowMs, logger, quarantined);
      continue;
    }
    journals.push({ gen, file, decoded, size: buf.length });
  }

  // Base: newest snapshot that verifies (checksum + integrity_check).
  // Older generations are verified too (checksum only), so a damaged backup is found now rather
  // than on the day it is needed.
  let db: Database | undefined;
  let base: { gen: number; baseSeq: number; file: string } | undefined;
  let skippedNewer = false;
  for (const gen of snapGens.sort((a, b) => b - a)) {
    const file = files.file('snap', gen);
    const dec = decodeSnapshot(fs.readFileSync(file));
    const problem = !dec.ok ? dec.problem : dec.meta.gen !== gen ? 'header names another generation' : undefined;
    if (base) {
      if (problem) {
        damaged = true;
        notes.push(`Older snapshot ${gen} is damaged (${problem}); the current data does not need it.`);
        quarantine(fs, files, file, nowMs, logger, quarantined);
      }
      continue;
    }
    let loaded: Database | string | undefined;
    if (!problem && dec.ok) loaded = loadDb(SQL, dec.db);
    if (problem || typeof loaded === 'string' || !loaded || !dec.ok) {
      damaged = true;
      skippedNewer = true;
      notes.push(`Snapshot ${gen} is damaged (${problem ?? String(loaded)}).`);
      quarantine(fs, files, file, nowMs, logger, quarantined);
      continue;
    }
    db = loaded;
    base = { gen, baseSeq: dec.meta.baseSeq, file };
  }
  if (!db) {
    db = new SQL.Database();
    if (snapGens.length > 0) notes.push('No usable snapshot: rebuilding from an empty database and the journals.');
  }

  // Replay.
  let lastSeq = base?.baseSeq ?? 0;
  let replayed = 0;
  let mismatches = 0;
  let discardedTornBytes = 0;
  let lastUsed: JournalFile | undefined;
  let chainBroken = false;
  /** True when journaled writes could not be recovered (as opposed to damage to files not needed). */
  let lostWrites = false;
  const stmts = new Map<string, Statement>();
  for (let i = 0; i < journals.length; i++) {
    const j = journals[i] as JournalFile;
    const header = j.decoded.header as { gen: number; baseSeq: number };
    const limit = journals[i + 1]?.decoded.header?.baseSeq ?? Number.POSITIVE_INFINITY;
    if (chainBroken) {
      notes.push(`Journal ${j.gen} cannot be applied after the gap.`);
      quarantine(fs, files, j.file, nowMs, logger, quarantined);
      continue;
    }
    if (limit <= lastSeq) {
      // Everything it holds is already in the base; still, report damage rather than keep a bad file.
      if (j.decoded.tail === 'corrupt') {
        damaged = true;
        notes.push(`Older journal ${j.gen} is damaged (${j.decoded.problem ?? ''}); the current data does not need it.`);
        quarantine(fs, files, j.file, nowMs, logger, quarantined);
      }
      continue;
    }
    if (header.baseSeq > lastSeq) {
      damaged = true;
      chainBroken = true;
      lostWrites = true;
      notes.push(`Writes ${lastSeq + 1}–${header.baseSeq} are missing (journal ${j.gen} starts after them).`);
      quarantine(fs, files, j.file, nowMs, logger, quarantined);
      continue;
    }
    let failed = false;
    for (const e of j.decoded.entries) {
      if (e.seq <= lastSeq) continue;
      if (e.seq > limit) break;
      try {
        if (!DurableDb.replayEntry(db, e.ops, stmts)) mismatches++;
      } catch (err) {
        failed = true;
        damaged = true;
        lostWrites = true;
        notes.push(`Write ${e.seq} in journal ${j.gen} failed to replay (${(err as Error).message}).`);
        break;
      }
      lastSeq = e.seq;
      replayed++;
    }
    lastUsed = j;
    const reachedLimit = limit === Number.POSITIVE_INFINITY || lastSeq >= limit;
    if (j.decoded.tail === 'torn' && !failed) {
      discardedTornBytes += j.size - j.decoded.goodBytes;
      if (limit === Number.POSITIVE_INFINITY) notes.push(`Discarded an unacknowledged partial write (${j.size - j.decoded.goodBytes} bytes).`);
    }
    if (j.decoded.tail === 'corrupt' || failed) {
      if (!reachedLimit || limit === Number.POSITIVE_INFINITY) {
        damaged = true;
        lostWrites = true;
        notes.push(`Journal ${j.gen} is damaged (${j.decoded.problem ?? 'replay failed'}); recovered its writes up to ${lastSeq}.`);
      }
      quarantine(fs, files, j.file, nowMs, logger, quarantined);
      lastUsed = undefined;
    }
  }
  for (const s of stmts.values()) tryQuietly(() => void s.free());
  if (mismatches > 0) {
    damaged = true;
    notes.push(`${mismatches} replayed write(s) changed a different number of rows than originally (non-deterministic SQL?).`);
  }
  maxGen = Math.max(maxGen, ...journals.map((j) => j.gen));

  // Keep appending to the newest journal only in the ordinary case: it belongs to the base
  // snapshot (or to the empty base), nothing was quarantined, and its torn tail can be cut off.
  let journal: OpenJournal | undefined;
  const newest = journals[journals.length - 1];
  if (!damaged && quarantined.length === 0 && lastUsed && lastUsed === newest && lastUsed.gen === (base?.gen ?? lastUsed.gen) && (base || lastUsed.decoded.header?.baseSeq === 0)) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(lastUsed.file, 'r+');
      if (lastUsed.decoded.goodBytes !== lastUsed.size) {
        fs.ftruncateSync(fd, lastUsed.decoded.goodBytes);
        fs.fdatasyncSync(fd);
      }
      journal = { file: lastUsed.file, gen: lastUsed.gen, fd, size: lastUsed.decoded.goodBytes };
    } catch (e) {
      if (fd !== undefined) {
        const f = fd;
        tryQuietly(() => fs.closeSync(f));
      }
      logger.warn({ file: lastUsed.file, err: String(e) }, 'store: cannot reuse the journal; starting a new generation');
    }
  }
  if (quarantined.length > 0 || removedTempFiles.length > 0) tryQuietly(() => fsyncDir(fs, files.dir));

  const restoredFrom = skippedNewer || lostWrites ? (base?.file ?? null) : null;
  if (skippedNewer || lostWrites) {
    notes.unshift(`Store damage detected; restored ${base ? `from snapshot ${base.gen}` : 'from an empty database'} plus ${replayed} journaled write(s) (up to write ${lastSeq}).`);
  } else if (damaged) {
    notes.unshift('Store damage detected in files the current data does not need; they were set aside.');
  }
  const message = notes.length > 0 ? notes.join(' ') : `Opened cleanly (${replayed} journaled write(s) replayed).`;
  if (damaged) logger.error({ quarantined, restoredFrom }, `store: ${message}`);
  else logger.info({ replayed, lastSeq }, `store: ${message}`);
  return {
    db,
    lastSeq,
    nextGen: maxGen + 1,
    journal,
    report: {
      ok: !damaged,
      message,
      quarantined,
      restoredFrom,
      baseSnapshot: base?.file ?? null,
      replayedEntries: replayed,
      discardedTornBytes,
      removedTempFiles,
      created: false,
      lastSeq,
    },
  };
}
