/** A schema migration: one per file, `NNNN-verb-noun.ts`, applied once in its own transaction. */
import type { SqlParams } from '../sql.js';

/** What a migration may do: run DDL scripts and parameterised writes (all journaled). */
export interface MigrationContext {
  /** Runs a parameterless script of one or more statements. */
  exec(sql: string): void;
  /** Runs one parameterised statement. */
  run(sql: string, params?: SqlParams): void;
}

export interface Migration {
  /** Equals the NNNN prefix of the file name; versions are 1, 2, 3, … without gaps. */
  version: number;
  /** The file name without extension, e.g. "0001-create-core-tables". */
  name: string;
  up(ctx: MigrationContext): void;
}
