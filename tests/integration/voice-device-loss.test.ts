/**
 * The playback device disappears mid-reply (`pactl unload-module` of its null sink): the voice loop
 * is idle within 2 s (write()/drain() do not hang), says what happened on the output that is left
 * (the default sink), and plays on the configured device again once it is back. Real add-on in its
 * own process, a private PulseAudio server, espeak-ng. Skipped, saying why, without them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { CaptureSession } from '../../core/ports/audio.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { loadAddonAudio, type AddonAudio } from '../../main/audio/addonAudio.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { OUTPUT_LOST_MESSAGE, VoiceRunner } from '../../main/voice/voiceRunner.js';
import { startPulse, type PulseServer } from '../../native/audio-addon/bench/pulseServer.js';
import { audioProcessSkipReason, addonLoader } from './audio-process-env.js';

const loader = addonLoader;
const skipReason = await audioProcessSkipReason('voice-device-loss');

let pulse: PulseServer;
let dir: string;
let app: App;
let probeAudio: AddonAudio;

const SPEAKER = ['module-null-sink', 'sink_name=hf_spk', 'rate=48000', 'channels=2', 'sink_properties=device.description=TestSpeaker'] as const;

beforeAll(async () => {
  if (skipReason !== null) return;
  pulse = await startPulse(); // default sink hf_loop: "the next available output"
  await pulse.loadModule('module-null-sink', 'sink_name=hf_mic', 'rate=16000', 'channels=1', 'sink_properties=device.description=TestMic');
  probeAudio = await loadAddonAudio(loader);
  dir = mkdtempSync(join(tmpdir(), 'hf-device-loss-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'stub', HANDSFREE_TTS: 'offline' }), { logger: SILENT_LOGGER });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await pulse?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Counts chunks louder than silence on a sink's monitor. */
async function listen(sink: string): Promise<{ loud: () => number; close: () => void }> {
  const cap: CaptureSession = await probeAudio.source.openCapture({ deviceId: `pulse:${sink}.monitor`, sampleRateHz: 16_000, channels: 1, format: 'int16', echoCancellation: false });
  let loud = 0;
  cap.onChunk((c) => {
    let e = 0;
    for (const v of c.data) e += v * v;
    if (Math.sqrt(e / c.data.length) > 300) loud++;
  });
  return { loud: () => loud, close: () => cap.close() };
}

describe.skipIf(skipReason !== null)('playback device lost mid-reply', () => {
  it('idle within 2 s, announced on the default output, and the configured device is used again when it is back', async () => {
    let speakerModule = await pulse.loadModule(...SPEAKER);
    const events: (VoiceStateEvent & { t: number })[] = [];
    app.events.on('voice.state', (e) => events.push({ ...e, t: performance.now() }));
    const runner = await VoiceRunner.start(app, { captureDeviceId: 'pulse:hf_mic.monitor', playbackDeviceId: 'pulse:hf_spk', loop: { mode: 'ptt' }, speakNotifications: false });
    expect(runner.audioStatus()).toMatchObject({ state: 'running' });
    const loop = runner.loop!;
    try {
      // A long reply on the configured speaker.
      let spk = await listen('hf_spk');
      expect(loop.say('This is a long reply about pull request twelve in acme api. '.repeat(6))).toBe(true);
      await vi.waitFor(() => expect(spk.loud()).toBeGreaterThan(10), { timeout: 20_000, interval: 20 });
      spk.close();
      const fallback = await listen('hf_loop');

      // The speaker disappears.
      const t0 = performance.now();
      await pulse.pactl('unload-module', String(speakerModule));
      await vi.waitFor(() => expect(events.some((e) => e.t >= t0 && e.state === 'idle')).toBe(true), { timeout: 5_000, interval: 10 });
      const idleAfterMs = events.find((e) => e.t >= t0 && e.state === 'idle')!.t - t0;
      process.stdout.write(`voice-device-loss: idle ${idleAfterMs.toFixed(0)} ms after the sink was unloaded\n`);
      expect(idleAfterMs).toBeLessThan(2_000);

      // Said on the output that is left, then idle again (no hang).
      await vi.waitFor(() => expect(events.some((e) => e.t >= t0 && e.state === 'speaking' && e.spoken_text === OUTPUT_LOST_MESSAGE)).toBe(true), { timeout: 10_000, interval: 20 });
      await vi.waitFor(() => expect(loop.state).toBe('idle'), { timeout: 20_000, interval: 50 });
      expect(events.filter((e) => e.t >= t0).at(-1)).toMatchObject({ state: 'idle', reason: 'done' });
      expect(fallback.loud(), 'the announcement played on the default output').toBeGreaterThan(10);
      fallback.close();

      // The speaker comes back: the next reply plays there. A new stream on the re-loaded (idle)
      // null sink starts only after the up to 2 s the sink rendered ahead while idle; the playback
      // guard must not take that for a lost device (it used to, after 1.5 s: playbackGuard.ts).
      speakerModule = await pulse.loadModule(...SPEAKER);
      spk = await listen('hf_spk');
      const t1 = performance.now();
      expect(loop.say('The speaker is back.')).toBe(true);
      await vi.waitFor(() => expect(events.some((e) => e.t >= t1 && e.state === 'idle' && e.previous === 'speaking')).toBe(true), { timeout: 20_000, interval: 20 });
      expect(events.filter((e) => e.t >= t1).at(-1)).toMatchObject({ state: 'idle', reason: 'done' });
      expect(events.some((e) => e.t >= t1 && e.spoken_text === OUTPUT_LOST_MESSAGE), 'no second loss announced').toBe(false);
      await new Promise((r) => setTimeout(r, 300));
      expect(spk.loud(), 'the reply played on the configured speaker again').toBeGreaterThan(10);
      spk.close();
    } finally {
      runner.close();
    }
  }, 120_000);
});
