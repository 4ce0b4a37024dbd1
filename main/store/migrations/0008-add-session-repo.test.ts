import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

describe('0008-add-session-repo', () => {
  it('adds a nullable repo to sessions; existing rows keep none', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 7);
    db.run("INSERT INTO sessions (id, user_id, profile, created_at_ms, updated_at_ms) VALUES ('s', 'sam', 'default', 1, 1)");
    applyMigrations(db, MIGRATIONS.slice(7), 8);
    expect(db.exec("SELECT repo FROM sessions WHERE id = 's'")[0]?.values).toEqual([[null]]);
    db.run("UPDATE sessions SET repo = 'acme/api' WHERE id = 's'");
    expect(db.exec("SELECT repo FROM sessions WHERE id = 's'")[0]?.values).toEqual([['acme/api']]);
    db.close();
  });
});
