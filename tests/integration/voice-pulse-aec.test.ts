/**
 * The echo canceller end to end on real audio devices: a private PulseAudio server with one null
 * sink, "hf_room", that the loop both plays its replies into and captures from (its monitor) — the
 * speaker is right at the mic, full level. The add-on's capture/playback, its speexdsp AEC (on by
 * default in loadAddonAudio), WebRTC VAD, pocketsphinx, the pipeline over the demo account.
 * With a merge pending, the read-back ("… say confirm. Confirm. Or say cancel.") plays into the
 * open mic and must neither confirm nor cancel; then the user's "cancel", played into the room
 * after the echo window, must cancel it, and so must one said 300 ms after the next read-back ends
 * (HF_PULSE_QUICK_TRIALS: more trials). The measured bulk delay and suppression are printed, and how
 * many read-backs their own echo cut short; the quick-answer rates come from voice-aec.test.ts.
 * Run twice: with the add-on in this process, and in the app's own audio process (the default),
 * where the canceller runs next to the devices and its figures come with each chunk.
 * Skipped, saying why, when the add-on is not built or PulseAudio / espeak-ng / sox are missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { loadAddonAudio, type AddonAudio, type AudioAddonModule } from '../../main/audio/addonAudio.js';
import { startAudioProcess } from '../../main/audio/audioProcess.js';
import { audioWorkerPath } from '../../main/audio/channel.js';
import type { EchoCancelledAudio } from '../../main/audio/echoCancel.js';
import { VoiceRunner } from '../../main/voice/voiceRunner.js';
import { hasPulseTools, paplay, startPulse, type PulseServer } from '../../native/audio-addon/bench/pulseServer.js';
import { hasSpeechTools, speakToWav } from './speech-audio.js';
import { pendingMerge } from './voice-harness.js';

const loader = async (): Promise<AudioAddonModule> => (await import('../../native/audio-addon/lib/index.js')) as unknown as AudioAddonModule;
/** Quick-answer trials per audio path (1 under `npm test`; more to measure a rate). */
const QUICK_TRIALS = Math.max(1, Number.parseInt(process.env['HF_PULSE_QUICK_TRIALS'] ?? '1', 10) || 1);
const READ_BACK = 'Merge PR 12 in acme/api with a squash, head a1b2c3d, 4 checks passing. To go ahead, say confirm. Confirm. Or say cancel.';

let skipReason: string | null = null;
if (!hasSpeechTools()) skipReason = 'espeak-ng, sox or the pocketsphinx model is not installed';
else if (!hasPulseTools()) skipReason = 'PulseAudio (pulseaudio, pactl) is not installed';
else {
  const probe = await loadAddonAudio(loader);
  if (!probe.source.available) skipReason = `the audio add-on is not available: ${probe.source.unavailableReason ?? ''}`;
  else if (probe.suppressionDb === undefined) skipReason = 'the audio add-on has no echo canceller (rebuild it)';
}
if (skipReason !== null) process.stdout.write(`voice-pulse-aec: skipped because ${skipReason}\n`);
const workerSkip = skipReason ?? (existsSync(audioWorkerPath()) ? null : `the audio worker is not built (${audioWorkerPath()}): run npx tsc -b`);
if (skipReason === null && workerSkip !== null) process.stdout.write(`voice-pulse-aec (audio process): skipped because ${workerSkip}\n`);

let pulse: PulseServer;
let app: App;
let dir: string;

