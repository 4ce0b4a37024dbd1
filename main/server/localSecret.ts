/**
 * The per-install secret of the loopback API (like Jupyter's token): 256 random bits in
 * `<dataDir>/api-secret`, mode 0600, owned by the user. The CLI reads it; browser mode hands it to
 * the page once in the URL it prints; Electron talks over IPC and needs none.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract/errors.js';
import { ensurePrivateDataDir, readPrivateFile } from '../settings/dataDir.js';

export const LOCAL_SECRET_FILE = 'api-secret';
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

function ownUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/**
 * Reads the secret when the file is a regular file of ours that nobody else can read; null when
 * it is absent. Throws AppError('forbidden') when it exists but is unsafe (group/other bits,
 * another owner, a symlink), so nobody mistakes a leaked secret for a private one.
 */
export function readLocalSecret(dataDir: string, file: string = LOCAL_SECRET_FILE): string | null {
  const s = readPrivateFile(join(dataDir, file), 'the API secret', 'delete it and restart to get a new secret')?.trim();
  return s !== undefined && SECRET_RE.test(s) ? s : null;
}

/**
 * The secret for this data dir (`file`: the API secret by default; other per-install keys use
 * their own file), created (0600, exclusively, in a 0700 dir) when there is none or
 * the stored one is malformed. An unsafe file (readable by others, foreign owner) is replaced:
 * the old secret may have leaked.
 * @returns the secret (43 base64url chars = 256 bits).
 */
export function ensureLocalSecret(dataDir: string, file: string = LOCAL_SECRET_FILE): string {
  ensurePrivateDataDir(dataDir);
  const path = join(dataDir, file);
  try {
    const existing = readLocalSecret(dataDir, file);
    if (existing !== null) return existing;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
  }
  try {
    if (lstatSync(path)) rmSync(path, { force: true });
  } catch {
    // absent
  }
  const secret = randomBytes(32).toString('base64url');
  // 'wx' with mode 0600: the file never exists with wider permissions, and a racing creator loses.
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = readLocalSecret(dataDir, file);
      if (raced !== null) return raced;
    }
    throw e;
  }
  try {
    writeSync(fd, `${secret}\n`);
  } finally {
    closeSync(fd);
  }
  return secret;
}
