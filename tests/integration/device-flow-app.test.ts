/**
 * Device-flow sign-in through the UI calls of a running app in live mode with no token (browser
 * mode's wiring: 0600 file with consent), against a fake GitHub that serves both the REST API and
 * the device-flow endpoints and accepts only the token it hands out. The token takes effect
 * without a restart, the code is spoken through the app's voice output, and the app's whole log
 * output (trace level) carries neither the token nor the device code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DeviceSignInView } from '../../contract/ipc.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { appDeviceSignIn } from '../../main/app/deviceSignIn.js';
import { appTtsService } from '../../main/app/wiring.js';
import { createLogger } from '../../main/log/logger.js';
import { FileSecretBackend, openJsonFileBackend, SettingsStore } from '../../main/settings/settingsStore.js';
import { createCallHandlers, dispatchCall, type UiHostDeps } from '../../main/ui/uiHost.js';
import { createFakeDeviceFlow, type FakeDeviceFlow } from '../fakes/github/fakeDeviceFlow.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

let dir: string;
let app: App | undefined;
let gh: FakeGitHub;
let flow: FakeDeviceFlow;
let lines: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-device-app-'));
  flow = createFakeDeviceFlow({ clientId: 'Iv1.fakeclient0001', interval: 5 });
  gh = await startFakeGitHub({ deviceFlow: flow, token: flow.token, validate: false });
  lines = [];
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await gh.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const config = loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live', HANDSFREE_GITHUB_API_URL: gh.url, HANDSFREE_GITHUB_CLIENT_ID: 'Iv1.fakeclient0001', ...env });
  app = await createApp(config, { logger: createLogger({ level: 'trace', destination: sink }) });
  const settings = new SettingsStore(openJsonFileBackend(dir), new FileSecretBackend(dir, {}));
  const sleeps: number[] = [];
  const signIn = appDeviceSignIn(app, settings, {
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((r) => setImmediate(r));
    },
  });
  const handlers = createCallHandlers({ app, tts: appTtsService(app), settings, diagnostics: {} as UiHostDeps['diagnostics'], openExternal: async () => false, deviceSignIn: signIn });
  const caller = { userId: app.config.user, transport: 'http' as const };
  const call = (name: string) => dispatchCall(handlers, name, undefined, caller) as Promise<DeviceSignInView>;
  const spoken: string[] = [];
  app.events.on('notification.spoken', (n) => spoken.push(n.text));
  return { settings, signIn, call, spoken, sleeps };
}

it('signs in over the UI calls and the live app uses the token at once; nothing secret is logged', async () => {
  const { settings, signIn, call, spoken } = await start();
  expect((await app!.service.status()).github.ok).toBe(false);
  // Browser mode has no keychain: refused until the user consents to the 0600 file.
  await expect(call('auth.deviceStart')).rejects.toMatchObject({ code: 'forbidden' });
  expect(flow.codeRequests).toHaveLength(0);
  settings.update({ allowPlaintextSecrets: true });

  flow.script.push('pending', 'slow_down');
  const waiting = await call('auth.deviceStart');
  expect(waiting).toMatchObject({ state: 'waiting', user_code: 'WDJB-MJHT', verification_uri: `${gh.url}/login/device`, available: true, scopes: ['repo'] });
  expect(spoken).toEqual([waiting.message]);
  expect(waiting.message).toContain('W, D, J, B, dash, M, J, H, T');
  expect((await call('auth.deviceStatus')).state).toBe('waiting');
  flow.approve();
  const done = await signIn.done!;
  expect(done).toMatchObject({ state: 'signed_in', account: 'sam-dev', message: 'Signed in to GitHub as sam-dev.' });
  expect(spoken.at(-1)).toBe(done.message);
  expect(await call('auth.deviceStatus')).toEqual(done);
  // No restart: the same app now reads GitHub with the new token.
  const status = await app!.service.status();
  expect(status.github).toMatchObject({ ok: true, account: 'sam-dev' });
  expect(settings.view().secret).toMatchObject({ configured: true, source: 'file' });

  const log = lines.join('');
  expect(log).toContain('device flow ended');
  expect(log).not.toContain(flow.token);
  expect(log).not.toContain(flow.deviceCode!);
});

it('each of GitHub\'s four answers ends (or continues) the wait with a shown and spoken sentence', async () => {
  const { settings, signIn, call, spoken, sleeps } = await start();
  settings.update({ allowPlaintextSecrets: true });
  const cases: [string[], DeviceSignInView['state'], RegExp][] = [
    [['pending', 'expired'], 'expired', /code expired.*Start sign-in again/],
    [['slow_down', 'denied'], 'denied', /^Sign-in cancelled/],
  ];
  for (const [script, state, message] of cases) {
    flow.script.push(...(script as never[]));
    sleeps.length = 0;
    await call('auth.deviceStart');
    const end = await signIn.done!;
    expect(end.state).toBe(state);
    expect(end.message).toMatch(message);
    expect(spoken.at(-1)).toBe(end.message);
    expect((await call('auth.deviceStatus')).message).toBe(end.message);
  }
  // The slow_down of the second run stretched its next wait by 5 s.
  expect(sleeps).toEqual([5000, 10_000]);
  expect(settings.view().secret.configured).toBe(false);
  expect((await app!.service.status()).github.ok).toBe(false);
});

it('in demo mode a sign-in is stored, the next start is live, and the user is told to restart', async () => {
  const { settings, signIn, call } = await start({ HANDSFREE_MODE: 'fixture' });
  settings.update({ allowPlaintextSecrets: true });
  await call('auth.deviceStart');
  flow.approve();
  const done = await signIn.done!;
  expect(done.state).toBe('signed_in');
  expect(done.message).toMatch(/demo mode: restart/);
  expect(settings.get().mode).toBe('live');
  expect(settings.view().secret.configured).toBe(true);
});
