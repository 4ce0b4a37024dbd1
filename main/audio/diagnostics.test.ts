import { describe, expect, it } from 'vitest';
import type { LevelsSample } from '../../contract/ipc.js';
import { AudioDiagnosticsService, type AddonModule } from './diagnostics.js';

/** An add-on double whose capture the test drives level by level, with loss counters it sets. */
function fakeAddon() {
  let emit: ((l: { rmsDbfs: number; peakDbfs: number; timestampMs: number }) => void) | null = null;
  const counters = { overruns: 0, droppedChunks: 0 };
  const mod: AddonModule = {
    audioAvailability: () => ({ available: true, reason: null, backends: ['pulse'] }),
    listDevices: async () => [],
    openCapture: async () => ({
      onLevel: (fn) => {
        emit = fn;
        return () => (emit = null);
      },
      stats: () => ({ ...counters }),
      close: () => (emit = null),
    }),
    playTestTone: async () => undefined,
    recordThenPlayBack: async () => new Float32Array(0),
    measureLoopbackLatency: async () => ({ medianMs: null, missed: 0 }),
  };
  return { mod, counters, level: (timestampMs: number) => emit?.({ rmsDbfs: -30, peakDbfs: -20, timestampMs }) };
}

describe('AudioDiagnosticsService dropouts', () => {
  it('counts a capture gap, device overruns and dropped chunks, and nothing on a steady stream', async () => {
    const addon = fakeAddon();
    const seen: LevelsSample[] = [];
    const svc = new AudioDiagnosticsService((s) => seen.push(s), async () => addon.mod);
    await svc.meter(true);
    for (let t = 0; t < 1_200; t += 60) addon.level(t);
    expect(seen.at(-1)!.dropouts).toBe(0);
    // the device delivered nothing for 700 ms (a suspended source)
    addon.level(1_140 + 700);
    expect(seen.at(-1)!.dropouts).toBe(1);
    addon.counters.overruns = 2;
    addon.counters.droppedChunks = 1;
    addon.level(1_900);
    expect(seen.at(-1)!.dropouts).toBe(4);
    // a new meter session starts from its own stream's counters
    svc.stop();
    addon.counters.overruns = 0;
    addon.counters.droppedChunks = 0;
    await svc.meter(true);
    addon.level(50_000);
    expect(seen.at(-1)!.dropouts).toBe(0);
  });
});
