import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureLocalSecret, LOCAL_SECRET_FILE, readLocalSecret } from './localSecret.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the per-install API secret', () => {
  it('is created once, 0600, in a 0700 dir, and read back by the CLI', () => {
    dir = join(mkdtempSync(join(tmpdir(), 'hf-secret-')), 'data');
    expect(readLocalSecret(dir)).toBeNull();
    const s = ensureLocalSecret(dir);
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, LOCAL_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(ensureLocalSecret(dir)).toBe(s);
    expect(readLocalSecret(dir)).toBe(s);
  });

  it('a copy other users can read is refused and replaced (it may have leaked)', () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-secret-'));
    const s = ensureLocalSecret(dir);
    chmodSync(join(dir, LOCAL_SECRET_FILE), 0o644);
    expect(() => readLocalSecret(dir)).toThrow(/readable by other users/);
    const fresh = ensureLocalSecret(dir);
    expect(fresh).not.toBe(s);
    expect(statSync(join(dir, LOCAL_SECRET_FILE)).mode & 0o777).toBe(0o600);
  });

  it('a symlink planted in its place is not followed', () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-secret-'));
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'A'.repeat(43), { mode: 0o600 });
    symlinkSync(target, join(dir, LOCAL_SECRET_FILE));
    expect(() => readLocalSecret(dir)).toThrow(/symlink/);
    const s = ensureLocalSecret(dir);
    expect(s).not.toBe('A'.repeat(43));
    expect(readFileSync(target, 'utf8')).toBe('A'.repeat(43));
  });
});
