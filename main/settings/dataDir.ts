/**
 * The data dir holds the store (journal, snapshots, audit), settings, the API secret and maybe a
 * token file: 0700 and ours before anything is written into it. electron-store would otherwise
 * create it 0755 (and its file 0644) before the app's own mkdir ran.
 */
import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { AppError } from '../../contract/errors.js';

/** The mode of every file written into the data dir. */
export const DATA_FILE_MODE = 0o600;

/**
 * Creates `dir` 0700 (parents too) or narrows an existing one of ours to 0700.
 * @throws AppError('forbidden') when it is not a directory, belongs to another user or others can write it.
 */
export function ensurePrivateDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return dir; // ACLs, not modes; the profile dir is private already
  const st = statSync(dir); // a symlinked data dir is fine: its target's owner and mode are checked
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  if (!st.isDirectory()) throw new AppError('forbidden', `The data dir ${dir} is not a directory; refusing to use it.`);
  if (uid !== null && st.uid !== uid) throw new AppError('forbidden', `The data dir ${dir} belongs to another user (uid ${st.uid}); refusing to use it.`);
  // A directory others can write (e.g. /tmp) is shared: never narrowed (that would break it for
  // everyone), never used. One others can only read is ours to narrow.
  if ((st.mode & 0o022) !== 0) throw new AppError('forbidden', `The data dir ${dir} is writable by other users (mode ${(st.mode & 0o7777).toString(8)}); refusing to use it.`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

/**
 * The text of `path` when it is a regular file of ours that nobody else can read; null when it is
 * absent. Throws AppError('forbidden') when it exists but is unsafe (a symlink, not a regular file,
 * another owner, group/other bits), so nobody mistakes a leaked secret for a private one.
 * @param what what the file holds, for the error ("the API secret")
 * @param fix what to do when it is readable by others, appended to that error
 */
export function readPrivateFile(path: string, what: string, fix = ''): string | null {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted in the data dir is refused, not followed.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new AppError('forbidden', `${path} is a symlink; refusing to use it as ${what}.`);
    throw e;
  }
  try {
    const st = fstatSync(fd);
    const uid = typeof process.getuid === 'function' ? process.getuid() : null;
    if (!st.isFile()) throw new AppError('forbidden', `${path} is not a regular file.`);
    if (uid !== null && st.uid !== uid) throw new AppError('forbidden', `${path} belongs to another user; refusing to use it as ${what}.`);
    if ((st.mode & 0o077) !== 0) throw new AppError('forbidden', `${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)})${fix ? `; ${fix}` : ''}.`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
