// Vitest config for Stryker runs: only the test files of the module under mutation (STRYKER_TESTS).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: (process.env.STRYKER_TESTS ?? '').split(',').filter((g) => g !== ''),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Reuse the worker's module cache from one mutant run to the next: Stryker switches mutants at
    // run time (a global the instrumented code reads), so re-importing every file per mutant only
    // costs time (the vitest overhead was ~80% of a mutant run).
    isolate: false,
    reporters: ['default'],
  },
});
