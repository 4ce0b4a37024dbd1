/**
 * Sample-rate and format matrix (AU-3): devices at 8, 16, 24, 44.1 and 48 kHz, mono and stereo;
 * output is always 16 kHz mono with a duration error ≤ 1 %, in Int16 or Float32.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { concatPcm, findTemplate, openCapture, tone, type AudioCapture, type PcmChunk } from '../lib/index.js';
import { paplay, startPulse, type PulseServer } from './pulse.js';

let pulse: PulseServer;
const RATES = [8000, 16000, 24000, 44100, 48000];
const CHANNELS = [1, 2];

beforeAll(async () => {
  pulse = await startPulse();
  for (const rate of RATES) {
    for (const ch of CHANNELS) await pulse.loadModule('module-null-sink', `sink_name=fmt_${rate}_${ch}`, `rate=${rate}`, `channels=${ch}`);
  }
});
afterAll(async () => {
  await pulse?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('format matrix', () => {
  it('every device rate/channel count → 16 kHz mono, duration error ≤ 1 %', async () => {
    const runs: Array<{ rate: number; ch: number; cap: AudioCapture; chunks: PcmChunk[] }> = [];
    let i = 0;
    for (const rate of RATES) {
      for (const ch of CHANNELS) {
        const cap = await openCapture({ device: `pulse:fmt_${rate}_${ch}.monitor`, format: i++ % 2 ? 'float32' : 'int16' });
        const chunks: PcmChunk[] = [];
        cap.on('data', (c) => chunks.push(c));
        runs.push({ rate, ch, cap, chunks });
      }
    }
    // 8 s of *audio* on every device (wall time varies with the machine's load)
    const until = performance.now() + 60_000;
    while (runs.some((r) => r.cap.stats().deviceFrames < 8 * r.rate) && performance.now() < until) await sleep(50);
    for (const r of runs) {
      const s = r.cap.stats();
      const inFlightFrames = (s as { ringFillFrames?: number }).ringFillFrames ?? 0;
      r.cap.close();
      expect(r.cap.info).toMatchObject({ deviceSampleRateHz: r.rate, sampleRateHz: 16000, channels: 1, resampling: r.rate !== 16000 });
      const deviceSeconds = s.deviceFrames / r.rate;
      // chunks the pump produced (some may still be queued for the JS thread)
      const outSeconds = ((s.deliveredChunks + s.droppedChunks) * 320) / 16000;
      expect(deviceSeconds).toBeGreaterThanOrEqual(8);
      // what is still in the ring, the resampler or the chunk accumulator is < 1 chunk + 1 fragment
      expect(Math.abs(outSeconds - deviceSeconds) / deviceSeconds, `${r.rate} Hz ×${r.ch} (${inFlightFrames} in flight)`).toBeLessThanOrEqual(0.01);
      expect(r.chunks.every((c) => c.frames === 320 && c.channels === 1)).toBe(true);
    }
  }, 90_000);

  it.each([
    [8000, 1],
    [44100, 2],
  ])('a tone played into a %i Hz ×%i sink is found in the 16 kHz capture', async (rate, ch) => {
    const wav = join(pulse.dir, `tone_${rate}.wav`);
    const env = { ...process.env };
    delete env['LD_PRELOAD'];
    execFileSync('sox', ['-n', '-r', String(rate), '-c', String(ch), '-b', '16', wav, 'synth', '0.6', 'sine', '600', 'vol', '0.5'], { env });
    const cap = await openCapture({ device: `pulse:fmt_${rate}_${ch}.monitor`, format: 'float32' });
    const chunks: PcmChunk[] = [];
    cap.on('data', (c) => chunks.push(c));
    await new Promise<void>((r) => cap.once('data', () => r()));
    await paplay(pulse, wav, `fmt_${rate}_${ch}`);
    await sleep(300);
    cap.close();
    expect(findTemplate(concatPcm(chunks.map((c) => c.data)), tone(600, 300, 16000)).score).toBeGreaterThan(0.9);
  });
});
