/** The repo a session works in ("use acme slash api", issue 15): commands naming no repo default to it. */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 8,
  name: '0008-add-session-repo',
  up(db) {
    db.exec('ALTER TABLE sessions ADD COLUMN repo TEXT;');
  },
};
