/**
 * The `handsfree` CLI as a user runs it: one process per call over a fresh data dir per test, on
 * the demo account (fixture mode). Registers its own vitest hooks. Needs the TypeScript build
 * (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { CommandResponse } from '../../contract/response.js';
import { REPO_ROOT } from '../../main/app/config.js';

export const BIN = join(REPO_ROOT, 'bin', 'handsfree.js');

export interface CliHarness {
  /** This test's data dir. */
  dir(): string;
  /** Runs `handsfree <args>` to completion (30 s cap); `env` is added to the demo-mode environment. */
  cli(args: string[], env?: Record<string, string>): { code: number | null; out: string; err: string };
  /** `handsfree ask <text> --json`, parsed. */
  ask(text: string): CommandResponse;
  /** The writes the demo account recorded, by gateway method, in order. */
  demoWrites(): string[];
}

/** @param name a short name for the temp data dir */
export function cliOverDemoAccount(name: string): CliHarness {
  let dir: string | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `hf-cli-${name}-`));
  });
  afterEach(() => {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  const here = (): string => {
    if (dir === null) throw new Error('the data dir is made in beforeEach');
    return dir;
  };
  const cli: CliHarness['cli'] = (args, env = {}) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: { ...process.env, HANDSFREE_DATA_DIR: here(), HANDSFREE_MODE: 'fixture', HANDSFREE_LOG_LEVEL: 'error', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return {
    dir: here,
    cli,
    ask: (text) => JSON.parse(cli(['ask', text, '--json']).out) as CommandResponse,
    demoWrites: () => {
      let text = '';
      try {
        text = readFileSync(join(here(), 'demo-github-writes.jsonl'), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => (JSON.parse(l) as { method: string }).method);
    },
  };
}
