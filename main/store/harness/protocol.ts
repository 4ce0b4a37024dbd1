/** Shared by the kill-harness parent and child: config, PRNG and the row checksum. */
import { createHash } from 'node:crypto';

/** Sent by the parent as one JSON line on the child's stdin. */
export interface ChildConfig {
  path: string;
  compactEveryWrites: number;
  seed: number;
}

/** Deterministic 32-bit PRNG (mulberry32): returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checksum stored with every harness row. */
export function rowChecksum(id: number, tx: number, payload: string): string {
  return createHash('sha256').update(`${id}:${tx}:${payload}`).digest('hex').slice(0, 32);
}

export const KILL_ROWS_DDL = 'CREATE TABLE kill_rows (id INTEGER PRIMARY KEY, tx INTEGER NOT NULL, payload TEXT NOT NULL, checksum TEXT NOT NULL)';
export const KILL_META_DDL = 'CREATE TABLE kill_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)';
