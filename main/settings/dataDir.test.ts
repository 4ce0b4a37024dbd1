import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePrivateDataDir } from './dataDir.js';

const root = mkdtempSync(join(tmpdir(), 'hf-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string): number => statSync(p).mode & 0o7777;

describe.skipIf(process.platform === 'win32')('ensurePrivateDataDir', () => {
  it('creates the data dir (and parents) 0700 and narrows one others can read', () => {
    const fresh = join(root, 'a', 'b');
    ensurePrivateDataDir(fresh);
    expect(mode(fresh)).toBe(0o700);
    const old = join(root, 'old');
    mkdirSync(old);
    chmodSync(old, 0o755);
    ensurePrivateDataDir(old);
    expect(mode(old)).toBe(0o700);
  });

  it('refuses a shared directory others can write, and leaves its mode alone', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    expect(() => ensurePrivateDataDir(shared)).toThrow(/writable by other users/);
    expect(mode(shared)).toBe(0o1777);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a directory of another user', () => {
    const theirs = join(root, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    expect(() => ensurePrivateDataDir(theirs)).toThrow(/another user/);
  });
});
