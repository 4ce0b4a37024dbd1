import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateMigrations } from '../migrate.js';
import { MIGRATIONS } from './index.js';

describe('migration list', () => {
  it('lists every NNNN-verb-noun.ts file once, in order, each with its own test', () => {
    const files = readdirSync(dirname(fileURLToPath(import.meta.url)));
    const migrations = files.filter((f) => /^\d{4}-.*\.ts$/.test(f) && !f.endsWith('.test.ts')).map((f) => f.replace(/\.ts$/, ''));
    expect(MIGRATIONS.map((m) => m.name)).toEqual(migrations.sort());
    for (const m of migrations) expect(files).toContain(`${m}.test.ts`);
    expect(() => validateMigrations(MIGRATIONS)).not.toThrow();
  });

  it('rejects gaps and misnamed files', () => {
    const up = () => {};
    expect(() => validateMigrations([{ version: 1, name: '0001-create-x', up }, { version: 3, name: '0003-add-y', up }])).toThrow();
    expect(() => validateMigrations([{ version: 1, name: 'create-x', up }])).toThrow();
    expect(() => validateMigrations([{ version: 1, name: '0002-create-x', up }])).toThrow();
  });
});
