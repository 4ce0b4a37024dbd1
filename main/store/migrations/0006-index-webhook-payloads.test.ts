import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

describe('0006-index-webhook-payloads', () => {
  it('looks deliveries up by payload hash through an index', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 6);
    const plan = JSON.stringify(db.exec("EXPLAIN QUERY PLAN SELECT delivery_guid FROM webhook_events WHERE payload_sha256 = 'h'")[0]?.values);
    expect(plan).toContain('webhook_events_payload');
    db.close();
  });
});
