/**
 * The loopback HTTP API end to end over real sockets, with a test double for AppService (the
 * service is not under test here; the transport is) and an in-memory ApiKeyRepository.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AppService, Caller, CommandRequest, MetricsResponse, StatusResponse, TokenRequest } from '../../contract/api.js';
import { AppError, type AppErrorCode } from '../../contract/errors.js';
import type { CommandResponse } from '../../contract/response.js';
import type { Clock, Logger } from '../../core/ports/clock.js';
import type { ApiKeyRecord, ApiKeyRepository } from '../../core/ports/store.js';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../main/server/httpServer.js';
import { jsonRoute, type RouteSpec } from '../../main/server/router.js';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Test doubles

class MemoryApiKeys implements ApiKeyRepository {
  readonly rows = new Map<string, ApiKeyRecord>();
  insert(rec: ApiKeyRecord): void {
    this.rows.set(rec.id, { ...rec });
  }
  findByHash(hash: string): ApiKeyRecord | undefined {
    for (const r of this.rows.values()) if (r.hash === hash) return { ...r };
    return undefined;
  }
  revoke(id: string, atMs: number): boolean {
    const r = this.rows.get(id);
    if (r === undefined || r.revokedAtMs !== null) return false;
    r.revokedAtMs = atMs;
    return true;
  }
  list(): ApiKeyRecord[] {
    return [...this.rows.values()];
  }
}

function response(status: CommandResponse['status'], text: string): CommandResponse {
  return {
    status,
    intent: { name: 'unknown', confidence: 0, entities: {} },
    spoken_text: text,
    cards: [],
    ...(status === 'error' ? { error: { code: 'pr_not_found' as const, message: 'No PR 99 in acme/api.' } } : {}),
    session_id: 's1',
    debug: { processing_time_ms: 1, correlation_id: 'c1' },
  };
}

/** Throws per the text/token it gets, so tests can drive every error path. */
class FakeService implements AppService {
  readonly calls: { method: string; req: unknown; caller: Caller; via?: string }[] = [];
  async runCommand(req: CommandRequest, caller: Caller): Promise<CommandResponse> {
    this.calls.push({ method: 'runCommand', req, caller });
    if (req.text === 'boom') throw new Error('secret detail /home/u/.token');
    if (req.text.startsWith('apperr:')) throw new AppError(req.text.slice(7) as AppErrorCode, `thrown ${req.text.slice(7)}`);
    if (req.text === 'merge 99') return response('error', "I couldn't find PR 99.");
    return response('ok', `heard: ${req.text}`);
  }
  async confirm(req: TokenRequest, caller: Caller, via: 'click' | 'voice' | 'api'): Promise<CommandResponse> {
    this.calls.push({ method: 'confirm', req, caller, via });
    if (req.token.startsWith('err:')) throw new AppError(req.token.slice(4) as AppErrorCode, `thrown ${req.token.slice(4)}`);
    return response('ok', 'merged');
  }
  async cancel(req: TokenRequest, caller: Caller): Promise<CommandResponse> {
    this.calls.push({ method: 'cancel', req, caller });
    return response('ok', 'cancelled');
  }
  async status(): Promise<StatusResponse> {
    return {
      version: '0.1.0',
      mode: 'fixture',
      uptime_ms: 5,
      github: { ok: true, account: 'octo', rate_limit: null, error: null },
      store: { ok: true, path: '/tmp/x', message: null },
      pending_actions: 0,
      auth_mode: 'dev',
    };
  }
  metrics(): MetricsResponse {
    return { stages: {}, counters: { commands: 1 } };
  }
}

class FakeClock implements Clock {
  mono = 1_000;
  wall = Date.UTC(2026, 0, 1);
  nowMs(): number {
    return this.wall;
  }
  monotonicMs(): number {
    return this.mono;
  }
}

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}
function captureLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (obj: Record<string, unknown>, msg?: string): void => {
      lines.push({ level, obj: { ...bindings, ...obj }, msg });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => captureLogger(lines, { ...bindings, ...b }) };
}

// ---------------------------------------------------------------------------------------------
// Harness

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Errors: the one error body {error: code, code, message, details}. */
  json: { error?: string; code?: string; message?: string; details?: Record<string, unknown> } & Record<string, unknown>;
}

