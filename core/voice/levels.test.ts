/**
 * The barge-in gate's levels: dBFS of known signals, and a reply's per-frame levels whatever the
 * chunking of its audio.
 */
import { describe, expect, it } from 'vitest';
import { ReplyLevels, rmsDbfs, SILENCE_DBFS } from './levels.js';

/** Deterministic noise-like samples with a slowly changing envelope, so every slice has its own level. */
function signal(n: number): Int16Array {
  const out = new Int16Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const env = 0.05 + 0.9 * Math.abs(Math.sin(i / 97));
    out[i] = Math.round(((x / 2147483648) * 2 - 1) * 32767 * env);
  }
  return out;
}

/** The level of each `n`-sample slice of `all`, the last one partial: what ReplyLevels must report. */
function perSlice(all: Int16Array, n: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < all.length; o += n) out.push(rmsDbfs(all.subarray(o, o + n)));
  return out;
}

/** Cuts `all` into consecutive chunks of the given sizes (the last takes the rest). */
function chunks(all: Int16Array, sizes: number[]): Int16Array[] {
  const out: Int16Array[] = [];
  let o = 0;
  for (const s of sizes) {
    out.push(all.slice(o, o + s));
    o += s;
  }
  if (o < all.length) out.push(all.slice(o));
  return out;
}

describe('rmsDbfs', () => {
  it('is 0 dBFS at full scale and 20·log10 of the RMS amplitude below it', () => {
    expect(rmsDbfs(new Int16Array(320).fill(-32768))).toBe(0);
    const square = Int16Array.from({ length: 320 }, (_, i) => (i % 2 === 0 ? 16384 : -16384));
    expect(rmsDbfs(square)).toBeCloseTo(-6.0206, 4);
    expect(rmsDbfs(new Int16Array(160).fill(3277))).toBeCloseTo(-20, 2);
    const sine = Int16Array.from({ length: 1600 }, (_, i) => Math.round(32767 * Math.sin((2 * Math.PI * 100 * i) / 16_000)));
    expect(rmsDbfs(sine)).toBeCloseTo(-3.0103, 3);
    // RMS, not peak: one loud sample among silence is 10·log10(n) dB below it.
    const click = new Int16Array(100);
    click[0] = -32768;
    expect(rmsDbfs(click)).toBeCloseTo(-20, 10);
    expect(rmsDbfs(Int16Array.of(-32768))).toBe(0);
  });

  it('is exactly SILENCE_DBFS (-120) for silence and for no samples', () => {
    expect(SILENCE_DBFS).toBe(-120);
    expect(rmsDbfs(new Int16Array(320))).toBe(-120);
    expect(rmsDbfs(new Int16Array(0))).toBe(-120);
    // The quietest sound is far above it.
    expect(rmsDbfs(Int16Array.of(1))).toBeCloseTo(-90.31, 2);
  });
});

describe('ReplyLevels', () => {
  const RATE = 16_000;
  const N = 320; // 20 ms at 16 kHz

  it('gives the levels of the whole reply sliced per frame, whatever the chunk sizes', () => {
    const all = signal(N * 7 + 123);
    const want = perSlice(all, N);
    const cuts: number[][] = [
      [all.length], // one chunk
      [N, N, N, N, N, N, N], // exactly a frame each
      [100, 100, 100, 100, 100, 100, 100], // smaller than a frame
      [500, 500, 500, 500], // straddling frames
      [3 * N + 17, 1, 0, 2 * N - 1, 700], // several frames at once, a one-sample chunk, an empty one
    ];
    for (const sizes of cuts) {
      const lv = new ReplyLevels(20, RATE);
      for (const c of chunks(all, sizes)) lv.push(c);
      lv.flush();
      expect(lv.db).toEqual(want);
    }
  });

  it('knows a frame’s level as soon as its last sample arrives, not later', () => {
    const all = signal(N * 3);
    const want = perSlice(all, N);
    const lv = new ReplyLevels(20, RATE);
    lv.push(all.subarray(0, N - 1));
    expect(lv.db).toEqual([]);
    lv.push(all.subarray(N - 1, N));
    expect(lv.db).toEqual(want.slice(0, 1));
    lv.push(all.subarray(N, 3 * N));
    expect(lv.db).toEqual(want);
    // Nothing left over: flush adds nothing, and again nothing.
    lv.flush();
    lv.flush();
    expect(lv.db).toEqual(want);
  });

  it('flush() adds the partial last slice once; pushing after it starts a new slice', () => {
    const all = signal(N + 50);
    const lv = new ReplyLevels(20, RATE);
    lv.push(all);
    expect(lv.db).toHaveLength(1);
    lv.flush();
    expect(lv.db).toEqual(perSlice(all, N));
    lv.flush();
    expect(lv.db).toHaveLength(2);
    const more = signal(N);
    lv.push(more);
    expect(lv.db).toEqual([...perSlice(all, N), rmsDbfs(more)]);
  });

  it('slices one frame at the reply’s own rate (ms → samples), at least one sample', () => {
    const all = signal(2400);
    const at24k = new ReplyLevels(20, 24_000); // 480 samples per slice
    at24k.push(all);
    expect(at24k.db).toEqual(perSlice(all, 480).slice(0, 5));
    const tiny = new ReplyLevels(0.01, 16_000); // 0.16 samples: one sample per slice
    tiny.push(all.subarray(0, 4));
    expect(tiny.db).toEqual(perSlice(all.subarray(0, 4), 1));
  });
});
