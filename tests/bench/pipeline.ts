/**
 * Text-command latency: in-process through the whole pipeline (fixture GitHub, real store), and
 * over loopback HTTP at 50 concurrent clients against a `handsfree serve` child process, next to a
 * bare node:http server answering the same-sized JSON (the floor) measured in the same run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../../main/app/app.js';
import { loadConfig, REPO_ROOT } from '../../main/app/config.js';
import { pct } from '../../main/app/metrics.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';

const MIX = ['what needs my attention', 'read PR 12 in acme/api', 'are the checks passing on it', 'read the first one', 'next', 'help', 'repeat'];

export interface LatencyReport {
  n: number;
  p50: number;
  p99: number;
}

function summarize(samples: number[]): LatencyReport {
  const s = samples.sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99) };
}

/** In-process command latency in ms over `n` commands (after a warm-up). */
export async function benchInProcess(n = 2000): Promise<LatencyReport> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-'));
  const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER });
  const caller = { userId: 'bench', transport: 'cli' as const };
  try {
    for (let i = 0; i < 200; i++) await app.service.runCommand({ text: MIX[i % MIX.length]! }, caller);
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await app.service.runCommand({ text: MIX[i % MIX.length]! }, caller);
      samples.push(performance.now() - t);
    }
    return summarize(samples);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function load(url: URL, bodyFor: (i: number) => string, total: number, concurrency: number): Promise<LatencyReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const samples: number[] = [];
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = bodyFor(i);
      const t = performance.now();
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-user-id': `bench${i % concurrency}` } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else {
            samples.push(performance.now() - t);
            resolve();
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
  agent.destroy();
  return summarize(samples.slice(Math.min(samples.length - 1, concurrency * 4)));
}

/** Starts `handsfree serve --port 0` on a temp data dir; resolves its URL. */
async function startServer(dir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/handsfree.js'), 'serve', '--port', '0'], {
    env: { ...process.env, HANDSFREE_DATA_DIR: dir, HANDSFREE_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** HTTP command latency at `concurrency` clients, and a bare node:http floor. */
export async function benchHttp(total = 5000, concurrency = 50): Promise<{ app: LatencyReport; floor: LatencyReport }> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-http-'));
  const server = await startServer(dir);
  try {
    const app = await load(new URL('/v1/command', server.url), (i) => JSON.stringify({ text: MIX[i % MIX.length]! }), total, concurrency);
    const payload = JSON.stringify({ status: 'ok', spoken_text: 'x'.repeat(600) });
    const bare = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(payload));
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const { port } = bare.address() as { port: number };
    const floor = await load(new URL(`http://127.0.0.1:${port}/`), () => '{"text":"help"}', total, concurrency);
    bare.close();
    return { app, floor };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
