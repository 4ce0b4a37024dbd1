/**
 * GitHub device-flow sign-in against a fake speaking GitHub's documented HTTP contract: the four
 * error answers each end (or continue) with a shown and spoken sentence, the interval and slow_down
 * are honoured, network errors are retried a bounded number of times, and neither the token nor the
 * device code ever reaches the log output.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import { MAX_NETWORK_FAILURES, pollAccessToken, requestDeviceCode } from '../../main/auth/deviceFlow.js';
import { DeviceSignIn, spellUserCode, type DeviceSignInDeps } from '../../main/auth/deviceSignIn.js';
import { createLogger, SILENT_LOGGER } from '../../main/log/logger.js';
import { FileSecretBackend, openJsonFileBackend, SettingsStore } from '../../main/settings/settingsStore.js';
import { startFakeDeviceFlow, type RunningFakeDeviceFlow } from '../fakes/github/fakeDeviceFlow.js';

const CLIENT_ID = 'Iv1.fakeclient0001';

let gh: RunningFakeDeviceFlow;
let sleeps: number[];
let spoken: string[];
let saved: string[];
let applied: string[];

/** Sleep that only records the wait (the interval is what is under test, not wall time). */
const recordingSleep = async (ms: number) => {
  sleeps.push(ms);
  await new Promise((r) => setImmediate(r));
};

function signIn(over: Partial<DeviceSignInDeps> = {}): DeviceSignIn {
  return new DeviceSignIn({
    flow: { webBaseUrl: gh.url, clientId: CLIENT_ID },
    storageProblem: () => null,
    saveToken: (t) => saved.push(t),
    applyToken: async (t) => {
      applied.push(t);
      return { account: 'octo-user', note: null };
    },
    say: (t) => spoken.push(t),
    logger: SILENT_LOGGER,
    sleep: recordingSleep,
    ...over,
  });
}

beforeEach(async () => {
  gh = await startFakeDeviceFlow({ clientId: CLIENT_ID, interval: 5 });
  sleeps = [];
  spoken = [];
  saved = [];
  applied = [];
});
afterEach(async () => {
  await gh.close();
});

