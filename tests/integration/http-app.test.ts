/**
 * The HTTP API over the real app (pipeline, store, demo GitHub): the journey by HTTP, tokens that
 * are replayed, forged or expired (CF-2, CF-8), api-key auth end to end, and /v1/metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResponse } from '../../contract/response.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startHttpServer } from '../../main/server/httpServer.js';
import { manualClock } from '../support/memoryRepositories.js';

const ADMIN = 'admin-token-for-tests-0123456789';
let dir: string;
let app: App;
let server: { url: string; close(): Promise<void> };
let gw: FixtureGitHubGateway;
let clock: ReturnType<typeof manualClock>;

async function start(authMode: 'dev' | 'api_key' = 'dev') {
  dir = mkdtempSync(join(tmpdir(), 'hf-httpapp-'));
  gw = new FixtureGitHubGateway();
  clock = manualClock();
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw, clock });
  // A high per-user rate limit: the replay test sends 1,000 requests.
  server = await startHttpServer({ service: app.service, apiKeys: app.store.repos.apiKeys, authMode, adminToken: ADMIN, port: 0, logger: SILENT_LOGGER, rateLimitPerMin: 100_000 });
}

afterEach(async () => {
  await server?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as CommandResponse & { error?: { code: string; message: string } } };
}

describe('HTTP over the real app', () => {
  it('show my inbox → read the first one → merge it → confirm, by session id', async () => {
    await start();
    const s = { session_id: 'glasses-1' };
    expect((await post('/v1/command', { text: 'show my inbox', ...s })).json.cards.length).toBeGreaterThanOrEqual(15);
    expect((await post('/v1/command', { text: 'read the first one', ...s })).json.spoken_text).toContain('PR 12 in acme/api');
    const merge = await post('/v1/command', { text: 'merge it', ...s });
    expect(merge.json.status).toBe('needs_confirmation');
    const confirm = await post('/v1/command', { text: 'confirm', ...s });
    expect(confirm.status).toBe(200);
    expect(confirm.json.spoken_text).toBe('Merged PR 12 in acme/api.');
    expect(gw.state.merges).toHaveLength(1);
  });

  it('a used token replayed 1,000 times merges nothing more (CF-2)', async () => {
    await start();
    const merge = await post('/v1/command', { text: 'merge PR 12 in acme/api' });
    const token = merge.json.pending_action!.token;
    const first = await post('/v1/commands/confirm', { token });
    expect(first.status).toBe(200);
    expect(first.json.cards[0]).toMatchObject({ outcome: 'merged' });
    const replays: Awaited<ReturnType<typeof post>>[] = [];
    for (let batch = 0; batch < 20; batch++) replays.push(...(await Promise.all(Array.from({ length: 50 }, () => post('/v1/commands/confirm', { token })))));
    expect(replays).toHaveLength(1000);
    expect(new Set(replays.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(replays.map((r) => r.json.error?.code))).toEqual(new Set(['token_used']));
    expect(gw.state.merges).toHaveLength(1);
    expect(gw.callCount('mergePullRequest')).toBe(1);
  }, 60_000);

  it('forged and expired tokens are refused; cancel works once', async () => {
    await start();
    const forged = await post('/v1/commands/confirm', { token: 'a'.repeat(32) });
    expect(forged.json.error?.code).toBe('token_invalid');
    const merge = await post('/v1/command', { text: 'merge PR 12 in acme/api' });
    clock.advance(60_001);
    const expired = await post('/v1/commands/confirm', { token: merge.json.pending_action!.token });
    expect(expired.json.error?.code).toBe('token_expired');
    const merge2 = await post('/v1/command', { text: 'merge PR 12 in acme/api' });
    const cancel = await post('/v1/commands/cancel', { token: merge2.json.pending_action!.token });
    expect(cancel.json.status).toBe('ok');
    const late = await post('/v1/commands/confirm', { token: merge2.json.pending_action!.token });
    expect(late.json.error?.code).toBe('action_cancelled');
    expect(gw.callCount('mergePullRequest')).toBe(0);
  });

  it('rejects bad bodies before the pipeline: bad JSON, unknown fields, oversize, invalid UTF-8', async () => {
    await start();
    expect(((await post('/v1/command', '{"text": ')).json as { code?: string }).code).toBe('invalid_json');
    expect(((await post('/v1/command', { text: 'help', admin: true })).json as { code?: string }).code).toBe('validation_failed');
    expect(((await post('/v1/command', {})).json as { code?: string }).code).toBe('validation_failed');
    const big = await post('/v1/command', { text: 'x'.repeat(500_000) });
    expect(big.status).toBe(413);
    const bad = await fetch(new URL('/v1/command', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"text":"merge '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_encoding');
    // Nothing was recorded for the refused requests.
    expect(app.store.repos.commands.recent({ limit: 10 })).toHaveLength(0);
  });

  it('api_key mode: admin creates a key, the key works, a revoked key is refused', async () => {
    await start('api_key');
    expect((await post('/v1/command', { text: 'help' })).status).toBe(401);
    const created = await fetch(new URL('/v1/admin/api-keys', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-token': ADMIN },
      body: JSON.stringify({ name: 'glasses', user_id: 'sam' }),
    });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    const stored = app.store.repos.apiKeys.list().find((k) => k.id === id)!;
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(app.store.repos.apiKeys.list())).not.toContain(key);
    const ok = await post('/v1/command', { text: 'what needs my attention' }, { authorization: `Bearer ${key}` });
    expect(ok.status).toBe(200);
    expect(ok.json.session_id).toBe('sam.default');
    const del = await fetch(new URL(`/v1/admin/api-keys/${id}`, server.url), { method: 'DELETE', headers: { 'x-admin-token': ADMIN } });
    expect(del.status).toBe(204);
    expect((await post('/v1/command', { text: 'help' }, { authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it('/v1/metrics reports per-stage percentiles and /v1/status the mode', async () => {
    await start();
    for (let i = 0; i < 20; i++) await post('/v1/command', { text: i % 2 ? 'read PR 12 in acme/api' : 'help' });
    const m = (await (await fetch(new URL('/v1/metrics', server.url))).json()) as { stages: Record<string, { count: number; p50_ms: number; p95_ms: number; p99_ms: number }> };
    expect(m.stages['command']?.count).toBe(20);
    for (const k of ['p50_ms', 'p95_ms', 'p99_ms'] as const) expect(m.stages['command']?.[k]).toBeGreaterThanOrEqual(0);
    expect(m.stages['intent']?.count).toBe(20);
    const s = (await (await fetch(new URL('/v1/status', server.url))).json()) as { mode: string; github: { account: string } };
    expect(s).toMatchObject({ mode: 'fixture', github: { account: 'sam-dev' } });
  });

  it('/v1/metrics speaks the Prometheus text format on Accept: text/plain or ?format=prometheus, and parses', async () => {
    await start();
    for (let i = 0; i < 5; i++) await post('/v1/command', { text: 'help' });
    const json = (await (await fetch(new URL('/v1/metrics', server.url))).json()) as { stages: Record<string, { count: number; max_ms: number }>; counters: Record<string, number> };
    for (const req of [fetch(new URL('/v1/metrics', server.url), { headers: { accept: 'text/plain' } }), fetch(new URL('/v1/metrics?format=prometheus', server.url))]) {
      const res = await req;
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusTextFormat(await res.text());
      const byName = new Map(families.map((f) => [f.name, f]));
      const latency = byName.get('handsfree_stage_latency_ms')!;
      expect(latency.type).toBe('GAUGE');
      const max = latency.metrics.find((m) => m.labels?.['stage'] === 'command' && m.labels['quantile'] === '1');
      expect(Number(max?.value)).toBe(json.stages['command']!.max_ms);
      const samples = byName.get('handsfree_stage_samples_total')!.metrics.find((m) => m.labels?.['stage'] === 'command');
      expect(Number(samples?.value)).toBe(5);
      const events = byName.get('handsfree_events_total')!;
      expect(events.type).toBe('COUNTER');
      expect(Number(events.metrics.find((m) => m.labels?.['name'] === 'status.ok')?.value)).toBe(json.counters['status.ok']);
    }
    // JSON stays the default, and wins when the client prefers it.
    const both = await fetch(new URL('/v1/metrics', server.url), { headers: { accept: 'application/json, text/plain' } });
    expect(both.headers.get('content-type')).toMatch(/application\/json/);
  });
});
