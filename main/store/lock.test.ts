/**
 * The single-writer lock on its own (store.test.ts covers it through openStore): content, takeover
 * of stale locks, the compare-and-delete guard, hosts without hard links, and I/O failures.
 * Races are provoked deterministically through a file-system facade that acts at one call.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import { nodeFs, type StoreFs } from './fsFacade.js';
import { acquireLock, StoreLockedError, type HeldLock } from './lock.js';

let dir: string;
let file: string;
const held: HeldLock[] = [];
/** A pid that is certainly dead: a child that has already exited. */
const DEAD = spawnSync(process.execPath, ['-e', '0']).pid!;

function take(fsx: StoreFs = nodeFs, nowMs = 1234): HeldLock {
  const l = acquireLock(fsx, file, nowMs);
  held.push(l);
  return l;
}

function writeLock(content: object): void {
  writeFileSync(file, JSON.stringify(content));
}

const lockContent = (): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const errno = (code: string): Error => Object.assign(new Error(`${code}: injected`), { code });
const lockedErr = (e: unknown): StoreLockedError => {
  expect(e).toBeInstanceOf(StoreLockedError);
  return e as StoreLockedError;
};
const attempt = (fsx: StoreFs = nodeFs): unknown => {
  try {
    take(fsx);
    return undefined;
  } catch (e) {
    return e;
  }
};

/** This process's start time (field 22 of /proc/self/stat), computed independently of lock.ts. */
function ownStart(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/)[19];
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-lock-'));
  file = join(dir, 'hf.db.lock');
});

