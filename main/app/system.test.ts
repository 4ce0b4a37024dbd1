import { describe, expect, it } from 'vitest';
import { cryptoRandom } from './system.js';

describe('cryptoRandom', () => {
  it('hands out fresh bytes of the asked length, also across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const bytes = 1 + (i % 37); // odd sizes so ids straddle the 4 KiB pool boundary
      const h = cryptoRandom.hex(bytes);
      expect(h).toMatch(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
      if (bytes >= 16) {
        expect(seen.has(h)).toBe(false);
        seen.add(h);
      }
    }
    expect(cryptoRandom.hex(10_000)).toHaveLength(20_000);
  });

  it('is not constant: 16-byte draws differ in about half their bits', () => {
    const a = Buffer.from(cryptoRandom.hex(16), 'hex');
    const b = Buffer.from(cryptoRandom.hex(16), 'hex');
    let diff = 0;
    for (let i = 0; i < 16; i++) for (let x = a[i]! ^ b[i]!; x; x >>= 1) diff += x & 1;
    expect(diff).toBeGreaterThan(20);
    expect(diff).toBeLessThan(108);
  });
});
