/**
 * Exposure and resource limits of the loopback HTTP API (reliability plan WH-4, WH-8):
 * loopback-only binding, 413 without buffering, slowloris, many concurrent connections.
 */
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppService, Caller, CommandRequest, MetricsResponse, StatusResponse } from '../../contract/api.js';
import type { CommandResponse } from '../../contract/response.js';
import type { ApiKeyRecord, ApiKeyRepository } from '../../core/ports/store.js';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../main/server/httpServer.js';

class MemoryApiKeys implements ApiKeyRepository {
  private readonly rows: ApiKeyRecord[] = [];
  insert(rec: ApiKeyRecord): void {
    this.rows.push({ ...rec });
  }
  findByHash(hash: string): ApiKeyRecord | undefined {
    return this.rows.find((r) => r.hash === hash);
  }
  revoke(id: string, atMs: number): boolean {
    const r = this.rows.find((x) => x.id === id && x.revokedAtMs === null);
    if (r === undefined) return false;
    r.revokedAtMs = atMs;
    return true;
  }
  list(): ApiKeyRecord[] {
    return [...this.rows];
  }
}

class EchoService implements AppService {
  commands = 0;
  async runCommand(req: CommandRequest, caller: Caller): Promise<CommandResponse> {
    this.commands++;
    return {
      status: 'ok',
      intent: { name: 'unknown', confidence: 0, entities: {} },
      spoken_text: `${caller.userId}: ${req.text.length}`,
      cards: [],
      session_id: 's',
      debug: { processing_time_ms: 0, correlation_id: 'c' },
    };
  }
  confirm(): Promise<CommandResponse> {
    throw new Error('unused');
  }
  cancel(): Promise<CommandResponse> {
    throw new Error('unused');
  }
  async status(): Promise<StatusResponse> {
    return {
      version: 't',
      mode: 'fixture',
      uptime_ms: 0,
      github: { ok: true, account: null, rate_limit: null, error: null },
      store: { ok: true, path: '', message: null },
      pending_actions: 0,
      auth_mode: 'dev',
    };
  }
  metrics(): MetricsResponse {
    return { stages: {}, counters: {} };
  }
}

let server: RunningHttpServer | null = null;
const sockets: Socket[] = [];

async function start(o: Partial<HttpServerOptions> = {}): Promise<RunningHttpServer> {
  server = await startHttpServer({ service: new EchoService(), apiKeys: new MemoryApiKeys(), authMode: 'dev', rateLimitPerMin: 100_000, ...o });
  return server;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.close();
  server = null;
});

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

/** Resolves with everything the server sent once it closes the connection, and when. */
function untilClosed(s: Socket): Promise<{ text: string; atMs: number }> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => {
    s.on('error', () => undefined);
    s.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), atMs: Date.now() }));
  });
}

const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);

interface StreamResult {
  status: number;
  code: string | undefined;
  elapsedMs: number;
  bytesWrittenBeforeResponse: number;
}

/**
 * Streams `totalBytes` of body as fast as the socket takes it (chunked unless `declareLength`)
 * and reports the response as soon as it arrives.
 */
function streamBody(port: number, totalBytes: number, declareLength: boolean): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let written = 0;
    let done = false;
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, 'content-type': 'application/json' };
    if (declareLength) headers['content-length'] = String(totalBytes);
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/command', headers, agent: false });
    req.on('response', (res) => {
      const at = written;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done = true;
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { code?: string };
        resolve({ status: res.statusCode ?? 0, code: body.code, elapsedMs: Date.now() - t0, bytesWrittenBeforeResponse: at });
      });
    });
    req.on('error', (e) => {
      if (!done) reject(e);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      while (!done && written < totalBytes) {
        const n = Math.min(chunk.length, totalBytes - written);
        written += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!done) req.end();
    };
    pump();
  });
}

describe('exposure (WH-8)', () => {
  it('binds to 127.0.0.1 only: not reachable on any other interface', async () => {
    const { port, url } = await start();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && !i.internal)
      .map((i) => i!.address);
    for (const addr of [...others, '127.0.0.2']) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect({ host: addr, port }, () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        s.setTimeout(1_000, () => {
          s.destroy();
          resolve('timeout');
        });
      });
      expect(outcome, addr).not.toBe('connected');
    }
  });

  it.each(['0.0.0.0', '::', 'localhost', '192.168.1.10', '10.0.0.1', 'example.com', '::ffff:127.0.0.1'])('refuses to bind %s', async (host) => {
    await expect(startHttpServer({ service: new EchoService(), apiKeys: new MemoryApiKeys(), authMode: 'dev', host })).rejects.toThrow(/loopback/);
  });

  it('answers malformed HTTP with a JSON 400 and closes', async () => {
    const { port } = await start();
    const s = await openSocket(port);
    const closed = untilClosed(s);
    s.write('BLAH /v1/status HTTP/1.1\r\nHost: x\r\n\r\n');
    const { text } = await closed;
    expect(statusOf(text)).toBe(400);
    expect(text).toContain('"code":"bad_request"');
  });

  it('requires a Host header', async () => {
    const { port } = await start();
    const s = await openSocket(port);
    const closed = untilClosed(s);
    s.write('GET /v1/status HTTP/1.0\r\n\r\n');
    const { text } = await closed;
    expect(statusOf(text)).toBe(421);
  });
});

