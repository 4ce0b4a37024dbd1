/**
 * The offline speech cache (compiled grammars, dictionaries, model variants): a per-user directory
 * (XDG cache on Linux), never a fixed shared path in the OS temp dir where another user could
 * pre-create it and change how "confirm" is pronounced. The directory is 0700 and ours; every
 * cached file is trusted only when its content still hashes to what was recorded when it was
 * written, otherwise it is generated again.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Overrides the cache directory (tests, portable installs). */
export const SPEECH_CACHE_ENV = 'HANDSFREE_SPEECH_CACHE_DIR';

/**
 * The default per-user speech cache directory: `$HANDSFREE_SPEECH_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/handsfree/speech` (or `~/.cache/...`) on Linux, `~/Library/Caches/handsfree/speech`
 * on macOS, `%LOCALAPPDATA%\handsfree\Cache\speech` on Windows.
 */
export function speechCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const override = env[SPEECH_CACHE_ENV];
  if (override) return override;
  if (platform === 'win32') return join(env['LOCALAPPDATA'] || join(home, 'AppData', 'Local'), 'handsfree', 'Cache', 'speech');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'handsfree', 'speech');
  // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'handsfree', 'speech');
}

const ownUid = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

/**
 * Makes `dir` a private directory of this user and returns it: created 0700 (parents too); one
 * others can only read is narrowed to 0700. When others can write it (anything in it may have
 * been changed) or it is a symlink: with `dedicated` (the app's own cache dir, nothing else in it)
 * it is removed and recreated 0700; otherwise (a directory someone named, maybe shared like /tmp)
 * it is refused, never emptied.
 * @throws Error when `dir` belongs to another user, is not a directory, or is shared and not dedicated.
 */
export function ensurePrivateDir(dir: string, opts: { dedicated?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const uid = ownUid();
  let st = lstatSync(dir);
  if (uid !== null && st.uid !== uid) throw new Error(`speech cache ${dir} belongs to another user (uid ${st.uid}); refusing to use it. Remove it or set ${SPEECH_CACHE_ENV}.`);
  if (st.isSymbolicLink() || (st.isDirectory() && process.platform !== 'win32' && (st.mode & 0o022) !== 0)) {
    if (opts.dedicated !== true) throw new Error(`speech cache ${dir} is ${st.isSymbolicLink() ? 'a symlink' : 'writable by other users'}; refusing to use it. Use a private directory.`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    st = lstatSync(dir);
  }
  if (!st.isDirectory()) throw new Error(`speech cache ${dir} is not a directory; refusing to use it.`);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Writes `data` to `path` 0600 through a temp name and a rename (parallel processes may write the same entry). */
function put(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

function readOrNull(path: string): Buffer | null {
  try {
    return lstatSync(path).isFile() ? readFileSync(path) : null;
  } catch {
    return null;
  }
}

/** A private cache directory whose files are verified by content hash before they are trusted. */
export class SpeechCache {
  /** @param dir the cache directory (made private by `openSpeechCache`). */
  constructor(readonly dir: string) {}

  /**
   * The path of the cached file `name`, after checking its content against the sha256 recorded
   * beside it (`<name>.sha256`) when it was written. Missing, unrecorded or changed content is
   * produced again with `produce` and rewritten, so a tampered file is never handed on.
   */
  file(name: string, produce: () => string | Buffer): string {
    const path = join(this.dir, name);
    const data = readOrNull(path);
    const recorded = readOrNull(`${path}.sha256`)?.toString('utf8').trim();
    if (data !== null && recorded !== undefined && sha256(data) === recorded) return path;
    const fresh = produce();
    put(path, fresh);
    put(`${path}.sha256`, `${sha256(fresh)}\n`);
    return path;
  }

  /**
   * Whether a model variant directory (see pocketsphinx modelVariant) is what would be built now:
   * `feat.params` with exactly `featParams`, and every other entry a symlink into `modelDir`.
   */
  variantIntact(variantDir: string, modelDir: string, featParams: string, modelFiles: readonly string[]): boolean {
    if (readOrNull(join(variantDir, 'feat.params'))?.toString('utf8') !== featParams) return false;
    try {
      return modelFiles.every((f) => f === 'feat.params' || readlinkSync(join(variantDir, f)) === join(modelDir, f));
    } catch {
      return false;
    }
  }
}

/**
 * The speech cache at `dir`, made private first (see ensurePrivateDir). Without `dir`, the
 * app's own per-user directory (`speechCacheDir()`), which may be recreated when found unsafe.
 */
export function openSpeechCache(dir?: string): SpeechCache {
  const own = dir === undefined && !process.env[SPEECH_CACHE_ENV];
  return new SpeechCache(ensurePrivateDir(dir ?? speechCacheDir(), { dedicated: own }));
}
