/**
 * Playwright fixtures: each test gets its own data dir and its own browser-mode app process on
 * port 0 (HANDSFREE_E2E_CLOCK=1 lets a test move the app's clock forward for expiry).
 */
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

export interface AppProcess {
  url: string;
  /** The per-install API secret, from the URL the app printed (`open <url>/?token=<secret>`). */
  token: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  fixturesDir?: string;
  env?: Record<string, string>;
}

/** Starts `handsfree start` in browser mode; resolves once it prints its URL. */
export async function startApp(opts: StartOptions = {}): Promise<AppProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hf-e2e-'));
  const child = spawn(process.execPath, [join(REPO, 'bin', 'handsfree.js'), 'start', '--port', '0'], {
    cwd: REPO,
    env: {
      ...process.env,
      HANDSFREE_DATA_DIR: dataDir,
      HANDSFREE_BROWSER_MODE: '1',
      HANDSFREE_E2E_CLOCK: '1',
      HANDSFREE_LOG_LEVEL: 'warn',
      ...(opts.fixturesDir ? { HANDSFREE_FIXTURES_DIR: opts.fixturesDir } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const [url, token] = await new Promise<[string, string]>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`app did not start in 30 s:\n${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok([m[1]!, m[2]!]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`app exited with ${code}:\n${out}`));
    });
  });
  SECRETS.set(url, token);
  return {
    url,
    token,
    dataDir,
    child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** A copy of the demo fixtures with one notification/PR title replaced (XSS probes). */
export function fixturesWithTitle(from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hf-fixtures-'));
  cpSync(join(REPO, 'fixtures', 'github'), dir, { recursive: true });
  const p = join(dir, 'demo-account.json');
  const raw = readFileSync(p, 'utf8');
  writeFileSync(p, raw.split(JSON.stringify(from).slice(1, -1)).join(JSON.stringify(to).slice(1, -1)));
  return dir;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Secrets of the apps started by this worker, by base URL. */
const SECRETS = new Map<string, string>();

/** `Authorization` for an app this worker started (the CLI sends the same). */
export function authHeaders(url: string): Record<string, string> {
  const t = SECRETS.get(url);
  return t === undefined ? {} : { Authorization: `Bearer ${t}` };
}

/**
 * Opens the app's printed URL in `context`, as a user pasting it would: the page trades the token
 * for its HttpOnly session cookie, which the context then sends with every API call and WebSocket.
 */
export async function authorize(context: BrowserContext, app: Pick<AppProcess, 'url' | 'token'>): Promise<void> {
  const res = await context.request.get(`${app.url}/?token=${app.token}`, { maxRedirects: 0 });
  if (res.status() !== 303) throw new Error(`token exchange answered ${res.status()}`);
}

/** POST a UI call or API route as another client (the CLI / voice path) would, with the app's secret. */
export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...authHeaders(url), ...headers }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json().catch(() => null) };
}

/** Merges recorded by the fixture gateway's write journal. */
export function mergeCount(dataDir: string): number {
  return demoWrites(dataDir, 'mergePullRequest').length;
}

/** The arguments of each write of `method` the demo account's journal recorded, in order. */
export function demoWrites(dataDir: string, method: string): unknown[][] {
  let raw = '';
  try {
    raw = readFileSync(join(dataDir, 'demo-github-writes.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return raw
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { method: string; args: unknown[] })
    .filter((e) => e.method === method)
    .map((e) => e.args);
}

export const test = base.extend<{ app: AppProcess }>({
  app: async ({ context }, use) => {
    const app = await startApp();
    await authorize(context, app);
    await use(app);
    await app.stop();
    rmSync(app.dataDir, { recursive: true, force: true });
  },
});
export { expect };