afterEach(() => {
  for (const l of held.splice(0)) l.release();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('acquireLock', () => {
  it('creates the lock with this process, host, time and start, owner-only, and leaves no temp or guard file', () => {
    const l = take(nodeFs, 4242);
    expect(l.path).toBe(file);
    expect(l.tookOver).toBe(false);
    const start = ownStart();
    expect(lockContent()).toEqual({ pid: process.pid, host: hostname(), atMs: 4242, ...(start !== undefined ? { start } : {}) });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
  });

  it('refuses a second lock in this process until released; release is idempotent', () => {
    const a = take();
    const e = lockedErr(attempt());
    expect(e.holderPid).toBe(process.pid);
    expect(e.lockPath).toBe(file);
    expect(e.code).toBe('store_failed');
    expect(e.name).toBe('StoreLockedError');
    expect(e.message).toBe(`the store is already open in another process (pid ${process.pid}): ${file}`);
    expect(e.details).toMatchObject({ reason: 'locked', holderPid: process.pid });
    a.release();
    expect(existsSync(file)).toBe(false);
    const b = take();
    expect(b.tookOver).toBe(false);
    // A late second release of the old handle must not remove the new holder's lock.
    a.release();
    expect(existsSync(file)).toBe(true);
    lockedErr(attempt());
  });

  it('refuses a lock held by another live process on this host', () => {
    writeLock({ pid: process.ppid, host: hostname(), atMs: 1 });
    const e = lockedErr(attempt());
    expect(e.holderPid).toBe(process.ppid);
    expect(lockContent()['pid']).toBe(process.ppid);
  });

  it('refuses a lock of another host even if its pid is dead here', () => {
    writeLock({ pid: DEAD, host: `${hostname()}-other`, atMs: 1 });
    expect(lockedErr(attempt()).holderPid).toBe(DEAD);
    expect(lockContent()['pid']).toBe(DEAD);
  });

  it('takes over the lock of a dead process, and leaves no guard behind', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    const l = take(nodeFs, 99);
    expect(l.tookOver).toBe(true);
    expect(lockContent()).toMatchObject({ pid: process.pid, atMs: 99 });
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
    l.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('treats a live pid that answers EPERM as alive', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    vi.spyOn(process, 'kill').mockImplementation(() => {
      throw errno('EPERM');
    });
    expect(lockedErr(attempt()).holderPid).toBe(DEAD);
  });

  it.runIf(process.platform === 'linux')('tells a recycled pid from its owner by the process start time', () => {
    // The parent process is alive; with its real start time it is the owner, with another it is not.
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const parentStart = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/)[19]!;
    writeLock({ pid: process.ppid, host: hostname(), atMs: 1, start: parentStart });
    expect(lockedErr(attempt()).holderPid).toBe(process.ppid);
    writeLock({ pid: process.ppid, host: hostname(), atMs: 1, start: `${parentStart}0` });
    expect(take().tookOver).toBe(true);
  });

  it('treats a live pid whose start time cannot be read as alive', () => {
    writeLock({ pid: process.ppid, host: hostname(), atMs: 1, start: '1' });
    // Elsewhere than Linux there is no /proc: the start time is unknown, so a live pid is the owner.
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    Object.defineProperty(process, 'platform', { ...platform, value: 'darwin' });
    try {
      expect(lockedErr(attempt()).holderPid).toBe(process.ppid);
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
  });

  it('ignores a non-string start and a non-integer pid in the lock file', () => {
    // start: 1 (a number) is dropped, so the live parent counts as alive regardless of its start time.
    writeLock({ pid: process.ppid, host: hostname(), atMs: 1, start: 1 });
    expect(lockedErr(attempt()).holderPid).toBe(process.ppid);
    // A pid that is not an integer makes the lock unreadable: fresh → held, without a pid.
    writeLock({ pid: 1.5, host: hostname(), atMs: 1 });
    expect(lockedErr(attempt()).holderPid).toBeUndefined();
    writeLock({ pid: process.ppid, host: 7, atMs: 1 });
    const e = lockedErr(attempt());
    expect(e.holderPid).toBeUndefined();
    expect(e.message).toBe(`the store is already open in another process: ${file}`);
  });

  it('treats a fresh unreadable lock as held (maybe mid-creation) and an old one as stale', () => {
    writeFileSync(file, '{"pid":');
    expect(lockedErr(attempt()).holderPid).toBeUndefined();
    const old = new Date(Date.now() - 6_000);
    utimesSync(file, old, old);
    expect(take().tookOver).toBe(true);
    expect(lockContent()['pid']).toBe(process.pid);
  });

  it('keeps the grace period for an unreadable lock at about 5 s', () => {
    writeFileSync(file, '');
    const recent = new Date(Date.now() - 4_000);
    utimesSync(file, recent, recent);
    lockedErr(attempt());
  });
});

describe('stale-lock takeover guard (compare-and-delete)', () => {
  it('removes nothing when another live process holds the guard for that stale lock', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    const guard = `${file}.takeover.${DEAD}-1--${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}`;
    writeFileSync(guard, JSON.stringify({ pid: process.ppid, host: hostname(), atMs: 9 }));
    let links = 0;
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        links++;
        nodeFs.linkSync(a, b);
      },
    };
    expect(lockedErr(attempt(fsx)).holderPid).toBe(DEAD);
    expect(lockContent()['pid']).toBe(DEAD);
    expect(JSON.parse(readFileSync(guard, 'utf8'))).toMatchObject({ pid: process.ppid });
    // The lock, then the guard: nothing one level up while the guard's taker lives.
    expect(links).toBe(2);
  });

  const guardOf = (c: { pid: number; atMs: number; start?: string; host?: string }, level = 0): string =>
    `${file}.takeover${level === 0 ? '' : level + 1}.${c.pid}-${c.atMs}-${c.start ?? ''}-${(c.host ?? hostname()).replace(/[^A-Za-z0-9._-]/g, '_')}`;

  it('takes over when the guard was left by a taker that was killed (kill -9 mid-takeover)', () => {
    const stale = { pid: DEAD, host: hostname(), atMs: 1 };
    writeLock(stale);
    const deadTaker = { pid: DEAD, host: hostname(), atMs: 7 };
    writeFileSync(guardOf(stale), JSON.stringify(deadTaker));
    const l = take();
    expect(l.tookOver).toBe(true);
    expect(lockContent()).toMatchObject({ pid: process.pid, atMs: 1234 });
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
  });

  it('takes over through a chain of abandoned guards, but only so deep', () => {
    const stale = { pid: DEAD, host: hostname(), atMs: 1 };
    const taker1 = { pid: DEAD, host: hostname(), atMs: 2 };
    const taker2 = { pid: DEAD, host: hostname(), atMs: 3 };
    writeLock(stale);
    writeFileSync(guardOf(stale), JSON.stringify(taker1));
    // The taker of the first guard was killed too, inside its own takeover.
    writeFileSync(guardOf(taker1, 1), JSON.stringify(taker2));
    expect(take().tookOver).toBe(true);
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
    for (const l of held.splice(0)) l.release();
    // Three dead levels: refused (bounded), and nothing is removed.
    const taker3 = { pid: DEAD, host: hostname(), atMs: 4 };
    writeLock(stale);
    writeFileSync(guardOf(stale), JSON.stringify(taker1));
    writeFileSync(guardOf(taker1, 1), JSON.stringify(taker2));
    writeFileSync(guardOf(taker2, 2), JSON.stringify(taker3));
    expect(lockedErr(attempt()).holderPid).toBe(DEAD);
    expect(readdirSync(dir).sort()).toEqual([file, guardOf(stale), guardOf(taker1, 1), guardOf(taker2, 2)].map((f) => f.slice(dir.length + 1)).sort());
  });

  it('keeps a guard of a live taker one level up: the abandoned guard below stays', () => {
    const stale = { pid: DEAD, host: hostname(), atMs: 1 };
    const taker1 = { pid: DEAD, host: hostname(), atMs: 2 };
    writeLock(stale);
    writeFileSync(guardOf(stale), JSON.stringify(taker1));
    writeFileSync(guardOf(taker1, 1), JSON.stringify({ pid: process.ppid, host: hostname(), atMs: 3 }));
    lockedErr(attempt());
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('treats a guard of another host as held', () => {
    const stale = { pid: DEAD, host: hostname(), atMs: 1 };
    writeLock(stale);
    writeFileSync(guardOf(stale), JSON.stringify({ pid: DEAD, host: 'elsewhere', atMs: 2 }));
    lockedErr(attempt());
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('an unreadable guard: held while fresh (maybe being written), abandoned once old', () => {
    const stale = { pid: DEAD, host: hostname(), atMs: 1 };
    writeLock(stale);
    writeFileSync(guardOf(stale), '');
    lockedErr(attempt());
    expect(existsSync(guardOf(stale))).toBe(true);
    const old = new Date(Date.now() - 6_000);
    utimesSync(guardOf(stale), old, old);
    expect(take().tookOver).toBe(true);
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
  });

  it('tries the guard again when it vanished between the collision and the look', () => {
    const stale = { pid: DEAD, host: hostname(), atMs: 1 };
    writeLock(stale);
    let collided = false;
    const links: string[] = [];
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        links.push(b);
        if (b === guardOf(stale) && !collided) {
          collided = true;
          throw errno('EEXIST'); // another taker held it, and is done by the time we look
        }
        nodeFs.linkSync(a, b);
      },
    };
    expect(take(fsx).tookOver).toBe(true);
    expect(collided).toBe(true);
    expect(links.filter((b) => b.includes('.takeover2.'))).toEqual([]); // nothing to remove one level up
  });

  it.each([
    // Collides each time, yet is never there to look at: two tries, then refused.
    ['EEXIST', 2],
    // Any other error creating the guard: refused at once, without looking further.
    ['EIO', 1],
  ])('a guard that cannot be created (%s) is tried %i time(s), and the stale lock stays', (code, tries) => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    let n = 0;
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        if (b.includes('.takeover')) {
          n++;
          throw errno(code);
        }
        nodeFs.linkSync(a, b);
      },
    };
    expect(lockedErr(attempt(fsx)).holderPid).toBe(DEAD);
    expect(n).toBe(tries);
    expect(lockContent()['pid']).toBe(DEAD);
  });

  it('refuses, without crashing, when the stale lock vanished after the guard was won', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        nodeFs.linkSync(a, b);
        if (b.includes('.takeover.') && existsSync(file)) rmSync(file);
      },
    };
    expect(lockedErr(attempt(fsx)).holderPid).toBe(DEAD);
  });

  it('names a guard for a lock without a start time', () => {
    writeLock({ pid: DEAD, host: 'h', atMs: 3 });
    const guards: string[] = [];
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        if (b.includes('.takeover.')) guards.push(b);
        nodeFs.linkSync(a, b);
      },
    };
    // Another host: refused before any takeover; same host: taken over with guard <pid>-<atMs>--<host>.
    lockedErr(attempt(fsx));
    writeLock({ pid: DEAD, host: hostname(), atMs: 3 });
    take(fsx);
    expect(guards).toEqual([`${file}.takeover.${DEAD}-3--${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, file.length + 10 + 120)]);
  });

  it('names the guard after the exact lock content, file-name safe and bounded', () => {
    const host = `${hostname()}`;
    writeLock({ pid: DEAD, host, atMs: 17, start: 'x/y z:1' });
    const guards: string[] = [];
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        if (b.includes('.takeover.')) {
          guards.push(b);
          expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: DEAD });
        }
        nodeFs.linkSync(a, b);
      },
    };
    // On Linux the dead pid has no start time: not alive, so it is taken over.
    take(fsx);
    const want = `${DEAD}-17-x_y_z_1-${host.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 120);
    expect(guards).toEqual([`${file}.takeover.${want}`]);
  });

  it('cuts a long guard name to 120 characters', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1, start: 'z'.repeat(300) });
    const guards: string[] = [];
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        if (b.includes('.takeover.')) guards.push(b);
        nodeFs.linkSync(a, b);
      },
    };
    take(fsx);
    expect(guards).toHaveLength(1);
    expect(guards[0]!.slice(`${file}.takeover.`.length)).toHaveLength(120);
  });

  it('writes this process into the guard, and removes the guard afterwards', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    let guardContent: unknown;
    const fsx: StoreFs = {
      ...nodeFs,
      unlinkSync: (f) => {
        if (f.includes('.takeover.') && guardContent === undefined) guardContent = JSON.parse(readFileSync(f, 'utf8'));
        nodeFs.unlinkSync(f);
      },
    };
    take(fsx);
    expect(guardContent).toMatchObject({ pid: process.pid, host: hostname() });
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
  });

  it('does not delete a fresh lock that replaced the stale one after it was read', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    // Right after the guard is won, a faster taker has replaced the stale lock with its own.
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        nodeFs.linkSync(a, b);
        if (b.includes('.takeover.') && lockContent()['pid'] === DEAD) writeLock({ pid: process.ppid, host: hostname(), atMs: 2 });
      },
    };
    const e = lockedErr(attempt(fsx));
    expect(e.holderPid).toBe(DEAD);
    expect(lockContent()).toMatchObject({ pid: process.ppid, atMs: 2 });
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
  });

  it.each([
    ['pid', { pid: 1 }],
    ['atMs', { atMs: 3 }],
    ['start', { start: 's2' }],
    ['host', { host: 'elsewhere' }],
  ])('compares the whole lock content before deleting (%s changed)', (_name, change) => {
    const stale = { pid: DEAD, host: hostname(), atMs: 1, start: 's1' };
    writeLock(stale);
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        nodeFs.linkSync(a, b);
        if (b.includes('.takeover.') && lockContent()['atMs'] === 1 && lockContent()['start'] === 's1') writeLock({ ...stale, ...change });
      },
    };
    lockedErr(attempt(fsx));
    expect(lockContent()).toEqual({ ...stale, ...change });
  });

  it('an unreadable stale lock: deletes it only if it is still the same unreadable file', () => {
    const old = new Date(Date.now() - 60_000);
    const replaceWith = (what: 'valid' | 'touched') => {
      writeFileSync(file, 'garbage');
      utimesSync(file, old, old);
      let done = false;
      return {
        ...nodeFs,
        linkSync: (a: string, b: string) => {
          nodeFs.linkSync(a, b);
          if (done || !b.includes('.takeover.')) return;
          done = true;
          // A valid lock now, even with the old mtime: not the unreadable lock that was judged stale.
          if (what === 'valid') {
            writeLock({ pid: process.ppid, host: hostname(), atMs: 5 });
            utimesSync(file, old, old);
          } else utimesSync(file, new Date(), new Date());
        },
      } satisfies StoreFs;
    };
    lockedErr(attempt(replaceWith('valid')));
    expect(lockContent()['pid']).toBe(process.ppid);
    lockedErr(attempt(replaceWith('touched')));
    expect(readFileSync(file, 'utf8')).toBe('garbage');
    // Untouched: taken over.
    writeFileSync(file, 'garbage');
    utimesSync(file, old, old);
    expect(take().tookOver).toBe(true);
  });

  it('gives up after a second collision: a new stale lock appeared after the takeover', () => {
    writeLock({ pid: DEAD, host: hostname(), atMs: 1 });
    let links = 0;
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: (a, b) => {
        if (b === file) {
          links++;
          // Each time, another dead process's lock is in place again.
          if (links === 2) writeLock({ pid: DEAD, host: hostname(), atMs: 2 });
        }
        nodeFs.linkSync(a, b);
      },
    };
    // Both stale locks were removed, but two collisions are the limit: no endless takeover loop.
    const e = lockedErr(attempt(fsx));
    expect(links).toBe(2);
    expect(e.holderPid).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });
});

