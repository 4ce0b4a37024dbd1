import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

describe('0007-create-notification-snoozes', () => {
  it('keeps one snooze per (user, thread) and finds due ones through an index', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 7);
    const ins = "INSERT INTO notification_snoozes (user_id, thread_id, repo, number, subject_type, until_ms, created_at_ms) VALUES ('sam', '9001', 'acme/api', 12, 'PullRequest', 2000, 1000)";
    db.run(ins);
    expect(() => db.run(ins)).toThrow(/UNIQUE|PRIMARY/);
    const plan = JSON.stringify(db.exec('EXPLAIN QUERY PLAN SELECT * FROM notification_snoozes WHERE fired_at_ms IS NULL AND until_ms <= 5000')[0]?.values);
    expect(plan).toContain('notification_snoozes_due');
    db.close();
  });
});