interface Req {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Serialized as JSON with Content-Type application/json unless `raw` is given. */
  json?: unknown;
  raw?: string | Buffer;
}

const ADMIN_TOKEN = 'test-admin-token-0123456789';

let current: { server: RunningHttpServer; service: FakeService; keys: MemoryApiKeys; clock: FakeClock; logs: LogLine[] } | null = null;

async function start(o: Partial<HttpServerOptions> = {}) {
  const service = new FakeService();
  const keys = new MemoryApiKeys();
  const clock = new FakeClock();
  const logs: LogLine[] = [];
  const server = await startHttpServer({ service, apiKeys: keys, authMode: 'dev', clock, logger: captureLogger(logs), ...o });
  current = { server, service, keys, clock, logs };
  return current;
}

afterEach(async () => {
  await current?.server.close();
  current = null;
});

function send(port: number, r: Req): Promise<Res> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...r.headers };
  let body: string | Buffer | undefined = r.raw;
  if (r.json !== undefined) {
    body = JSON.stringify(r.json);
    headers['content-type'] ??= 'application/json';
  }
  // Node's client sends a GET/DELETE body with no length at all unless told.
  if (body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: r.method ?? (body === undefined ? 'GET' : 'POST'), path: r.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = {};
        try {
          json = text === '' ? {} : JSON.parse(text);
        } catch {
          json = { unparsable: text };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: json as Res['json'] });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function call(r: Req): Promise<Res> {
  if (current === null) throw new Error('server not started');
  return send(current.server.port, r);
}

function expectError(res: Res, status: number, code: string): void {
  expect({ status: res.status, code: res.json.code }).toEqual({ status, code });
  expect(typeof res.json.message).toBe('string');
  // Both kinds of client read it: the twin's `error` string and today's `code`.
  expect(res.json.error).toBe(code);
  expect(res.json.details).toMatchObject({ code });
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
}

async function createKey(body: Record<string, unknown>): Promise<Res> {
  return call({ path: '/v1/admin/api-keys', headers: { 'x-admin-token': ADMIN_TOKEN }, json: body });
}

// ---------------------------------------------------------------------------------------------

