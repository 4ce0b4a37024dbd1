/**
 * Child process for the stale-lock race test (tests/integration/store-lock-race.test.ts). Reads
 * one command per stdin line: `acquire <file>` answers `held` or `locked`; `release` lets go.
 * Two of these race for the same stale lock, started by the parent at the same moment.
 */
import { createInterface } from 'node:readline';
import { nodeFs } from '../fsFacade.js';
import { acquireLock, StoreLockedError, type HeldLock } from '../lock.js';

let held: HeldLock | null = null;
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, file] = line.split(' ');
  if (cmd === 'acquire' && file) {
    try {
      held = acquireLock(nodeFs, file, Date.now());
      process.stdout.write('held\n');
    } catch (e) {
      process.stdout.write(e instanceof StoreLockedError ? 'locked\n' : `error ${(e as Error).message}\n`);
    }
  } else if (cmd === 'release') {
    held?.release();
    held = null;
    process.stdout.write('released\n');
  }
});
process.stdout.write('ready\n');
