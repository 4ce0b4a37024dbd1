/**
 * Store benchmark: durable write latency at 1k/10k/100k rows vs. naive sql.js `export()` +
 * `writeFileSync` (target ≥ 10× at 100k, flat across sizes), then 1,000 kill -9 trials.
 * The implementation lives in main/store/harness/benchStore.ts so that the compiled copy also
 * runs without a TypeScript loader: `npx tsc -b && node build/main/store/harness/benchStore.js`.
 * Direct run from source: `npx tsx tests/bench/store.ts [--kills N]`.
 */
import { fileURLToPath } from 'node:url';
import { benchStore } from '../../main/store/harness/benchStore.js';

export { benchStore };
export type { BenchStoreOptions, BenchStoreReport } from '../../main/store/harness/benchStore.js';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--kills');
  benchStore(i >= 0 ? { kills: Number(process.argv[i + 1]) } : {}).then(
    (r) => process.exit(r.targets.killHarnessClean === false ? 1 : 0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
