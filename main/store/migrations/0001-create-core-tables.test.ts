import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

const cols = (db: import('sql.js').Database, t: string) => db.exec(`PRAGMA table_info(${t})`)[0]?.values.map((r) => r[1]) ?? [];
const indexes = (db: import('sql.js').Database, t: string) => db.exec(`PRAGMA index_list(${t})`)[0]?.values.map((r) => r[1]) ?? [];

describe('0001-create-core-tables', () => {
  it('creates the core tables with their indexes', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 1);
    expect(cols(db, 'pending_actions')).toEqual(expect.arrayContaining(['token', 'state', 'head_sha', 'params_json', 'deadline_mono_ms', 'boot_id', 'failed_confirmations']));
    expect(cols(db, 'commands')).toEqual(expect.arrayContaining(['id', 'at_ms', 'session_id', 'text', 'duration_ms']));
    expect(cols(db, 'sessions')).toEqual(expect.arrayContaining(['inbox_json', 'cursor', 'last_pr_repo']));
    expect(cols(db, 'api_keys')).toEqual(expect.arrayContaining(['hash', 'revoked_at_ms']));
    expect(indexes(db, 'pending_actions')).toEqual(expect.arrayContaining(['pending_actions_session', 'pending_actions_state']));
    expect(indexes(db, 'commands')).toEqual(expect.arrayContaining(['commands_at', 'commands_session_at']));
    expect(indexes(db, 'audit_log')).toEqual(expect.arrayContaining(['audit_log_token']));
    db.close();
  });

  it('uses the indexes for the repository queries', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 1);
    const plan = (sql: string) => JSON.stringify(db.exec(`EXPLAIN QUERY PLAN ${sql}`)[0]?.values);
    expect(plan("SELECT * FROM pending_actions WHERE state IN ('pending') ORDER BY created_at_ms")).toContain('pending_actions_state');
    expect(plan("SELECT * FROM pending_actions WHERE session_id = 's' ORDER BY created_at_ms DESC")).toContain('pending_actions_session');
    expect(plan('SELECT * FROM commands WHERE at_ms < 5')).toContain('commands_at');
    expect(plan("SELECT * FROM audit_log WHERE token = 't' ORDER BY at_ms DESC")).toContain('audit_log_token');
    expect(plan("SELECT * FROM api_keys WHERE hash = 'h'")).toContain('sqlite_autoindex_api_keys');
    db.close();
  });

  it('enforces its constraints: append-only audit log, unique key hash, lastPr pair, text length', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 1);
    db.run("INSERT INTO audit_log (at_ms, user_id, correlation_id, action, target, outcome) VALUES (1, 'u', 'c', 'a', 't', 'o')");
    expect(() => db.run("UPDATE audit_log SET outcome = 'x'")).toThrow(/append-only/);
    expect(() => db.run('DELETE FROM audit_log')).toThrow(/append-only/);
    const key = "INSERT INTO api_keys (id, name, user_id, hash, rate_limit_per_min, created_at_ms) VALUES (?, 'n', 'u', ?, 60, 1)";
    db.run(key, ['k1', 'a'.repeat(64)]);
    expect(() => db.run(key, ['k2', 'a'.repeat(64)])).toThrow(/UNIQUE/);
    expect(() => db.run(key, ['k3', 'short'])).toThrow(/CHECK/);
    expect(() => db.run("INSERT INTO sessions (id, user_id, profile, last_pr_repo, created_at_ms, updated_at_ms) VALUES ('s', 'u', 'default', 'a/b', 1, 1)")).toThrow(/CHECK/);
    db.close();
  });
});
