/** Route awareness against a fake Bluetooth headset (null sink + remap source with bluez properties). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listDevices, openCapture, openPlayback, RouteMonitor, tone, type RouteEvent } from '../lib/index.js';
import { startPulse, type PulseServer } from './pulse.js';

let pulse: PulseServer;
let modules: { sinkModule: number; sourceModule: number };

beforeAll(async () => {
  pulse = await startPulse();
  modules = await pulse.addFakeBluetoothHeadset();
});
afterAll(async () => {
  await pulse?.stop();
});

async function waitFor<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('fake Bluetooth headset', () => {
  it("is classified 'bluetooth' / 'hfp' (sink and mic), the null sink stays 'virtual'", async () => {
    const devices = await listDevices({ portaudio: false });
    expect(devices.find((d) => d.id === 'pulse:fake_bt_headset_mic')).toMatchObject({
      transport: 'bluetooth', bluetoothProfile: 'hfp', defaultSampleRateHz: 16000, maxInputChannels: 1, formFactor: 'headset', description: 'Fake BT Headset Mic',
    });
    expect(devices.find((d) => d.id === 'pulse:fake_bt_headset')).toMatchObject({ transport: 'bluetooth', bluetoothProfile: 'hfp' });
    expect(devices.find((d) => d.id === 'pulse:hf_loop')).toMatchObject({ transport: 'virtual' });
  });

  it('default source BT → plain sink monitor raises default-changed and fallback; narrowband on the way in', async () => {
    const mon = new RouteMonitor();
    const events: RouteEvent[] = [];
    mon.on('route', (e) => events.push(e));
    await mon.ready();
    await pulse.pactl('set-default-source', 'fake_bt_headset_mic');
    await waitFor(() => events.find((e) => e.type === 'narrowband-input'), 5000, 'narrowband-input');
    expect(events).toContainEqual({ type: 'narrowband-input', deviceId: 'pulse:fake_bt_headset_mic', sampleRateHz: 16000 });
    await pulse.pactl('set-default-source', 'hf_loop.monitor');
    const fb = await waitFor(() => events.find((e) => e.type === 'fallback-to-non-bluetooth'), 5000, 'fallback');
    mon.close();
    expect(fb).toEqual({ type: 'fallback-to-non-bluetooth', direction: 'input', fromId: 'pulse:fake_bt_headset_mic', toId: 'pulse:hf_loop.monitor', toTransport: 'virtual' });
    expect(events.filter((e) => e.type === 'default-changed').map((e) => e.type === 'default-changed' && e.toId)).toEqual([
      'pulse:fake_bt_headset_mic',
      'pulse:hf_loop.monitor',
    ]);
  });

  it('unloading the device mid-capture raises device-lost within 2 s, no crash, close() returns', async () => {
    const cap = await openCapture({ device: 'pulse:fake_bt_headset_mic' });
    const capEvents: Array<{ e: RouteEvent; t: number }> = [];
    cap.on('route', (e) => capEvents.push({ e, t: performance.now() }));
    expect(cap.info.deviceSampleRateHz).toBe(16000);
    expect(cap.info.resampling).toBe(false);
    const mon = new RouteMonitor();
    await mon.ready();
    const monEvents: Array<{ e: RouteEvent; t: number }> = [];
    mon.on('route', (e) => monEvents.push({ e, t: performance.now() }));
    await new Promise<void>((r) => cap.once('data', () => r()));
    const t0 = performance.now();
    await pulse.pactl('unload-module', String(modules.sourceModule));
    const lost = await waitFor(() => capEvents.find((x) => x.e.type === 'device-lost'), 5000, 'device-lost on the stream');
    const removed = await waitFor(() => monEvents.find((x) => x.e.type === 'device-lost'), 5000, 'device-lost from the monitor');
    expect(lost.t - t0).toBeLessThan(2000);
    expect(removed.t - t0).toBeLessThan(2000);
    expect(lost.e).toMatchObject({ type: 'device-lost', direction: 'input', deviceId: 'pulse:fake_bt_headset_mic' });
    // opening the narrowband Bluetooth mic was itself reported
    expect(capEvents.map((x) => x.e)).toContainEqual({ type: 'narrowband-input', deviceId: 'pulse:fake_bt_headset_mic', sampleRateHz: 16000 });
    // PulseAudio moved the stream to the default source: audio keeps flowing (recovery), and the
    // stream reports where it is now.
    let after = 0;
    cap.on('data', () => after++);
    await waitFor(() => (after >= 5 ? true : undefined), 10_000, 'audio after the move');
    const c0 = performance.now();
    cap.close();
    mon.close();
    expect(performance.now() - c0).toBeLessThan(1000);
  });

  it('unloading the headset sink mid-playback raises device-lost within 2 s; close() returns', async () => {
    const pb = await openPlayback({ device: 'pulse:fake_bt_headset', sampleRateHz: 16000 });
    const events: Array<{ e: RouteEvent; t: number }> = [];
    pb.on('route', (e) => events.push({ e, t: performance.now() }));
    void pb.write(tone(440, 3000, 16000, 0.2));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await pulse.pactl('unload-module', String(modules.sinkModule));
    const lost = await waitFor(() => events.find((x) => x.e.type === 'device-lost'), 5000, 'device-lost on playback');
    expect(lost.t - t0).toBeLessThan(2000);
    expect(lost.e).toMatchObject({ direction: 'output', deviceId: 'pulse:fake_bt_headset' });
    const c0 = performance.now();
    pb.close();
    expect(performance.now() - c0).toBeLessThan(1000);
  });
});
