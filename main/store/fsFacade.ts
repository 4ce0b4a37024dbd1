/**
 * The file-system calls the store makes, behind one small interface so tests can inject faults
 * (ENOSPC, EIO, EPERM, …) at the k-th operation, SQLite-style.
 */
import * as fs from 'node:fs';

export interface StoreFs {
  openSync(file: string, flags: string, mode?: number): number;
  closeSync(fd: number): void;
  /** Positional write; may write fewer bytes than asked (callers loop, see writeAll). */
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  readFileSync(file: string): Buffer;
  fsyncSync(fd: number): void;
  fdatasyncSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  fstatSize(fd: number): number;
  renameSync(from: string, to: string): void;
  /** Hard link; fails with EEXIST if `to` exists (used to create the lock atomically with content). */
  linkSync(existing: string, to: string): void;
  unlinkSync(file: string): void;
  readdirSync(dir: string): string[];
  mkdirSync(dir: string): void;
  /** Modification time in epoch ms, or undefined if the file does not exist. */
  mtimeMs(file: string): number | undefined;
}

/** The real file system. */
export const nodeFs: StoreFs = {
  openSync: (f, flags, mode) => fs.openSync(f, flags, mode),
  closeSync: (fd) => fs.closeSync(fd),
  writeSync: (fd, buf, offset, length, position) => fs.writeSync(fd, buf, offset, length, position),
  readFileSync: (f) => fs.readFileSync(f),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  fstatSize: (fd) => fs.fstatSync(fd).size,
  renameSync: (a, b) => fs.renameSync(a, b),
  linkSync: (a, b) => fs.linkSync(a, b),
  unlinkSync: (f) => fs.unlinkSync(f),
  readdirSync: (d) => fs.readdirSync(d),
  mkdirSync: (d) => void fs.mkdirSync(d, { recursive: true }),
  mtimeMs: (f) => {
    try {
      return fs.statSync(f).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  },
};

/** Writes all of `buf` at `position` (bytes), looping over short writes. */
export function writeAll(fsx: StoreFs, fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.byteLength) {
    const n = fsx.writeSync(fd, buf, done, buf.byteLength - done, position + done);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    done += n;
  }
}

/**
 * fsyncs a directory so a rename or create in it survives power loss. Windows cannot open a
 * directory for fsync (and NTFS journals renames), so it is a no-op there.
 */
export function fsyncDir(fsx: StoreFs, dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fsx.openSync(dir, 'r');
  try {
    fsx.fsyncSync(fd);
  } finally {
    fsx.closeSync(fd);
  }
}

/** Runs `fn`, ignoring any error: only for best-effort cleanup after a failure already reported. */
export function tryQuietly(fn: () => void): void {
  try {
    fn();
  } catch {
    /* best effort: the original failure is what gets reported */
  }
}

/** temp file + write + fsync + close + rename; the caller fsyncs the directory. Removes the temp file on failure. */
export function writeTempThenRename(fs: StoreFs, file: string, data: Uint8Array): void {
  const tmp = `${file}.tmp`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w', 0o600);
    writeAll(fs, fd, data, 0);
    fs.fsyncSync(fd);
    const f = fd;
    fd = undefined;
    fs.closeSync(f);
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      const f = fd;
      tryQuietly(() => fs.closeSync(f));
    }
    tryQuietly(() => fs.unlinkSync(tmp));
    throw e;
  }
}
