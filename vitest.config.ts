import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contract/**/*.test.ts', 'core/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.ts', 'tests/integration/**/*.test.ts', 'native/audio-addon/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
