import { describe, expect, it } from 'vitest';
import { BulkDelay } from './echoCancel.js';

/** Speech-like frame energies: bursts and pauses (deterministic). */
function envelope(n: number): number[] {
  const out: number[] = [];
  let h = 12345;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    const burst = Math.floor(i / 7) % 3 !== 0;
    out.push(burst ? 1e6 * (1 + (h % 1000) / 100) : 1e3);
  }
  return out;
}

describe('BulkDelay', () => {
  for (const lag of [-7, 0, 6, 24]) {
    it(`finds an echo ${lag * 20} ms after the reply as written`, () => {
      const ref = envelope(400);
      const b = new BulkDelay(20);
      let last: number | null = null;
      for (let t = 0; t < ref.length; t++) {
        const mic = 0.1 * (ref[t - lag] ?? 1e3) + 500;
        const r = b.push(mic, ref[t]!, ref[t]! > 1e4);
        if (r !== null) last = r;
      }
      expect(last).toBe(lag * 20);
    });
  }

  it('says nothing when the mic does not follow the reply', () => {
    const ref = envelope(400);
    const noise = envelope(400).reverse();
    const b = new BulkDelay(20);
    const got: number[] = [];
    for (let t = 0; t < ref.length; t++) {
      const r = b.push(noise[(t * 7) % 400]!, ref[t]!, true);
      if (r !== null) got.push(r);
    }
    expect(got).toEqual([]);
  });
});
