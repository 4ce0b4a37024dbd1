import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePrivateDir, openSpeechCache, SPEECH_CACHE_ENV, speechCacheDir } from './cacheDir.js';
import { compileGrammar, modelVariant } from './pocketsphinx.js';

const root = mkdtempSync(join(tmpdir(), 'hf-speech-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `c${n++}`);
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('speechCacheDir: per user, never a shared temp path', () => {
  it('follows XDG on Linux, the platform cache elsewhere, and the env override', () => {
    expect(speechCacheDir({}, 'linux', '/home/ann')).toBe('/home/ann/.cache/handsfree/speech');
    expect(speechCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/ann')).toBe('/xdg/handsfree/speech');
    expect(speechCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/ann')).toBe('/home/ann/.cache/handsfree/speech');
    expect(speechCacheDir({}, 'darwin', '/Users/ann')).toBe('/Users/ann/Library/Caches/handsfree/speech');
    expect(speechCacheDir({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann')).toContain(join('handsfree', 'Cache', 'speech'));
    expect(speechCacheDir({ [SPEECH_CACHE_ENV]: '/t/c' }, 'linux', '/home/ann')).toBe('/t/c');
    expect(speechCacheDir({}, 'linux', '/home/ann').startsWith(tmpdir())).toBe(false);
  });
});

describe.skipIf(process.platform === 'win32')('ensurePrivateDir', () => {
  it('creates the directory (and missing parents) 0700', () => {
    const d = join(fresh(), 'a', 'speech');
    ensurePrivateDir(d);
    expect(mode(d)).toBe(0o700);
    expect(mode(join(d, '..'))).toBe(0o700);
  });

  it('empties and recreates its own directory when others could write it, narrows one they could only read', () => {
    const open = fresh();
    mkdirSync(open);
    chmodSync(open, 0o777);
    writeFileSync(join(open, 'planted.dict'), 'confirm K AE N S AH L\n');
    ensurePrivateDir(open, { dedicated: true });
    expect(mode(open)).toBe(0o700);
    expect(existsSync(join(open, 'planted.dict'))).toBe(false);

    const readable = fresh();
    mkdirSync(readable, { mode: 0o755 });
    chmodSync(readable, 0o755);
    writeFileSync(join(readable, 'kept'), 'x');
    ensurePrivateDir(readable);
    expect(mode(readable)).toBe(0o700);
    expect(existsSync(join(readable, 'kept'))).toBe(true);
  });

  it('refuses, and never empties, a writable directory it was pointed at (it may be shared, like /tmp)', () => {
    const shared = fresh();
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    writeFileSync(join(shared, 'someone-elses'), 'x');
    expect(() => ensurePrivateDir(shared)).toThrow(/writable by other users/);
    expect(() => openSpeechCache(shared)).toThrow(/writable by other users/);
    expect(existsSync(join(shared, 'someone-elses'))).toBe(true);
    expect(mode(shared)).toBe(0o777);
  });

  it('replaces a symlink of its own by a real private directory, refuses one it was pointed at', () => {
    const elsewhere = fresh();
    mkdirSync(elsewhere);
    const link = fresh();
    symlinkSync(elsewhere, link);
    expect(() => ensurePrivateDir(link)).toThrow(/symlink/);
    ensurePrivateDir(link, { dedicated: true });
    expect(lstatSync(link).isDirectory()).toBe(true);
    expect(mode(link)).toBe(0o700);
    expect(existsSync(elsewhere)).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a directory that belongs to another user', () => {
    const theirs = fresh();
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    expect(() => ensurePrivateDir(theirs)).toThrow(/belongs to another user/);
    expect(() => openSpeechCache(theirs)).toThrow(/belongs to another user/);
  });
});

describe('SpeechCache.file: trusted only when the content matches its recorded hash', () => {
  it('writes 0600, reuses an intact file and rebuilds a changed or unrecorded one', () => {
    const cache = openSpeechCache(fresh());
    let produced = 0;
    const make = (): string => {
      produced++;
      return 'confirm K AH N F ER M\n';
    };
    const p = cache.file('g.dict', make);
    expect(readFileSync(p, 'utf8')).toBe('confirm K AH N F ER M\n');
    if (process.platform !== 'win32') expect(mode(p)).toBe(0o600);
    cache.file('g.dict', make);
    expect(produced).toBe(1);
    // Someone changes how "confirm" is pronounced: the file is regenerated, not handed on.
    writeFileSync(p, 'confirm K AE N S AH L\n');
    expect(readFileSync(cache.file('g.dict', make), 'utf8')).toBe('confirm K AH N F ER M\n');
    expect(produced).toBe(2);
    // A file planted without a record is not trusted either.
    writeFileSync(join(cache.dir, 'h.fsg'), 'planted');
    expect(readFileSync(cache.file('h.fsg', () => 'built'), 'utf8')).toBe('built');
  });

  it('compileGrammar rebuilds a tampered dictionary and FSG instead of loading them', () => {
    const dir = fresh();
    const first = compileGrammar({ cacheDir: dir });
    const dict = readFileSync(first.dictPath, 'utf8');
    const fsg = readFileSync(first.fsgPath, 'utf8');
    expect(dict).toMatch(/^confirm K AH N F ER M$/m);
    writeFileSync(first.dictPath, dict.replace(/^confirm .*$/m, 'confirm K AE N S AH L'));
    writeFileSync(first.fsgPath, 'FSG_BEGIN evil\nNUM_STATES 1\nSTART_STATE 0\nFINAL_STATE 0\nFSG_END\n');
    const again = compileGrammar({ cacheDir: dir });
    expect(again.dictPath).toBe(first.dictPath);
    expect(readFileSync(again.dictPath, 'utf8')).toBe(dict);
    expect(readFileSync(again.fsgPath, 'utf8')).toBe(fsg);
  });

  it('checks a model variant: feat.params and every link into the model', () => {
    const model = fresh();
    mkdirSync(model);
    writeFileSync(join(model, 'feat.params'), '-lowerf 130\n');
    writeFileSync(join(model, 'mdef'), 'm');
    const cache = openSpeechCache(fresh());
    const v = join(cache.dir, 'model-x');
    mkdirSync(v);
    writeFileSync(join(v, 'feat.params'), '-lowerf 200\n');
    symlinkSync(join(model, 'mdef'), join(v, 'mdef'));
    expect(cache.variantIntact(v, model, '-lowerf 200\n', ['feat.params', 'mdef'])).toBe(true);
    expect(cache.variantIntact(v, model, '-lowerf 300\n', ['feat.params', 'mdef'])).toBe(false);
    rmSync(join(v, 'mdef'));
    symlinkSync(join(root, 'elsewhere'), join(v, 'mdef'));
    expect(cache.variantIntact(v, model, '-lowerf 200\n', ['feat.params', 'mdef'])).toBe(false);
  });

  it('modelVariant rebuilds a variant whose feat.params was changed', () => {
    const model = fresh();
    mkdirSync(model);
    writeFileSync(join(model, 'feat.params'), '-lowerf 130\n-upperf 6800\n');
    writeFileSync(join(model, 'mdef'), 'm');
    const dir = fresh();
    const v = modelVariant(model, { upperf: '3500' }, dir);
    expect(readFileSync(join(v, 'feat.params'), 'utf8')).toBe('-lowerf 130\n-upperf 3500\n');
    writeFileSync(join(v, 'feat.params'), '-lowerf 130\n-upperf 100\n');
    expect(modelVariant(model, { upperf: '3500' }, dir)).toBe(v);
    expect(readFileSync(join(v, 'feat.params'), 'utf8')).toBe('-lowerf 130\n-upperf 3500\n');
    expect(lstatSync(join(v, 'mdef')).isSymbolicLink()).toBe(true);
  });
});
