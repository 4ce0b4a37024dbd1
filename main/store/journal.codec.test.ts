/**
 * The journal's record format, byte by byte, against an encoder written here from the format's
 * description (magic 'HFJ1' | length u32 | CRC-32(length ‖ payload) u32 | payload, little-endian):
 * which damage is a torn tail and which is corruption, what each problem says, and which payloads
 * count as a header or an entry.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeJournal, encodeEntry, encodeHeader, encodeRecord } from './journal.js';

/** One record with any payload bytes and, optionally, a wrong CRC or length. */
function record(payload: Buffer | string, opts: { crcDelta?: number; len?: number } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32LE(0x314a4648, 0);
  out.writeUInt32LE(opts.len ?? body.length, 4);
  out.writeUInt32LE((crc32(body, crc32(out.subarray(4, 8))) + (opts.crcDelta ?? 0)) >>> 0, 8);
  body.copy(out, 12);
  return out;
}
const json = (o: unknown): Buffer => record(JSON.stringify(o));
const HEADER = json({ t: 'h', v: 1, gen: 4, baseSeq: 20 });
const entry = (s: number, o: unknown = [['DELETE FROM t', null, 0]]): Buffer => json({ s, o });

describe('journal format', () => {
  it('matches the documented layout exactly', () => {
    expect(encodeHeader({ gen: 4, baseSeq: 20 })).toEqual(HEADER);
    expect(encodeEntry({ seq: 21, ops: [['DELETE FROM t', null, 0]] })).toEqual(entry(21));
    expect(encodeRecord({ a: 'é' })).toEqual(record('{"a":"é"}'));
    expect(HEADER.subarray(0, 4).toString('latin1')).toBe('HFJ1');
  });

  it('decodes a journal written by the reference encoder', () => {
    const buf = Buffer.concat([HEADER, entry(21), entry(22, [['INSERT INTO t VALUES (?)', [1], 1]])]);
    expect(decodeJournal(buf)).toEqual({
      header: { gen: 4, baseSeq: 20 },
      entries: [
        { seq: 21, ops: [['DELETE FROM t', null, 0]] },
        { seq: 22, ops: [['INSERT INTO t VALUES (?)', [1], 1]] },
      ],
      goodBytes: buf.length,
      tail: 'clean',
      problem: undefined,
    });
  });

  it('says where a torn tail starts and how much is discarded', () => {
    const good = Buffer.concat([HEADER, entry(21)]);
    const cut = entry(22).subarray(0, 10);
    expect(decodeJournal(Buffer.concat([good, cut]))).toMatchObject({ tail: 'torn', goodBytes: good.length, problem: `torn last record at byte ${good.length} (10 bytes discarded)` });
    expect(decodeJournal(Buffer.concat([good, Buffer.alloc(7)]))).toMatchObject({ tail: 'torn', problem: `torn last record at byte ${good.length} (7 bytes discarded)` });
  });

  it('a damaged record followed by a valid one is corruption, saying where', () => {
    const buf = Buffer.concat([HEADER, entry(21, []), entry(22)]);
    const bad = Buffer.concat([HEADER, record(JSON.stringify({ s: 21, o: [] }), { crcDelta: 1 }), entry(22)]);
    expect(decodeJournal(buf).tail).toBe('clean');
    expect(decodeJournal(bad)).toMatchObject({ tail: 'corrupt', goodBytes: HEADER.length, entries: [], problem: `damaged record at byte ${HEADER.length} followed by valid data` });
  });

  it('a valid record anywhere after the damage counts, also one starting inside the damaged one', () => {
    const tail = entry(22);
    // Garbage that itself begins with the magic, then a valid record.
    const garbage = Buffer.concat([Buffer.from('HFJ1'), Buffer.alloc(5, 0xee)]);
    expect(decodeJournal(Buffer.concat([HEADER, garbage, tail])).tail).toBe('corrupt');
    // Only garbage with magic bytes and no valid record after it: torn.
    expect(decodeJournal(Buffer.concat([HEADER, garbage, Buffer.from('HFJ1HFJ1')])).tail).toBe('torn');
  });

  it('a zero length record is damage, not an empty payload', () => {
    const empty = record('');
    expect(decodeJournal(Buffer.concat([HEADER, empty]))).toMatchObject({ tail: 'torn', goodBytes: HEADER.length });
    expect(decodeJournal(Buffer.concat([HEADER, empty, entry(21)]))).toMatchObject({ tail: 'corrupt', problem: expect.stringContaining('damaged record') });
  });

  it('a length that runs past the end is a torn tail, even by a few bytes', () => {
    // The CRC covers the claimed length and the bytes present, so only the bounds check refuses these.
    for (const over of [1, 5, 24, 1000]) {
      const body = '{"s":21,"o":[]}';
      expect(decodeJournal(Buffer.concat([HEADER, record(body, { len: body.length + over })])), `${over}`).toMatchObject({ tail: 'torn', goodBytes: HEADER.length, entries: [] });
    }
  });

  it('a record with a valid checksum that is not JSON is corruption, saying so', () => {
    expect(decodeJournal(Buffer.concat([HEADER, record('{not json')]))).toMatchObject({
      tail: 'corrupt',
      goodBytes: HEADER.length,
      problem: `record at byte ${HEADER.length} has a valid checksum but is not JSON`,
    });
    expect(decodeJournal(record(Buffer.from([0xff, 0xfe])))).toMatchObject({ tail: 'corrupt', header: undefined });
  });

  it.each([
    ['null', null],
    ['a number', 7],
    ['another type', { t: 'x', v: 1, gen: 1, baseSeq: 0 }],
    ['another version', { t: 'h', v: 2, gen: 1, baseSeq: 0 }],
    ['a fractional gen', { t: 'h', v: 1, gen: 1.5, baseSeq: 0 }],
    ['a string gen', { t: 'h', v: 1, gen: '1', baseSeq: 0 }],
    ['no baseSeq', { t: 'h', v: 1, gen: 1 }],
    ['an unsafe baseSeq', { t: 'h', v: 1, gen: 1, baseSeq: 2 ** 53 }],
  ])('a first record that is %s is not a header', (_name, payload) => {
    expect(decodeJournal(Buffer.concat([json(payload), entry(1)]))).toEqual({ header: undefined, entries: [], goodBytes: 0, tail: 'corrupt', problem: 'missing journal header' });
  });

  it('an empty file has no header', () => {
    expect(decodeJournal(Buffer.alloc(0))).toEqual({ header: undefined, entries: [], goodBytes: 0, tail: 'corrupt', problem: 'empty journal (no header)' });
  });

  it.each([
    // Each is entry #22 in all but the one thing named.
    ['null', null],
    ['no ops', { s: 22 }],
    ['ops not a list', { s: 22, o: {} }],
    ['an op not a list', { s: 22, o: ['DELETE FROM t'] }],
    ['an op that is an object shaped like a list', { s: 22, o: [{ 0: 'DELETE FROM t', 1: null, 2: 0 }] }],
    ['an op without SQL', { s: 22, o: [[1, null, 0]] }],
    ['an op without a change count', { s: 22, o: [['DELETE FROM t', null, '0']] }],
    ['one bad op among good ones', { s: 22, o: [['DELETE FROM t', null, 0], ['DELETE FROM u', null]] }],
    ['a fractional seq', { s: 22.5, o: [] }],
    ['a string seq', { s: '22', o: [] }],
    ['the wrong seq', { s: 23, o: [] }],
  ])('an entry with %s is corruption naming the expected entry', (_name, payload) => {
    expect(decodeJournal(Buffer.concat([HEADER, entry(21), json(payload)]))).toMatchObject({
      tail: 'corrupt',
      goodBytes: HEADER.length + entry(21).length,
      entries: [{ seq: 21 }],
      problem: `record at byte ${HEADER.length + entry(21).length} is not entry #22`,
    });
  });

  it('accepts an op whose params are anything (null, a list, named)', () => {
    const buf = Buffer.concat([HEADER, entry(21, [['A', null, 0], ['B', [1, 'x'], 2], ['C', { ':a': 1 }, 1]])]);
    expect(decodeJournal(buf)).toMatchObject({ tail: 'clean', entries: [{ seq: 21, ops: [['A', null, 0], ['B', [1, 'x'], 2], ['C', { ':a': 1 }, 1]] }] });
  });
});
