/**
 * Audio add-on benchmarks. Each function returns plain numbers; runAudioBench() runs them all
 * against a private PulseAudio server (null sink "hf_loop" + its monitor) unless one is given.
 *
 * CPU-time and wall-clock figures are noisy on a shared machine: every ratio is measured over a
 * window after warm-up, and the PulseAudio server's own pace is measured alongside (parec) so a
 * slow server is not blamed on a backend.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

import { measureLoopbackLatency, nowMs, openCapture, openPlayback, type BackendName, type StreamStats } from '../lib/index.js';
import { startPulse, type PulseServer } from './pulseServer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RealTimeResult {
  readonly backend: BackendName | 'parec (server reference)' | 'pacat (server reference)';
  readonly direction: 'capture' | 'playback';
  /** Device frames moved per wall-clock second ÷ device rate (1.0 = real time). */
  readonly ratio: number;
  readonly windowS: number;
}

/** Real-time ratio of a capture or playback stream over `seconds` after a 0.5 s warm-up. */
export async function measureRealTimeRatio(options: { backend: BackendName; direction: 'capture' | 'playback'; seconds?: number }): Promise<RealTimeResult> {
  const seconds = options.seconds ?? 5;
  if (options.direction === 'capture') {
    const cap = await openCapture({ backend: options.backend });
    try {
      await sleep(500);
      const a = cap.stats().deviceFrames;
      const t0 = nowMs();
      await sleep(seconds * 1000);
      const b = cap.stats().deviceFrames;
      const t1 = nowMs();
      return { backend: options.backend, direction: 'capture', ratio: (b - a) / cap.info.deviceSampleRateHz / ((t1 - t0) / 1000), windowS: (t1 - t0) / 1000 };
    } finally {
      cap.close();
    }
  }
  const pb = await openPlayback({ backend: options.backend, sampleRateHz: 48_000 });
  try {
    await sleep(500);
    const a = pb.stats().deviceFrames;
    const t0 = nowMs();
    await sleep(seconds * 1000);
    const b = pb.stats().deviceFrames;
    const t1 = nowMs();
    return { backend: options.backend, direction: 'playback', ratio: (b - a) / 48_000 / ((t1 - t0) / 1000), windowS: (t1 - t0) / 1000 };
  } finally {
    pb.close();
  }
}

