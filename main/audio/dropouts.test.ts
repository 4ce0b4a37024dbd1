import { describe, expect, it } from 'vitest';
import { CaptureGapCounter, DROPOUT_GAP_MS } from './dropouts.js';

/** Level timestamps every `stepMs` from `fromMs`, `n` of them. */
const steady = (fromMs: number, n: number, stepMs = 60): number[] => Array.from({ length: n }, (_, i) => fromMs + i * stepMs);

describe('CaptureGapCounter', () => {
  it('counts nothing on a steady stream, even with jitter up to the threshold', () => {
    const c = new CaptureGapCounter();
    for (const t of steady(1_000, 200)) c.observe(t + ((t / 60) % 3) * 20);
    c.observe(1_000 + 199 * 60 + DROPOUT_GAP_MS); // exactly the threshold is not a gap
    expect(c.gaps).toBe(0);
  });

  it('counts each jump in capture time longer than the threshold once', () => {
    const c = new CaptureGapCounter();
    for (const t of steady(0, 20)) c.observe(t);
    // the source was suspended for 700 ms, then audio flows again
    for (const t of steady(20 * 60 + 700, 20)) c.observe(t);
    expect(c.gaps).toBe(1);
    for (const t of steady(60_000, 5)) c.observe(t);
    expect(c.observe(60_000 + 4 * 60 + DROPOUT_GAP_MS + 1)).toBe(3);
  });

  it('takes a threshold, ignores non-finite stamps, and a backwards stamp is not a gap', () => {
    const c = new CaptureGapCounter(100);
    c.observe(0);
    c.observe(Number.NaN);
    c.observe(150);
    c.observe(10); // clock restarted (stream reopened)
    c.observe(70);
    expect(c.gaps).toBe(1);
  });
});
