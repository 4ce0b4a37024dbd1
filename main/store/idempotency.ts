/** The durable idempotency-key repository (table idempotency_keys, migration 0005) for main/server/idempotency.ts. */
import type { IdempotencyRepository } from '../server/idempotency.js';
import type { Row, SqlParams } from './sql.js';

/** Over the durable store (migration 0005): survives restarts and kill -9. */
export function sqlIdempotencyRepository(db: { run(sql: string, params?: SqlParams): unknown; all(sql: string, params?: SqlParams): Row[] }): IdempotencyRepository {
  return {
    get(userId, key, notBeforeMs) {
      const r = db.all('SELECT * FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at_ms >= ?', [userId, key, notBeforeMs])[0];
      if (r === undefined) return undefined;
      return { route: String(r['route']), requestHash: String(r['request_hash']), status: Number(r['status']), responseJson: String(r['response_json']), createdAtMs: Number(r['created_at_ms']) };
    },
    put(userId, key, rec, pruneBeforeMs) {
      db.run('DELETE FROM idempotency_keys WHERE created_at_ms < ?', [pruneBeforeMs]);
      db.run(
        'INSERT OR REPLACE INTO idempotency_keys (user_id, key, route, request_hash, status, response_json, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [userId, key, rec.route, rec.requestHash, rec.status, rec.responseJson, rec.createdAtMs],
      );
    },
  };
}

