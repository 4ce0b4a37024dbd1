/** diffRoutes: snapshot pairs → route events (pure). */
import { describe, expect, it } from 'vitest';

import { diffRoutes, type DeviceInfo, type RouteSnapshot } from '../lib/index.js';

function dev(id: string, over: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    id, name: id, description: id, hostApi: 'PulseAudio', backend: 'pulse', maxInputChannels: 1, maxOutputChannels: 0,
    defaultSampleRateHz: 48000, isDefaultInput: false, isDefaultOutput: false, isMonitor: false,
    transport: 'unknown', bluetoothProfile: 'unknown', formFactor: '', ...over,
  };
}
const bt = dev('pulse:bt_mic', { transport: 'bluetooth', bluetoothProfile: 'hfp', defaultSampleRateHz: 16000 });
const laptop = dev('pulse:laptop_mic', { transport: 'builtin' });
const snap = (input: string | null, devices: DeviceInfo[]): RouteSnapshot => ({ defaultInputId: input, defaultOutputId: null, devices });

describe('diffRoutes', () => {
  it('first snapshot on a narrowband Bluetooth input reports narrowband only', () => {
    expect(diffRoutes(null, snap(bt.id, [bt, laptop]))).toEqual([{ type: 'narrowband-input', deviceId: bt.id, sampleRateHz: 16000 }]);
  });
  it('Bluetooth → builtin default: default-changed + fallback', () => {
    const ev = diffRoutes(snap(bt.id, [bt, laptop]), snap(laptop.id, [bt, laptop]));
    expect(ev).toEqual([
      { type: 'default-changed', direction: 'input', fromId: bt.id, toId: laptop.id, to: laptop },
      { type: 'fallback-to-non-bluetooth', direction: 'input', fromId: bt.id, toId: laptop.id, toTransport: 'builtin' },
    ]);
  });
  it('device removed: device-lost first, then the default change', () => {
    const ev = diffRoutes(snap(bt.id, [bt, laptop]), snap(laptop.id, [laptop]));
    expect(ev.map((e) => e.type)).toEqual(['device-lost', 'default-changed', 'fallback-to-non-bluetooth']);
    expect(ev[0]).toEqual({ type: 'device-lost', direction: 'input', deviceId: bt.id, reason: 'removed' });
  });
  it('a device removed between the queries of one snapshot: the next default change still reports the fallback', () => {
    // Snapshot 2 still names the mic as default (server info was read first) but no longer lists it.
    const torn = snap(bt.id, [laptop]);
    expect(diffRoutes(snap(bt.id, [bt, laptop]), torn).map((e) => e.type)).toEqual(['device-lost']);
    const seen = new Map([[bt.id, bt], [laptop.id, laptop]]);
    expect(diffRoutes(torn, snap(laptop.id, [laptop]), seen)).toEqual([
      { type: 'default-changed', direction: 'input', fromId: bt.id, toId: laptop.id, to: laptop },
      { type: 'fallback-to-non-bluetooth', direction: 'input', fromId: bt.id, toId: laptop.id, toTransport: 'builtin' },
    ]);
    // Without the memory the fallback is lost: the failure this guards against.
    expect(diffRoutes(torn, snap(laptop.id, [laptop])).map((e) => e.type)).toEqual(['default-changed']);
  });
  it('no change → no events; A2DP-only wideband input is not narrowband', () => {
    expect(diffRoutes(snap(laptop.id, [laptop]), snap(laptop.id, [laptop]))).toEqual([]);
    const wide = dev('pulse:bt_wide', { transport: 'bluetooth', bluetoothProfile: 'a2dp', defaultSampleRateHz: 48000 });
    expect(diffRoutes(null, snap(wide.id, [wide]))).toEqual([]);
  });
  it('monitors disappearing with their sink are not reported separately', () => {
    const mon = dev('pulse:x.monitor', { isMonitor: true });
    expect(diffRoutes(snap(null, [mon]), snap(null, []))).toEqual([]);
  });
});
