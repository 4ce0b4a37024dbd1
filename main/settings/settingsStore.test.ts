import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../contract/ipc.js';
import { FileSecretBackend, openJsonFileBackend, parseSettings, SETTINGS_FILE, SettingsStore } from './settingsStore.js';

const dir = () => mkdtempSync(join(tmpdir(), 'hf-settings-'));

describe('SettingsStore (conf)', () => {
  it('first run: shown with no token until answered, without making the settings "saved"; offered again on request', () => {
    const d = dir();
    const s = new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {}));
    expect(s.view().first_run).toBe(true);
    expect(s.view().github).toEqual({ web_url: 'https://github.com', enterprise_host: null });
    expect(s.setFirstRunDone(true).first_run).toBe(false);
    expect(s.saved).toBe(false);
    expect(new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {})).view().first_run).toBe(false);
    expect(s.setFirstRunDone(false).first_run).toBe(true);
    // A token (here from the environment) means the user is past the first run.
    expect(new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, { HANDSFREE_GITHUB_TOKEN: 'x' })).view().first_run).toBe(false);
  });
  it('persists across a reopen and validates patches', () => {
    const d = dir();
    new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {})).update({ profile: 'terse' });
    const again = new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {}));
    expect(again.get().profile).toBe('terse');
    expect(() => again.update({ profile: 'nope' as never })).toThrow();
  });
  it('writes one JSON object (electron-store format) and moves a corrupt file aside instead of losing it', () => {
    const d = dir();
    const s = new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {}));
    s.update({ voice: 'en-gb' });
    expect(JSON.parse(readFileSync(join(d, SETTINGS_FILE), 'utf8'))).toMatchObject({ voice: 'en-gb', profile: 'default' });
    writeFileSync(join(d, SETTINGS_FILE), '{"voice": "en-gb", trunc');
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    const aside = readdirSync(d).filter((f) => f.startsWith(`${SETTINGS_FILE}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(d, aside[0]!), 'utf8')).toContain('trunc');
    s.update({ profile: 'terse' });
    expect(new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {})).get().profile).toBe('terse');
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
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