describe('a lock this process failed to remove (leftover)', () => {
  /** Takes and releases the lock on a file system that refuses to delete it: the file stays. */
  const leaveLockBehind = (): void => {
    const fsx: StoreFs = {
      ...nodeFs,
      unlinkSync: (f) => {
        if (f === file) throw errno('EBUSY');
        nodeFs.unlinkSync(f);
      },
    };
    acquireLock(fsx, file, 1).release();
  };

  it('is taken over by the next open here, since nobody holds it', () => {
    let failUnlink = true;
    const fsx: StoreFs = {
      ...nodeFs,
      unlinkSync: (f) => {
        if (f === file && failUnlink) throw errno('EBUSY');
        nodeFs.unlinkSync(f);
      },
    };
    const a = acquireLock(fsx, file, 1);
    a.release();
    expect(lockContent()['pid']).toBe(process.pid);
    failUnlink = false;
    const b = take();
    expect(b.tookOver).toBe(true);
    b.release();
    expect(existsSync(file)).toBe(false);
  });

  it('is taken over also when it became unreadable', () => {
    leaveLockBehind();
    writeFileSync(file, '');
    expect(take().tookOver).toBe(true);
  });

  it('is not taken over when another live process now holds that path', () => {
    leaveLockBehind();
    writeLock({ pid: process.ppid, host: hostname(), atMs: 1 });
    expect(lockedErr(attempt()).holderPid).toBe(process.ppid);
  });
});

