import { describe, expect, it } from 'vitest';
import { attenuateEdges, denoise, denoiseAvailable, estimateSnrDb } from './denoise.js';

/** Repeatable white noise of `rms` (16-bit units). */
function noise(n: number, rms: number, seed = 1): Int16Array {
  let s = seed;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = Math.round(((s / 4294967296) * 2 - 1) * rms * Math.sqrt(3));
  }
  return out;
}

/** 1 s of noise lead-in, 1 s of a 440 Hz tone at `toneRms` over the same noise, 1 s of noise. */
function toneInNoise(toneRms: number, noiseRms: number): Int16Array {
  const x = noise(48_000, noiseRms);
  for (let i = 16_000; i < 32_000; i++) x[i] = Math.round((x[i] as number) + toneRms * Math.SQRT2 * Math.sin((2 * Math.PI * 440 * i) / 16_000));
  return x;
}

const power = (x: Int16Array, from: number, to: number): number => {
  let e = 0;
  for (let i = from; i < to; i++) e += (x[i] as number) ** 2;
  return e / (to - from);
};

describe('utterance SNR estimate', () => {
  it('reads the level of the loud frames over the noise floor', () => {
    const snr = estimateSnrDb(toneInNoise(3000, 300), 16_000);
    expect(snr).toBeGreaterThan(17);
    expect(snr).toBeLessThan(23); // 20 dB, plus the noise under the tone
  });

  it('caps digital silence and refuses to guess on very short clips', () => {
    expect(estimateSnrDb(toneInNoise(3000, 0), 16_000)).toBe(60);
    expect(estimateSnrDb(new Int16Array(100), 16_000)).toBe(60);
  });
});

describe.skipIf(!denoiseAvailable())('speexdsp noise suppression', () => {
  it('attenuates the noise and keeps the tone, from the start of the clip', () => {
    const x = toneInNoise(3000, 300);
    const y = denoise(x, 16_000, -15);
    expect(y.length).toBe(x.length);
    // The lead-in is suppressed too: the estimate comes from a first pass over the whole clip.
    expect(10 * Math.log10(power(y, 0, 16_000) / power(x, 0, 16_000))).toBeLessThan(-8);
    expect(10 * Math.log10(power(y, 16_000, 32_000) / power(x, 16_000, 32_000))).toBeGreaterThan(-2);
    expect(estimateSnrDb(y, 16_000)).toBeGreaterThan(estimateSnrDb(x, 16_000) + 8);
    expect(Array.from(x.subarray(0, 4))).toEqual(Array.from(toneInNoise(3000, 300).subarray(0, 4))); // input untouched
  });

  it('is repeatable', () => {
    const x = toneInNoise(2000, 500);
    expect(denoise(x, 8_000)).toEqual(denoise(x, 8_000));
  });
});

describe('attenuateEdges (lead-in and tail outside the utterance\'s own speech)', () => {
  const policy = { withinDb: 6, marginMs: 80, attenuateDb: -20 };
  it('makes the lead-in and tail 20 dB quieter and keeps the speech, widened by the margin, as it is', () => {
    const x = toneInNoise(3000, 300);
    const y = attenuateEdges(x, 16_000, policy);
    expect(y).toHaveLength(x.length);
    const db = (a: number, b: number) => 10 * Math.log10(power(y, a, b) / power(x, a, b));
    expect(db(0, 14_000)).toBeCloseTo(-20, 0);
    expect(db(34_000, 48_000)).toBeCloseTo(-20, 0);
    // The tone (1.0–2.0 s) and 80 ms either side are untouched.
    expect([...y.subarray(16_000 - 1280, 32_000 + 1280)]).toEqual([...x.subarray(16_000 - 1280, 32_000 + 1280)]);
    expect(y[16_000 - 1280 - 161]).toBe(Math.round((x[16_000 - 1280 - 161] as number) / 10));
  });

  it('leaves audio that is speech throughout, and too short audio, as it is', () => {
    const steady = noise(16_000, 2000);
    expect([...attenuateEdges(steady, 16_000, policy)]).toEqual([...steady]);
    const short = noise(1_000, 2000);
    expect(attenuateEdges(short, 16_000, policy)).toBe(short);
  });
});
