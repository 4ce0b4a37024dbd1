/**
 * Device-flow sign-in in the desktop app stores the token through the keychain path
 * (safeStorage + electron-store), like a pasted token: encrypted at rest, never in plaintext.
 */
import { expect, it } from 'vitest';
import { DeviceSignIn, tokenStorageProblem } from '../auth/deviceSignIn.js';
import { SILENT_LOGGER } from '../log/logger.js';
import { SettingsStore, type SettingsBackend } from '../settings/settingsStore.js';
import { SafeStorageSecretBackend, type SafeStorageLike } from './secrets.js';

const TOKEN = 'oauthtoken0123456789abcdef';

function electronStore(): SettingsBackend & { m: Map<string, unknown>; get(k: string): unknown } {
  const m = new Map<string, unknown>();
  return { m, path: '/tmp/config.json', get store() { return Object.fromEntries(m); }, get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
}
const keychain = (backend: string): SafeStorageLike => ({
  isEncryptionAvailable: () => true,
  encryptString: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
  getSelectedStorageBackend: () => backend,
});

/** GitHub's two device-flow answers: a code, then the token. */
const github: typeof fetch = async (input) => {
  const body = String(input).endsWith('/login/device/code')
    ? { device_code: 'dc_1234567890', user_code: 'ABCD-EFGH', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 }
    : { access_token: TOKEN, token_type: 'bearer', scope: 'repo' };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
};

function signInWith(backend: string) {
  const store = electronStore();
  const secrets = new SafeStorageSecretBackend(keychain(backend), store, 'linux');
  const settings = new SettingsStore(store, secrets);
  const s = new DeviceSignIn({
    flow: { webBaseUrl: 'https://github.com', clientId: 'Iv1.fakeclient0001', fetch: github },
    storageProblem: () => tokenStorageProblem(settings),
    saveToken: (t) => void settings.setToken(t),
    applyToken: async () => ({ account: 'sam-dev', note: null }),
    say: () => undefined,
    logger: SILENT_LOGGER,
    sleep: async () => undefined,
  });
  return { s, store, secrets, settings };
}

it('stores the signed-in token encrypted with the OS keychain', async () => {
  const { s, store, secrets, settings } = signInWith('gnome_libsecret');
  await s.start();
  expect((await s.done!).state).toBe('signed_in');
  expect(JSON.stringify([...store.m.values()])).not.toContain(TOKEN);
  expect(secrets.read()).toBe(TOKEN);
  expect(settings.view().secret).toMatchObject({ configured: true, source: 'keychain' });
});

it('without a keyring (basic_text) and no opt-in, sign-in does not start', async () => {
  const { s, store } = signInWith('basic_text');
  await expect(s.start()).rejects.toMatchObject({ code: 'forbidden' });
  expect(store.m.size).toBe(0);
});
