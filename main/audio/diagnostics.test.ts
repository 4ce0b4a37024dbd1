import { describe, expect, it } from 'vitest';
import type { LevelsSample } from '../../contract/ipc.js';
import { AudioDiagnosticsService, type AddonDevice, type AddonModule } from './diagnostics.js';

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

describe('AudioDiagnosticsService output level', () => {
  const device = (id: string, o: Partial<AddonDevice>): AddonDevice => ({ id, name: id, maxInputChannels: 0, transport: 'virtual', bluetoothProfile: 'unknown', isDefaultInput: false, isDefaultOutput: false, defaultSampleRateHz: 48_000, isMonitor: false, ...o });

  it('meters the default output through its monitor source, as output levels', async () => {
    const emitters = new Map<string, (l: { rmsDbfs: number; peakDbfs: number; timestampMs: number }) => void>();
    const closed: string[] = [];
    const devices = [device('pulse:mic', { maxInputChannels: 1, isDefaultInput: true }), device('pulse:spk.monitor', { maxInputChannels: 2, isMonitor: true }), device('pulse:spk', { isDefaultOutput: true, name: 'Speakers' }), device('pulse:other.monitor', { maxInputChannels: 2, isMonitor: true })];
    const mod: AddonModule = {
      ...fakeAddon().mod,
      listDevices: async () => devices,
      openCapture: async (o) => {
        const id = o?.device ?? 'default-input';
        return { onLevel: (fn) => (emitters.set(id, fn), () => undefined), close: () => closed.push(id) };
      },
    };
    const seen: LevelsSample[] = [];
    const svc = new AudioDiagnosticsService((s) => seen.push(s), async () => mod);
    const view = await svc.meter(true);
    expect(view.outputMonitor).toBe('Speakers');
    expect([...emitters.keys()].sort()).toEqual(['default-input', 'pulse:spk.monitor']);
    emitters.get('pulse:spk.monitor')!({ rmsDbfs: -12, peakDbfs: -3, timestampMs: 10 });
    emitters.get('default-input')!({ rmsDbfs: -200, peakDbfs: -50, timestampMs: 11 });
    expect(seen).toEqual([
      { rmsDbfs: -12, peakDbfs: -3, atMs: 10, source: 'output' },
      { rmsDbfs: -100, peakDbfs: -50, atMs: 11, dropouts: 0 },
    ]);
    const off = await svc.meter(false);
    expect(off.outputMonitor).toBeNull();
    expect(closed.sort()).toEqual(['default-input', 'pulse:spk.monitor']);
  });

  it('no monitor for the output (PortAudio, CoreAudio): input only, and the view says so', async () => {
    const opened: (string | undefined)[] = [];
    const mod: AddonModule = {
      ...fakeAddon().mod,
      listDevices: async () => [device('pa:0', { maxInputChannels: 1, isDefaultInput: true }), device('pa:1', { isDefaultOutput: true })],
      openCapture: async (o) => (opened.push(o?.device), { onLevel: () => () => undefined, close: () => undefined }),
    };
    const view = await new AudioDiagnosticsService(() => undefined, async () => mod).meter(true);
    expect(opened).toEqual([undefined]);
    expect(view).toMatchObject({ metering: true, outputMonitor: null, warnings: [] });
  });
});
