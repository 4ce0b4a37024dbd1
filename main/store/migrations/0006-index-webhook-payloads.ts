/**
 * Webhook replay detection looks deliveries up by payload hash: a body replayed under a new
 * delivery GUID is recognised and not processed again (issue 13).
 */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 6,
  name: '0006-index-webhook-payloads',
  up(db) {
    db.exec('CREATE INDEX webhook_events_payload ON webhook_events (payload_sha256);');
  },
};
