import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';

describe('snapshot container', () => {
  const db = new Uint8Array(Buffer.from('SQLite format 3\0' + 'x'.repeat(5000)));
  const file = encodeSnapshot({ gen: 4, baseSeq: 99 }, db);

  it('round-trips', () => {
    const d = decodeSnapshot(file);
    expect(d.ok && d.meta).toEqual({ gen: 4, baseSeq: 99 });
    expect(d.ok && Buffer.from(d.db).equals(Buffer.from(db))).toBe(true);
  });

  it('detects every single-byte flip, truncation and a zero-length file', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: file.length - 1 }), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const b = Buffer.from(file);
        b[pos] = (b[pos] as number) ^ x;
        expect(decodeSnapshot(b).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: file.length - 1 }), (len) => {
        expect(decodeSnapshot(file.subarray(0, len)).ok).toBe(false);
      }),
    );
    expect(decodeSnapshot(Buffer.alloc(0))).toEqual({ ok: false, problem: 'too short (0 bytes)' });
    expect(decodeSnapshot(Buffer.concat([Buffer.from('SQLite format 3\0'), file.subarray(16)]))).toEqual({ ok: false, problem: 'wrong file header' });
  });
});
