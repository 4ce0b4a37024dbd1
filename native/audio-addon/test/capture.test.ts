/** Capture and playback against a private PulseAudio server (null sink + its monitor). */
import { execFileSync as execFileSyncRaw } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { concatPcm, findTemplate, listDevices, measureLoopbackLatency, openCapture, openPlayback, tone, type AudioCapture, type PcmChunk } from '../lib/index.js';
import { paplay, startPulse, type PulseServer } from './pulse.js';

let pulse: PulseServer;

/** Runs a tool without a sanitizer preload (set only for node in ASan runs). */
function execFileSync(cmd: string, args: string[]): void {
  const env = { ...process.env };
  delete env['LD_PRELOAD'];
  execFileSyncRaw(cmd, args, { env });
}

beforeAll(async () => {
  pulse = await startPulse();
});
afterAll(async () => {
  await pulse?.stop();
});

function collect(cap: AudioCapture): PcmChunk[] {
  const chunks: PcmChunk[] = [];
  cap.on('data', (c) => chunks.push(c));
  return chunks;
}

function firstChunk(cap: AudioCapture): Promise<void> {
  return new Promise((resolve) => cap.once('data', () => resolve()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for an amount of *audio* (device frames), not wall time: the server may run slow here. */
async function waitForAudio(cap: AudioCapture, audioMs: number, timeoutMs = 20_000): Promise<void> {
  const start = cap.stats().deviceFrames;
  const want = (audioMs * cap.info.deviceSampleRateHz) / 1000;
  const until = performance.now() + timeoutMs;
  while (cap.stats().deviceFrames - start < want) {
    if (performance.now() > until) throw new Error(`less than ${audioMs} ms of audio within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function waitForChunks(chunks: PcmChunk[], n: number, timeoutMs = 20_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (chunks.length < n) {
    if (performance.now() > until) throw new Error(`fewer than ${n} chunks within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Reads a raw s16le mono file as float. */
function readRaw(file: string): Float32Array {
  const b = readFileSync(file);
  const i16 = new Int16Array(b.buffer, b.byteOffset, Math.floor(b.length / 2));
  return concatPcm([i16]);
}

function expectContiguous(chunks: PcmChunk[]): void {
  for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.seq).toBe(chunks[i - 1]!.seq + 1);
}

describe('devices', () => {
  it('lists the PulseAudio null sink and its monitor with classification', async () => {
    const devices = await listDevices();
    const sink = devices.find((d) => d.id === 'pulse:hf_loop');
    const mon = devices.find((d) => d.id === 'pulse:hf_loop.monitor');
    expect(sink).toMatchObject({ hostApi: 'PulseAudio', maxOutputChannels: 2, defaultSampleRateHz: 48000, isDefaultOutput: true, transport: 'virtual' });
    expect(mon).toMatchObject({ maxInputChannels: 2, isDefaultInput: true, isMonitor: true, transport: 'virtual', bluetoothProfile: 'unknown' });
  });
});

describe('capture', () => {
  it('captures a tone played into the sink, found by cross-correlation, 48k stereo → 16k mono', async () => {
    const wav = join(pulse.dir, 'tone.wav');
    execFileSync('sox', ['-n', '-r', '48000', '-c', '2', '-b', '16', wav, 'synth', '0.6', 'sine', '700', 'vol', '0.5']);
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor' });
    expect(cap.info).toMatchObject({ backend: 'pulse', deviceSampleRateHz: 48000, sampleRateHz: 16000, channels: 1, resampling: true });
    const chunks = collect(cap);
    await firstChunk(cap);
    await paplay(pulse, wav);
    await sleep(300);
    cap.close();
    expectContiguous(chunks);
    expect(chunks.every((c) => c.data instanceof Int16Array && c.frames === 320 && c.sampleRateHz === 16000)).toBe(true);
    const signal = concatPcm(chunks.map((c) => c.data));
    const hit = findTemplate(signal, tone(700, 300, 16000));
    expect(hit.score).toBeGreaterThan(0.9);
    // timestamps are monotonic and spaced by the chunk length (±, as estimated from callbacks)
    const last = chunks[chunks.length - 1]!;
    expect(last.captureTimestampMs).toBeGreaterThan(chunks[0]!.captureTimestampMs);
    expect(last.deliveredTimestampMs).toBeGreaterThanOrEqual(last.callbackTimestampMs);
  });

  it('captures an espeak-ng sentence, found by cross-correlation (float32 output)', async () => {
    const wav = join(pulse.dir, 'speech.wav');
    const raw16k = join(pulse.dir, 'speech16k.raw');
    execFileSync('espeak-ng', ['-w', wav, 'Merge pull request twelve into main.']);
    execFileSync('sox', [wav, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', raw16k]);
    const template = readRaw(raw16k);
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor', format: 'float32' });
    const chunks = collect(cap);
    await firstChunk(cap);
    await paplay(pulse, wav);
    await sleep(300);
    cap.close();
    expectContiguous(chunks);
    expect(chunks[0]!.data).toBeInstanceOf(Float32Array);
    const signal = concatPcm(chunks.map((c) => c.data));
    const hit = findTemplate(signal, template);
    expect(hit.score).toBeGreaterThan(0.8);
  });

  it('keeps pre-roll while paused and delivers it first on resume', async () => {
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor', preRollMs: 300, paused: true });
    const chunks = collect(cap);
    await waitForAudio(cap, 600);
    expect(chunks.length).toBe(0);
    cap.resume();
    await waitForChunks(chunks, 25);
    cap.close();
    const pre = chunks.filter((c) => c.preRoll);
    expect(pre.length).toBe(15); // 300 ms / 20 ms
    expect(chunks.slice(0, 15).every((c) => c.preRoll)).toBe(true);
    expectContiguous(chunks);
  });

  it('reports input levels at ≤ 20 Hz', async () => {
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor' });
    const levels: number[] = [];
    cap.onLevel((l) => levels.push(l.timestampMs));
    const pb = await openPlayback({ device: 'pulse:hf_loop', sampleRateHz: 16000 });
    await pb.write(tone(440, 1000, 16000, 0.5));
    await pb.drain();
    pb.close();
    cap.close();
    expect(levels.length).toBeGreaterThan(5);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeGreaterThanOrEqual(45);
  });

  it('stats report callbacks, latency and the callback duration histogram', { timeout: 40_000 }, async () => {
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor' });
    await firstChunk(cap);
    await waitForAudio(cap, 300);
    // the server's first timing update may still be on its way (seconds on a loaded 2-core machine)
    const until = performance.now() + 15_000;
    while (cap.stats().reportedLatencyMs === null && performance.now() < until) await sleep(20);
    const s = cap.stats();
    cap.close();
    expect(s.backend).toBe('pulse');
    expect(s.callbacks).toBeGreaterThan(5);
    expect(s.reportedLatencyMs).not.toBeNull();
    // counters are read one after the other while callbacks continue
    expect(s.callbackDurationUs.count).toBeGreaterThanOrEqual(s.callbacks);
    expect(s.callbackDurationUs.count).toBeLessThanOrEqual(s.callbacks + 2);
    expect(s.callbackDurationUs.max).toBeGreaterThan(0);
    expect(s.deliveryLatencyMs?.count).toBeGreaterThan(0);
    expect(s.droppedChunks).toBe(0);
  });

  it('close() is idempotent and quick', async () => {
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor' });
    const t0 = performance.now();
    cap.close();
    cap.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(cap.closed).toBe(true);
  });
});

describe('playback', () => {
  it('record-then-play: audio written with backpressure arrives at the monitor; drain() resolves', async () => {
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor', format: 'float32' });
    const chunks = collect(cap);
    await firstChunk(cap);
    const pb = await openPlayback({ device: 'pulse:hf_loop', sampleRateHz: 16000, queueMs: 100 });
    const sig = tone(523, 1500, 16000, 0.4); // longer than the 100 ms queue: write() must wait
    await pb.write(sig);
    await pb.drain();
    const pos = pb.position();
    expect(pos.writtenFrames).toBe(sig.length);
    expect(pos.playedFrames).toBeGreaterThan(sig.length * 0.9);
    pb.close();
    await sleep(200);
    cap.close();
    const hit = findTemplate(concatPcm(chunks.map((c) => c.data)), sig.subarray(4000, 12000));
    expect(hit.score).toBeGreaterThan(0.9);
  });

  it('stop() discards queued audio at once and resolves pending writes and drain', async () => {
    const pb = await openPlayback({ device: 'pulse:hf_loop', sampleRateHz: 16000, queueMs: 2000 });
    const long = tone(300, 5000, 16000, 0.2);
    const w = pb.write(long);
    const d = pb.drain();
    await sleep(200);
    const t0 = performance.now();
    pb.stop();
    await Promise.all([w, d]);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(pb.position().playedFrames).toBeLessThan(long.length / 2);
    // still usable after stop
    await pb.write(tone(300, 100, 16000, 0.2));
    await pb.drain();
    pb.close();
  });

  it('loopback latency probe finds its bursts (sink → monitor) with plausible round trips', async () => {
    const r = await measureLoopbackLatency({ outputDevice: 'pulse:hf_loop', inputDevice: 'pulse:hf_loop.monitor', trials: 4 });
    expect(r.roundTripMs.length).toBeGreaterThanOrEqual(1);
    for (const ms of r.roundTripMs) expect(ms).toBeGreaterThan(0);
    expect(r.medianMs).not.toBeNull();
  });
});