beforeAll(async () => {
  if (skipReason !== null) return;
  pulse = await startPulse();
  await pulse.loadModule('module-null-sink', 'sink_name=hf_room', 'rate=16000', 'channels=1', 'sink_properties=device.description=Room');
  dir = mkdtempSync(join(tmpdir(), 'hf-voice-pulse-aec-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'offline', HANDSFREE_TTS: 'offline' }), { logger: SILENT_LOGGER });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await pulse?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([
  { where: 'in this process', skip: skipReason, open: async (): Promise<AddonAudio> => loadAddonAudio(loader) },
  // Started after the PulseAudio server (beforeAll): the worker inherits its PULSE_SERVER.
  { where: 'in the audio process', skip: workerSkip, open: async (): Promise<AddonAudio> => startAudioProcess() },
])('echo cancellation through a PulseAudio null sink ($where)', ({ where, skip, open }) => {
  it.skipIf(skip !== null)('the read-back heard by the open mic does nothing; "cancel" right after it cancels', async () => {
    const audio = await open();
    expect(audio.suppressionDb, `the echo canceller runs ${where}`).toBeTypeOf('function');
    const suppressionDb = (): number => audio.suppressionDb?.() ?? 0;
    const delay = (): string => ('referenceDelayMs' in audio ? `${(audio as EchoCancelledAudio).referenceDelayMs()} ms` : 'in the worker');
    const events: VoiceStateEvent[] = [];
    let replyDone: (() => void) | null = null;
    app.events.on('voice.state', (e) => {
      events.push(e);
      if (e.state === 'idle' && e.previous === 'speaking') replyDone?.();
    });
    const afterReply = (timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no reply finished within ${timeoutMs} ms; states: ${events.map((e) => `${e.state}:${e.reason}`).join(' ')}`)), timeoutMs);
        replyDone = () => {
          clearTimeout(t);
          replyDone = null;
          resolve();
        };
      });
    const runner = await VoiceRunner.start(app, { audio, loop: { mode: 'vad' }, sessionId: 'pulse-aec', captureDeviceId: 'pulse:hf_room.monitor', playbackDeviceId: 'pulse:hf_room', speakNotifications: false });
    const loop = runner.loop!;
    try {
      await sleep(500);
      // Warm-up: the canceller learns the room on one reply (in use it runs all the time).
      let done = afterReply(60_000);
      expect(loop.say('Here is a warm-up sentence, so the echo canceller can learn the room before it matters.')).toBe(true);
      await done;
      // Anything the warm-up's echo started must be over before the read-back.
      for (let i = 0; i < 200 && loop.state !== 'idle'; i++) await sleep(100);
      await sleep(1000);
      process.stdout.write(`voice-pulse-aec (${where}): after warm-up: AEC ${suppressionDb().toFixed(1)} dB, bulk delay ${delay()}, state ${loop.state}, heard [${loop.turns.map((t) => `${t.transcript}:${t.outcome}`).join(', ')}]\n`);
      /** Read-backs played, and those their own echo cut short (a barge-in). */
      let readBacks = 0;
      let cutShort = 0;
      /** A merge waiting for "confirm", and its read-back played into the room; its token. */
      const readBack = async (): Promise<string> => {
        const token = pendingMerge(app, 'pulse-aec', READ_BACK);
        const played = afterReply(60_000);
        expect(loop.say(READ_BACK)).toBe(true);
        await played;
        readBacks++;
        // Cut short by its own echo: a burst the canceller let through (see the README). The loop
        // then listens to the echo's tail; the guarantees below must hold all the same.
        if (events.filter((e) => e.previous === 'speaking').at(-1)?.reason === 'barge-in') cutShort++;
        return token;
      };
      /** The action's state once it is no longer pending, or after `ms`. */
      const settled = async (token: string, ms: number): Promise<string | undefined> => {
        for (let waited = 0; waited < ms; waited += 100) {
          const state = app.store.repos.pendingActions.get(token)?.state;
          if (state !== 'pending') return state;
          await sleep(100);
        }
        return app.store.repos.pendingActions.get(token)?.state;
      };
      /** Until the loop has been idle for 1 s (the reply to an answer has been said), at most 30 s. */
      const quiet = async (): Promise<void> => {
        for (let idleMs = 0, waited = 0; idleMs < 1000 && waited < 30_000; waited += 100) {
          idleMs = loop.state === 'idle' ? idleMs + 100 : 0;
          await sleep(100);
        }
      };
      const cancelWav = await speakToWav('cancel', 'en-us');
      const token = await readBack();
      const suppression = suppressionDb();
      await sleep(2000);
      expect(app.store.repos.pendingActions.get(token)?.state, 'the read-back confirmed or cancelled itself').toBe('pending');
      const turnsBefore = loop.turns.length;
      await paplay(pulse, cancelWav, 'hf_room');
      const state = await settled(token, 20_000);
      const heard = loop.turns.slice(turnsBefore).map((t) => `${t.transcript}:${t.outcome}`);
      process.stdout.write(`voice-pulse-aec: (${where}) AEC suppression ${suppression.toFixed(1)} dB, bulk delay ${delay()}; after the read-back heard [${heard.join(', ')}]\n`);
      expect(state).toBe('cancelled');
      await quiet();
      // A quick answer, through the real devices: "cancel" 300 ms after the read-back ends, inside
      // the text echo window, counts once the canceller is trusted (voice-aec.test.ts runs 100 such
      // trials on simulated echo paths; HF_PULSE_QUICK_TRIALS runs more here).
      const quick: string[] = [];
      let quickCancelled = 0;
      for (let i = 0; i < QUICK_TRIALS; i++) {
        const t = await readBack();
        const atEnd = suppressionDb();
        const turnsNow = loop.turns.length;
        await sleep(300);
        await paplay(pulse, cancelWav, 'hf_room');
        const s = await settled(t, 10_000);
        if (s === 'cancelled') quickCancelled++;
        await quiet();
        quick.push(`${s} (AEC ${atEnd.toFixed(1)} dB; heard ${loop.turns.slice(turnsNow).map((x) => `${x.transcript}:${x.outcome}`).join(', ')})`);
      }
      process.stdout.write(`voice-pulse-aec: (${where}) "cancel" 300 ms after the read-back: ${quickCancelled}/${QUICK_TRIALS} cancelled: ${quick.join('; ')}\n`);
      process.stdout.write(`voice-pulse-aec: (${where}) read-backs cut short by their own echo: ${cutShort} of ${readBacks}\n`);
      expect(quickCancelled, quick.join('; ')).toBe(QUICK_TRIALS);
      expect(loop.turns.some((t) => t.outcome === 'ran' && t.response?.intent.name === 'system.confirm')).toBe(false);
    } finally {
      runner.close();
      audio.close?.();
    }
  }, 180_000 + 20_000 * QUICK_TRIALS);
});
