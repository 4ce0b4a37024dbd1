/** Diagnostics: test tone, record-then-play-back, loopback latency probe. Levels: AudioCapture.onLevel(). */
import { openCapture, type AudioCapture } from './capture.js';
import { chirp, concatPcm, findTemplate, tone } from './dsp.js';
import { loadNative } from './loader.js';
import { openPlayback } from './playback.js';
import type { BackendName, PcmChunk } from './types.js';

export interface ToneOptions {
  device?: string;
  backend?: BackendName;
  frequencyHz?: number;
  durationMs?: number;
  amplitudeDbfs?: number;
  sampleRateHz?: number;
}

/** Plays a sine tone and resolves when it has been played. */
export async function playTestTone(options: ToneOptions = {}): Promise<void> {
  const rate = options.sampleRateHz ?? 48_000;
  const pb = await openPlayback({ sampleRateHz: rate, ...(options.device ? { device: options.device } : {}), ...(options.backend ? { backend: options.backend } : {}) });
  try {
    const amp = 10 ** ((options.amplitudeDbfs ?? -12) / 20);
    await pb.write(tone(options.frequencyHz ?? 440, options.durationMs ?? 1000, rate, amp));
    await pb.drain();
  } finally {
    pb.close();
  }
}

/** Records for durationMs, then plays the recording back; returns it (16 kHz mono float). */
export async function recordThenPlayBack(options: { durationMs: number; inputDevice?: string; outputDevice?: string; play?: boolean }): Promise<Float32Array> {
  const cap = await openCapture({ format: 'float32', ...(options.inputDevice ? { device: options.inputDevice } : {}) });
  const chunks: Float32Array[] = [];
  const wantFrames = (options.durationMs * 16_000) / 1000;
  let frames = 0;
  await new Promise<void>((resolve) => {
    cap.on('data', (c) => {
      if (frames >= wantFrames) return;
      chunks.push(c.data as Float32Array);
      frames += c.frames;
      if (frames >= wantFrames) resolve();
    });
    cap.on('close', () => resolve());
  });
  cap.close();
  const recording = concatPcm(chunks);
  if (options.play !== false) {
    const pb = await openPlayback({ sampleRateHz: 16_000, ...(options.outputDevice ? { device: options.outputDevice } : {}) });
    try {
      await pb.write(recording);
      await pb.drain();
    } finally {
      pb.close();
    }
  }
  return recording;
}

export interface LoopbackResult {
  /** write() of a click → its arrival at the capture side (capture timestamp of the onset), ms. */
  readonly roundTripMs: number[];
  readonly medianMs: number | null;
  readonly missed: number;
}

/**
 * Loopback latency probe: plays short bursts into outputDevice and finds them by cross-correlation
 * in inputDevice (e.g. a sink and its monitor, or speaker and mic). Uses capture timestamps, so
 * scheduler noise on the JS thread does not enter the figure.
 */
export async function measureLoopbackLatency(options: {
  outputDevice?: string;
  inputDevice?: string;
  trials?: number;
  backend?: BackendName;
}): Promise<LoopbackResult> {
  const native = loadNative();
  const rate = 16_000;
  const burst = chirp(300, 4_000, 100, rate, 0.5);
  const cap: AudioCapture = await openCapture({ format: 'float32', frameMs: 10, ...(options.inputDevice ? { device: options.inputDevice } : {}), ...(options.backend ? { backend: options.backend } : {}) });
  const pb = await openPlayback({ sampleRateHz: rate, bufferMs: 10, ...(options.outputDevice ? { device: options.outputDevice } : {}), ...(options.backend ? { backend: options.backend } : {}) });
  const chunks: PcmChunk[] = [];
  cap.on('data', (c) => chunks.push(c));
  const results: number[] = [];
  let missed = 0;
  try {
    // Get both streams running steadily before timing anything.
    await pb.write(new Float32Array(rate / 5));
    await pb.drain();
    await new Promise((r) => setTimeout(r, 300));
    chunks.length = 0;
    for (let t = 0; t < (options.trials ?? 5); t++) {
      const writtenAt = native.nowMs();
      await pb.write(burst);
      // Wait for one second of *captured* audio after the write (the server may run slow), then
      // look only at audio captured after the write, so a late earlier burst cannot match.
      const until = performance.now() + 10_000;
      while (performance.now() < until) {
        const last = chunks[chunks.length - 1];
        if (last && last.captureTimestampMs > writtenAt + 1000) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const after = chunks.filter((c) => c.captureTimestampMs >= writtenAt - 20);
      chunks.length = 0;
      const first = after[0];
      if (!first) {
        missed++;
        continue;
      }
      const hit = findTemplate(concatPcm(after.map((c) => c.data)), burst);
      const latencyMs = first.captureTimestampMs + (hit.lag * 1000) / rate - writtenAt;
      // A weak match or an impossible time (before the write, or at the edge of the window) is a miss.
      if (hit.score < 0.7 || latencyMs < 0 || latencyMs > 900) {
        missed++;
        continue;
      }
      results.push(latencyMs);
    }
  } finally {
    pb.close();
    cap.close();
  }
  const sorted = [...results].sort((a, b) => a - b);
  return { roundTripMs: results, medianMs: sorted.length ? (sorted[Math.floor(sorted.length / 2)] ?? null) : null, missed };
}
