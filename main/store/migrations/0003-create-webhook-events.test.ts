import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

describe('0003-create-webhook-events', () => {
  it('dedupes deliveries by GUID and supports a failed → redelivered update', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 3);
    const ins = `INSERT INTO webhook_events (delivery_guid, event, payload_sha256, status, received_at_ms, last_received_at_ms)
                 VALUES (?, 'pull_request', 'h', 'failed', 1, 1)
                 ON CONFLICT (delivery_guid) DO UPDATE SET attempts = attempts + 1, last_received_at_ms = excluded.last_received_at_ms
                 WHERE webhook_events.status = 'failed'`;
    db.run(ins, ['guid-1']);
    db.run(ins, ['guid-1']);
    expect(db.exec("SELECT attempts FROM webhook_events WHERE delivery_guid = 'guid-1'")[0]?.values).toEqual([[2]]);
    expect(() => db.run("INSERT INTO webhook_events (delivery_guid, event, payload_sha256, status, received_at_ms, last_received_at_ms) VALUES ('g2', 'e', 'h', 'weird', 1, 1)")).toThrow(/CHECK/);
    const plan = JSON.stringify(db.exec('EXPLAIN QUERY PLAN DELETE FROM webhook_events WHERE received_at_ms < 5')[0]?.values);
    expect(plan).toContain('webhook_events_received');
    db.close();
  });
});
