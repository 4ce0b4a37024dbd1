/**
 * SQL value types, parameter validation and the rules that keep journaled writes deterministic.
 *
 * Every durable write is journaled as (sql, params) and re-executed on the next start, so a write
 * must produce the same effect when replayed: no clock or randomness inside SQL (pass values as
 * parameters), no transaction control or PRAGMAs (the engine owns those).
 */
import { AppError } from '../../contract/errors.js';

/** A value SQLite can store; booleans, bigints and undefined are refused rather than coerced. */
export type SqlValue = number | string | Uint8Array | null;
/** Positional (`?`) or named (`:name`, `$name`, `@name`) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;
/** A row as returned by `all()`: column name → value. */
export type Row = Record<string, SqlValue>;

const TX_CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|ATTACH|DETACH|VACUUM|REINDEX|ANALYZE)\b/i;
const NON_DETERMINISTIC =
  /\b(random|randomblob|sqlite_version|sqlite_source_id)\s*\(|\b(date|time|datetime|julianday|unixepoch)\s*\(\s*\)|\bcurrent_(time|date|timestamp)\b|'now'|"now"|\bOR\s+ROLLBACK\b|RAISE\s*\(\s*ROLLBACK/i;
const DML = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;
const READ_ONLY = /^\s*(SELECT|VALUES|EXPLAIN|WITH)\b/i;
const WRITE_KEYWORD = /\b(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b/i;
const PRAGMA_READ = /^\s*PRAGMA\s+[\w.]+\s*(\(\s*[\w'"]*\s*\))?\s*;?\s*$/i;

/** Throws AppError('internal') unless `sql` may be journaled and replayed deterministically. */
export function assertDeterministicWrite(sql: string): void {
  if (TX_CONTROL.test(sql)) {
    throw new AppError('internal', 'transaction control, PRAGMA and VACUUM are owned by the store; use store.transaction()');
  }
  if (NON_DETERMINISTIC.test(sql)) {
    throw new AppError('internal', 'write SQL must be deterministic on replay: pass times and random values as parameters');
  }
}

/** Throws AppError('internal') unless `sql` is a read (SELECT/VALUES/EXPLAIN/WITH…SELECT, or a read-only PRAGMA). */
export function assertRead(sql: string): void {
  if (PRAGMA_READ.test(sql)) return;
  if (!READ_ONLY.test(sql) || (/^\s*WITH\b/i.test(sql) && WRITE_KEYWORD.test(sql.replace(/'(?:[^']|'')*'/g, "''")))) {
    throw new AppError('internal', 'all() is for reads; use run() or transaction() for writes so they are durable');
  }
}

/** True for INSERT/UPDATE/DELETE/REPLACE, whose sqlite3_changes() count is meaningful. */
export function isDml(sql: string): boolean {
  return DML.test(sql);
}

function assertValue(v: unknown, where: string): asserts v is SqlValue {
  if (v === null || typeof v === 'string' || v instanceof Uint8Array) return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new AppError('internal', `SQL parameter ${where} is not a finite number`);
    return;
  }
  throw new AppError('internal', `SQL parameter ${where} has unsupported type ${typeof v}`);
}

/** Throws AppError('internal') on a parameter that cannot be stored and journaled exactly. */
export function assertParams(params: SqlParams | undefined): void {
  if (params === undefined) return;
  if (Array.isArray(params)) {
    params.forEach((v, i) => assertValue(v, `#${i + 1}`));
    return;
  }
  for (const [k, v] of Object.entries(params)) assertValue(v, k);
}

type EncodedValue = number | string | null | { $b: string };
export type EncodedParams = EncodedValue[] | Record<string, EncodedValue> | null;

function encodeValue(v: SqlValue): EncodedValue {
  return v instanceof Uint8Array ? { $b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v;
}

function decodeValue(v: EncodedValue): SqlValue {
  return v !== null && typeof v === 'object' ? new Uint8Array(Buffer.from(v.$b, 'base64')) : v;
}

/** Params → JSON-safe form for the journal (blobs as base64). */
export function encodeParams(params: SqlParams | undefined): EncodedParams {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map(encodeValue);
  const out: Record<string, EncodedValue> = {};
  for (const [k, v] of Object.entries(params as Record<string, SqlValue>)) out[k] = encodeValue(v);
  return out;
}

/** Inverse of encodeParams. `null` (a parameterless script op) stays null. */
export function decodeParams(p: EncodedParams): SqlValue[] | Record<string, SqlValue> | null {
  if (p === null) return null;
  if (Array.isArray(p)) return p.map(decodeValue);
  const out: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(p)) out[k] = decodeValue(v);
  return out;
}

/** The part of Store that repositories outside main/store use (notifications, agent tasks). */
export interface SqlStore {
  run(sql: string, params?: SqlParams): unknown;
  all(sql: string, params?: SqlParams): Row[];
  transaction<T>(fn: () => T): T;
}
