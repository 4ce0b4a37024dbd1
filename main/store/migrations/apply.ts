/** Applies migrations straight to a raw sql.js database (no journal): for migration tests and tooling. */
import type { Database } from 'sql.js';
import type { SqlValue } from '../sql.js';
import type { Migration } from './types.js';

/** Runs `up` of every migration in `list` whose version is ≤ `toVersion`, in order. */
export function applyMigrations(db: Database, list: readonly Migration[], toVersion: number): void {
  for (const m of list) {
    if (m.version > toVersion) break;
    m.up({ exec: (sql) => void db.exec(sql), run: (sql, params) => void db.run(sql, (params ?? []) as SqlValue[]) });
  }
}