describe('body size (WH-4)', () => {
  it('answers 413 at once for a declared 30 MB body', async () => {
    const { port } = await start();
    const r = await streamBody(port, 30 * 1024 * 1024, true);
    expect(r).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(r.elapsedMs).toBeLessThan(1_000);
  });

  it('answers 413 as soon as a chunked body without Content-Length passes the limit', async () => {
    const { port } = await start();
    const r = await streamBody(port, 30 * 1024 * 1024, false);
    expect(r).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(r.elapsedMs).toBeLessThan(1_000);
    // The client could not even push the whole body before the answer came back.
    expect(r.bytesWrittenBeforeResponse).toBeLessThan(30 * 1024 * 1024);
  });

  it('draws the line exactly at the limit (limit + 1 byte → 413), chunked and declared', async () => {
    const { port } = await start({ maxBodyBytes: 1024 * 1024 });
    for (const declared of [true, false]) {
      expect((await streamBody(port, 1024 * 1024 + 1, declared)).status).toBe(413);
      // Exactly the limit is read in full (spaces are not JSON: 400, not 413).
      expect(await streamBody(port, 1024 * 1024, declared)).toMatchObject({ status: 400, code: 'invalid_json' });
    }
  });

  it('serves other clients while one uploads an oversized body', async () => {
    const { port } = await start();
    const big = streamBody(port, 30 * 1024 * 1024, false);
    const res = await fetch(`http://127.0.0.1:${port}/v1/status`);
    expect(res.status).toBe(200);
    expect((await big).status).toBe(413);
  });

  it('keeps the connection usable after refusing a small body unread', async () => {
    const { port } = await start();
    const s = await openSocket(port);
    const closed = untilClosed(s);
    const body = '{"text":"x"}';
    const req = (ct: string, close: boolean): string =>
      `POST /v1/command HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${ct}\r\nContent-Length: ${body.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    s.write(req('text/plain', false));
    await new Promise((r) => setTimeout(r, 20));
    s.write(body);
    s.write(req('application/json', true) + body);
    const { text } = await closed;
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([415, 200]);
  });
});

describe('slow clients (WH-4)', () => {
  it('closes a slowloris connection (1 header byte/s) within 10 s at default settings', async () => {
    const { port } = await start();
    const s = await openSocket(port);
    const t0 = Date.now();
    const closed = untilClosed(s);
    s.write(`GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    const timer = setInterval(() => {
      if (!s.destroyed) s.write('a');
    }, 1_000);
    const { text, atMs } = await closed;
    clearInterval(timer);
    expect(atMs - t0).toBeLessThanOrEqual(10_000);
    expect(statusOf(text)).toBe(408);
  }, 15_000);

  it('closes a connection that sends its body at 1 byte/s when the request timeout passes', async () => {
    const { port } = await start({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const s = await openSocket(port);
    const t0 = Date.now();
    const closed = untilClosed(s);
    s.write(`POST /v1/command HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    const timer = setInterval(() => {
      if (!s.destroyed) s.write(' ');
    }, 1_000);
    const { text, atMs } = await closed;
    clearInterval(timer);
    expect(statusOf(text)).toBe(408);
    expect(atMs - t0).toBeGreaterThanOrEqual(1_900);
    expect(atMs - t0).toBeLessThanOrEqual(3_500);
  }, 10_000);

  it('answers valid requests quickly (p95 < 1 s) while 200 slow connections are open', async () => {
    const { port } = await start();
    for (let i = 0; i < 200; i++) {
      const s = await openSocket(port);
      s.on('error', () => undefined);
      s.write(`POST /v1/command HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te`);
    }
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const t0 = Date.now();
        const res = await fetch(`http://127.0.0.1:${port}/v1/command`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': `u${i}` },
          body: JSON.stringify({ text: 'read my inbox' }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        times.push(Date.now() - t0);
      }),
    );
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length * 0.95)]).toBeLessThan(1_000);
  }, 15_000);

  it('close() returns even with slow clients connected', async () => {
    const { port } = await start();
    const s = await openSocket(port);
    s.on('error', () => undefined);
    s.write(`GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const t0 = Date.now();
    await server?.close();
    server = null;
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
