#!/usr/bin/env node
// npm run mutate [--no-check] [module …]: StrykerJS over each safety-critical module in turn (stryker.modules.mjs),
// one at a time, concurrency 1, at low priority (nice 10); prints the mutation score per module.
// Incremental: a rerun only tests mutants whose code or covering tests changed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { MODULES } from '../stryker.modules.mjs';

const noCheck = process.argv.includes('--no-check');
const wanted = process.argv.slice(2).filter((a) => a !== '--no-check');
const names = wanted.length > 0 ? wanted : Object.keys(MODULES);
for (const n of names) if (!MODULES[n]) throw new Error(`unknown module ${n}; one of ${Object.keys(MODULES).join(', ')}`);

const rows = [];
for (const name of names) {
  const t0 = Date.now();
  const env = { ...process.env, STRYKER_MODULE: name, STRYKER_TESTS: MODULES[name].tests.join(','), ...(noCheck ? { STRYKER_CHECKER: 'off' } : {}) };
  const r = spawnSync('nice', ['-n', '10', 'npx', '--no-install', 'stryker', 'run', 'stryker.config.mjs'], { stdio: 'inherit', env });
  const secs = Math.round((Date.now() - t0) / 1000);
  rows.push({ name, secs, ...score(`reports/mutation/${name}.json`), exit: r.status });
}

console.log('\nmodule          score   killed  survived  no-cov  timeout  time');
for (const r of rows) {
  const pct = r.score === null ? '   n/a' : `${r.score.toFixed(1).padStart(5)}%`;
  console.log(`${r.name.padEnd(15)} ${pct}  ${String(r.killed).padStart(6)}  ${String(r.survived).padStart(8)}  ${String(r.noCoverage).padStart(6)}  ${String(r.timeout).padStart(7)}  ${r.secs}s${r.exit === 0 ? '' : ` (exit ${r.exit})`}`);
}
process.exit(rows.every((r) => r.exit === 0) ? 0 : 1);

/** Mutation score from Stryker's JSON report: (killed + timeout) / (all valid mutants). */
function score(file) {
  const empty = { score: null, killed: 0, survived: 0, noCoverage: 0, timeout: 0 };
  if (!existsSync(file)) return empty;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const c = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0 };
  for (const f of Object.values(report.files)) for (const m of f.mutants) if (m.status in c) c[m.status]++;
  const valid = c.Killed + c.Survived + c.NoCoverage + c.Timeout;
  return { score: valid === 0 ? null : (100 * (c.Killed + c.Timeout)) / valid, killed: c.Killed, survived: c.Survived, noCoverage: c.NoCoverage, timeout: c.Timeout };
}
