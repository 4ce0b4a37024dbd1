#!/usr/bin/env node
// Entry point of the `handsfree` command. The TypeScript sources compile to build/ (npm run build,
// or scripts/setup, which npm start / npm test run first).
import { existsSync } from 'node:fs';

const entry = new URL('../build/main/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('handsfree: not built yet. Run: bash scripts/setup (or npm run build)\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
