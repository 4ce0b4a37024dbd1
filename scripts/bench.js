// `npm run bench [names...]`: runs tests/bench/run.ts through tsx after setup has built the app.
import { spawnSync } from 'node:child_process';

const r = spawnSync('npx', ['--no-install', 'tsx', 'tests/bench/run.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
