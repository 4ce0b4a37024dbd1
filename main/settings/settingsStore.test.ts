import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../contract/ipc.js';
import { FileSecretBackend, openConfBackend, parseSettings, SettingsStore } from './settingsStore.js';

const dir = () => mkdtempSync(join(tmpdir(), 'hf-settings-'));

describe('SettingsStore (conf)', () => {
  it('persists across a reopen and validates patches', () => {
    const d = dir();
    new SettingsStore(openConfBackend(d), new FileSecretBackend(d, {})).update({ profile: 'terse' });
    const again = new SettingsStore(openConfBackend(d), new FileSecretBackend(d, {}));
    expect(again.get().profile).toBe('terse');
    expect(() => again.update({ profile: 'nope' as never })).toThrow();
  });
  it('falls back per key when a stored value is invalid', () => {
    expect(parseSettings({ profile: 42, voice: 'alto' })).toEqual({ ...DEFAULT_SETTINGS, voice: 'alto' });
  });
});

describe('FileSecretBackend (browser mode)', () => {
  it('refuses plaintext without opt-in, then writes a 0600 file', () => {
    const d = dir();
    const s = new FileSecretBackend(d, {});
    expect(() => s.save('ghp_abc', false)).toThrow(/Refusing/);
    expect(s.status(false)).toMatchObject({ configured: false, canSave: false });
    s.save('ghp_abc', true);
    expect(statSync(join(d, 'github-token')).mode & 0o777).toBe(0o600);
    expect(s.read()).toBe('ghp_abc');
    expect(s.status(true).description).toMatch(/plaintext/);
  });
  it('prefers the env and ignores a group/world-readable file', () => {
    const d = dir();
    writeFileSync(join(d, 'github-token'), 'ghp_loose', { mode: 0o644 });
    expect(new FileSecretBackend(d, {}).read()).toBeUndefined();
    expect(new FileSecretBackend(d, { HANDSFREE_GITHUB_TOKEN: 'ghp_env' }).status(false).source).toBe('env');
  });
});
