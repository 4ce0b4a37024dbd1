/**
 * Webhook deliveries, keyed by the X-GitHub-Delivery GUID so a redelivery is processed once.
 * A delivery whose processing failed keeps status 'failed' and is processed again when redelivered.
 */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 3,
  name: '0003-create-webhook-events',
  up(db) {
    db.exec(`
      CREATE TABLE webhook_events (
        delivery_guid    TEXT PRIMARY KEY,         -- X-GitHub-Delivery
        event            TEXT NOT NULL,            -- X-GitHub-Event
        action           TEXT,                     -- payload.action
        hook_id          TEXT,                     -- X-GitHub-Hook-ID
        repo             TEXT,
        payload_sha256   TEXT NOT NULL,            -- of the raw body; the body itself is not kept
        status           TEXT NOT NULL CHECK (status IN ('received', 'processing', 'processed', 'failed', 'ignored')),
        attempts         INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
        error            TEXT,
        received_at_ms   INTEGER NOT NULL,         -- first receipt
        last_received_at_ms INTEGER NOT NULL,      -- latest (re)delivery
        processed_at_ms  INTEGER
      );
      CREATE INDEX webhook_events_received ON webhook_events (received_at_ms);
      CREATE INDEX webhook_events_status ON webhook_events (status, received_at_ms) WHERE status <> 'processed';
    `);
  },
};
