import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

describe('0005-create-idempotency-keys', () => {
  it('keeps one response per (user, key), only for statuses 200-499', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 5);
    const add = (user: string, key: string, status = 200) =>
      db.run("INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, response_json, created_at_ms) VALUES (?, ?, 'POST /v1/command', 'h', ?, '{}', 1)", [user, key, status]);
    add('alice', 'k1');
    add('bob', 'k1'); // keys are per user
    expect(() => add('alice', 'k1')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => add('alice', 'k2', 500)).toThrow(/CHECK/);
    add('alice', 'k3', 409);
    expect(db.exec('SELECT user_id, key, status FROM idempotency_keys ORDER BY user_id, key')[0]?.values).toEqual([
      ['alice', 'k1', 200],
      ['alice', 'k3', 409],
      ['bob', 'k1', 200],
    ]);
    db.close();
  });
});
