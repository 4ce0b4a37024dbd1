/** A blocked JS thread: 200 ms loses nothing at the default queue; longer stalls are counted as drops and recovered from. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCapture, type PcmChunk } from '../lib/index.js';
import { startPulse, type PulseServer } from './pulse.js';

let pulse: PulseServer;
beforeAll(async () => {
  pulse = await startPulse();
});
afterAll(async () => {
  await pulse?.stop();
});

/** Blocks the JS thread (the pump keeps running) for ms of wall time. */
function blockJs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function waitForChunks(chunks: PcmChunk[], n: number, timeoutMs = 20_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (chunks.length < n) {
    if (performance.now() > until) throw new Error(`fewer than ${n} chunks within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('JS-thread stalls', () => {
  it('200 ms stalls lose no audio at the default queue size (32 chunks)', async () => {
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor' });
    const chunks: PcmChunk[] = [];
    cap.on('data', (c) => chunks.push(c));
    await waitForChunks(chunks, 5);
    for (let i = 0; i < 5; i++) {
      blockJs(200);
      await waitForChunks(chunks, chunks.length + 5);
    }
    const s = cap.stats();
    cap.close();
    expect(s.droppedChunks).toBe(0);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.seq).toBe(chunks[i - 1]!.seq + 1);
  });

  it('a stall longer than the queue holds is counted as drops, then delivery recovers', async () => {
    const cap = await openCapture({ device: 'pulse:hf_loop.monitor', queueChunks: 8 }); // 160 ms
    const chunks: PcmChunk[] = [];
    cap.on('data', (c) => chunks.push(c));
    await waitForChunks(chunks, 5);
    const framesBefore = cap.stats().deviceFrames;
    blockJs(1500);
    // make sure the device really produced more audio than the queue holds during the stall
    const produced = (cap.stats().deviceFrames - framesBefore) / cap.info.deviceSampleRateHz;
    const n = chunks.length;
    await waitForChunks(chunks, n + 20);
    const s = cap.stats();
    cap.close();
    if (produced > 0.4) expect(s.droppedChunks).toBeGreaterThan(0);
    // the gap in sequence numbers equals the counted drops
    let gaps = 0;
    for (let i = 1; i < chunks.length; i++) gaps += chunks[i]!.seq - chunks[i - 1]!.seq - 1;
    expect(gaps).toBe(s.droppedChunks);
    // delivery recovered: contiguous chunks after the stall
    const tail = chunks.slice(-10);
    for (let i = 1; i < tail.length; i++) expect(tail[i]!.seq).toBe(tail[i - 1]!.seq + 1);
  });
});