describe('routes and responses', () => {
  it('runs a command and passes the dev caller', async () => {
    const { service } = await start();
    const res = await call({ path: '/v1/command', json: { text: 'read my inbox', profile: 'terse', session_id: 's1', client_context: { input: 'voice' } } });
    expect(res.status).toBe(200);
    expect(res.json.spoken_text).toBe('heard: read my inbox');
    expect(service.calls[0]).toEqual({
      method: 'runCommand',
      req: { text: 'read my inbox', profile: 'terse', session_id: 's1', client_context: { input: 'voice' } },
      caller: { userId: 'local', transport: 'http', principal: 'dev:local', correlationId: res.headers['x-request-id'] },
    });
  });

  it("passes a speech client's other number readings on, and refuses malformed ones", async () => {
    const { service } = await start();
    const cc = { input: 'voice', stt_confidence: 0.7, number_alternatives: [15, 19] };
    expect((await call({ path: '/v1/command', json: { text: 'merge pr fifty', client_context: cc } })).status).toBe(200);
    expect(service.calls[0]).toMatchObject({ method: 'runCommand', req: { text: 'merge pr fifty', client_context: cc } });
    for (const bad of [[1.5], [0], ['15'], Array.from({ length: 11 }, (_, i) => i + 1)]) {
      expectError(await call({ path: '/v1/command', json: { text: 'merge pr fifty', client_context: { input: 'voice', number_alternatives: bad } } }), 400, 'validation_failed');
    }
    expect(service.calls).toHaveLength(1);
  });

  it('answers a pipeline error with 200 and the CommandResponse (it carries the spoken explanation)', async () => {
    await start();
    const res = await call({ path: '/v1/command', json: { text: 'merge 99' } });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('error');
    expect(res.json.spoken_text).toBe("I couldn't find PR 99.");
  });

  it('serves status and metrics', async () => {
    await start();
    const s = await call({ path: '/v1/status' });
    expect(s.status).toBe(200);
    expect(s.json.version).toBe('0.1.0');
    expect(s.headers['cache-control']).toBe('no-store');
    expect(s.headers['x-content-type-options']).toBe('nosniff');
    const m = await call({ path: '/v1/metrics' });
    expect(m.json).toEqual({ stages: {}, counters: { commands: 1 } });
    const h = await call({ method: 'HEAD', path: '/v1/status' });
    expect(h.status).toBe(200);
    expect(h.text).toBe('');
  });

  it('confirms via api whatever X-Confirm-Via claims (the label comes from the transport); cancels', async () => {
    const { service } = await start();
    expect((await call({ path: '/v1/commands/confirm', json: { token: 'ab12' } })).status).toBe(200);
    expect((await call({ path: '/v1/commands/confirm', json: { token: 'ab12' }, headers: { 'x-confirm-via': 'click' } })).status).toBe(200);
    expect((await call({ path: '/v1/commands/confirm', json: { token: 'ab12' }, headers: { 'x-confirm-via': 'voice' } })).status).toBe(200);
    expect((await call({ path: '/v1/commands/cancel', json: { token: 'ab12' }, headers: { 'x-user-id': 'bob' } })).status).toBe(200);
    expect(service.calls.map((c) => [c.method, c.via, c.caller.userId])).toEqual([
      ['confirm', 'api', 'local'],
      ['confirm', 'api', 'local'],
      ['confirm', 'api', 'local'],
      ['cancel', undefined, 'bob'],
    ]);
  });

  it.each([
    ['token_invalid', 404],
    ['token_used', 409],
    ['token_expired', 410],
    ['action_cancelled', 409],
    ['head_moved', 409],
    ['no_token', 503],
    ['github_timeout', 504],
    ['github_unauthorized', 502],
  ] as const)('maps a thrown AppError %s to %i', async (code, status) => {
    await start();
    const res = await call({ path: '/v1/commands/confirm', json: { token: `err:${code}` } });
    expectError(res, status, code);
    expect(res.json.message).toBe(`thrown ${code}`);
  });

  it('answers unknown exceptions with a generic 500 and logs the details', async () => {
    const { logs } = await start();
    const res = await call({ path: '/v1/command', json: { text: 'boom' }, headers: { 'x-request-id': 'req-42' } });
    expectError(res, 500, 'internal');
    expect(res.text).not.toContain('secret');
    expect(res.headers['x-request-id']).toBe('req-42');
    const err = logs.find((l) => l.level === 'error');
    expect(JSON.stringify(err)).toContain('secret detail');
    expect(err?.obj.request_id).toBe('req-42');
    const access = logs.find((l) => l.msg === 'http request');
    expect(access?.obj).toMatchObject({ request_id: 'req-42', method: 'POST', path: '/v1/command', status: 500, user_id: 'local' });
  });

  it('hides store_failed details', async () => {
    await start();
    const res = await call({ path: '/v1/command', json: { text: 'apperr:store_failed' } });
    expectError(res, 500, 'store_failed');
    expect(res.json.message).not.toContain('thrown');
  });

  it('generates a request id when absent or malformed', async () => {
    await start();
    const a = await call({ path: '/v1/status' });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const b = await call({ path: '/v1/status', headers: { 'x-request-id': 'bad id\twith tab' } });
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('404s unknown routes and 405s wrong methods with Allow', async () => {
    await start();
    expectError(await call({ path: '/v1/nope' }), 404, 'not_found');
    expectError(await call({ path: '/v1/status/' }), 404, 'not_found');
    expectError(await call({ path: '/' }), 404, 'not_found');
    const r = await call({ path: '/v1/command' });
    expectError(r, 405, 'method_not_allowed');
    expect(r.headers.allow).toBe('POST, OPTIONS');
    const d = await call({ method: 'DELETE', path: '/v1/status' });
    expectError(d, 405, 'method_not_allowed');
    expect(d.headers.allow).toBe('GET, HEAD, OPTIONS');
    expectError(await call({ method: 'PUT', path: '/v1/admin/api-keys' }), 405, 'method_not_allowed');
  });

  it('ignores the query string when routing', async () => {
    await start();
    expect((await call({ path: '/v1/status?x=1' })).status).toBe(200);
  });

  it('refuses a body on a body-less route', async () => {
    await start();
    expectError(await call({ method: 'GET', path: '/v1/status', json: {} }), 400, 'bad_request');
  });
});

describe('request bodies', () => {
  it('refuses malformed JSON', async () => {
    await start();
    for (const raw of ['{', '', 'not json', '{"text":"a",}', "{'text':'a'}"]) {
      expectError(await call({ path: '/v1/command', raw, headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    }
  });

  it('refuses invalid UTF-8', async () => {
    await start();
    const raw = Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    expectError(await call({ path: '/v1/command', raw, headers: { 'content-type': 'application/json' } }), 400, 'invalid_encoding');
  });

  it('refuses unknown fields, naming them', async () => {
    const { service } = await start();
    const a = await call({ path: '/v1/command', json: { text: 'x', admin: true } });
    expectError(a, 400, 'validation_failed');
    expect(a.json.message).toContain('"admin"');
    const b = await call({ path: '/v1/command', json: { text: 'x', client_context: { current_repo: 'a/b', evil: 1 } } });
    expect(b.json.message).toContain('"client_context.evil"');
    const c = await call({ path: '/v1/command', raw: '{"text":"x","__proto__":{"polluted":1}}', headers: { 'content-type': 'application/json' } });
    expectError(c, 400, 'validation_failed');
    expect(c.json.message).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(service.calls).toHaveLength(0);
  });

  it('names the field that fails its schema', async () => {
    await start();
    const a = await call({ path: '/v1/command', json: { text: 7 } });
    expectError(a, 400, 'validation_failed');
    expect(a.json.message).toContain('"text"');
    const b = await call({ path: '/v1/command', json: {} });
    expect(b.json.message).toContain('"text"');
    const c = await call({ path: '/v1/commands/confirm', json: { token: '' } });
    expect(c.json.message).toContain('"token"');
    const d = await call({ path: '/v1/command', json: [] });
    expectError(d, 400, 'validation_failed');
  });

  it('accepts only application/json', async () => {
    await start();
    const body = JSON.stringify({ text: 'x' });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1']) {
      expectError(await call({ path: '/v1/command', raw: body, headers: { 'content-type': ct } }), 415, 'unsupported_media_type');
    }
    expectError(await call({ path: '/v1/command', raw: body }), 415, 'unsupported_media_type');
    expect((await call({ path: '/v1/command', raw: body, headers: { 'content-type': 'application/json; charset=UTF-8' } })).status).toBe(200);
  });

  it('refuses an oversize body by Content-Length', async () => {
    await start({ maxBodyBytes: 1_000 });
    const res = await call({ path: '/v1/command', json: { text: 'x'.repeat(1_000) } });
    expectError(res, 413, 'payload_too_large');
    expect(res.headers.connection).toBe('close');
    expect((await call({ path: '/v1/command', json: { text: 'x'.repeat(900) } })).status).toBe(200);
  });

  it('uses MAX_JSON_BODY_BYTES (64 KiB) by default', async () => {
    await start();
    expectError(await call({ path: '/v1/command', json: { text: 'x'.repeat(64 * 1024) } }), 413, 'payload_too_large');
    expect((await call({ path: '/v1/command', json: { text: 'x'.repeat(60 * 1024) } })).status).toBe(200);
  });
});

describe('auth: dev mode', () => {
  it('takes the user from X-User-ID, defaulting to "local", and validates it', async () => {
    const { service } = await start();
    await call({ path: '/v1/command', json: { text: 'a' }, headers: { 'x-user-id': 'alice@example.com' } });
    expect(service.calls[0]?.caller).toMatchObject({ userId: 'alice@example.com', transport: 'http' });
    for (const bad of ['a b', 'x'.repeat(65), 'a/b', '<script>']) {
      expectError(await call({ path: '/v1/command', json: { text: 'a' }, headers: { 'x-user-id': bad } }), 400, 'validation_failed');
    }
  });

  it('leaves /v1/status open', async () => {
    await start();
    expect((await call({ path: '/v1/status' })).status).toBe(200);
  });
});

describe('auth: api_key mode', () => {
  async function withKey(over: Partial<ApiKeyRecord> = {}) {
    const ctx = await start({ authMode: 'api_key', adminToken: ADMIN_TOKEN });
    const key = 'hfk_' + 'A'.repeat(43);
    ctx.keys.insert({
      id: 'key_1',
      name: 'laptop',
      userId: 'alice',
      hash: createHash('sha256').update(key).digest('hex'),
      rateLimitPerMin: 100,
      createdAtMs: 0,
      revokedAtMs: null,
      ...over,
    });
    return { ...ctx, key };
  }

  it('rejects missing, malformed and wrong keys with 401', async () => {
    const { key, service } = await withKey();
    const variants: Record<string, string>[] = [
      {},
      { 'x-user-id': 'alice' },
      { authorization: 'Basic YWxpY2U6eA==' },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${key}x` },
      { 'x-api-key': 'hfk_wrong' },
      { authorization: `Bearer ${key}`, 'x-api-key': 'hfk_other' },
    ];
    for (const headers of variants) {
      const res = await call({ path: '/v1/command', json: { text: 'a' }, headers });
      expectError(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect(service.calls).toHaveLength(0);
  });

  it('accepts a valid key (Bearer or X-API-Key) and uses its user', async () => {
    const { key, service } = await withKey();
    expect((await call({ path: '/v1/command', json: { text: 'a' }, headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await call({ path: '/v1/command', json: { text: 'a' }, headers: { 'x-api-key': key, 'x-user-id': 'mallory' } })).status).toBe(200);
    expect(service.calls.map((c) => c.caller.userId)).toEqual(['alice', 'alice']);
  });

  it('rejects a revoked key', async () => {
    const { key } = await withKey({ revokedAtMs: 5 });
    expectError(await call({ path: '/v1/status', headers: { authorization: `Bearer ${key}` } }), 401, 'unauthorized');
  });

  it('requires a key for status and metrics', async () => {
    const { key } = await withKey();
    expectError(await call({ path: '/v1/status' }), 401, 'unauthorized');
    expectError(await call({ path: '/v1/metrics' }), 401, 'unauthorized');
    expect((await call({ path: '/v1/status', headers: { 'x-api-key': key } })).status).toBe(200);
  });

  it('checks auth before reading the body', async () => {
    await withKey();
    expectError(await call({ path: '/v1/command', raw: '{bad', headers: { 'content-type': 'text/plain' } }), 401, 'unauthorized');
  });
});

describe('admin API', () => {
  it('is disabled without an admin token, saying how to enable it', async () => {
    await start({ authMode: 'api_key' });
    const res = await call({ path: '/v1/admin/api-keys', headers: { 'x-admin-token': 'whatever-token-0000' }, json: { name: 'n', user_id: 'u' } });
    expectError(res, 403, 'forbidden');
    expect(res.json.message).toMatch(/admin token/i);
    expectError(await call({ method: 'DELETE', path: '/v1/admin/api-keys/key_1' }), 403, 'forbidden');
  });

  it('refuses a weak admin token at startup', async () => {
    await expect(startHttpServer({ service: new FakeService(), apiKeys: new MemoryApiKeys(), authMode: 'api_key', adminToken: 'short' })).rejects.toThrow(/adminToken/);
  });

  it('rejects a missing or wrong X-Admin-Token', async () => {
    await start({ authMode: 'api_key', adminToken: ADMIN_TOKEN });
    expectError(await call({ path: '/v1/admin/api-keys', json: { name: 'n', user_id: 'u' } }), 401, 'unauthorized');
    expectError(await call({ path: '/v1/admin/api-keys', headers: { 'x-admin-token': ADMIN_TOKEN + 'x' }, json: { name: 'n', user_id: 'u' } }), 401, 'unauthorized');
    // An API key is not an admin credential.
    expectError(await call({ method: 'DELETE', path: '/v1/admin/api-keys/key_1', headers: { authorization: 'Bearer hfk_x' } }), 401, 'unauthorized');
  });

  it('creates a key (stored only as a hash), which then works, and revokes it', async () => {
    const { keys, service, clock } = await start({ authMode: 'api_key', adminToken: ADMIN_TOKEN });
    const created = await createKey({ name: 'glasses', user_id: 'alice', rate_limit_per_min: 30 });
    expect(created.status).toBe(201);
    const { id, key } = created.json as { id: string; key: string };
    expect(created.json).toEqual({ id, key, name: 'glasses', user_id: 'alice', rate_limit_per_min: 30, created_at: new Date(clock.wall).toISOString() });
    expect(key).toMatch(/^hfk_[A-Za-z0-9_-]{43}$/);
    const stored = keys.list();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id, userId: 'alice', rateLimitPerMin: 30, hash: createHash('sha256').update(key).digest('hex'), revokedAtMs: null });
    expect(JSON.stringify(stored)).not.toContain(key.slice(4));

    expect((await call({ path: '/v1/command', json: { text: 'hi' }, headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect(service.calls[0]?.caller.userId).toBe('alice');

    const del = await call({ method: 'DELETE', path: `/v1/admin/api-keys/${id}`, headers: { 'x-admin-token': ADMIN_TOKEN } });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expectError(await call({ path: '/v1/command', json: { text: 'hi' }, headers: { authorization: `Bearer ${key}` } }), 401, 'unauthorized');
    expectError(await call({ method: 'DELETE', path: `/v1/admin/api-keys/${id}`, headers: { 'x-admin-token': ADMIN_TOKEN } }), 404, 'not_found');
    expectError(await call({ method: 'DELETE', path: '/v1/admin/api-keys/key_nope', headers: { 'x-admin-token': ADMIN_TOKEN } }), 404, 'not_found');
    expectError(await call({ method: 'DELETE', path: '/v1/admin/api-keys/%2e%2e', headers: { 'x-admin-token': ADMIN_TOKEN } }), 404, 'not_found');
  });

  it('validates the create body', async () => {
    const { keys } = await start({ authMode: 'api_key', adminToken: ADMIN_TOKEN });
    const a = await createKey({ name: 'n', user_id: 'u', admin: true });
    expectError(a, 400, 'validation_failed');
    expect(a.json.message).toContain('"admin"');
    expectError(await createKey({ name: 'n', user_id: 'bad user' }), 400, 'validation_failed');
    expectError(await createKey({ name: 'n', user_id: 'u', rate_limit_per_min: 0 }), 400, 'validation_failed');
    expect(keys.list()).toHaveLength(0);
  });

  it('gives new keys the default rate limit', async () => {
    await start({ authMode: 'api_key', adminToken: ADMIN_TOKEN, rateLimitPerMin: 42 });
    expect((await createKey({ name: 'n', user_id: 'u' })).json.rate_limit_per_min).toBe(42);
  });
});

describe('rate limiting', () => {
  it('limits per API key with 429 and Retry-After, and refills over time', async () => {
    const { clock } = await start({ authMode: 'api_key', adminToken: ADMIN_TOKEN });
    const a = (await createKey({ name: 'a', user_id: 'alice', rate_limit_per_min: 3 })).json.key as string;
    const b = (await createKey({ name: 'b', user_id: 'bob', rate_limit_per_min: 3 })).json.key as string;
    const useA = () => call({ path: '/v1/status', headers: { authorization: `Bearer ${a}` } });
    for (let i = 0; i < 3; i++) expect((await useA()).status).toBe(200);
    const limited = await useA();
    expectError(limited, 429, 'rate_limited');
    expect(limited.headers['retry-after']).toBe('20');
    // Another key is unaffected.
    expect((await call({ path: '/v1/status', headers: { authorization: `Bearer ${b}` } })).status).toBe(200);
    clock.mono += 20_000;
    expect((await useA()).status).toBe(200);
    expect((await useA()).status).toBe(429);
  });

  it('limits per connection peer in dev mode: a new self-chosen X-User-ID does not get a new bucket', async () => {
    await start({ rateLimitPerMin: 2 });
    const as = (user: string) => call({ path: '/v1/command', json: { text: 'x' }, headers: { 'x-user-id': user } });
    expect((await as('u1')).status).toBe(200);
    expect((await as('u1')).status).toBe(200);
    const r = await as('u1');
    expectError(r, 429, 'rate_limited');
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expectError(await as('u2'), 429, 'rate_limited');
    expectError(await as('fresh-id-3'), 429, 'rate_limited');
  });
});

describe('Host and Origin (DNS rebinding, CSRF)', () => {
  it('rejects a wrong Host with 421 bad_origin', async () => {
    const { server } = await start();
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, `localhost.evil.example:${server.port}`, '127.0.0.1']) {
      expectError(await call({ path: '/v1/status', headers: { host } }), 421, 'bad_origin');
    }
    expect((await call({ path: '/v1/status', headers: { host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('rejects foreign browser origins, including on preflight', async () => {
    const { service } = await start();
    for (const origin of ['http://evil.example', 'null', 'http://localhost:3000']) {
      expectError(await call({ path: '/v1/command', json: { text: 'merge 12' }, headers: { origin } }), 403, 'bad_origin');
      const pre = await call({
        method: 'OPTIONS',
        path: '/v1/command',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expectError(pre, 403, 'bad_origin');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    }
    expectError(await call({ path: '/v1/status', headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'bad_origin');
    expect(service.calls).toHaveLength(0);
  });

  it('allows configured origins with CORS headers', async () => {
    const { server } = await start({ allowedOrigins: ['http://127.0.0.1:5173'] });
    const res = await call({ path: '/v1/command', json: { text: 'x' }, headers: { origin: 'http://127.0.0.1:5173' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
    const pre = await call({ method: 'OPTIONS', path: '/v1/command', headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(pre.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    expect(String(pre.headers['access-control-allow-headers'])).not.toMatch(/Admin/i);
    expect((await call({ method: 'OPTIONS', path: '/v1/nope' })).status).toBe(404);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });
});

describe('same-origin browser UI', () => {
  it('allows the server\'s own origins only when allowSameOrigin is set', async () => {
    const { server } = await start();
    const own = `http://127.0.0.1:${server.port}`;
    expectError(await call({ path: '/v1/command', json: { text: 'x' }, headers: { origin: own } }), 403, 'bad_origin');
    await server.close();
    const s2 = (await start({ allowSameOrigin: true })).server;
    for (const origin of [`http://127.0.0.1:${s2.port}`, `http://localhost:${s2.port}`]) {
      expect((await call({ path: '/v1/command', json: { text: 'x' }, headers: { origin, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    }
    for (const origin of [`http://127.0.0.1:${s2.port + 1}`, `https://127.0.0.1:${s2.port}`, 'http://evil.example']) {
      expectError(await call({ path: '/v1/command', json: { text: 'x' }, headers: { origin } }), 403, 'bad_origin');
    }
  });
});

describe('extension hooks', () => {
  it('serves extra routes through the same pipeline', async () => {
    const seen: unknown[] = [];
    const raw: RouteSpec = {
      method: 'POST',
      path: '/webhooks/github',
      auth: 'none',
      body: { kind: 'raw', contentTypes: ['application/json'] },
      maxBodyBytes: 1024 * 1024,
      handler: async (ctx) => {
        seen.push(Buffer.isBuffer(ctx.body) ? ctx.body.toString() : ctx.body);
        return { status: 202, json: { accepted: true } };
      },
    };
    const typed = jsonRoute({
      method: 'POST',
      path: '/v1/echo/:n',
      auth: 'caller',
      schema: z.strictObject({ a: z.number() }),
      handler: async (ctx) => ({ status: 200, json: { a: ctx.body.a, n: ctx.params['n'], user: ctx.caller?.userId } }),
    });
    const staticFiles: RouteSpec = {
      method: 'GET',
      path: '/app/*',
      auth: 'none',
      body: { kind: 'none' },
      handler: async (ctx) => ({ status: 200, raw: { body: `file:${ctx.params['*']}`, contentType: 'text/plain' } }),
    };
    await start({ extraRoutes: [raw, typed, staticFiles] });
    const wh = await call({ path: '/webhooks/github', raw: '{"zen":"x"}', headers: { 'content-type': 'application/json' } });
    expect(wh.status).toBe(202);
    expect(seen).toEqual(['{"zen":"x"}']);
    expectError(await call({ path: '/webhooks/github', raw: 'a=b', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    expect((await call({ path: '/webhooks/github', raw: 'x'.repeat(200_000), headers: { 'content-type': 'application/json' } })).status).toBe(202);
    expect((await call({ path: '/v1/echo/7', json: { a: 1 } })).json).toEqual({ a: 1, n: '7', user: 'local' });
    expectError(await call({ path: '/v1/echo/7', json: { a: 1, b: 2 } }), 400, 'validation_failed');
    const f = await call({ path: '/app/js/main.js' });
    expect(f.text).toBe('file:js/main.js');
    expect(f.headers['content-type']).toBe('text/plain');
    // Host/Origin checks apply to extra routes too.
    expectError(await call({ path: '/app/x', headers: { origin: 'http://evil.example' } }), 403, 'bad_origin');
  });

  it('refuses a route that duplicates a built-in one', async () => {
    const dup: RouteSpec = { method: 'GET', path: '/v1/status', auth: 'caller', body: { kind: 'none' }, handler: async () => ({ status: 200 }) };
    await expect(startHttpServer({ service: new FakeService(), apiKeys: new MemoryApiKeys(), authMode: 'dev', extraRoutes: [dup] })).rejects.toThrow(/duplicate/);
  });

  it('refuses an unauthenticated route under /v1 (every /v1 route goes through the auth policy)', async () => {
    const open: RouteSpec = { method: 'GET', path: '/v1/inbox', auth: 'none', body: { kind: 'none' }, handler: async () => ({ status: 200 }) };
    await expect(startHttpServer({ service: new FakeService(), apiKeys: new MemoryApiKeys(), authMode: 'dev', extraRoutes: [open] })).rejects.toThrow(/must authenticate/);
  });

  it('rejects upgrades without a handler, and checks Origin before calling one', async () => {
    const upgrades: (string | null)[] = [];
    const { server } = await start({
      onUpgrade: (_req, socket, _head, ctx) => {
        upgrades.push(ctx.caller?.userId ?? null);
        socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
      },
    });
    const upgrade = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/v1/events', agent: false, headers: { host: `127.0.0.1:${server.port}`, connection: 'Upgrade', upgrade: 'test', ...headers } });
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
    expect(await upgrade({ origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade({ host: 'evil.example' })).toBe(421);
    expect(await upgrade({ 'x-user-id': 'alice' })).toBe(101);
    expect(upgrades).toEqual(['alice']);
    // Authentication runs before the handler: a bad credential never reaches it.
    expect(await upgrade({ 'x-user-id': 'not a user' })).toBe(400);
    expect(upgrades).toEqual(['alice']);
  });
});

describe('fuzz (fast-check): arbitrary bodies never cause a 500 or a crash', () => {
  const routes = ['/v1/command', '/v1/commands/confirm', '/v1/commands/cancel', '/v1/admin/api-keys'];
  const ok = new Set([200, 201, 400, 413]);

  function commandish() {
    return fc.record(
      {
        text: fc.oneof(fc.string(), fc.constant('boom'), fc.jsonValue()),
        token: fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue()),
        name: fc.string(),
        user_id: fc.string(),
        profile: fc.oneof(fc.constantFrom('default', 'terse', 'workout', 'commute'), fc.string()),
        session_id: fc.string(),
        rate_limit_per_min: fc.oneof(fc.integer(), fc.double()),
        client_context: fc.oneof(fc.jsonValue(), fc.record({ current_repo: fc.string(), input: fc.string(), stt_confidence: fc.double() }, { requiredKeys: [] })),
        __proto__: fc.jsonValue(),
        constructor: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
  }

  it('JSON values and near-valid objects', async () => {
    const { server } = await start({ authMode: 'dev', adminToken: ADMIN_TOKEN, rateLimitPerMin: 100_000 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(fc.jsonValue({ maxDepth: 6 }), commandish()), async (path, value) => {
        const raw = JSON.stringify(value) ?? 'null';
        const res = await send(server.port, { path, raw, headers: { 'content-type': 'application/json', 'x-admin-token': ADMIN_TOKEN } });
        // 'boom' is the fake's deliberate unknown exception; anything else must not be a 500.
        if (res.status === 500) expect(raw).toContain('boom');
        else expect(ok.has(res.status), `${res.status} ${res.text} for ${raw.slice(0, 200)}`).toBe(true);
        expect(res.json.unparsable).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes', async () => {
    const { server } = await start({ rateLimitPerMin: 100_000 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes.slice(0, 3)), fc.uint8Array({ maxLength: 2_000 }), async (path, bytes) => {
        const res = await send(server.port, { path, raw: Buffer.from(bytes), headers: { 'content-type': 'application/json' } });
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(['invalid_json', 'invalid_encoding', 'validation_failed']).toContain(res.json.code);
      }),
      { numRuns: 300 },
    );
  });

  it('deeply nested and huge-key bodies within the limit', async () => {
    await start();
    for (const raw of ['['.repeat(30_000) + ']'.repeat(30_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), `{"${'k'.repeat(60_000)}":1}`]) {
      const res = await call({ path: '/v1/command', raw, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
    }
    expect((await call({ path: '/v1/status' })).status).toBe(200);
  });
});
