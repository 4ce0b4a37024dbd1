/**
 * DB-1: kill -9 during writes, ≥ 200 kills per run (random points: start-up recovery, between
 * writes, inside compaction). Needs the compiled child: `npx tsc -b` first (CI runs tests after it).
 * The bench runs the same harness with 1,000 kills (tests/bench/store.ts).
 */
import { describe, expect, it } from 'vitest';
import { runKillHarness } from '../../main/store/harness/killHarness.js';

const KILLS = Number(process.env.HF_STORE_KILLS ?? 200);

describe('kill -9 harness (DB-1)', () => {
  it('proves it can fail: a writer that acknowledges before committing loses acknowledged rows', async () => {
    const r = await runKillHarness({ kills: 16, lanes: 2, brokenAckEarly: true, maxRunMs: 60 });
    expect(r.kills).toBe(16);
    expect(r.lostAckedRows).toBeGreaterThan(0);
    expect(r.failures.some((f) => f.includes('acknowledged row(s) lost'))).toBe(true);
  }, 60_000);

  it(`${KILLS} kills: opens every time, integrity ok, 0 acknowledged rows lost, 0 bad checksums, no temp files`, async () => {
    const r = await runKillHarness({ kills: KILLS, lanes: 2 });
    console.log(
      `kill harness: ${r.kills} kills in ${(r.elapsedMs / 1000).toFixed(1)} s (seed ${r.seed}), ${r.ackedTransactions} acked transactions, ` +
        `${r.killsDuringOpen} during open, ${r.killsDuringCompaction} during compaction, ${r.tempFilesCleaned} starts cleaned temp files, ` +
        `${r.tornTailsDiscarded} torn tails discarded`,
    );
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({
      kills: KILLS,
      openFailures: 0,
      unhealthyStarts: 0,
      integrityFailures: 0,
      lostAckedRows: 0,
      badChecksums: 0,
      atomicityViolations: 0,
      orphanTempFiles: 0,
    });
    // The kills must actually land where it matters.
    expect(r.ackedTransactions).toBeGreaterThan(KILLS);
    expect(r.killsDuringOpen).toBeGreaterThan(0);
    expect(r.killsDuringCompaction + r.tempFilesCleaned).toBeGreaterThan(0);
  }, 240_000);
});
