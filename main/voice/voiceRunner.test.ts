/** The voice runner over the out-of-process audio host (a fake worker): a crash loop turns voice off and says why. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import { createApp } from '../app/app.js';
import { loadConfig } from '../app/config.js';
import { AudioProcessHost } from '../audio/audioProcess.js';
import { FallbackSpeechToText } from '../speech/fallback.js';
import { StubSpeechToText } from '../speech/stub.js';
import { SILENT_LOGGER } from '../log/logger.js';
import { captureRateAfter, VoiceRunner } from './voiceRunner.js';

const FAKE = fileURLToPath(new URL('../audio/testing/fakeAudioWorker.mjs', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  delete process.env['FAKE_WORKER'];
});

/** An app on the demo account with stub speech, closed and removed after the test. */
async function stubApp() {
  const dir = mkdtempSync(join(tmpdir(), 'hf-runner-'));
  const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'stub', HANDSFREE_TTS: 'stub' }), { logger: SILENT_LOGGER });
  cleanups.push(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return app;
}

describe('VoiceRunner on the audio process', () => {
  it('restarts once quietly; a crash loop makes voice unavailable with the reason, text commands unaffected', async () => {
    const app = await stubApp();
    const events: VoiceStateEvent[] = [];
    app.events.on('voice.state', (e) => events.push(e));
    const runner = await VoiceRunner.start(app, { openAudio: () => AudioProcessHost.start({ workerPath: FAKE, backoffMs: [20, 50] }), loop: { mode: 'ptt' } });
    cleanups.push(() => runner.close());
    expect(runner.status()).toMatchObject({ available: true, state: 'idle' });
    const pid1 = runner.audioStatus()!.pid!;
    process.kill(pid1, 'SIGKILL');
    await vi.waitFor(() => expect(runner.audioStatus()).toMatchObject({ state: 'running', restarts: 1 }), { timeout: 5000 });
    expect(runner.status().available).toBe(true);
    expect(events.some((e) => e.state === 'unavailable')).toBe(false);
    // From now on every new worker dies at once: the next two crashes make three within the minute.
    process.env['FAKE_WORKER'] = 'crash';
    process.kill(runner.audioStatus()!.pid!, 'SIGKILL');
    await vi.waitFor(() => expect(runner.audioStatus()?.state).toBe('failed'), { timeout: 5000 });
    expect(runner.status()).toMatchObject({ available: false, state: 'unavailable', reason: expect.stringMatching(/crashed 3 times within 60 s/) });
    expect(events.at(-1)).toMatchObject({ state: 'unavailable', reason: 'unavailable', message: expect.stringMatching(/voice is off until the app restarts/) });
    expect(runner.pttStart().ok).toBe(false);
    expect((await app.service.runCommand({ text: 'help' }, { userId: app.config.user, transport: 'http' })).status).toBe('ok');
  }, 30_000);

  it('prepares the recognizer for the mic rate before it listens; a recognizer that cannot be prepared does not stop the loop', async () => {
    const app = await stubApp();
    const calls: string[] = [];
    const stt = new StubSpeechToText('help');
    const prepared = Object.assign(Object.create(stt) as StubSpeechToText, {
      prepareFor: (hz: number) => calls.push(`prepare ${hz}`),
      transcribe: async (...a: Parameters<StubSpeechToText['transcribe']>) => (calls.push('transcribe'), stt.transcribe(...a)),
    });
    const warn = vi.spyOn(app.logger, 'warn');
    const start = (s: StubSpeechToText) => VoiceRunner.start(app, { openAudio: () => AudioProcessHost.start({ workerPath: FAKE, backoffMs: [20, 50] }), loop: { mode: 'ptt' }, stt: s });
    const runner = await start(prepared);
    cleanups.push(() => runner.close());
    // The VAD's rate (the loop's): 16 kHz, once, and before any utterance.
    expect(calls).toEqual(['prepare 16000']);
    runner.close();
    const failing = Object.assign(Object.create(stt) as StubSpeechToText, {
      prepareFor: () => {
        throw new Error('no model');
      },
    });
    const second = await start(failing);
    cleanups.push(() => second.close());
    expect(second.status()).toMatchObject({ available: true, state: 'idle' });
    expect(warn).toHaveBeenCalledWith({ err: 'no model' }, expect.stringMatching(/could not be prepared/));
  }, 30_000);

  it("starts only once the route watcher has looked at the routes (a headset lost earlier would go unannounced)", async () => {
    const app = await stubApp();
    let watcherReady = false;
    const openAudio = async () => {
      const host = await AudioProcessHost.start({ workerPath: FAKE, backoffMs: [20, 50] });
      const watch = host.source.watchRoutes.bind(host.source);
      // The fake worker's watcher needs 100 ms for its first snapshot.
      Object.assign(host.source, { watchRoutes: (l: Parameters<typeof watch>[0], ready?: () => void) => watch(l, () => ((watcherReady = true), ready?.())) });
      return host;
    };
    const runner = await VoiceRunner.start(app, { openAudio, loop: { mode: 'ptt' } });
    cleanups.push(() => runner.close());
    expect(watcherReady).toBe(true);
    expect(runner.status()).toMatchObject({ available: true, state: 'idle' });
  }, 30_000);

  it("tells the recognizer an HFP headset mic's 8 kHz capture rate: the loop's 16 kHz audio holds only that band", async () => {
    process.env['FAKE_WORKER'] = 'hfp';
    const app = await stubApp();
    const rates: (number | undefined)[] = [];
    const stt = new StubSpeechToText('help');
    const prepared: number[] = [];
    const watched = Object.assign(Object.create(stt) as StubSpeechToText, {
      prepareFor: (hz: number) => prepared.push(hz),
      transcribe: async (...a: Parameters<StubSpeechToText['transcribe']>) => (rates.push(a[0].captureRateHz), stt.transcribe(...a)),
    });
    const wakePrepared: number[] = [];
    const wake = { name: 'fake', phrase: 'hey companion', spot: () => null, prepareFor: (hz: number) => wakePrepared.push(hz), close() {} };
    const runner = await VoiceRunner.start(app, { openAudio: () => AudioProcessHost.start({ workerPath: FAKE, backoffMs: [20, 50] }), loop: { mode: 'ptt' }, stt: watched, wake });
    cleanups.push(() => runner.close());
    await new Promise((r) => setTimeout(r, 100)); // the worker reports the mic's rate just after it opens
    expect(runner.pttStart().ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    runner.pttStop();
    await vi.waitFor(() => expect(rates).toEqual([8000]), { timeout: 5000 });
    // The narrow band's decoders were built when the report came, before the utterance.
    expect(prepared).toEqual([16_000, 8000]);
    expect(wakePrepared).toEqual([8000]);
  }, 30_000);

  it('follows the default mic to and from a Bluetooth headset for the capture rate, unless the mic is pinned', () => {
    const dev = (transport: 'bluetooth' | 'builtin', hz: number) => ({ id: `pulse:${transport}`, name: transport, description: transport, hostApi: 'PulseAudio', maxInputChannels: 1, maxOutputChannels: 0, defaultSampleRateHz: hz, isDefaultInput: true, isDefaultOutput: false, transport, bluetoothProfile: transport === 'bluetooth' ? ('hfp' as const) : ('unknown' as const) });
    const moved = (to: ReturnType<typeof dev> | null, direction: 'input' | 'output' = 'input') => ({ type: 'default-changed' as const, direction, fromId: null, toId: to?.id ?? null, to });
    expect(captureRateAfter({ type: 'narrowband-input', deviceId: 'pulse:bt', sampleRateHz: 8000 }, false)).toBe(8000);
    expect(captureRateAfter({ type: 'narrowband-input', deviceId: 'pulse:bt', sampleRateHz: 8000 }, true)).toBe(8000);
    expect(captureRateAfter(moved(dev('bluetooth', 8000)), false)).toBe(8000);
    expect(captureRateAfter(moved(dev('builtin', 48000)), false)).toBeNull();
    expect(captureRateAfter(moved(null), false)).toBeNull();
    expect(captureRateAfter(moved(dev('bluetooth', 8000), 'output'), false)).toBeUndefined();
    expect(captureRateAfter(moved(dev('builtin', 48000)), true)).toBeUndefined();
    expect(captureRateAfter({ type: 'fallback-to-non-bluetooth', direction: 'input', fromId: 'pulse:bt', toId: 'pulse:builtin', toTransport: 'builtin' }, false)).toBeNull();
    expect(captureRateAfter({ type: 'device-lost', direction: 'input', deviceId: 'pulse:bt', reason: 'stalled' }, false, 'pulse:bt')).toBeUndefined();
    // The headset whose rate was told is gone (also when the fallback event was missed): the loop's rate again.
    expect(captureRateAfter({ type: 'device-lost', direction: 'input', deviceId: 'pulse:bt', reason: 'removed' }, true, 'pulse:bt')).toBeNull();
    expect(captureRateAfter({ type: 'device-lost', direction: 'input', deviceId: 'pulse:other', reason: 'removed' }, false, 'pulse:bt')).toBeUndefined();
  });

  it('a cloud recognizer with an offline fallback prepares the fallback', () => {
    const hz: number[] = [];
    const offline = Object.assign(new StubSpeechToText('x'), { prepareFor: (r: number) => void hz.push(r) });
    const cloud = Object.assign(new StubSpeechToText('y'), { setVocabulary: () => {} });
    new FallbackSpeechToText(cloud as never, offline).prepareFor(8_000);
    expect(hz).toEqual([8_000]);
    // A fallback without anything to prepare: nothing happens.
    expect(() => new FallbackSpeechToText(cloud as never, new StubSpeechToText('x')).prepareFor(16_000)).not.toThrow();
  });
});
