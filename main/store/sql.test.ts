import { describe, expect, it } from 'vitest';
import { assertDeterministicWrite, assertRead, decodeParams, encodeParams, isDml } from './sql.js';

describe('SQL rules', () => {
  it('accepts ordinary deterministic writes', () => {
    for (const sql of ['INSERT INTO t (a) VALUES (?)', 'UPDATE t SET now_ms = ? WHERE id = ?', 'DELETE FROM t', 'CREATE TABLE x (random_id TEXT)']) {
      expect(() => assertDeterministicWrite(sql), sql).not.toThrow();
    }
  });

  it('refuses clock, randomness and engine-owned statements', () => {
    for (const sql of [
      'INSERT INTO t VALUES (random())',
      'INSERT INTO t VALUES (randomblob(16))',
      "UPDATE t SET at = strftime('%s', 'now')",
      'UPDATE t SET at = julianday()',
      'INSERT INTO t VALUES (CURRENT_TIMESTAMP)',
      'INSERT OR ROLLBACK INTO t VALUES (1)',
      '  commit',
      'SAVEPOINT a',
      'PRAGMA user_version = 3',
      "ATTACH 'x' AS y",
    ]) {
      expect(() => assertDeterministicWrite(sql), sql).toThrow();
    }
  });

  it('tells reads from writes', () => {
    expect(() => assertRead('SELECT 1')).not.toThrow();
    expect(() => assertRead('PRAGMA integrity_check')).not.toThrow();
    expect(() => assertRead("WITH x AS (SELECT 'insert') SELECT * FROM x")).not.toThrow();
    expect(() => assertRead('PRAGMA foreign_keys = OFF')).toThrow();
    expect(() => assertRead('INSERT INTO t VALUES (1)')).toThrow();
    expect(isDml(' update t set a = 1')).toBe(true);
    expect(isDml('CREATE TABLE t (a)')).toBe(false);
  });

  it('encodes params losslessly for the journal', () => {
    const p = [1.5, -0, 'x', null, new Uint8Array([0, 255]), Number.MAX_SAFE_INTEGER];
    const back = decodeParams(JSON.parse(JSON.stringify(encodeParams(p))));
    expect(back).toEqual([1.5, 0, 'x', null, new Uint8Array([0, 255]), Number.MAX_SAFE_INTEGER]);
    expect(decodeParams(JSON.parse(JSON.stringify(encodeParams({ ':a': new Uint8Array([9]), ':b': 2 }))))).toEqual({ ':a': new Uint8Array([9]), ':b': 2 });
  });
});
