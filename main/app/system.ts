import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Clock, RandomSource } from '../../core/ports/clock.js';

/**
 * Wall clock for display; monotonic clock from process.hrtime, which is the OS's monotonic clock
 * since boot (CLOCK_MONOTONIC, mach_absolute_time, QueryPerformanceCounter) and so agrees across
 * processes: a confirmation created by one CLI call can be checked by the next one, and wall-clock
 * jumps never extend or shorten it.
 */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => Number(process.hrtime.bigint() / 1000n) / 1000,
};

/** CSPRNG output drawn from a 4 KiB pool: one getrandom() per pool instead of one per id (as node's randomUUID does). */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

export const cryptoRandom: RandomSource = {
  hex: (bytes) => {
    if (bytes > POOL_BYTES) return randomFillSync(Buffer.alloc(bytes)).toString('hex');
    if (poolOffset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    // Each byte is handed out once: the slice is read before the offset moves past it.
    const out = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    return out;
  },
};

/**
 * Identifies the span over which systemClock.monotonicMs is comparable: the kernel's boot id on
 * Linux. Elsewhere a per-process id, so pending actions expire when the process ends (safe side).
 */
export function monotonicEpochId(): string {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return `boot-${id}`;
  } catch {
    // not Linux
  }
  return `proc-${cryptoRandom.hex(8)}`;
}
