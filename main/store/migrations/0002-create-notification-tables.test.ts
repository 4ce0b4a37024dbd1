import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

describe('0002-create-notification-tables', () => {
  it('creates notifications keyed by (user, thread), subscriptions and poll state on top of 0001', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 1);
    expect(db.exec("SELECT name FROM sqlite_master WHERE name = 'notifications'")).toEqual([]);
    applyMigrations(db, MIGRATIONS.slice(1), 2);
    const ins = `INSERT INTO notifications (user_id, thread_id, repo, subject_type, subject_title, reason, updated_at_ms, first_seen_at_ms, last_seen_at_ms)
                 VALUES ('u', ?, 'a/b', 'PullRequest', 'title', 'mention', 1, 1, 1)`;
    db.run(ins, ['t1']);
    expect(() => db.run(ins, ['t1'])).toThrow(/UNIQUE/);
    const sub = "INSERT INTO notification_subscriptions (user_id, scope, target, state, created_at_ms, updated_at_ms) VALUES ('u', ?, 't1', ?, 1, 1)";
    db.run(sub, ['thread', 'unsubscribed']);
    expect(() => db.run(sub, ['thread', 'subscribed'])).toThrow(/UNIQUE/);
    expect(() => db.run(sub, ['org', 'subscribed'])).toThrow(/CHECK/);
    db.run("INSERT INTO notification_poll_state (user_id, last_modified, poll_interval_s, updated_at_ms) VALUES ('u', 'Thu, 01 Jan 2026 00:00:00 GMT', 60, 1)");
    const plan = JSON.stringify(db.exec("EXPLAIN QUERY PLAN SELECT * FROM notifications WHERE user_id = 'u' AND unread = 1 ORDER BY updated_at_ms DESC")[0]?.values);
    expect(plan).toContain('notifications_inbox');
    db.close();
  });
});