describe('file systems without hard links', () => {
  it.each(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])('falls back to an exclusive create when link fails with %s', (code) => {
    let open = 0;
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: () => {
        throw errno(code);
      },
      openSync: (f, flags, mode) => {
        open++;
        return nodeFs.openSync(f, flags, mode);
      },
      closeSync: (fd) => {
        open--;
        nodeFs.closeSync(fd);
      },
    };
    const l = take(fsx, 77);
    expect(open).toBe(0);
    expect(lockContent()).toMatchObject({ pid: process.pid, atMs: 77 });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['hf.db.lock']);
    // The fallback is exclusive too.
    const e = lockedErr(attempt(fsx));
    expect(e.holderPid).toBe(process.pid);
    l.release();
    expect(existsSync(file)).toBe(false);
  });

  it('removes a half-written fallback lock when the write fails', () => {
    const closed: number[] = [];
    let lockFd = -1;
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: () => {
        throw errno('EPERM');
      },
      writeSync: (fd, buf, off, len, pos) => {
        if (fd === lockFd) throw errno('ENOSPC');
        return nodeFs.writeSync(fd, buf, off, len, pos);
      },
      openSync: (f, flags, mode) => {
        const fd = nodeFs.openSync(f, flags, mode);
        lockFd = f === file ? fd : -1;
        return fd;
      },
      closeSync: (fd) => {
        closed.push(fd);
        nodeFs.closeSync(fd);
      },
    };
    const e = attempt(fsx);
    expect(isAppError(e) && e.code === 'store_failed' && e.details?.['reason'] === 'lock_io').toBe(true);
    expect((e as Error).message).toMatch(/cannot create the store lock .*ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
    expect(closed).toHaveLength(2);
  });

  it('reports any other link error as a lock I/O failure, without retrying', () => {
    let links = 0;
    const fsx: StoreFs = {
      ...nodeFs,
      linkSync: () => {
        links++;
        throw errno('EACCES');
      },
    };
    const e = attempt(fsx);
    expect(e).not.toBeInstanceOf(StoreLockedError);
    expect(e).toMatchObject({ code: 'store_failed', details: { reason: 'lock_io' }, message: expect.stringContaining(`cannot create the store lock ${file}: EACCES`) });
    expect((e as Error).cause).toMatchObject({ code: 'EACCES' });
    expect(links).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('temp file', () => {
  it('reports a failure to write the temp file as lock I/O and removes it', () => {
    const fsx: StoreFs = {
      ...nodeFs,
      writeSync: () => {
        throw errno('ENOSPC');
      },
    };
    const e = attempt(fsx);
    expect(e).toMatchObject({ code: 'store_failed', details: { reason: 'lock_io' }, message: expect.stringContaining(`cannot write the store lock ${file}: ENOSPC`) });
    expect((e as Error).cause).toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('closes the temp file even when writing it fails', () => {
    const closed: number[] = [];
    const opened: number[] = [];
    const fsx: StoreFs = {
      ...nodeFs,
      openSync: (f, flags, mode) => {
        const fd = nodeFs.openSync(f, flags, mode);
        opened.push(fd);
        return fd;
      },
      writeSync: () => {
        throw errno('EIO');
      },
      closeSync: (fd) => {
        closed.push(fd);
        nodeFs.closeSync(fd);
      },
    };
    attempt(fsx);
    expect(closed).toEqual(opened);
    expect(opened).toHaveLength(1);
  });

  it('names the temp file after this process, next to the lock, opened owner-only', () => {
    const opens: [string, string, number | undefined][] = [];
    const fsx: StoreFs = {
      ...nodeFs,
      openSync: (f, flags, mode) => {
        opens.push([f, flags, mode]);
        return nodeFs.openSync(f, flags, mode);
      },
    };
    take(fsx);
    expect(opens).toEqual([[`${file}.${process.pid}.tmp`, 'w', 0o600]]);
  });
});
