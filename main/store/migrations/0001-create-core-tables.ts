/**
 * Core tables behind core/ports/store.ts: commands, sessions, pending_actions, audit_log, api_keys.
 * Times are epoch ms (INTEGER) except deadline_mono_ms (monotonic ms, may be fractional: REAL).
 * JSON columns end in _json. Enum-like columns carry no CHECK: the enums live in contract/ and may
 * grow, and a migration must not change meaning when they do.
 */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 1,
  name: '0001-create-core-tables',
  up(db) {
    db.exec(`
      CREATE TABLE commands (
        id             TEXT PRIMARY KEY,
        at_ms          INTEGER NOT NULL,
        user_id        TEXT NOT NULL,
        session_id     TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        source         TEXT NOT NULL,
        text           TEXT NOT NULL CHECK (length(text) <= 500),
        intent         TEXT NOT NULL,
        confidence     REAL NOT NULL,
        status         TEXT NOT NULL,
        error_code     TEXT,
        duration_ms    REAL NOT NULL
      );
      CREATE INDEX commands_at ON commands (at_ms);
      CREATE INDEX commands_session_at ON commands (session_id, at_ms);

      CREATE TABLE sessions (
        id             TEXT PRIMARY KEY,
        user_id        TEXT NOT NULL,
        profile        TEXT NOT NULL,
        last_pr_repo   TEXT,
        last_pr_number INTEGER,
        inbox_json     TEXT NOT NULL DEFAULT '[]',
        cursor         INTEGER NOT NULL DEFAULT -1,
        last_spoken    TEXT,
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL,
        CHECK ((last_pr_repo IS NULL) = (last_pr_number IS NULL))
      );
      CREATE INDEX sessions_user_updated ON sessions (user_id, updated_at_ms);

      CREATE TABLE pending_actions (
        token                TEXT PRIMARY KEY,
        session_id           TEXT NOT NULL,
        user_id              TEXT NOT NULL,
        kind                 TEXT NOT NULL,
        repo                 TEXT NOT NULL,
        number               INTEGER,
        head_sha             TEXT,
        params_json          TEXT NOT NULL DEFAULT '{}',
        read_back            TEXT NOT NULL,
        state                TEXT NOT NULL,
        created_at_ms        INTEGER NOT NULL,
        expires_at_ms        INTEGER NOT NULL,
        deadline_mono_ms     REAL NOT NULL,
        boot_id              TEXT NOT NULL,
        failed_confirmations INTEGER NOT NULL DEFAULT 0 CHECK (failed_confirmations >= 0),
        outcome              TEXT,
        outcome_message      TEXT,
        result_json          TEXT,
        updated_at_ms        INTEGER NOT NULL
      );
      CREATE INDEX pending_actions_session ON pending_actions (session_id, created_at_ms);
      CREATE INDEX pending_actions_state ON pending_actions (state, created_at_ms);

      CREATE TABLE audit_log (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms          INTEGER NOT NULL,
        user_id        TEXT NOT NULL,
        session_id     TEXT,
        correlation_id TEXT NOT NULL,
        action         TEXT NOT NULL,
        target         TEXT NOT NULL,
        token          TEXT,
        outcome        TEXT NOT NULL,
        detail_json    TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at_ms);
      CREATE INDEX audit_log_token ON audit_log (token, at_ms) WHERE token IS NOT NULL;
      -- The audit log is append-only; a later migration may relax this for retention.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      CREATE TABLE api_keys (
        id                  TEXT PRIMARY KEY,
        name                TEXT NOT NULL,
        user_id             TEXT NOT NULL,
        hash                TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
        rate_limit_per_min  INTEGER NOT NULL CHECK (rate_limit_per_min > 0),
        created_at_ms       INTEGER NOT NULL,
        revoked_at_ms       INTEGER
      );
    `);
  },
};
