import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../contract/ipc.js';
import { loadConfig } from '../app/config.js';
import { inQuietHours } from '../notifications/announcer.js';
import { announceSettingsFrom, configWithSettings, settingsInEffect } from './applySettings.js';
import { FileSecretBackend, openJsonFileBackend, SettingsStore } from './settingsStore.js';

const base = () => loadConfig({ HANDSFREE_DATA_DIR: mkdtempSync(join(tmpdir(), 'hf-apply-')) });
const saved: Settings = { ...DEFAULT_SETTINGS, mode: 'live', sttProvider: 'stub', ttsProvider: 'openai', voice: 'en-gb', inputDevice: 'pulse:glasses', outputDevice: 'pulse:glasses-out' };

describe('configWithSettings', () => {
  it('applies saved desktop settings over settings.json and defaults', () => {
    const c = configWithSettings(base(), saved, true, {});
    expect(c.mode).toBe('live');
    expect(c.speech).toMatchObject({ stt: 'stub', tts: 'openai', voice: 'en-gb' });
    expect(c.audio).toEqual({ inputDevice: 'pulse:glasses', outputDevice: 'pulse:glasses-out' });
  });

  it('lets the environment win where it sets a value explicitly', () => {
    const env = { HANDSFREE_MODE: 'fixture', HANDSFREE_STT: 'offline', HANDSFREE_TTS_VOICE: 'en-us' };
    const c = configWithSettings(loadConfig({ ...env, HANDSFREE_DATA_DIR: mkdtempSync(join(tmpdir(), 'hf-apply-')) }), saved, true, env);
    expect(c.mode).toBe('fixture');
    expect(c.speech.stt).toBe('offline');
    expect(c.speech.voice).toBe('en-us');
    expect(c.speech.tts).toBe('openai'); // not set in the environment
  });

  it('voice input: push-to-talk by default, the saved setting decides, HANDSFREE_VOICE_MODE wins', () => {
    expect(base().voiceMode).toBe('ptt');
    expect(configWithSettings(base(), { ...saved, voiceInputMode: 'vad' }, true, {}).voiceMode).toBe('vad');
    const env = { HANDSFREE_VOICE_MODE: 'ptt' };
    expect(configWithSettings(loadConfig({ ...env, HANDSFREE_DATA_DIR: mkdtempSync(join(tmpdir(), 'hf-apply-')) }), { ...saved, voiceInputMode: 'vad' }, true, env).voiceMode).toBe('ptt');
    expect(() => loadConfig({ HANDSFREE_VOICE_MODE: 'always' })).toThrow(/HANDSFREE_VOICE_MODE/);
  });

  it('LAN pairing: off by default, the saved switch turns it on (read at start), HANDSFREE_LAN wins; host and port from the environment', () => {
    expect(base().lan).toEqual({ enabled: false, port: 8766 });
    const on = configWithSettings(base(), { ...saved, lanPairing: true }, true, {});
    expect(on.lan).toEqual({ enabled: true, port: 8766 });
    expect(settingsInEffect(on).lanPairing).toBe(true);
    const env = { HANDSFREE_LAN: '0', HANDSFREE_LAN_HOST: '192.168.1.20', HANDSFREE_LAN_PORT: '9000' };
    const c = configWithSettings(loadConfig({ ...env, HANDSFREE_DATA_DIR: mkdtempSync(join(tmpdir(), 'hf-apply-')) }), { ...saved, lanPairing: true }, true, env);
    expect(c.lan).toEqual({ enabled: false, host: '192.168.1.20', port: 9000 });
    expect(() => loadConfig({ HANDSFREE_LAN_HOST: 'my-laptop.local' })).toThrow(/HANDSFREE_LAN_HOST/);
  });

  it('uses the saved GitHub token unless the environment has one', () => {
    expect(configWithSettings(base(), saved, false, {}, 'ghp_saved').githubToken).toBe('ghp_saved');
    const env = { HANDSFREE_GITHUB_TOKEN: 'ghp_env' };
    expect(configWithSettings(loadConfig({ ...env, HANDSFREE_DATA_DIR: mkdtempSync(join(tmpdir(), 'hf-apply-')) }), saved, true, env, 'ghp_saved').githubToken).toBe('ghp_env');
  });

  it('changes nothing before the user has saved settings', () => {
    const b = base();
    expect(configWithSettings(b, saved, false, {})).toBe(b);
  });
});

describe('SettingsStore with the running app', () => {
  it('reports saved start-up settings the running app does not use yet, and applies the rest at once', () => {
    const d = mkdtempSync(join(tmpdir(), 'hf-apply-'));
    const config = base();
    const applied: Settings[] = [];
    const store = new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {}), { inEffect: settingsInEffect(config), onChange: (s) => applied.push(s) });
    expect(store.saved).toBe(false);
    expect(store.view().restartNeeded).toEqual([]);
    store.update({ profile: 'workout' });
    expect(store.view().restartNeeded).toEqual([]);
    expect(applied.at(-1)?.profile).toBe('workout');
    store.update({ mode: 'live', outputDevice: 'pulse:glasses-out' });
    expect(store.saved).toBe(true);
    expect(store.view().restartNeeded).toEqual(['mode', 'outputDevice']);
    // after a restart with these settings nothing is pending
    const next = configWithSettings(config, store.get(), store.saved, {});
    const reopened = new SettingsStore(openJsonFileBackend(d), new FileSecretBackend(d, {}), { inEffect: settingsInEffect(next) });
    expect(reopened.view().restartNeeded).toEqual([]);
  });
});

describe('announceSettingsFrom', () => {
  it('maps mute, profile, reasons and a quiet-hours window that wraps midnight', () => {
    const s: Settings = { ...DEFAULT_SETTINGS, profile: 'commute', spokenNotifications: { muted: true, reasons: ['mention'], quietHours: { enabled: true, start: '22:30', end: '07:00' } } };
    const a = announceSettingsFrom(s);
    expect(a).toMatchObject({ autoSpeak: false, profile: 'commute', reasons: ['mention'], quietHours: { startMin: 1350, endMin: 420 } });
    expect(inQuietHours(a.quietHours!, 23 * 60)).toBe(true);
    expect(inQuietHours(a.quietHours!, 12 * 60)).toBe(false);
    expect(announceSettingsFrom(DEFAULT_SETTINGS).quietHours).toBeNull();
    expect(announceSettingsFrom({ ...DEFAULT_SETTINGS, spokenNotifications: { ...DEFAULT_SETTINGS.spokenNotifications, reasons: [] } })).not.toHaveProperty('reasons');
  });
});
