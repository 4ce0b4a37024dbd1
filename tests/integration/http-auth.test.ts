/**
 * The loopback API's default auth over the real browser-mode app (issue 13): without the
 * per-install secret every /v1 route and the WebSocket answer 401; the printed URL's token becomes
 * an HttpOnly, SameSite=Strict cookie; each WebSocket client sees only its own commands' events
 * (tokens and session ids); a header cannot claim the click channel.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { UI_EVENTS_PATH } from '../../contract/ipc.js';
import { loadConfig } from '../../main/app/config.js';
import { appRoutes } from '../../main/app/wiring.js';
import { sessionCookieName } from '../../main/server/auth.js';
import { LOCAL_SECRET_FILE } from '../../main/server/localSecret.js';
import { v1Routes } from '../../main/server/v1Routes.js';
import { startBrowserMode, type RunningUi } from '../../main/ui/start.js';

let dir: string;
let ui: RunningUi;
let port: number;
let secret: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-auth-'));
  ui = await startBrowserMode(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_LOG_LEVEL: 'silent' }), { port: 0, env: {} });
  port = Number(new URL(ui.url).port);
  secret = readFileSync(join(dir, LOCAL_SECRET_FILE), 'utf8').trim();
}, 60_000);

afterAll(async () => {
  await ui?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Trades the printed URL's token for a browser-session cookie, as a browser opening it would. */
async function browserSession(): Promise<string> {
  const res = await fetch(ui.openUrl, { redirect: 'manual' });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/');
  const set = res.headers.get('set-cookie') ?? '';
  expect(set).toMatch(/HttpOnly/);
  expect(set).toMatch(/SameSite=Strict/);
  return set.split(';')[0]!;
}

function uiCall(name: string, req: unknown, headers: Record<string, string>) {
  return fetch(`${ui.url}/v1/ui/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ req }) });
}

function rawUpgrade(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: UI_EVENTS_PATH,
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('per-install secret (mode local, the default)', () => {
  it('is created 0600 in a 0700 data dir, so other OS users cannot read it', () => {
    expect(loadConfig({}).authMode).toBe('local');
    expect(statSync(join(dir, LOCAL_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o077).toBe(0);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The printed URL carries it once; the plain URL does not.
    expect(ui.openUrl).toBe(`${ui.url}/?token=${secret}`);
  });

  it('a bare local client gets 401 on every /v1 route, whatever X-User-ID it claims', async () => {
    const specs = [
      ...v1Routes({ service: ui.app.service, apiKeys: ui.app.store.repos.apiKeys, clock: { nowMs: Date.now, monotonicMs: () => performance.now() }, defaultKeyRatePerMin: 60, authMode: 'local', openapi: () => ({}) }),
      ...appRoutes(ui.app),
      { method: 'POST', path: '/v1/ui/call/:name', auth: 'caller' },
    ].filter((r) => r.path.startsWith('/v1/'));
    expect(specs.length).toBeGreaterThanOrEqual(20);
    for (const r of specs) {
      const path = r.path.replace(/:[a-z_]+/gi, 'x1').replace(/\*$/, 'x');
      for (const headers of [{}, { 'x-user-id': 'local' }, { authorization: 'Bearer not-the-secret' }, { cookie: `${sessionCookieName(port)}=forged.mac` }] as Record<string, string>[]) {
        const res = await fetch(`${ui.url}${path}`, {
          method: r.method,
          headers: { ...headers, ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: '{}' }),
        });
        // Admin routes are refused before any caller check (disabled without an admin token).
        const expected = r.auth === 'admin' ? [401, 403] : [401];
        expect(expected, `${r.method} ${path} ${JSON.stringify(headers)} → ${res.status}`).toContain(res.status);
        await res.body?.cancel();
      }
    }
    // With the secret the same API works.
    const ok = await fetch(`${ui.url}/v1/status`, { headers: { authorization: `Bearer ${secret}` } });
    expect(ok.status).toBe(200);
  }, 60_000);

  it('a wrong token in the URL gets no cookie', async () => {
    const res = await fetch(`${ui.url}/?token=${'A'.repeat(43)}`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('the WebSocket needs the secret too', async () => {
    expect(await rawUpgrade({})).toBe(401);
    expect(await rawUpgrade({ 'x-user-id': 'local' })).toBe(401);
    expect(await rawUpgrade({ cookie: await browserSession() })).toBe(101);
  });

  it('each WebSocket client sees only its own commands: tokens and session ids go to their owner only', async () => {
    const alice = await browserSession();
    const bob = await browserSession();
    const open = (cookie: string) =>
      new Promise<{ ws: WebSocket; got: string[] }>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${UI_EVENTS_PATH}`, { headers: { cookie } });
        const got: string[] = [];
        ws.on('message', (d) => got.push(String(d)));
        ws.once('open', () => resolve({ ws, got }));
        ws.once('error', reject);
      });
    const a = await open(alice);
    const b = await open(bob);
    try {
      const res = await uiCall('command.run', { text: 'merge PR 12 in acme/api', session_id: 'alice-private-session' }, { cookie: alice });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { res: { pending_action: { token: string } } };
      const token = body.res.pending_action.token;
      await expect.poll(() => a.got.some((m) => m.includes(token)), { timeout: 5_000 }).toBe(true);
      await expect.poll(() => a.got.some((m) => m.includes('"stage":"idle"')), { timeout: 5_000 }).toBe(true);
      // Give any stray broadcast time to arrive before asserting absence.
      await new Promise((r) => setTimeout(r, 200));
      expect(b.got.filter((m) => m.includes(token) || m.includes('alice-private-session'))).toEqual([]);
      expect(b.got.filter((m) => m.includes('action.changed') || m.includes('pipeline.state'))).toEqual([]);
      // The owner cancels; nothing merged.
      const cancel = await uiCall('action.cancel', { token }, { cookie: alice });
      expect(cancel.status).toBe(200);
    } finally {
      a.ws.terminate();
      b.ws.terminate();
    }
  });

  it('X-Confirm-Via cannot label an API confirmation as a click: the audit log says api', async () => {
    const auth = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const plan = await fetch(`${ui.url}/v1/command`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'merge PR 12 in acme/api', session_id: 'via-test' }) });
    const token = ((await plan.json()) as { pending_action: { token: string } }).pending_action.token;
    const confirm = await fetch(`${ui.url}/v1/commands/confirm`, { method: 'POST', headers: { ...auth, 'x-confirm-via': 'click' }, body: JSON.stringify({ token }) });
    expect(confirm.status).toBe(200);
    const executing = ui.app.store.repos.audit.list({ limit: 50 }).filter((e) => e.token === token && e.outcome === 'executing');
    expect(executing.map((e) => e.detail)).toEqual([{ via: 'api' }]);
  });
});
