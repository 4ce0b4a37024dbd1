/**
 * `handsfree login` as a user runs it (a separate process, the built CLI) against a fake GitHub
 * serving the device-flow endpoints: consent to the 0600 file first, then the code on stdout,
 * the token in the file and never on the terminal. Needs the TypeScript build (npm test builds first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig, REPO_ROOT } from '../../main/app/config.js';
import { startBrowserMode } from '../../main/ui/start.js';
import { createFakeDeviceFlow, type FakeDeviceFlow } from '../fakes/github/fakeDeviceFlow.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

const BIN = join(REPO_ROOT, 'bin', 'handsfree.js');
let dir: string;
let gh: FakeGitHub;
let flow: FakeDeviceFlow;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-login-'));
  flow = createFakeDeviceFlow({ clientId: 'Iv1.fakeclient0001', interval: 1 });
  gh = await startFakeGitHub({ deviceFlow: flow, token: flow.token, validate: false });
});
afterEach(async () => {
  await gh.close();
  rmSync(dir, { recursive: true, force: true });
});

function login(args: string[], onOut: (text: string) => void = () => undefined): Promise<{ code: number | null; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live', HANDSFREE_LOG_LEVEL: 'debug', HANDSFREE_GITHUB_API_URL: gh.url, HANDSFREE_GITHUB_CLIENT_ID: 'Iv1.fakeclient0001' };
  delete env['HANDSFREE_GITHUB_TOKEN'];
  delete env['GITHUB_TOKEN'];
  const child = spawn(process.execPath, [BIN, 'login', ...args], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    onOut(out);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill(), 20_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, out, err }))));
}

it('refuses to start without consent to plaintext storage, asking GitHub nothing', async () => {
  const r = await login([]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/--allow-plaintext/);
  expect(flow.codeRequests).toHaveLength(0);
});

it('shows the code, waits for approval, stores the token in a 0600 file and never prints it', async () => {
  flow.script.push('pending');
  const r = await login(['--allow-plaintext'], (out) => {
    if (out.includes('enter the code')) flow.approve();
  });
  expect(r.code).toBe(0);
  expect(r.out).toContain(`Open ${gh.url}/login/device and enter the code: WDJB-MJHT`);
  expect(r.out).toMatch(/Signed in to GitHub as sam-dev\./);
  expect(readFileSync(join(dir, 'github-token'), 'utf8')).toBe(flow.token);
  expect(statSync(join(dir, 'github-token')).mode & 0o777).toBe(0o600);
  // Debug-level logs on stderr and everything on stdout: no token, no device code.
  expect(r.out + r.err).not.toContain(flow.token);
  expect(r.out + r.err).not.toContain(flow.deviceCode!);
  expect(flow.polls.map((p) => p.answer)).toEqual(['pending', 'token']);
});

it('a denied sign-in exits 1 with "sign-in cancelled"', async () => {
  flow.script.push('denied');
  const r = await login(['--allow-plaintext']);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/Sign-in cancelled/);
});

it('with the desktop app running (browser mode), signs in through it: the app uses the token at once', async () => {
  const env = { HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live', HANDSFREE_LOG_LEVEL: 'silent', HANDSFREE_GITHUB_API_URL: gh.url, HANDSFREE_GITHUB_CLIENT_ID: 'Iv1.fakeclient0001' };
  const ui = await startBrowserMode(loadConfig(env), { port: 0, env: { ...env, HANDSFREE_E2E_CLOCK: '1' } });
  try {
    const spoken: string[] = [];
    ui.app.events.on('notification.spoken', (n) => spoken.push(n.text));
    expect((await ui.app.service.status()).github.ok).toBe(false);
    // Browser mode has no keychain: the consent goes to the app's settings.
    const r = await login(['--allow-plaintext'], (out) => {
      if (out.includes('enter the code')) flow.approve();
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Signed in to GitHub as sam-dev\./);
    expect(spoken[0]).toContain('W, D, J, B, dash, M, J, H, T');
    expect((await ui.app.service.status()).github).toMatchObject({ ok: true, account: 'sam-dev' });
    expect(readFileSync(join(dir, 'github-token'), 'utf8')).toBe(flow.token);
  } finally {
    await ui.close();
  }
});
