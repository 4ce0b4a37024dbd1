/** 1,000 open/close cycles leak nothing: RSS growth < 5 MB, no threads left. */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCapture, openPlayback } from '../lib/index.js';
import { loadNative } from '../lib/loader.js';
import { startPulse, type PulseServer } from './pulse.js';

let pulse: PulseServer;
beforeAll(async () => {
  pulse = await startPulse();
});
afterAll(async () => {
  await pulse?.stop();
});

function threads(): number {
  const m = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1]);
}
// A real GC before each RSS reading, so JS garbage from the wrappers does not count as a leak.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
// Then malloc_trim(0), so glibc's per-thread arenas and free lists (each cycle starts two threads)
// do not read as growth: what remains is live memory.
const settle = async () => {
  gc();
  await new Promise((r) => setTimeout(r, 50));
  gc();
  loadNative().mallocTrim();
};

describe('lifecycle churn', () => {
  it('1,000 capture open/close cycles: RSS growth < 5 MB, thread count back to baseline', async () => {
    const cycle = async () => {
      const cap = await openCapture({ device: 'pulse:hf_loop.monitor' });
      cap.close();
    };
    // Warm-up: glibc gives new threads their own malloc arenas; RSS settles after ~200 cycles.
    for (let i = 0; i < 200; i++) await cycle();
    await settle();
    const rss0 = process.memoryUsage().rss;
    const threads0 = threads();
    for (let i = 0; i < 1000; i++) await cycle();
    await settle();
    const growthMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(`1,000 capture cycles: RSS growth ${growthMb.toFixed(2)} MB, threads ${threads0} → ${threads()}`);
    expect(threads()).toBe(threads0);
    expect(growthMb).toBeLessThan(5);
  }, 180_000);

  it('100 playback open/write/close cycles with audio queued and a live capture', async () => {
    const threads0 = threads();
    for (let i = 0; i < 100; i++) {
      const cap = await openCapture({ device: 'pulse:hf_loop.monitor' });
      const pb = await openPlayback({ device: 'pulse:hf_loop', sampleRateHz: 16000 });
      void pb.write(new Float32Array(8000));
      pb.close();
      cap.close();
    }
    expect(threads()).toBe(threads0);
  }, 120_000);
});
