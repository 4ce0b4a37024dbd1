import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../sqljs.js';
import { applyMigrations } from './apply.js';
import { MIGRATIONS } from './index.js';

describe('0004-create-agent-tasks', () => {
  it('allows only the task lifecycle created → running → needs_input → completed | failed', async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    applyMigrations(db, MIGRATIONS, 4);
    const add = (id: string) =>
      db.run(
        "INSERT INTO agent_tasks (id, correlation_id, user_id, provider, repo, instruction, created_at_ms, updated_at_ms) VALUES (?, ?, 'u', 'copilot', 'a/b', 'fix it', 1, 1)",
        [id, `corr-${id}`],
      );
    const to = (id: string, state: string) => db.run('UPDATE agent_tasks SET state = ? WHERE id = ?', [state, id]);
    add('t1');
    expect(db.exec("SELECT state FROM agent_tasks WHERE id = 't1'")[0]?.values).toEqual([['created']]);
    for (const s of ['running', 'needs_input', 'running', 'needs_input', 'completed']) to('t1', s);
    expect(() => to('t1', 'running')).toThrow(/illegal state transition/);
    add('t2');
    expect(() => to('t2', 'completed')).toThrow(/illegal/);
    expect(() => to('t2', 'needs_input')).toThrow(/illegal/);
    to('t2', 'failed');
    expect(() => to('t2', 'created')).toThrow(/illegal/);
    expect(() => to('t2', 'bogus')).toThrow();
    db.run("UPDATE agent_tasks SET error = 'x' WHERE id = 't2'");
    expect(() => add('t1')).toThrow(/UNIQUE/);
    expect(() =>
      db.run("INSERT INTO agent_tasks (id, correlation_id, user_id, provider, repo, instruction, created_at_ms, updated_at_ms) VALUES ('t3', 'corr-t2', 'u', 'p', 'a/b', 'i', 1, 1)"),
    ).toThrow(/UNIQUE/);
    db.close();
  });
});
