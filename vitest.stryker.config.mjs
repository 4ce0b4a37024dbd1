// Vitest config for Stryker runs: only the test files of the module under mutation (STRYKER_TESTS).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: (process.env.STRYKER_TESTS ?? '').split(',').filter((g) => g !== ''),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