/** The server's own capture pace, measured with parec (PulseAudio's reference client). */
export async function measureParecRatio(server: string, source: string, seconds = 5): Promise<RealTimeResult> {
  const child = spawn('parec', ['--server', server, `--device=${source}`, '--rate=48000', '--channels=1', '--format=float32le', '--latency-msec=10'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let bytes = 0;
  child.stdout.on('data', (b: Buffer) => {
    bytes += b.length;
  });
  try {
    await sleep(500);
    const a = bytes;
    const t0 = nowMs();
    await sleep(seconds * 1000);
    const b = bytes;
    const t1 = nowMs();
    return { backend: 'parec (server reference)', direction: 'capture', ratio: (b - a) / 4 / 48_000 / ((t1 - t0) / 1000), windowS: (t1 - t0) / 1000 };
  } finally {
    child.kill('SIGTERM');
  }
}

/** The server's own playback pace: how fast pacat accepts audio from a pipe. */
export async function measurePacatRatio(server: string, sink: string, seconds = 5): Promise<RealTimeResult> {
  const child = spawn('pacat', ['--playback', '--server', server, `--device=${sink}`, '--rate=48000', '--channels=1', '--format=float32le', '--latency-msec=20'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const block = Buffer.alloc(4 * 480); // 10 ms
  let bytes = 0;
  let stop = false;
  const pump = () => {
    while (!stop && child.stdin.write(block)) bytes += block.length;
    if (!stop) bytes += block.length;
  };
  child.stdin.on('drain', pump);
  child.stdin.on('error', () => {});
  pump();
  try {
    await sleep(500);
    const a = bytes;
    const t0 = nowMs();
    await sleep(seconds * 1000);
    const b = bytes;
    const t1 = nowMs();
    return { backend: 'pacat (server reference)', direction: 'playback', ratio: (b - a) / 4 / 48_000 / ((t1 - t0) / 1000), windowS: (t1 - t0) / 1000 };
  } finally {
    stop = true;
    child.kill('SIGTERM');
  }
}

export interface DeliveryResult {
  readonly backend: BackendName;
  /** Callback that completed a chunk → chunk on the JS thread, ms. */
  readonly deliveryP50Ms: number;
  readonly deliveryP99Ms: number;
  /** The device buffer as reported (Pa_GetStreamInfo / pa_stream_get_latency), ms. */
  readonly reportedLatencyMs: number | null;
  /** Capture timestamp of the first frame → JS, ms (includes the chunk length and the device buffer). */
  readonly captureToJsP50Ms: number;
  /** Capture timestamp of the *last* frame → JS, ms: device buffer + add-on overhead (target ≤ buffer + 10 ms). */
  readonly lastFrameToJsP50Ms: number;
  readonly lastFrameToJsP99Ms: number;
  readonly callbackP999Us: number;
  readonly callbackMaxUs: number;
  readonly chunks: number;
}

export async function measureCaptureDelivery(options: { backend: BackendName; seconds?: number }): Promise<DeliveryResult> {
  const cap = await openCapture({ backend: options.backend });
  const capToJs: number[] = [];
  const lastToJs: number[] = [];
  cap.on('data', (c) => {
    capToJs.push(c.deliveredTimestampMs - c.captureTimestampMs);
    lastToJs.push(c.deliveredTimestampMs - (c.captureTimestampMs + ((c.frames - 1) * 1000) / c.sampleRateHz));
  });
  try {
    await sleep((options.seconds ?? 5) * 1000);
    const s: StreamStats = cap.stats();
    capToJs.sort((a, b) => a - b);
    lastToJs.sort((a, b) => a - b);
    return {
      backend: options.backend,
      deliveryP50Ms: s.deliveryLatencyMs?.p50 ?? NaN,
      deliveryP99Ms: s.deliveryLatencyMs?.p99 ?? NaN,
      reportedLatencyMs: s.reportedLatencyMs,
      captureToJsP50Ms: capToJs[Math.floor(capToJs.length / 2)] ?? NaN,
      lastFrameToJsP50Ms: lastToJs[Math.floor(lastToJs.length / 2)] ?? NaN,
      lastFrameToJsP99Ms: lastToJs[Math.min(lastToJs.length - 1, Math.floor(lastToJs.length * 0.99))] ?? NaN,
      callbackP999Us: s.callbackDurationUs.p999,
      callbackMaxUs: s.callbackDurationUs.max,
      chunks: capToJs.length,
    };
  } finally {
    cap.close();
  }
}

export interface StallResult {
  readonly durationS: number;
  readonly stalls: number;
  readonly stallMs: number;
  readonly droppedChunks: number;
  readonly deliveredChunks: number;
  readonly queueChunks: number;
}

/** Capture with the JS thread blocked for stallMs every periodMs (default: 200 ms each second). */
export async function measureDropsUnderStalls(options: { durationS?: number; stallMs?: number; periodMs?: number; queueChunks?: number; backend?: BackendName } = {}): Promise<StallResult> {
  const durationS = options.durationS ?? 120;
  const stallMs = options.stallMs ?? 200;
  const periodMs = options.periodMs ?? 1000;
  const queueChunks = options.queueChunks ?? 32;
  const cap = await openCapture({ queueChunks, ...(options.backend ? { backend: options.backend } : {}) });
  let stalls = 0;
  const block = new Int32Array(new SharedArrayBuffer(4));
  try {
    const end = nowMs() + durationS * 1000;
    while (nowMs() < end) {
      Atomics.wait(block, 0, 0, stallMs);
      stalls++;
      await sleep(Math.max(0, periodMs - stallMs));
    }
    const s = cap.stats();
    return { durationS, stalls, stallMs, droppedChunks: s.droppedChunks, deliveredChunks: s.deliveredChunks, queueChunks };
  } finally {
    cap.close();
  }
}

export interface AudioBenchResult {
  readonly note: string;
  /** 1-minute load average at start and end (2 cores here): context for every wall-clock figure. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly realTime: RealTimeResult[];
  readonly delivery: DeliveryResult[];
  readonly loopback: { backend: BackendName; medianMs: number | null; roundTripMs: number[]; missed: number }[];
  readonly stalls: StallResult;
}

export interface AudioBenchOptions {
  /** Seconds per real-time / delivery measurement. Default 5. */
  seconds?: number;
  /** Length of the periodic-stall capture. Default 120 (the 2 minutes). */
  stallDurationS?: number;
  backends?: BackendName[];
  /** Use this server instead of starting a private one. */
  pulse?: PulseServer;
  log?: (line: string) => void;
}

export async function runAudioBench(options: AudioBenchOptions = {}): Promise<AudioBenchResult> {
  const log = options.log ?? (() => {});
  const pulse = options.pulse ?? (await startPulse());
  const seconds = options.seconds ?? 5;
  const backends = options.backends ?? ['pulse', 'portaudio'];
  const loadStart = loadavg()[0] ?? 0;
  log(`load average (1 min) at start: ${loadStart.toFixed(2)}`);
  try {
    const realTime: RealTimeResult[] = [];
    const delivery: DeliveryResult[] = [];
    const loopback: AudioBenchResult['loopback'] = [];
    for (const backend of backends) {
      for (const direction of ['capture', 'playback'] as const) {
        // the server's own pace in the same window, so a slow server is visible as such
        const [r, ref] = await Promise.all([
          measureRealTimeRatio({ backend, direction, seconds }),
          direction === 'capture' ? measureParecRatio(pulse.server, 'hf_loop.monitor', seconds) : measurePacatRatio(pulse.server, 'hf_loop', seconds),
        ]);
        realTime.push(r);
        realTime.push(ref);
        log(`real-time ${backend} ${direction}: ${r.ratio.toFixed(3)} (${ref.backend}, same window: ${ref.ratio.toFixed(3)})`);
      }
      const d = await measureCaptureDelivery({ backend, seconds });
      delivery.push(d);
      log(
        `delivery ${backend}: callback→JS p50 ${d.deliveryP50Ms.toFixed(1)} / p99 ${d.deliveryP99Ms.toFixed(1)} ms; ` +
          `last frame captured→JS p50 ${d.lastFrameToJsP50Ms.toFixed(1)} / p99 ${d.lastFrameToJsP99Ms.toFixed(1)} ms; ` +
          `reported device latency ${d.reportedLatencyMs?.toFixed(1)} ms; callback p99.9 ${d.callbackP999Us.toFixed(0)} µs`,
      );
      const lb = await measureLoopbackLatency({ backend, outputDevice: backend === 'pulse' ? 'pulse:hf_loop' : undefined, inputDevice: backend === 'pulse' ? 'pulse:hf_loop.monitor' : undefined, trials: 5 });
      loopback.push({ backend, ...lb });
      log(`loopback ${backend}: median ${lb.medianMs?.toFixed(1)} ms (${lb.roundTripMs.map((x) => x.toFixed(0)).join(', ')}; missed ${lb.missed})`);
    }
    const stalls = await measureDropsUnderStalls({ durationS: options.stallDurationS ?? 120 });
    log(`stalls: ${stalls.stalls} × ${stalls.stallMs} ms over ${stalls.durationS} s → ${stalls.droppedChunks} dropped of ${stalls.deliveredChunks + stalls.droppedChunks}`);
    return {
      loadAverage: { start: loadStart, end: loadavg()[0] ?? 0 },
      note: 'Shared 2-core machine: wall-clock figures are noisy; compare each backend with the parec reference measured in the same window.',
      realTime,
      delivery,
      loopback,
      stalls,
    };
  } finally {
    if (!options.pulse) await pulse.stop();
  }
}