describe('device flow sign-in', () => {
  it('shows and speaks the spelled code, honours interval and slow_down, then stores and applies the token', async () => {
    gh.script.push('pending', 'pending', 'slow_down', 'pending', 'token');
    const s = signIn();
    const v = await s.start();
    expect(v.state).toBe('waiting');
    expect(v.user_code).toBe('WDJB-MJHT');
    expect(v.verification_uri).toBe(`${gh.url}/login/device`);
    expect(v.message).toContain('W, D, J, B, dash, M, J, H, T');
    expect(spoken[0]).toBe(v.message);
    const end = await s.done!;
    expect(end.state).toBe('signed_in');
    expect(end.account).toBe('octo-user');
    expect(end.message).toBe('Signed in to GitHub as octo-user.');
    expect(spoken.at(-1)).toBe(end.message);
    // 5 s between polls; slow_down adds 5 s (GitHub's new interval 10 s agrees) and it stays there.
    expect(sleeps).toEqual([5000, 5000, 5000, 10_000, 10_000]);
    expect(saved).toEqual([gh.token]);
    expect(applied).toEqual([gh.token]);
    // The documented request: form body, JSON answers asked for, the device grant type.
    expect(gh.codeRequests[0]).toEqual({ client_id: CLIENT_ID, scope: 'repo' });
    for (const p of gh.polls) {
      expect(p.accept).toBe('application/json');
      expect(p.contentType).toBe('application/x-www-form-urlencoded');
      expect(p.body).toEqual({ client_id: CLIENT_ID, device_code: gh.deviceCode, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' });
    }
    expect(s.status().state).toBe('signed_in');
  });

  it('expired_token: "code expired, start again", shown and spoken, nothing stored', async () => {
    gh.script.push('pending', 'expired');
    const s = signIn();
    await s.start();
    const end = await s.done!;
    expect(end.state).toBe('expired');
    expect(end.message).toMatch(/code expired.*Start sign-in again/);
    expect(spoken.at(-1)).toBe(end.message);
    expect(end.user_code).toBeNull();
    expect(saved).toEqual([]);
  });

  it('access_denied: "sign-in cancelled", shown and spoken, nothing stored', async () => {
    gh.script.push('denied');
    const s = signIn();
    await s.start();
    const end = await s.done!;
    expect(end.state).toBe('denied');
    expect(end.message).toMatch(/^Sign-in cancelled/);
    expect(spoken.at(-1)).toBe(end.message);
    expect(saved).toEqual([]);
  });

  it('the code expires locally when GitHub never answers expired_token', async () => {
    let t = 0;
    const s = signIn({
      monotonicMs: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    await s.start();
    const end = await s.done!;
    expect(end.state).toBe('expired');
    // 900 s at 5 s: the poll at 900 s is not sent.
    expect(gh.polls.length).toBe(179);
  });

  it('keeps polling through network errors and 5xx, then succeeds', async () => {
    gh.script.push('http_500', 'pending');
    const realFetch = globalThis.fetch;
    let failOnce = true;
    const flakyFetch: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/access_token') && failOnce) {
        failOnce = false;
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      }
      return realFetch(input, init);
    };
    const s = signIn({ flow: { webBaseUrl: gh.url, clientId: CLIENT_ID, fetch: flakyFetch } });
    await s.start();
    gh.approve();
    const end = await s.done!;
    expect(end.state).toBe('signed_in');
    expect(gh.polls.map((p) => p.answer)).toEqual(['http_500', 'pending', 'token']);
  });

  it('gives up after repeated network errors with a spoken "could not be reached"', async () => {
    // GitHub goes away once the code is shown.
    let closed = false;
    const s = signIn({
      sleep: async (ms) => {
        if (!closed) {
          closed = true;
          await gh.close();
        }
        sleeps.push(ms);
      },
    });
    await s.start();
    const end = await s.done!;
    expect(end.state).toBe('failed');
    expect(end.message).toMatch(/could not be reached.*start sign-in again/);
    expect(spoken.at(-1)).toBe(end.message);
    expect(sleeps.length).toBe(MAX_NETWORK_FAILURES);
    expect(gh.polls.length).toBe(0);
    gh = await startFakeDeviceFlow(); // for afterEach
  });

  it('another OAuth error (incorrect_device_code) ends the wait with a message', async () => {
    gh.script.push('bad_device_code');
    const s = signIn();
    await s.start();
    const end = await s.done!;
    expect(end.state).toBe('failed');
    expect(end.message).toContain('incorrect_device_code');
  });

  it('cancel stops polling; a second start while waiting does not issue a second code', async () => {
    let release: () => void = () => undefined;
    const s = signIn({ sleep: (_ms, signal) => new Promise<void>((r) => { release = r; signal.addEventListener('abort', () => r()); }) });
    const [a, b] = await Promise.all([s.start(), s.start()]);
    expect(a).toBe(b);
    await s.start();
    expect(gh.codeRequests.length).toBe(1);
    const v = s.cancel();
    expect(v.state).toBe('idle');
    expect(v.message).toBe('Sign-in stopped. Nothing was saved.');
    release();
    await s.done;
    expect(gh.polls.length).toBe(0);
    expect(s.status().state).toBe('idle');
  });

  it('without a client id, or where the token cannot be stored, nothing is asked of GitHub', async () => {
    const none = signIn({ flow: null });
    expect(none.status().available).toBe(false);
    await expect(none.start()).rejects.toMatchObject({ code: 'not_supported', message: expect.stringContaining('HANDSFREE_GITHUB_CLIENT_ID') });
    const noStore = signIn({ storageProblem: () => 'No keychain here.' });
    await expect(noStore.start()).rejects.toMatchObject({ code: 'forbidden', message: 'No keychain here.' });
    expect(gh.codeRequests.length).toBe(0);
  });

  it('a wrong client id and a disabled device flow are typed errors', async () => {
    await expect(requestDeviceCode({ webBaseUrl: gh.url, clientId: 'Iv1.other' })).rejects.toMatchObject({ code: 'validation_failed' });
    const disabled = await startFakeDeviceFlow({ clientId: CLIENT_ID, codeError: 'device_flow_disabled' });
    try {
      await expect(requestDeviceCode({ webBaseUrl: disabled.url, clientId: CLIENT_ID })).rejects.toMatchObject({ code: 'not_supported' });
    } finally {
      await disabled.close();
    }
    await expect(requestDeviceCode({ webBaseUrl: 'http://127.0.0.1:1', clientId: CLIENT_ID })).rejects.toBeInstanceOf(AppError);
  });

  it('refuses a verification page on another host', async () => {
    const other = await startFakeDeviceFlow({ clientId: CLIENT_ID, verificationBase: 'https://evil.example' });
    try {
      const s = signIn({ flow: { webBaseUrl: other.url, clientId: CLIENT_ID } });
      await expect(s.start()).rejects.toMatchObject({ code: 'github_validation' });
      expect(spoken).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('reads a form-encoded answer (GitHub without Accept: application/json)', async () => {
    const realFetch = globalThis.fetch;
    const noAccept: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('accept');
      return realFetch(input, { ...init, headers });
    };
    const code = await requestDeviceCode({ webBaseUrl: gh.url, clientId: CLIENT_ID, fetch: noAccept });
    expect(code.user_code).toBe('WDJB-MJHT');
    gh.approve();
    const r = await pollAccessToken({ webBaseUrl: gh.url, clientId: CLIENT_ID, fetch: noAccept }, code.device_code);
    expect(r).toEqual({ kind: 'token', token: gh.token, scope: 'repo' });
  });

  it('spells codes one character at a time', () => {
    expect(spellUserCode('AB12-C3D4')).toBe('A, B, 1, 2, dash, C, 3, D, 4');
  });
});

describe('device flow logging', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hf-device-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a full sign-in, stored in the 0600 file, never logs the token or the device code', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = createLogger({ level: 'trace', destination: sink });
    const settings = new SettingsStore(openJsonFileBackend(dir), new FileSecretBackend(dir, {}));
    settings.update({ allowPlaintextSecrets: true });
    gh.script.push('pending', 'slow_down', 'token');
    const s = signIn({
      logger,
      storageProblem: () => (settings.view().secret.canSave ? null : settings.view().secret.description),
      saveToken: (t) => void settings.setToken(t),
      // What the app does with it: log lines around using it must not carry it either.
      applyToken: async (t) => {
        logger.info({ tokenLength: t.length }, 'applying a new token');
        return { account: 'octo-user', note: null };
      },
    });
    await s.start();
    const end = await s.done!;
    expect(end.state).toBe('signed_in');
    expect(readFileSync(join(dir, 'github-token'), 'utf8')).toBe(gh.token);
    expect(statSync(join(dir, 'github-token')).mode & 0o777).toBe(0o600);
    const log = lines.join('');
    expect(log).toContain('device flow started');
    expect(log).toContain('device flow ended');
    expect(log).toContain('slow down');
    // The fake's token has no GitHub prefix, so the logger's pattern redaction cannot hide a leak.
    expect(gh.token).not.toMatch(/^gh[pousr]_/);
    expect(log).not.toContain(gh.token);
    expect(log).not.toContain(gh.deviceCode!);
    expect(log).not.toContain(gh.userCode);
  });
});
