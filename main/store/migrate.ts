/** Applies pending migrations, each in its own durable transaction, recorded in schema_migrations. */
import { AppError } from '../../contract/errors.js';
import type { DurableDb } from './durableDb.js';
import type { Migration } from './migrations/index.js';

const NAME = /^(\d{4})-[a-z]+(-[a-z0-9]+)+$/;

/** Throws if the list is not 1, 2, 3, … with names `NNNN-verb-noun` matching their versions. */
export function validateMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    const match = NAME.exec(m.name);
    if (m.version !== i + 1 || !match || Number(match[1]) !== m.version) {
      throw new AppError('internal', `migration #${i + 1} is misnamed or out of order: ${m.version} ${m.name}`);
    }
  });
}

/**
 * Brings the schema up to date. Opening a database written by a newer app version is refused.
 * @param nowMs epoch ms recorded as applied_at_ms.
 * @returns versions applied now.
 */
export function migrate(db: DurableDb, list: readonly Migration[], nowMs: number): number[] {
  validateMigrations(list);
  const hasTable = db.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!hasTable) {
    db.transaction(() =>
      db.execScript('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)'),
    );
  }
  const applied = new Set(db.all('SELECT version FROM schema_migrations').map((r) => Number(r.version)));
  const newest = Math.max(0, ...applied);
  if (newest > list.length) {
    throw new AppError('store_failed', `the database has schema version ${newest}, newer than this app knows (${list.length})`, {
      reason: 'schema_too_new',
    });
  }
  const done: number[] = [];
  for (const m of list) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      m.up({ exec: (sql) => db.execScript(sql), run: (sql, params) => void db.run(sql, params) });
      db.run('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)', [m.version, m.name, nowMs]);
    });
    done.push(m.version);
  }
  return done;
}
