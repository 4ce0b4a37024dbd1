/**
 * Snoozed notification threads ("snooze this for an hour", issue 15): one row per (user, thread),
 * kept after it fires so a restart cannot fire it again (fired_at_ms is set in the same durable
 * transaction that hands it out).
 */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 7,
  name: '0007-create-notification-snoozes',
  up(db) {
    db.exec(`
      CREATE TABLE notification_snoozes (
        user_id        TEXT NOT NULL,
        thread_id      TEXT NOT NULL,
        repo           TEXT NOT NULL,
        number         INTEGER,
        subject_type   TEXT NOT NULL,
        until_ms       INTEGER NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        fired_at_ms    INTEGER,
        PRIMARY KEY (user_id, thread_id)
      );
      CREATE INDEX notification_snoozes_due ON notification_snoozes (fired_at_ms, until_ms);
    `);
  },
};
