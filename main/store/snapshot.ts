/**
 * Snapshot container: a self-verifying wrapper around the bytes of sql.js `export()`.
 *
 * Layout: ASCII "HFSNAP01" | header length u32 LE | header JSON `{gen, baseSeq, dbBytes}` |
 * SQLite database bytes | SHA-256 of everything before it (32 bytes). A SQLite file has no
 * checksum of its own, and `PRAGMA integrity_check` does not notice a flipped byte inside a row,
 * so the hash is what lets a damaged snapshot be detected and quarantined.
 */
import { createHash } from 'node:crypto';

const MAGIC = Buffer.from('HFSNAP01', 'ascii');
const HASH_BYTES = 32;

export interface SnapshotMeta {
  /** Generation number; also in the file name. */
  gen: number;
  /** Sequence number of the last journaled write included. */
  baseSeq: number;
}

/** Wraps database bytes into a snapshot file image. */
export function encodeSnapshot(meta: SnapshotMeta, db: Uint8Array): Buffer {
  const header = Buffer.from(JSON.stringify({ gen: meta.gen, baseSeq: meta.baseSeq, dbBytes: db.byteLength }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  const hash = createHash('sha256').update(MAGIC).update(len).update(header).update(db).digest();
  return Buffer.concat([MAGIC, len, header, db, hash]);
}

export type DecodedSnapshot = { ok: true; meta: SnapshotMeta; db: Uint8Array } | { ok: false; problem: string };

/** Verifies and unwraps a snapshot file image. Never throws. */
export function decodeSnapshot(buf: Buffer): DecodedSnapshot {
  if (buf.length < MAGIC.length + 4 + HASH_BYTES) return { ok: false, problem: `too short (${buf.length} bytes)` };
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return { ok: false, problem: 'wrong file header' };
  const body = buf.subarray(0, buf.length - HASH_BYTES);
  const hash = createHash('sha256').update(body).digest();
  if (!hash.equals(buf.subarray(buf.length - HASH_BYTES))) return { ok: false, problem: 'checksum mismatch' };
  const hlen = buf.readUInt32LE(MAGIC.length);
  const hstart = MAGIC.length + 4;
  if (hstart + hlen > body.length) return { ok: false, problem: 'header length out of range' };
  let h: unknown;
  try {
    h = JSON.parse(buf.subarray(hstart, hstart + hlen).toString('utf8'));
  } catch {
    return { ok: false, problem: 'header is not JSON' };
  }
  const o = h as Record<string, unknown> | null;
  if (!o || !Number.isSafeInteger(o.gen) || !Number.isSafeInteger(o.baseSeq) || !Number.isSafeInteger(o.dbBytes)) {
    return { ok: false, problem: 'header fields missing' };
  }
  const db = body.subarray(hstart + hlen);
  if (db.length !== o.dbBytes) return { ok: false, problem: 'database length mismatch' };
  return { ok: true, meta: { gen: o.gen as number, baseSeq: o.baseSeq as number }, db: new Uint8Array(db.buffer, db.byteOffset, db.byteLength) };
}
