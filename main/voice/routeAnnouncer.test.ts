import { describe, expect, it } from 'vitest';
import type { AudioWarningEvent } from '../../contract/events.js';
import type { AudioDeviceInfo } from '../../core/ports/audio.js';
import { RouteAnnouncer } from './routeAnnouncer.js';

const dev = (id: string, description: string, transport: AudioDeviceInfo['transport'], input: boolean, rate = 48_000): AudioDeviceInfo => ({
  id,
  name: id,
  description,
  hostApi: 'PulseAudio',
  maxInputChannels: input ? 1 : 0,
  maxOutputChannels: input ? 0 : 2,
  defaultSampleRateHz: rate,
  isDefaultInput: false,
  isDefaultOutput: false,
  transport,
  bluetoothProfile: transport === 'bluetooth' ? 'hfp' : 'unknown',
});

const BT_MIC = dev('pulse:bt_mic', 'Ray-Ban Meta', 'bluetooth', true, 16_000);
const BT_OUT = dev('pulse:bt_out', 'Ray-Ban Meta', 'bluetooth', false);
const LAPTOP = dev('pulse:laptop_mic', 'Built-in Microphone', 'builtin', true);

function harness(devices: AudioDeviceInfo[]) {
  const warnings: AudioWarningEvent[] = [];
  const said: string[] = [];
  let pending: (() => void) | null = null;
  const a = new RouteAnnouncer({
    listDevices: async () => devices,
    warn: (w) => warnings.push(w),
    say: (t) => said.push(t),
    nowMs: () => 0,
    setTimer: (fn) => {
      pending = fn;
      return { cancel: () => (pending = null) };
    },
  });
  const fire = async () => {
    const f = pending;
    pending = null;
    f?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { a, warnings, said, fire };
}

describe('route announcements', () => {
  it('headset removed + default mic moved to the laptop: two warnings naming the devices, one sentence', async () => {
    const h = harness([BT_MIC, BT_OUT, LAPTOP]);
    await h.a.refresh();
    h.a.onRoute({ type: 'device-lost', direction: 'input', deviceId: BT_MIC.id, reason: 'removed' });
    h.a.onRoute({ type: 'device-lost', direction: 'output', deviceId: BT_OUT.id, reason: 'removed' });
    h.a.onRoute({ type: 'default-changed', direction: 'input', fromId: BT_MIC.id, toId: LAPTOP.id, to: LAPTOP });
    h.a.onRoute({ type: 'fallback-to-non-bluetooth', direction: 'input', fromId: BT_MIC.id, toId: LAPTOP.id, toTransport: 'builtin' });
    await h.fire();
    expect(h.warnings.map((w) => [w.kind, w.level])).toEqual([
      ['glasses-disconnected', 'warning'],
      ['fallback-mic', 'warning'],
    ]);
    expect(h.warnings[0]!.message).toBe('Your glasses (Ray-Ban Meta) disconnected.');
    expect(h.warnings[1]!.message).toContain('from Ray-Ban Meta to Built-in Microphone');
    expect(h.said).toEqual(["Your glasses disconnected; I'm using Built-in Microphone as the microphone."]);
  });

  it('glasses back as the default mic: an info and "Glasses connected."; narrowband is shown, not spoken', async () => {
    const h = harness([LAPTOP]);
    await h.a.refresh();
    h.a.onRoute({ type: 'default-changed', direction: 'input', fromId: LAPTOP.id, toId: BT_MIC.id, to: BT_MIC });
    h.a.onRoute({ type: 'narrowband-input', deviceId: BT_MIC.id, sampleRateHz: 16_000 });
    await h.fire();
    expect(h.warnings.map((w) => w.kind)).toEqual(['glasses-connected', 'narrowband']);
    expect(h.warnings[1]!.message).toBe('Ray-Ban Meta is in the hands-free (HFP) profile at 16 kHz: speech recognition will be less accurate.');
    expect(h.said).toEqual(['Glasses connected.']);
  });

  it('a non-Bluetooth device going away is neither shown nor spoken', async () => {
    const h = harness([LAPTOP, dev('pulse:usb', 'USB Mic', 'usb', true)]);
    await h.a.refresh();
    h.a.onRoute({ type: 'device-lost', direction: 'input', deviceId: 'pulse:usb', reason: 'removed' });
    await h.fire();
    expect(h.warnings).toEqual([]);
    expect(h.said).toEqual([]);
  });

  it('a fallback the watcher missed (its first look came after the mic moved) is found by listing the devices', async () => {
    const devices = [{ ...BT_MIC, isDefaultInput: true }, BT_OUT, LAPTOP];
    const h = harness(devices);
    await h.a.refresh();
    // The mic went and the default moved before the watcher looked: only the sink's loss is an event.
    devices.splice(0, devices.length, { ...LAPTOP, isDefaultInput: true });
    h.a.onRoute({ type: 'device-lost', direction: 'output', deviceId: BT_OUT.id, reason: 'removed' });
    await h.fire();
    expect(h.warnings.map((w) => w.kind)).toEqual(['glasses-disconnected', 'fallback-mic']);
    expect(h.warnings[1]!.message).toContain('from Ray-Ban Meta to Built-in Microphone');
    expect(h.said).toEqual(["Your glasses disconnected; I'm using Built-in Microphone as the microphone."]);
    // Reported once: a later loss compares against the laptop mic, which is not Bluetooth.
    h.a.onRoute({ type: 'device-lost', direction: 'input', deviceId: 'pulse:other', reason: 'removed' });
    await h.fire();
    expect(h.warnings).toHaveLength(2);
  });

  it('no fallback is made up while the default mic is still a Bluetooth one, or when listing fails', async () => {
    const BT2 = dev('pulse:bt2_mic', 'Spare headset', 'bluetooth', true);
    const devices = [{ ...BT_MIC, isDefaultInput: true }, BT_OUT, BT2];
    const h = harness(devices);
    await h.a.refresh();
    devices.splice(0, devices.length, { ...BT2, isDefaultInput: true });
    h.a.onRoute({ type: 'device-lost', direction: 'output', deviceId: BT_OUT.id, reason: 'removed' });
    await h.fire();
    expect(h.warnings.map((w) => w.kind)).toEqual(['glasses-disconnected']);

    let calls = 0;
    const warnings: AudioWarningEvent[] = [];
    const failing = new RouteAnnouncer({
      listDevices: async () => {
        if (calls++ > 0) throw new Error('audio server gone');
        return [{ ...BT_MIC, isDefaultInput: true }, BT_OUT];
      },
      warn: (w) => warnings.push(w),
      say: () => {},
      nowMs: () => 0,
      setTimer: (fn) => (setTimeout(fn, 0), { cancel: () => {} }),
    });
    await failing.refresh();
    failing.onRoute({ type: 'device-lost', direction: 'output', deviceId: BT_OUT.id, reason: 'removed' });
    await new Promise((r) => setTimeout(r, 10));
    expect(warnings.map((w) => w.kind)).toEqual(['glasses-disconnected']);
  });
});

describe('catching up with the watcher', () => {
  it('devices gone before its first look are reported then, with the fallback, once', async () => {
    const devices = [{ ...BT_MIC, isDefaultInput: true }, BT_OUT, LAPTOP];
    const h = harness(devices);
    await h.a.refresh();
    devices.splice(0, devices.length, { ...LAPTOP, isDefaultInput: true });
    await h.a.catchUp();
    await h.fire();
    expect(h.warnings.map((w) => w.kind)).toEqual(['glasses-disconnected', 'fallback-mic']);
    expect(h.said).toEqual(["Your glasses disconnected; I'm using Built-in Microphone as the microphone."]);
    await h.a.catchUp(); // nothing new since
    await h.fire();
    expect(h.warnings).toHaveLength(2);
  });

  it('nothing gone, or no list: nothing said', async () => {
    const h = harness([BT_MIC, LAPTOP]);
    await h.a.refresh();
    await h.a.catchUp();
    await h.fire();
    expect(h.warnings).toEqual([]);
  });
});
