import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJournal, encodeEntry, encodeHeader } from './journal.js';
import type { JournalEntry } from './journal.js';

function journal(entries: number, baseSeq = 10): { buf: Buffer; ends: number[] } {
  const parts = [encodeHeader({ gen: 3, baseSeq })];
  const ends = [parts[0]!.length];
  for (let i = 1; i <= entries; i++) {
    const e: JournalEntry = { seq: baseSeq + i, ops: [['INSERT INTO t VALUES (?, ?)', [i, `row ${i}`], 1]] };
    parts.push(encodeEntry(e));
    ends.push(ends.at(-1)! + parts.at(-1)!.length);
  }
  return { buf: Buffer.concat(parts), ends };
}

describe('journal records', () => {
  it('decodes what it encodes', () => {
    const { buf } = journal(5);
    const d = decodeJournal(buf);
    expect(d).toMatchObject({ tail: 'clean', header: { gen: 3, baseSeq: 10 }, goodBytes: buf.length });
    expect(d.entries.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(d.entries[2]?.ops).toEqual([['INSERT INTO t VALUES (?, ?)', [3, 'row 3'], 1]]);
  });

  it('treats any truncation as a torn tail that keeps every complete record', () => {
    const { buf, ends } = journal(6);
    fc.assert(
      fc.property(fc.integer({ min: ends[0]!, max: buf.length - 1 }), (cut) => {
        const d = decodeJournal(buf.subarray(0, cut));
        const complete = ends.filter((e) => e <= cut).length - 1;
        expect(d.entries).toHaveLength(complete);
        expect(d.tail).toBe(cut === ends[complete] ? 'clean' : 'torn');
        expect(d.goodBytes).toBe(ends[complete]);
      }),
    );
  });

  it('treats zero-filled space after the last record as torn (lost un-fsynced append)', () => {
    const { buf } = journal(3);
    const d = decodeJournal(Buffer.concat([buf, Buffer.alloc(4096)]));
    expect(d).toMatchObject({ tail: 'torn', goodBytes: buf.length });
    expect(d.entries).toHaveLength(3);
  });

  it('detects a flipped byte anywhere: corrupt before valid data, torn only in the last record', () => {
    const { buf, ends } = journal(6);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: buf.length - 1 }), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const b = Buffer.from(buf);
        b[pos] = (b[pos] as number) ^ x;
        const d = decodeJournal(b);
        const hit = ends.findIndex((e) => pos < e);
        expect(d.entries.length).toBe(hit === 0 ? 0 : Math.min(hit - 1, 6));
        if (hit === 0) expect(d.tail).toBe('corrupt');
        else if (hit === ends.length - 1) expect(d.tail).not.toBe('clean');
        else expect(d.tail).toBe('corrupt');
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a sequence gap and a missing header', () => {
    const h = encodeHeader({ gen: 1, baseSeq: 0 });
    const gap = Buffer.concat([h, encodeEntry({ seq: 1, ops: [] }), encodeEntry({ seq: 3, ops: [] }), encodeEntry({ seq: 4, ops: [] })]);
    expect(decodeJournal(gap)).toMatchObject({ tail: 'corrupt' });
    expect(decodeJournal(encodeEntry({ seq: 1, ops: [] }))).toMatchObject({ tail: 'corrupt', header: undefined });
    expect(decodeJournal(Buffer.alloc(0))).toMatchObject({ tail: 'corrupt', header: undefined });
  });
});
