/**
 * Single-writer lock: an exclusively created lock file next to the store holding the owner's pid.
 * A lock left by a process that no longer exists is taken over.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { AppError } from '../../contract/errors.js';
import type { StoreFs } from './fsFacade.js';
import { tryQuietly, writeAll } from './fsFacade.js';

/** Thrown by openStore when another live process (or another Store in this process) holds the lock. */
export class StoreLockedError extends AppError {
  readonly lockPath: string;
  /** Pid of the holder, when the lock file names one. */
  readonly holderPid: number | undefined;

  constructor(lockPath: string, holderPid: number | undefined) {
    super('store_failed', `the store is already open in another process${holderPid ? ` (pid ${holderPid})` : ''}: ${lockPath}`, {
      reason: 'locked',
      holderPid,
    });
    this.name = 'StoreLockedError';
    this.lockPath = lockPath;
    this.holderPid = holderPid;
  }
}

interface LockContent {
  pid: number;
  host: string;
  atMs: number;
  /** Linux: the process start time (clock ticks since boot), so a recycled pid is not mistaken for the owner. */
  start?: string;
}

/** Start time of `pid` from /proc (Linux only); undefined elsewhere or if unreadable. */
function processStart(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Lock files this process created: 'held' while a Store has it (a second open here is refused),
 * 'leftover' when this process failed to remove it (taken over: nobody holds it).
 */
const createdHere = new Map<string, 'held' | 'leftover'>();

function removeOwnLock(fsx: StoreFs, file: string): void {
  try {
    fsx.unlinkSync(file);
    createdHere.delete(file);
  } catch {
    createdHere.set(file, 'leftover');
  }
}

/** A lock file younger than this whose content cannot be parsed may be mid-creation: treated as held. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

function isAlive(held: LockContent): boolean {
  try {
    process.kill(held.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid exists; on Linux also require the same process (pids are recycled, pid_max may be 32768).
  const start = held.start === undefined ? undefined : processStart(held.pid);
  return start === undefined || start === held.start;
}

function readLock(fsx: StoreFs, file: string): LockContent | undefined {
  try {
    const o = JSON.parse(fsx.readFileSync(file).toString('utf8')) as Partial<LockContent>;
    if (Number.isSafeInteger(o.pid) && typeof o.host === 'string') {
      return { pid: o.pid as number, host: o.host, atMs: Number(o.atMs), ...(typeof o.start === 'string' ? { start: o.start } : {}) };
    }
  } catch {
    /* unreadable: decided by the caller */
  }
  return undefined;
}

export interface HeldLock {
  readonly path: string;
  /** True when a stale lock of a dead process was replaced. */
  readonly tookOver: boolean;
  release(): void;
}

/**
 * Takes the lock at `file`. Throws StoreLockedError if a live process holds it.
 * @param nowMs wall-clock epoch ms, recorded in the lock.
 */
