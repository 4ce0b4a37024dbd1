// StrykerJS over one module of stryker.modules.mjs, chosen by STRYKER_MODULE (scripts/mutate.mjs
// sets it). concurrency 1: the machine is shared; a mutation run must not starve other work.
import { writeFileSync } from 'node:fs';
import { MODULES } from './stryker.modules.mjs';

const name = process.env.STRYKER_MODULE ?? 'policy';
const mod = MODULES[name];
if (!mod) throw new Error(`unknown STRYKER_MODULE ${name}; one of ${Object.keys(MODULES).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.mjs', related: false },
  // STRYKER_CHECKER=off (set by `npm run mutate -- --no-check`): no type check; mutants that would
  // not compile run against the tests like any other (the score then counts them too). On the
  // loaded 2-core machine the checker took about twice the CPU of the test runs per mutant.
  checkers: process.env.STRYKER_CHECKER === 'off' ? [] : ['typescript'],
  // A mutant that does not compile is discarded without running tests. core/ modules: the core
  // layer's project. main/ modules: a program of the mutated files and what they import only
  // (checkerTsconfig below); main/tsconfig.json has project references, which puts the checker in
  // build mode, emitting declarations for all of main/, core/ and contract/ per check: measured
  // 4+ CPU-minutes of checker for 25 s of tests on `journal`. Mutants that break only a file
  // importing the mutated one are then run against the tests instead of being discarded (stricter).
  tsconfigFile: mod.mutate[0].startsWith('core/') ? 'core/tsconfig.json' : checkerTsconfig(name, mod.mutate),
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: mod.mutate,
  coverageAnalysis: 'perTest',
  concurrency: 1,
  // Static mutants (module-level constants) need a full re-run per mutant: too slow for the value here.
  ignoreStatic: true,
  incremental: true,
  // Machine-local cache (see README "Mutation testing"): not committed.
  incrementalFile: `.stryker-tmp/incremental/${name}.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 20_000,
  disableTypeChecks: true,
  cleanTempDir: 'always',
};

/**
 * Writes `tsconfig.stryker-<module>.json` (git-ignored; copied into Stryker's sandbox): the base
 * options over just the mutated files, without project references, so the checker builds one small
 * program (the files' import closure) and emits nothing.
 */
function checkerTsconfig(module, mutate) {
  const file = `tsconfig.stryker-${module}.json`;
  const files = [...new Set(mutate.map((m) => m.replace(/:[0-9:-]+$/, '')))];
  const config = { extends: './tsconfig.base.json', compilerOptions: { lib: ['ES2022'], types: ['node'], noEmit: true, composite: false, declaration: false }, files };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
