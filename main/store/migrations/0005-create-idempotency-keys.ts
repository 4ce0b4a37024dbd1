/**
 * Idempotency keys of the HTTP API (commands, confirmations, actions): the first response to a
 * (user, key) is kept for 24 h so a retried request returns it and causes nothing again. The
 * request hash tells a true retry from a different request reusing the key (409).
 */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 5,
  name: '0005-create-idempotency-keys',
  up(db) {
    db.exec(`
      CREATE TABLE idempotency_keys (
        user_id        TEXT NOT NULL,
        key            TEXT NOT NULL,
        route          TEXT NOT NULL,              -- "POST /v1/actions/merge"
        request_hash   TEXT NOT NULL,              -- sha256 hex of route + canonical body
        status         INTEGER NOT NULL CHECK (status BETWEEN 200 AND 499),
        response_json  TEXT NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        PRIMARY KEY (user_id, key)
      );
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_ms);
    `);
  },
};