export function acquireLock(fsx: StoreFs, file: string, nowMs: number): HeldLock {
  const start = processStart(process.pid);
  const mine: LockContent = { pid: process.pid, host: hostname(), atMs: nowMs, ...(start !== undefined ? { start } : {}) };
  // The lock appears with its content in one step (write a temp file, then link it into place,
  // which fails if the lock exists), so a process killed mid-way never leaves an empty lock.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = fsx.openSync(tmp, 'w', 0o600);
    try {
      writeAll(fsx, fd, Buffer.from(JSON.stringify(mine)), 0);
    } finally {
      fsx.closeSync(fd);
    }
  } catch (e) {
    tryQuietly(() => fsx.unlinkSync(tmp));
    throw new AppError('store_failed', `cannot write the store lock ${file}: ${(e as Error).message}`, { reason: 'lock_io' }, { cause: e });
  }
  try {
    return takeLock(fsx, file, tmp, mine);
  } finally {
    tryQuietly(() => fsx.unlinkSync(tmp));
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Creates `file` with the lock content, failing with EEXIST if it exists. */
function createExclusive(fsx: StoreFs, file: string, tmp: string, mine: LockContent): void {
  try {
    fsx.linkSync(tmp, file);
    return;
  } catch (e) {
    if (!NO_HARD_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
  // File systems without hard links (FAT, some network shares): exclusive create, then write.
  const fd = fsx.openSync(file, 'wx', 0o600);
  try {
    writeAll(fsx, fd, Buffer.from(JSON.stringify(mine)), 0);
  } catch (e) {
    tryQuietly(() => fsx.closeSync(fd));
    tryQuietly(() => fsx.unlinkSync(file));
    throw e;
  }
  fsx.closeSync(fd);
}

/** Names one particular lock file's content (or, unreadable, its mtime), for its takeover guard. */
function lockIdentity(fsx: StoreFs, file: string, held: LockContent | undefined): string {
  const raw = held ? `${held.pid}-${held.atMs}-${held.start ?? ''}-${held.host}` : `unreadable-${fsx.mtimeMs(file) ?? 0}`;
  return raw.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}

function sameLock(a: LockContent | undefined, b: LockContent): boolean {
  return a !== undefined && a.pid === b.pid && a.atMs === b.atMs && a.start === b.start && a.host === b.host;
}

/** Guards nest at most this deep (a guard left by a killed taker is removed under a guard of its own). */
const MAX_GUARD_LEVELS = 3;

/** Level 0 guards a stale lock; level n guards the removal of an abandoned level n-1 guard. */
function guardPath(lockFile: string, level: number, identity: string): string {
  return `${lockFile}.takeover${level === 0 ? '' : level + 1}.${identity}`;
}

/**
 * Removes the stale lock (or abandoned guard) `file`, whose content was read as `held`,
 * compare-and-delete style: the remover first creates a guard file named after that exact
 * content (one process wins it), then checks `file` still has that content, and only then unlinks
 * it. A process that loses the guard, or finds other content in place, removes nothing.
 * Returns false when this process may not take over.
 */
function removeStale(fsx: StoreFs, lockFile: string, file: string, held: LockContent | undefined, tmp: string, mine: LockContent, level = 0): boolean {
  const identity = lockIdentity(fsx, file, held);
  const guard = guardPath(lockFile, level, identity);
  if (!claimGuard(fsx, lockFile, guard, tmp, mine, level)) return false;
  try {
    const now = readLock(fsx, file);
    // An unreadable file is still the same one only if its mtime did not change since it was read.
    const stillStale = held === undefined ? now === undefined && lockIdentity(fsx, file, undefined) === identity : sameLock(now, held);
    if (!stillStale) return false;
    tryQuietly(() => fsx.unlinkSync(file));
    return true;
  } finally {
    // The stale file is gone (or was not ours to remove): the guard has done its job.
    tryQuietly(() => fsx.unlinkSync(guard));
  }
}

/**
 * Creates `guard` holding this process, atomically with its content. A guard whose taker was
 * killed before removing it would otherwise refuse every later takeover of that stale lock for
 * good (seen in the kill -9 harness): a guard of a dead process on this host, or an unreadable
 * one past the grace period, is removed like a stale lock, under a guard one level up.
 */
function claimGuard(fsx: StoreFs, lockFile: string, guard: string, tmp: string, mine: LockContent, level: number): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createExclusive(fsx, guard, tmp, mine);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    if (level + 1 >= MAX_GUARD_LEVELS) return false;
    const owner = readLock(fsx, guard);
    if (owner) {
      if (owner.host !== mine.host || isAlive(owner)) return false; // another taker is at work
    } else {
      const mtime = fsx.mtimeMs(guard);
      // Gone meanwhile (its taker finished): try again. Fresh: maybe being written.
      if (mtime !== undefined && Date.now() - mtime < UNREADABLE_LOCK_GRACE_MS) return false;
      if (mtime === undefined) continue;
    }
    if (!removeStale(fsx, lockFile, guard, owner, tmp, mine, level + 1)) return false;
  }
  return false;
}

function takeLock(fsx: StoreFs, file: string, tmp: string, mine: LockContent): HeldLock {
  let tookOver = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createExclusive(fsx, file, tmp, mine);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AppError('store_failed', `cannot create the store lock ${file}: ${(e as Error).message}`, { reason: 'lock_io' }, { cause: e });
      }
      const held = readLock(fsx, file);
      const here = createdHere.get(file);
      // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, the liveness check below refuses our own live pid the same way
      if (here === 'held') throw new StoreLockedError(file, process.pid);
      if (here === 'leftover' && (!held || held.pid === process.pid)) {
        // Left by this process after a failed open or close: nobody holds it.
      } else if (held) {
        if (held.host !== mine.host || isAlive(held)) throw new StoreLockedError(file, held.pid);
      } else {
        // Unreadable (damaged, or written by an older version): give a writer a moment, then take over.
        const mtime = fsx.mtimeMs(file);
        if (mtime !== undefined && Date.now() - mtime < UNREADABLE_LOCK_GRACE_MS) throw new StoreLockedError(file, undefined);
      }
      // Stale: its owner is gone. Only one process may remove this stale lock: a plain unlink could
      // delete the fresh lock a faster taker has just created, and both would then be writers.
      if (!removeStale(fsx, file, file, held, tmp, mine)) throw new StoreLockedError(file, held?.pid);
      tookOver = true;
      continue;
    }
    let released = false;
    // Stryker disable next-line StringLiteral: equivalent, see the 'held' check in the loop above
    createdHere.set(file, 'held');
    return {
      path: file,
      tookOver,
      release() {
        if (released) return;
        released = true;
        removeOwnLock(fsx, file);
      },
    };
  }
  throw new StoreLockedError(file, readLock(fsx, file)?.pid);
}
