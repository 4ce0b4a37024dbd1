// StrykerJS over one module of stryker.modules.mjs, chosen by STRYKER_MODULE (scripts/mutate.mjs
// sets it). concurrency 1: the machine is shared; a mutation run must not starve other work.
import { MODULES } from './stryker.modules.mjs';

const name = process.env.STRYKER_MODULE ?? 'policy';
const mod = MODULES[name];
if (!mod) throw new Error(`unknown STRYKER_MODULE ${name}; one of ${Object.keys(MODULES).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.mjs', related: false },
  checkers: ['typescript'],
  // Type-check only the mutated file's layer (and what it references): a mutant that does not
  // compile is discarded without running tests, at the cost of one incremental check per mutant.
  tsconfigFile: mod.mutate[0].startsWith('core/') ? 'core/tsconfig.json' : 'main/tsconfig.json',
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
