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
  /** Completed requests per second over the measured run. */
  rps?: number;
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

/**
 * `concurrency` clients, each on its own keep-alive connection and user id, each sending one
 * command, waiting for the answer, then pausing `thinkMs` (exponentially distributed mean, ms;
 * 0 = back-to-back, which saturates the server and measures its throughput instead of latency).
 */
let loadRuns = 0;
async function load(url: URL, bodyFor: (i: number) => string, total: number, concurrency: number, thinkMs = 0): Promise<LatencyReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const samples: number[] = [];
  // Fresh user ids per run: each user's rate-limit bucket (120/min) covers one run's share only.
  const run = ++loadRuns;
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = bodyFor(i);
      const t = performance.now();
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-user-id': `bench${run}-${i % concurrency}` } }, (res) => {
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
  const pause = () => (thinkMs > 0 ? new Promise((r) => setTimeout(r, -Math.log(1 - Math.random()) * thinkMs)) : undefined);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      await pause(); // spread the clients' first requests
      while (next < total) {
        await one(next++);
        await pause();
      }
    }),
  );
  const elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  return { ...summarize(samples), rps: samples.length / elapsedS };
}

/** Starts `handsfree serve --port 0` on a temp data dir; resolves its URL. */
async function startServer(dir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/handsfree.js'), 'serve', '--port', '0'], {
    // dev auth (tests only): each simulated client names itself, so the per-user rate limit does not throttle the run.
    env: { ...process.env, HANDSFREE_DATA_DIR: dir, HANDSFREE_LOG_LEVEL: 'error', HANDSFREE_AUTH_MODE: 'dev' },
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

export interface HttpBench {
  /** 50 clients with think time: latency under concurrency (the target). */
  app: LatencyReport;
  /** 50 clients back-to-back: the server saturated; throughput and queueing latency. */
  saturated: LatencyReport;
  /** A bare node:http server answering the same-sized JSON, back-to-back. */
  floor: LatencyReport;
  thinkMs: number;
}

/**
 * HTTP command latency at `concurrency` clients with a mean think time of `thinkMs` between a
 * client's answer and its next command (a voice user speaks one command every few seconds: 100 ms
 * is 20–50× harsher), then the same clients back-to-back (saturation), then a bare node:http floor.
 */
export async function benchHttp(total = 5000, concurrency = 50, thinkMs = 100): Promise<HttpBench> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-http-'));
  const server = await startServer(dir);
  try {
    const url = new URL('/v1/command', server.url);
    const body = (i: number) => JSON.stringify({ text: MIX[i % MIX.length]! });
    // Warm-up (JIT, lazy module loads, first compactions) is a one-time cost of a long-running server.
    await load(url, body, 2000, concurrency, 0);
    const app = await load(url, body, total, concurrency, thinkMs);
    const saturated = await load(url, body, total, concurrency, 0);
    const payload = JSON.stringify({ status: 'ok', spoken_text: 'x'.repeat(600) });
    const bare = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(payload));
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const { port } = bare.address() as { port: number };
    const floor = await load(new URL(`http://127.0.0.1:${port}/`), () => '{"text":"help"}', total, concurrency);
    bare.close();
    return { app, saturated, floor, thinkMs };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
