/**
 * Idempotency keys for the HTTP API: a route marked `idempotent` that receives a key (body
 * `idempotency_key` or header `Idempotency-Key`) answers a retry with the first response and
 * runs nothing again; the same key with a different request is a 409. Keys are per user and kept
 * 24 h. Responses with a status ≥ 500 are not kept: the client may retry those for real.
 * The durable repository is main/store/idempotency.ts.
 */
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_TTL_MS, IdempotencyKeySchema } from '../../contract/seedApi.js';
import { HttpError } from './errorStatus.js';

export interface IdempotencyRecord {
  route: string;
  requestHash: string;
  status: number;
  /** The response body as sent (JSON text). */
  responseJson: string;
  createdAtMs: number;
}

export interface IdempotencyRepository {
  /** The record for (user, key) created at or after `notBeforeMs`, if any. */
  get(userId: string, key: string, notBeforeMs: number): IdempotencyRecord | undefined;
  /** Stores a record, replacing an expired one, and drops records created before `pruneBeforeMs`. */
  put(userId: string, key: string, rec: IdempotencyRecord, pruneBeforeMs: number): void;
}

/** In memory: for servers without a store (transport tests). */
export function memoryIdempotencyRepository(): IdempotencyRepository {
  const rows = new Map<string, IdempotencyRecord>();
  const id = (u: string, k: string) => `${u}\u0000${k}`;
  return {
    get: (u, k, notBefore) => {
      const r = rows.get(id(u, k));
      return r !== undefined && r.createdAtMs >= notBefore ? { ...r } : undefined;
    },
    put: (u, k, rec, pruneBefore) => {
      for (const [key, r] of rows) if (r.createdAtMs < pruneBefore) rows.delete(key);
      rows.set(id(u, k), { ...rec });
    },
  };
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** sha256 over the route and the body without its idempotency_key, key order ignored. */
export function requestHash(route: string, body: unknown): string {
  const rest = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>), idempotency_key: undefined } : body;
  return createHash('sha256').update(`${route}\n${canonical(rest)}`).digest('hex');
}

/** The request's key: body `idempotency_key` and/or header `Idempotency-Key` (they must agree). */
export function idempotencyKeyOf(body: unknown, header: string | string[] | undefined): string | undefined {
  const fromBody = body !== null && typeof body === 'object' ? (body as { idempotency_key?: unknown }).idempotency_key : undefined;
  const h = Array.isArray(header) ? header[0] : header;
  if (h !== undefined && !IdempotencyKeySchema.safeParse(h).success) {
    throw new HttpError(400, 'validation_failed', 'Idempotency-Key header must be 1-128 chars of A-Z a-z 0-9 _ . : -.');
  }
  if (h !== undefined && typeof fromBody === 'string' && h !== fromBody) {
    throw new HttpError(400, 'validation_failed', 'Idempotency-Key header and idempotency_key name different keys.');
  }
  return typeof fromBody === 'string' ? fromBody : h;
}

export interface StoredAnswer {
  status: number;
  json: unknown;
}

/**
 * Runs `run` at most once per (user, key) within 24 h. Concurrent requests with one key wait for
 * the first and get its answer. `run` answers the status and body to keep (its errors are mapped by
 * the caller before they get here, so a 409 with a pending action's token is kept and replayed).
 */
export class IdempotencyGuard {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly nowMs: () => number,
  ) {}

  async run(userId: string, key: string, route: string, body: unknown, run: () => Promise<StoredAnswer>): Promise<StoredAnswer & { replayed: boolean }> {
    const slot = `${userId}\u0000${key}`;
    for (let wait = this.inFlight.get(slot); wait !== undefined; wait = this.inFlight.get(slot)) await wait.catch(() => undefined);
    const hash = requestHash(route, body);
    const now = this.nowMs();
    const prev = this.repo.get(userId, key, now - IDEMPOTENCY_TTL_MS);
    if (prev !== undefined) {
      if (prev.requestHash !== hash) {
        throw new HttpError(409, 'idempotency_conflict', `Idempotency key "${key}" was already used for a different request (${prev.route}) in the last 24 hours.`);
      }
      return { status: prev.status, json: JSON.parse(prev.responseJson) as unknown, replayed: true };
    }
    const p = run();
    this.inFlight.set(slot, p);
    try {
      const ans = await p;
      if (ans.status >= 200 && ans.status < 500) {
        this.repo.put(userId, key, { route, requestHash: hash, status: ans.status, responseJson: JSON.stringify(ans.json ?? null), createdAtMs: now }, now - IDEMPOTENCY_TTL_MS);
      }
      return { ...ans, replayed: false };
    } finally {
      this.inFlight.delete(slot);
    }
  }
}
