/**
 * LAN mode over the real app: `serveApp` with a LAN listener (TLS, API keys only) beside the
 * loopback one. There is no real LAN here, so the LAN listener binds 127.0.0.2 (any 127/8 address
 * is this machine) while loopback stays on 127.0.0.1; the code paths are those of a LAN address.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIRING_CODE_TTL_MS, parsePairingUri, type PairingOffer, type QrMatrix } from '../../contract/pairing.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { serveApp, type ServedApp } from '../../main/app/serveApp.js';
import { createPairing } from '../../main/app/serveLan.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { PairingService } from '../../main/lan/pairing.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { DEFAULT_RATE_LIMIT_PER_MIN } from '../../main/server/httpServer.js';
import { createCallHandlers, dispatchCall } from '../../main/ui/uiHost.js';

// jsqr is CommonJS whose types declare an ES default export: under NodeNext the import is the module object.
const jsQR = (jsQRModule as unknown as { default: typeof import('jsqr').default }).default;
const LAN_HOST = '127.0.0.2';
let dir: string;
let app: App;
let served: ServedApp;
let secret: string;
let nowMs = Date.parse('2026-12-04T12:00:00Z');

interface Res {
  status: number;
  json: any;
  headers: Record<string, string | string[] | undefined>;
  peer: PeerCertificate;
}

/** One HTTPS request to the LAN listener, as a phone makes it: the self-signed certificate is not CA-trusted, so the peer's fingerprint is returned for the caller to pin. */
function lan(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; base?: string } = {}): Promise<Res> {
  const url = new URL(path, opts.base ?? served.lan!.server.url);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, rejectUnauthorized: false, agent: false, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers } },
      (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text === '' ? null : JSON.parse(text), headers: res.headers, peer });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function loopback(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, served.server.url), {
    method,
    headers: { authorization: `Bearer ${secret}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text) };
}

/** The certificate the LAN listener actually serves, by a bare TLS handshake. */
function servedFingerprint(): Promise<string> {
  const u = new URL(served.lan!.server.url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on('error', reject);
  });
}

/** Decodes the QR the UI draws (rows of modules) back to text with a real QR reader (jsQR). */
function decodeQr(qr: QrMatrix): string | null {
  const scale = 4;
  const quiet = 4;
  const side = (qr.size + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  qr.rows.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      if (row[c] !== '1') continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((r + quiet) * scale + dy) * side + (c + quiet) * scale + dx) * 4;
          rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
        }
      }
    }
  });
  return jsQR(rgba, side, side)?.data ?? null;
}

async function offer(): Promise<PairingOffer> {
  const r = await loopback('POST', '/v1/pairing/offer', {});
  expect(r.status).toBe(201);
  return r.json as PairingOffer;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-lan-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
  const pairing = new PairingService({ apiKeys: app.store.repos.apiKeys, userId: app.config.user, keyRatePerMin: DEFAULT_RATE_LIMIT_PER_MIN, nowMs: () => nowMs });
  served = await serveApp(app, SILENT_LOGGER, { port: 0, lan: { host: LAN_HOST, port: 0 }, pairing });
  secret = served.local!.secretForUrl();
}, 60_000);

afterAll(async () => {
  await served?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LAN listener', () => {
  it('speaks TLS on its own address and port, apart from loopback', () => {
    expect(served.lan!.server.url).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
    expect(served.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers nothing without an API key: 401 for a route, an unknown path, OPTIONS, and the local secret', async () => {
    for (const [m, p] of [['GET', '/v1/status'], ['POST', '/v1/command'], ['GET', '/v1/no-such-route'], ['OPTIONS', '/v1/status'], ['GET', '/v1/openapi.json'], ['GET', '/']] as const) {
      const r = await lan(m, p, m === 'POST' ? { body: { text: 'show my inbox' } } : {});
      expect(r.status, `${m} ${p}`).toBe(401);
      expect(r.json.error).toBe('unauthorized');
      expect(r.headers['www-authenticate']).toMatch(/Bearer/);
    }
    // A WebSocket upgrade too.
    const up = await new Promise<number>((resolve, reject) => {
      const u = new URL(served.lan!.server.url);
      const req = request({ host: u.hostname, port: Number(u.port), path: '/v1/ui/events', rejectUnauthorized: false, agent: false, headers: { connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(up).toBe(401);
    // The per-install secret is a loopback credential: not an API key on the LAN.
    expect((await lan('GET', '/v1/status', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    expect((await lan('GET', '/v1/status', { headers: { authorization: 'Bearer hfk_not-a-real-key' } })).status).toBe(401);
  });

  it('the QR names the LAN URL and the fingerprint of the certificate actually served; the QR image decodes to the same payload', async () => {
    const o = await offer();
    const decoded = decodeQr(o.qr);
    expect(decoded).toBe(o.payload);
    const p = parsePairingUri(decoded!);
    expect(p.url).toBe(served.lan!.server.url);
    expect(p.code).toBe(o.code);
    expect(p.fingerprint256).toBe(await servedFingerprint());
    expect(p.fingerprint256).toBe(served.lan!.fingerprint256);
  });

  it('a phone pairs with the code once, then uses its key; a second use of the code is refused', async () => {
    const o = await offer();
    const paired = await lan('POST', '/v1/pairing', { body: { code: o.code, device_name: 'Pixel 8' } });
    expect(paired.status).toBe(201);
    // The phone pins what the QR said.
    expect(paired.peer.fingerprint256).toBe(parsePairingUri(o.payload).fingerprint256);
    expect(paired.json).toMatchObject({ user_id: app.config.user, device_name: 'Pixel 8', fingerprint256: o.fingerprint256 });
    const key = paired.json.api_key as string;
    expect((await lan('POST', '/v1/pairing', { body: { code: o.code, device_name: 'Thief' } })).status).toBe(401);

    const auth = { authorization: `Bearer ${key}` };
    const status = await lan('GET', '/v1/status', { headers: auth });
    expect(status.status).toBe(200);
    expect(status.json.status).toMatch(/ok|degraded/);
    const cmd = await lan('POST', '/v1/command', { headers: auth, body: { input: { type: 'text', text: 'show my inbox' } } });
    expect(cmd.status).toBe(200);
    expect(cmd.json.ui_cards.length).toBeGreaterThan(0);
    // Desktop-only routes are not there, even with a key: admin, pairing offers, the UI bridge.
    expect((await lan('GET', '/v1/admin/api-keys', { headers: { ...auth, 'x-admin-token': 'x'.repeat(20) } })).status).toBe(404);
    expect((await lan('POST', '/v1/pairing/offer', { headers: auth, body: {} })).status).toBe(404);
    expect((await lan('GET', '/v1/pairing', { headers: auth })).status).toBe(405);
    expect((await lan('POST', '/v1/ui/call/settings.get', { headers: auth, body: {} })).status).toBe(404);
    // The desktop sees the phone and can unpair it; its key stops working.
    const st = await loopback('GET', '/v1/pairing');
    expect(st.json.devices).toContainEqual({ key_id: paired.json.key_id, device_name: 'Pixel 8', created_at: paired.json.created_at });
    expect(st.json.lan).toMatchObject({ running: true, url: served.lan!.server.url, fingerprint256: o.fingerprint256 });
    expect((await loopback('DELETE', `/v1/pairing/devices/${paired.json.key_id}`)).status).toBe(204);
    expect((await lan('GET', '/v1/status', { headers: auth })).status).toBe(401);
  });

  it('an expired code is refused (injected clock)', async () => {
    const o = await offer();
    nowMs += PAIRING_CODE_TTL_MS + 1;
    const r = await lan('POST', '/v1/pairing', { body: { code: o.code, device_name: 'Late' } });
    expect(r.status).toBe(401);
    expect(r.json.message).toMatch(/expired/);
  });

  it('a malformed pairing request is a 400, not a key', async () => {
    expect((await lan('POST', '/v1/pairing', { body: { code: '12', device_name: 'x' } })).status).toBe(400);
    expect((await lan('POST', '/v1/pairing', { body: { code: '12345678', device_name: 'x', user_id: 'admin' } })).status).toBe(400);
  });

  it('the desktop UI calls reach the same pairing (Settings → Pair a phone)', async () => {
    const handlers = createCallHandlers({ app, tts: {} as never, settings: {} as never, diagnostics: {} as never, openExternal: async () => false, pairing: served.pairing });
    const caller = { userId: app.config.user, transport: 'ipc' as const };
    const o = (await dispatchCall(handlers, 'pairing.offer', undefined, caller)) as PairingOffer;
    expect(decodeQr(o.qr)).toBe(o.payload);
    const st = (await dispatchCall(handlers, 'pairing.cancel', undefined, caller)) as { lan: { running: boolean } };
    expect(st.lan.running).toBe(true);
    expect((await lan('POST', '/v1/pairing', { body: { code: o.code, device_name: 'Cancelled' } })).status).toBe(401);
    await expect(dispatchCall(handlers, 'pairing.revoke', { key_id: 'key_nope' }, caller)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('loopback is unchanged by LAN mode', () => {
  it('still needs the local secret, still checks Host and Origin, and refuses an API key from pairing in local mode', async () => {
    expect((await loopback('GET', '/v1/status', undefined, { authorization: '' })).status).toBe(401);
    expect((await loopback('GET', '/v1/status')).status).toBe(200);
    expect((await loopback('GET', '/v1/status', undefined, { origin: 'https://evil.example' })).status).toBe(403);
    const o = await offer();
    const key = (await lan('POST', '/v1/pairing', { body: { code: o.code, device_name: 'Phone' } })).json.api_key as string;
    expect((await loopback('GET', '/v1/status', undefined, { authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it('another user\'s API key on a loopback api_key server cannot mint pairing codes for the desktop user', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'hf-lan2-'));
    const app2 = await createApp(loadConfig({ HANDSFREE_DATA_DIR: d2, HANDSFREE_AUTH_MODE: 'api_key' }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
    const s2 = await serveApp(app2, SILENT_LOGGER, { port: 0, lan: { host: LAN_HOST, port: 0 }, pairing: createPairing(app2) });
    try {
      const { generateApiKey } = await import('../../main/server/auth.js');
      const k = generateApiKey();
      app2.store.repos.apiKeys.insert({ id: 'key_mallory', name: 'mallory', userId: 'mallory', hash: k.hash, rateLimitPerMin: 100, createdAtMs: 0, revokedAtMs: null });
      const r = await fetch(`${s2.server.url}/v1/pairing/offer`, { method: 'POST', headers: { authorization: `Bearer ${k.key}`, 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(403);
      // The same key is good on the LAN listener (api_key mode's keys are API keys there too).
      expect((await lan('GET', '/v1/status', { base: s2.lan!.server.url, headers: { authorization: `Bearer ${k.key}` } })).status).toBe(200);
    } finally {
      await s2.close();
      await app2.close();
      rmSync(d2, { recursive: true, force: true });
    }
  });

  it('dev auth mode (tests only) does not reach the LAN: a self-named X-User-ID is a 401 there', async () => {
    const d3 = mkdtempSync(join(tmpdir(), 'hf-lan3-'));
    const app3 = await createApp(loadConfig({ HANDSFREE_DATA_DIR: d3, HANDSFREE_AUTH_MODE: 'dev' }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
    const s3 = await serveApp(app3, SILENT_LOGGER, { port: 0, lan: { host: LAN_HOST, port: 0 } });
    try {
      expect((await fetch(`${s3.server.url}/v1/status`, { headers: { 'x-user-id': 'alice' } })).status).toBe(200);
      expect((await lan('GET', '/v1/status', { base: s3.lan!.server.url, headers: { 'x-user-id': 'alice' } })).status).toBe(401);
    } finally {
      await s3.close();
      await app3.close();
      rmSync(d3, { recursive: true, force: true });
    }
  });
});
