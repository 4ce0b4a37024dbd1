/** The speexdsp echo canceller through the binding: it removes a delayed echo and keeps near-end speech. */
import { describe, expect, it } from 'vitest';
import { audioAvailability, createEchoCanceller } from '../lib/index.js';

const available = audioAvailability().available;

/** Deterministic noise-like "speech": bursts of filtered noise. */
function signal(n: number, seed: number): Int16Array {
  const out = new Int16Array(n);
  let h = seed;
  let y = 0;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    y = 0.7 * y + 0.3 * ((h / 2 ** 32) * 2 - 1);
    out[i] = Math.floor(i / 4000) % 2 === 0 ? Math.round(y * 12_000) : 0;
  }
  return out;
}

const energy = (x: Int16Array) => x.reduce((a, v) => a + v * v, 0);

describe.skipIf(!available)('EchoCanceller', () => {
  it('removes an echo 40 ms late at half level (≥ 15 dB after 2 s) and leaves near-end audio alone', () => {
    const aec = createEchoCanceller({ sampleRateHz: 16_000, filterMs: 200 });
    const N = aec.frameSamples;
    const ref = signal(16_000 * 6, 7);
    const user = signal(16_000 * 6, 99);
    let inE = 0;
    let outE = 0;
    let nearIn = 0;
    let nearOut = 0;
    for (let off = 0; off + N <= ref.length; off += N) {
      const r = ref.slice(off, off + N);
      const mic = new Int16Array(N);
      // Echo only for 4 s; then the user alone, the reference silent.
      const echoing = off < 16_000 * 4;
      for (let i = 0; i < N; i++) mic[i] = echoing ? Math.round(0.5 * (ref[off + i - 640] ?? 0)) : (user[off + i] as number);
      const out = aec.process(mic, echoing ? r : new Int16Array(N));
      if (echoing && off >= 16_000 * 2) {
        inE += energy(mic);
        outE += energy(out);
      }
      if (!echoing) {
        nearIn += energy(mic);
        nearOut += energy(out);
      }
    }
    aec.close();
    expect(10 * Math.log10(inE / outE)).toBeGreaterThanOrEqual(15);
    expect(Math.abs(10 * Math.log10(nearIn / nearOut))).toBeLessThanOrEqual(3);
  });

  it('returns each frame latencySamples late (output stamped with the frame it carries)', () => {
    for (const [sampleRateHz, frameSamples] of [
      [16_000, 320],
      [16_000, 160],
      [8_000, 160],
    ] as const) {
      const aec = createEchoCanceller({ sampleRateHz, frameSamples });
      const x = signal(sampleRateHz * 2, 5);
      const out = new Int16Array(x.length);
      for (let o = 0; o + frameSamples <= x.length; o += frameSamples) out.set(aec.process(x.slice(o, o + frameSamples), new Int16Array(frameSamples)), o);
      aec.close();
      // The lag that best lines the output up with the input (no echo: the output is the input).
      let best = -Infinity;
      let lag = -1;
      for (let l = 0; l <= 2 * frameSamples; l++) {
        let c = 0;
        for (let i = 0; i + l < x.length; i++) c += (x[i] as number) * (out[i + l] as number);
        if (c > best) [best, lag] = [c, l];
      }
      expect(lag, `${sampleRateHz} Hz, ${frameSamples}-sample frames`).toBe(aec.latencySamples);
    }
  });

  it('rejects frames of the wrong length and use after close', () => {
    const aec = createEchoCanceller();
    expect(() => aec.process(new Int16Array(10), new Int16Array(320))).toThrow(TypeError);
    aec.close();
    aec.close();
    expect(() => aec.process(new Int16Array(320), new Int16Array(320))).toThrow(/closed/);
  });
});
