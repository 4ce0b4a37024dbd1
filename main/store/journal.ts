/**
 * The append-only journal of logical writes.
 *
 * File = records. Record = magic u32 'HFJ1' | payload length u32 | CRC-32 of (length ‖ payload) u32 |
 * payload (UTF-8 JSON). All integers little-endian. The first record is the header
 * `{t:'h', v:1, gen, baseSeq}`: the journal holds the writes made after snapshot `gen`, whose
 * state includes every write up to `baseSeq`. Every other record is one committed transaction
 * `{s: seq, o: [[sql, params, changes], …]}` with seq = baseSeq + 1, + 2, ….
 *
 * A record is appended with one positional write followed by fdatasync, and the write call is
 * acknowledged only after that, so a bad record at the very end is a torn append that nobody was
 * told about and is discarded; a bad record followed by a good one is corruption.
 */
import { crc32 } from 'node:zlib';
import type { EncodedParams } from './sql.js';

const MAGIC = 0x314a4648; // 'HFJ1' little-endian
const HEADER_BYTES = 12;
/** Largest record accepted when reading, in bytes; a larger length field is treated as damage. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** One statement of a journaled transaction: SQL, params (null = parameterless script), rows changed. */
export type JournalOp = [sql: string, params: EncodedParams, changes: number];

export interface JournalHeader {
  gen: number;
  baseSeq: number;
}

export interface JournalEntry {
  seq: number;
  ops: JournalOp[];
}

export interface DecodedJournal {
  header: JournalHeader | undefined;
  entries: JournalEntry[];
  /** Bytes from the start that hold valid records. */
  goodBytes: number;
  /** clean: every byte is a valid record; torn: an unacknowledged partial append at the end; corrupt: damage before valid data or a bad header. */
  tail: 'clean' | 'torn' | 'corrupt';
  /** Human-readable reason when tail is not clean. */
  problem: string | undefined;
}

/** Encodes one record (header or entry) ready to append. */
export function encodeRecord(payload: object): Buffer {
  const body = Buffer.from(JSON.stringify(payload));
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(body.length, 4);
  out.writeUInt32LE(crc32(body, crc32(out.subarray(4, 8))), 8);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** Encodes the first record of a journal. */
export function encodeHeader(h: JournalHeader): Buffer {
  return encodeRecord({ t: 'h', v: 1, gen: h.gen, baseSeq: h.baseSeq });
}

/** Encodes one transaction record. */
export function encodeEntry(e: JournalEntry): Buffer {
  return encodeRecord({ s: e.seq, o: e.ops });
}

function recordAt(buf: Buffer, off: number): { payload: Buffer; end: number } | undefined {
  // Stryker disable next-line EqualityOperator: at exactly HEADER_BYTES left, the length check below refuses it too (len 0 or past the end)
  if (off + HEADER_BYTES > buf.length) return undefined;
  if (buf.readUInt32LE(off) !== MAGIC) return undefined;
  const len = buf.readUInt32LE(off + 4);
  if (len === 0 || len > MAX_RECORD_BYTES || off + HEADER_BYTES + len > buf.length) return undefined;
  const payload = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
  if (crc32(payload, crc32(buf.subarray(off + 4, off + 8))) !== buf.readUInt32LE(off + 8)) return undefined;
  return { payload, end: off + HEADER_BYTES + len };
}

function validRecordAfter(buf: Buffer, from: number): boolean {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(MAGIC, 0);
  for (let p = buf.indexOf(magic, from); p !== -1; p = buf.indexOf(magic, p + 1)) {
    if (recordAt(buf, p)) return true;
  }
  return false;
}

function isHeader(x: unknown): x is { t: 'h'; v: number; gen: number; baseSeq: number } {
  const o = x as Record<string, unknown> | null;
  return !!o && o.t === 'h' && o.v === 1 && Number.isSafeInteger(o.gen) && Number.isSafeInteger(o.baseSeq);
}

function isEntry(x: unknown): x is { s: number; o: JournalOp[] } {
  const o = x as Record<string, unknown> | null;
  return !!o && Number.isSafeInteger(o.s) && Array.isArray(o.o) && o.o.every((op) => Array.isArray(op) && typeof op[0] === 'string' && typeof op[2] === 'number');
}

/**
 * Parses a journal file. Never throws: damage is described in the result (see DecodedJournal.tail).
 */
export function decodeJournal(buf: Buffer): DecodedJournal {
  const entries: JournalEntry[] = [];
  let header: JournalHeader | undefined;
  let off = 0;
  while (off < buf.length) {
    const rec = recordAt(buf, off);
    if (!rec) {
      // Nothing valid after it (zero-filled space included): an unacknowledged append.
      // Searching from `off` itself is safe: recordAt(buf, off) just failed.
      if (header && !validRecordAfter(buf, off)) {
        return { header, entries, goodBytes: off, tail: 'torn', problem: `torn last record at byte ${off} (${buf.length - off} bytes discarded)` };
      }
      return { header, entries, goodBytes: off, tail: 'corrupt', problem: `damaged record at byte ${off} followed by valid data` };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(rec.payload.toString('utf8'));
    } catch {
      return { header, entries, goodBytes: off, tail: 'corrupt', problem: `record at byte ${off} has a valid checksum but is not JSON` };
    }
    if (!header) {
      if (!isHeader(parsed)) return { header, entries, goodBytes: off, tail: 'corrupt', problem: 'missing journal header' };
      header = { gen: parsed.gen, baseSeq: parsed.baseSeq };
    } else {
      const expected = header.baseSeq + entries.length + 1;
      if (!isEntry(parsed) || parsed.s !== expected) {
        return { header, entries, goodBytes: off, tail: 'corrupt', problem: `record at byte ${off} is not entry #${expected}` };
      }
      entries.push({ seq: parsed.s, ops: parsed.o });
    }
    off = rec.end;
  }
  if (!header) return { header, entries, goodBytes: 0, tail: 'corrupt', problem: 'empty journal (no header)' };
  return { header, entries, goodBytes: off, tail: 'clean', problem: undefined };
}
