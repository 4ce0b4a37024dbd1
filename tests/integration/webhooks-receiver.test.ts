/**
 * POST /webhooks/github over the real app and HTTP server (WH-1, WH-2, WH-4, WH-5, WH-6):
 * every @octokit/webhooks-examples payload of the handled events accepted with a valid signature,
 * 10,000 signature mutations rejected with no writes, replays processed once (also across a
 * restart), a failed delivery processed again on redelivery, oversize bodies 413.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvents } from '../../contract/events.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { signWebhook, verifyWebhookSignature } from '../../main/github/webhookSignature.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { notificationRoutes } from '../../main/notifications/routes.js';
import { DELIVERY_RETENTION_MS, HANDLED_EVENTS, MAX_WEBHOOK_BODY_BYTES } from '../../main/notifications/webhookReceiver.js';
import { startHttpServer } from '../../main/server/httpServer.js';

const SECRET = 'wh-secret-for-tests-0123456789';
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as Array<{ name: string; examples: unknown[] }>;

let dir: string;
let app: App;
let server: { url: string; close(): Promise<void> };
let pushed: AppEvents['notification.new'][];

async function start(): Promise<void> {
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway(), webhookSecret: { current: SECRET } });
  pushed = [];
  app.events.on('notification.new', (e) => pushed.push(e));
  server = await startHttpServer({
    service: app.service,
    apiKeys: app.store.repos.apiKeys,
    authMode: 'dev',
    port: 0,
    logger: SILENT_LOGGER,
    extraRoutes: notificationRoutes({ notifications: app.notifications, webhooks: app.webhooks, nowMs: () => Date.now() }),
  });
}

async function stop(): Promise<void> {
  await server?.close();
  await app?.close();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-wh-'));
  await start();
});
afterEach(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

async function deliver(body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; json: { status?: string; error?: string; code?: string } }> {
  const res = await fetch(new URL('/webhooks/github', server.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as { status?: string }) : {} };
}

async function signed(event: string, guid: string, payload: unknown) {
  const body = JSON.stringify(payload);
  return deliver(body, { 'x-github-event': event, 'x-github-delivery': guid, 'x-hub-signature-256': await signWebhook(SECRET, body) });
}

const rows = (table: string) => Number(app.store.all(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.['n']);

const PR_OPENED = {
  action: 'opened',
  repository: { full_name: 'acme/api' },
  pull_request: { number: 77, title: 'Add retries', body: 'x', user: { login: 'alice' }, html_url: 'https://github.com/acme/api/pull/77', updated_at: new Date().toISOString() },
};

describe('webhook receiver', () => {
  it('WH-1: GitHub’s published test vector verifies', async () => {
    const sig = await signWebhook("It's a Secret to Everybody", 'Hello, World!');
    expect(sig).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(await verifyWebhookSignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), sig)).toBe(true);
  });

  it('accepts every @octokit/webhooks-examples payload of the handled events with a valid signature', async () => {
    let n = 0;
    for (const e of examples.filter((x) => (HANDLED_EVENTS as readonly string[]).includes(x.name))) {
      for (const [i, payload] of e.examples.entries()) {
        const r = await signed(e.name, `ex-${e.name}-${i}`, payload);
        expect(r.status, `${e.name} #${i}: ${JSON.stringify(r.json)}`).toBeGreaterThanOrEqual(200);
        expect(r.status, `${e.name} #${i}: ${JSON.stringify(r.json)}`).toBeLessThan(300);
        expect(['processed', 'ignored']).toContain(r.json.status);
        n++;
      }
    }
    expect(n).toBeGreaterThan(80);
    expect(rows('webhook_events')).toBe(n);
    expect(rows('notifications')).toBeGreaterThan(0);
    expect(app.store.all("SELECT COUNT(*) AS n FROM webhook_events WHERE status = 'failed'")[0]?.['n']).toBe(0);
  });

  it('WH-2: 10,000 signature mutations are all rejected, with no handler call and no writes', async () => {
    const body = JSON.stringify(PR_OPENED);
    const good = await signWebhook(SECRET, body);
    const hex = good.slice('sha256='.length);
    const before = { events: rows('webhook_events'), notes: rows('notifications') };
    const mutations: Array<{ body: Buffer; sig: string | string[] | undefined }> = [
      { body: Buffer.from(body), sig: undefined },
      { body: Buffer.from(body), sig: [good, good] },
      { body: Buffer.alloc(0), sig: good },
      { body: Buffer.from(body), sig: `sha1=${hex.slice(0, 40)}` },
      { body: Buffer.from(body), sig: `sha256=${hex.toUpperCase()}` },
      { body: Buffer.from(body), sig: `sha256=${hex.slice(1)}` },
      { body: Buffer.from(body), sig: hex },
      { body: Buffer.from(JSON.stringify(JSON.parse(body), null, 2)), sig: good },
      { body: Buffer.from(body), sig: await signWebhook('wrong-secret', body) },
    ];
    const arb = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(body.length - 1), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(body.length - 1) }),
      fc.record({ kind: fc.constant('sigflip' as const), at: fc.nat(63), to: fc.constantFrom(...'0123456789abcdef') }),
      fc.record({ kind: fc.constant('extend' as const), extra: fc.string({ minLength: 1, maxLength: 8 }) }),
    );
    for (const m of fc.sample(arb, { numRuns: 10_000 - mutations.length, seed: 7 })) {
      const b = Buffer.from(body);
      if (m.kind === 'flip') {
        b[m.at] = b[m.at]! ^ (1 << m.bit);
        mutations.push({ body: b, sig: good });
      } else if (m.kind === 'truncate') {
        mutations.push({ body: b.subarray(0, m.at), sig: good });
      } else if (m.kind === 'sigflip') {
        const s = hex.split('');
        s[m.at] = s[m.at] === m.to ? (m.to === '0' ? '1' : '0') : m.to;
        mutations.push({ body: b, sig: `sha256=${s.join('')}` });
      } else {
        mutations.push({ body: Buffer.concat([b, Buffer.from(m.extra)]), sig: good });
      }
    }
    expect(mutations).toHaveLength(10_000);
    let rejected = 0;
    for (const [i, m] of mutations.entries()) {
      const headers: Record<string, string | string[] | undefined> = { 'x-github-event': 'pull_request', 'x-github-delivery': `mut-${i}`, 'x-hub-signature-256': m.sig };
      const r = await app.webhooks.receive({ headers, body: m.body });
      if (r.status >= 400 && r.status < 500) rejected++;
    }
    expect(rejected).toBe(10_000);
    // A few of them through HTTP as well.
    for (const m of mutations.slice(0, 9)) {
      const h: Record<string, string> = { 'x-github-event': 'pull_request', 'x-github-delivery': 'http-mut' };
      if (typeof m.sig === 'string') h['x-hub-signature-256'] = m.sig;
      expect((await deliver(m.body, h)).status).toBe(401);
    }
    expect({ events: rows('webhook_events'), notes: rows('notifications') }).toEqual(before);
    expect(pushed).toEqual([]);
  });

  it('WH-5: the same delivery replayed 5 times (also concurrently, and after a restart) is processed once', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => signed('pull_request', 'guid-replay-1', PR_OPENED)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200]);
    expect(results.filter((r) => r.json.status === 'processed')).toHaveLength(1);
    expect(results.filter((r) => r.json.status === 'duplicate')).toHaveLength(4);
    expect(pushed).toHaveLength(1);
    expect(rows('notifications')).toBe(1);
    await stop();
    await start();
    for (let i = 0; i < 5; i++) expect((await signed('pull_request', 'guid-replay-1', PR_OPENED)).json.status).toBe('duplicate');
    expect(pushed).toHaveLength(0);
    expect(rows('notifications')).toBe(1);
    expect(rows('webhook_events')).toBe(1);
  });

  it('a body replayed under a new delivery id is not processed again (also after a restart), and is pruned with the GUIDs', async () => {
    let ingested = 0;
    const count = (): void => {
      const original = app.notifications.ingest.bind(app.notifications);
      app.notifications.ingest = (...a) => {
        ingested++;
        return original(...a);
      };
    };
    count();
    expect((await signed('pull_request', 'guid-orig-1', PR_OPENED)).json.status).toBe('processed');
    const replays = await Promise.all(['guid-new-1', 'guid-new-2', 'guid-new-3'].map((g) => signed('pull_request', g, PR_OPENED)));
    expect(replays.map((r) => [r.status, r.json.status])).toEqual([[200, 'replay'], [200, 'replay'], [200, 'replay']]);
    expect(ingested).toBe(1);
    expect(pushed).toHaveLength(1);
    await stop();
    await start();
    count();
    expect((await signed('pull_request', 'guid-new-4', PR_OPENED)).json.status).toBe('replay');
    expect(ingested).toBe(1);
    expect(app.store.all("SELECT error FROM webhook_events WHERE delivery_guid = 'guid-new-4'")[0]?.['error']).toBe('replay of delivery guid-orig-1');
    // A different body under a new GUID is processed as usual.
    expect((await signed('pull_request', 'guid-other-1', { ...PR_OPENED, action: 'reopened' })).json.status).toBe('processed');
    expect(ingested).toBe(2);
    // Hashes go with their GUIDs when pruned: after the retention period the same body is new again.
    expect(app.webhooks.prune(Date.now() + DELIVERY_RETENTION_MS + 60_000)).toBe(6);
    expect((await signed('pull_request', 'guid-late-1', PR_OPENED)).json.status).toBe('processed');
  });

  it('a body whose first delivery failed is processed once, whichever delivery id brings it again', async () => {
    const original = app.notifications.ingest.bind(app.notifications);
    let fail = true;
    let ingested = 0;
    app.notifications.ingest = (...a) => {
      if (fail) {
        fail = false;
        throw new Error('disk hiccup');
      }
      ingested++;
      return original(...a);
    };
    expect((await signed('pull_request', 'guid-f1', PR_OPENED)).status).toBe(500);
    // The same body under a new id while the first failed: processed (it never was).
    expect((await signed('pull_request', 'guid-f2', PR_OPENED)).json.status).toBe('processed');
    // GitHub redelivers the failed id: now a replay of guid-f2, not a second processing.
    expect((await signed('pull_request', 'guid-f1', PR_OPENED)).json.status).toBe('replay');
    expect((await signed('pull_request', 'guid-f1', PR_OPENED)).json.status).toBe('duplicate');
    expect(ingested).toBe(1);
  });

  it('WH-6: a delivery whose processing failed is processed on redelivery, exactly once', async () => {
    const original = app.notifications.ingest.bind(app.notifications);
    let fail = true;
    app.notifications.ingest = (...a) => {
      if (fail) {
        fail = false;
        throw new Error('disk hiccup');
      }
      return original(...a);
    };
    expect((await signed('pull_request', 'guid-fail-1', PR_OPENED)).status).toBe(500);
    expect(app.store.all("SELECT status FROM webhook_events WHERE delivery_guid = 'guid-fail-1'")[0]?.['status']).toBe('failed');
    expect((await signed('pull_request', 'guid-fail-1', PR_OPENED)).json.status).toBe('processed');
    expect((await signed('pull_request', 'guid-fail-1', PR_OPENED)).json.status).toBe('duplicate');
    expect(pushed).toHaveLength(1);
    expect(app.store.all("SELECT attempts FROM webhook_events WHERE delivery_guid = 'guid-fail-1'")[0]?.['attempts']).toBe(2);
  });

  it('WH-4: a body over the limit gets 413 (declared or streamed) and nothing is written', async () => {
    const big = Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 0x20);
    const r = await deliver(big, { 'x-github-event': 'pull_request', 'x-github-delivery': 'big-1', 'x-hub-signature-256': await signWebhook(SECRET, big.toString()) });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('payload_too_large');
    // Chunked, without Content-Length: cut off while streaming.
    const url = new URL('/webhooks/github', server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-github-event': 'ping', 'x-github-delivery': 'big-2' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
      req.end();
    }).catch(() => 413);
    expect(status).toBe(413);
    expect(rows('webhook_events')).toBe(0);
  });

  it('malformed deliveries with a valid signature are refused (bad JSON, missing headers) or ignored (unknown event)', async () => {
    const body = 'not json';
    const sig = await signWebhook(SECRET, body);
    expect((await deliver(body, { 'x-github-event': 'issues', 'x-github-delivery': 'm-1', 'x-hub-signature-256': sig })).status).toBe(400);
    const ok = JSON.stringify({ zen: 'hi' });
    const s2 = await signWebhook(SECRET, ok);
    expect((await deliver(ok, { 'x-github-delivery': 'm-2', 'x-hub-signature-256': s2 })).status).toBe(400);
    expect((await deliver(ok, { 'x-github-event': 'ping', 'x-github-delivery': 'm-3', 'x-hub-signature-256': s2 })).status).toBe(202);
    const weird = JSON.stringify({ action: 'opened', repository: { full_name: 'a/b' }, pull_request: { __proto__: { x: 1 }, constructor: 'y' } });
    expect((await deliver(weird, { 'x-github-event': 'pull_request', 'x-github-delivery': 'm-4', 'x-hub-signature-256': await signWebhook(SECRET, weird) })).json.status).toBe('ignored');
    expect(rows('notifications')).toBe(0);
  });
});
