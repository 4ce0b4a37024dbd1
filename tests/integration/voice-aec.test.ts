/**
 * Echo handled in the audio (issue 11, item 7): the mic path goes through the add-on's speexdsp
 * acoustic echo canceller with the played reply as reference, so the user's quick "cancel" right
 * after a read-back, and "stop"/"cancel" said over it, take effect — while a read-back played into
 * the open mic still confirms (and cancels) nothing.
 *
 * Real audio (the read-back in the default offline voice, flite kal16 when installed; the user's
 * words in espeak-ng) → simulated echo path (delay, gain, reflections)
 * (changed every 20 trials) → the real AEC (native add-on) → real WebRTC VAD → real pocketsphinx → the real pipeline and
 * store over the demo account. Virtual time (voice-harness.ts), so results do not depend on load.
 * The canceller is warmed up on one read-back first, as it is in use: it runs all the time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextToSpeech } from '../../core/ports/speech.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { resample } from '../../main/speech/wav.js';
import { withEchoCancellation } from '../../main/audio/echoCancel.js';
import { VoiceRunner } from '../../main/voice/voiceRunner.js';
import { createEchoCanceller } from '../../native/audio-addon/lib/echo.js';
import { hasSpeechTools, speak } from './speech-audio.js';
import { cachedTts, pendingMerge, SimulatedRoom } from './voice-harness.js';

/**
 * Trials per case: the issue's 100 under `npm test` (~45 s for the three cases; each trial is
 * seconds of virtual audio through the whole loop). HANDSFREE_AEC_RUNS overrides it.
 */
const RUNS = Number(process.env['HANDSFREE_AEC_RUNS'] ?? 100);
const READ_BACK = "Merge PR 12 in acme/api, 'Fix login redirect loop', squash, head a1b2c3d. Say confirm or cancel.";
const SELF_CONFIRM = 'Merge PR 12 in acme/api with a squash, head a1b2c3d, 4 checks passing. To go ahead, say confirm. Confirm. Or say cancel.';
/**
 * Echo paths: direct delay (ms), gain, reflections. The reply reaches
 * the mic 6–14 dB below the user's voice (the TTS and the user clips have the same level): the
 * wearer's mouth is closer to the mic than the speaker is. A new path every 20 trials.
 */
const PATHS = [
  { delayMs: 0, gain: 0.5, taps: [] },
  { delayMs: 40, gain: 0.3, taps: [{ delayMs: 3, gain: 0.4 }] },
  { delayMs: 120, gain: 0.4, taps: [{ delayMs: 1, gain: 0.5 }, { delayMs: 17, gain: -0.3 }] },
  { delayMs: 20, gain: 0.2, taps: [] },
  { delayMs: 200, gain: 0.5, taps: [{ delayMs: 9, gain: 0.3 }] },
] as const;

let skip: string | null = hasSpeechTools() ? null : 'espeak-ng, sox or the pocketsphinx model is missing';
if (skip === null) {
  try {
    createEchoCanceller().close();
  } catch (e) {
    skip = `the audio add-on's echo canceller is not available (${e instanceof Error ? e.message : String(e)})`;
  }
}
if (skip !== null) process.stdout.write(`voice-aec: skipped because ${skip}\n`);

let app: App;
let dir: string;
let tts: TextToSpeech & { calls: number; synthesized: number };
const clips = new Map<string, { samples: Int16Array; leadMs: number }>();

beforeAll(async () => {
  if (skip !== null) return;
  dir = mkdtempSync(join(tmpdir(), 'hf-voice-aec-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'offline', HANDSFREE_TTS: 'offline' }), { logger: SILENT_LOGGER });
  tts = cachedTts((await app.speech()).tts);
  for (const w of ['cancel', 'stop']) {
    const a = await speak(w, 'en-us+m3');
    const samples = a.sampleRateHz === 16_000 ? a.samples : resample(a.samples, a.sampleRateHz, 16_000);
    clips.set(w, { samples, leadMs: samples.findIndex((v) => Math.abs(v) > 600) / 16 });
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A room whose mic is echo-cancelled against its speaker, a runner over it, warmed up. */
async function rig(sessionId: string) {
  const room = new SimulatedRoom();
  const audio = withEchoCancellation(room.audio, { create: (o) => createEchoCanceller(o) });
  const off = app.events.on('voice.state', (e) => room.onState(e.state));
  const runner = await VoiceRunner.start(app, { audio, loop: { mode: 'vad' }, sessionId, tts, stt: room.decodingStt((await app.speech()).stt), speakNotifications: false });
  const loop = runner.loop!;
  const setPath = (i: number) => {
    const p = PATHS[Math.floor(i / 20) % PATHS.length]!;
    room.echoDelayMs = p.delayMs;
    room.echoGain = p.gain;
    room.echoTaps = [...p.taps];
  };
  /** Plays `text`; resolves with when (room ms) it started and ends. */
  const reply = async (text: string) => {
    expect(loop.say(text), 'loop idle').toBe(true);
    await room.run(20);
    const p = room.played.at(-1)!;
    return { startMs: p.startMs, endMs: p.startMs + p.samples.length / 16 };
  };
  await room.run(300);
  setPath(0);
  await reply(READ_BACK);
  await room.runUntilQuiet(1500);
  return { room, audio, runner, loop, setPath, reply, close: () => (off(), runner.close()) };
}

describe.skipIf(skip !== null)('echo cancelled in the audio: quick answers count, the read-back never does', () => {
  it(`"cancel" said 300 ms after the read-back ends takes effect (${RUNS} trials)`, async () => {
    const r = await rig('aec-after');
    let ok = 0;
    const misses: string[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        r.setPath(i);
        const token = pendingMerge(app, 'aec-after', READ_BACK);
        const { endMs } = await r.reply(READ_BACK);
        const clip = clips.get('cancel')!;
        r.room.say(endMs + 300 - clip.leadMs, clip.samples);
        try {
          await r.room.runUntilQuiet(1200);
        } catch (e) {
          throw new Error(`trial ${i}: ${String(e)}; turns ${r.loop.turns.slice(-6).map((t) => `${t.transcript}:${t.outcome}:${t.response?.spoken_text.slice(0, 40) ?? ''}`).join(' | ')}`);
        }
        const state = app.store.repos.pendingActions.get(token)?.state;
        if (state === 'cancelled') ok++;
        else {
          misses.push(`#${i} (path ${Math.floor(i / 20) % PATHS.length}, trial ${i % 20}) ${state} heard [${r.loop.turns.slice(-3).map((t) => `${t.transcript}:${t.outcome}`).join(', ')}] AEC ${r.audio.suppressionDb().toFixed(1)} dB`);
          app.pipeline.actions.cancel(token, app.config.user, 'cleanup');
        }
      }
    } finally {
      r.close();
    }
    process.stdout.write(`voice-aec: cancel 300 ms after the read-back: ${ok}/${RUNS}${misses.length ? `; misses: ${misses.join(' | ')}` : ''}\n`);
    expect(ok / RUNS).toBeGreaterThanOrEqual(0.95);
  }, 600_000);

  it(`"stop" or "cancel" said over the read-back takes effect (${RUNS} trials)`, async () => {
    const r = await rig('aec-over');
    let ok = 0;
    const misses: string[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        r.setPath(i);
        const word = i % 2 === 0 ? 'stop' : 'cancel';
        const token = pendingMerge(app, 'aec-over', READ_BACK);
        const { startMs, endMs } = await r.reply(READ_BACK);
        const clip = clips.get(word)!;
        // Somewhere in the middle of the reply (0.8 s after its start … 1.2 s before its end).
        const at = startMs + 800 + ((i * 377) % Math.max(1, endMs - startMs - 2000));
        r.room.say(at - clip.leadMs, clip.samples);
        await r.room.runUntilQuiet(1200);
        // This trial's turns (loop.turns keeps the last 50 only, so not by index).
        const turns = r.loop.turns.filter((t) => t.startedAtMs >= startMs);
        const played = r.room.played.find((p) => p.startMs === startMs)!;
        const stopped = played.stoppedAtMs !== null && played.stoppedAtMs < endMs;
        const state = app.store.repos.pendingActions.get(token)?.state;
        // "stop" took effect when the reply was cut and nothing else ran or was said (the utterance
        // itself may be too short to keep: silence is what was asked for); "cancel" when it cancelled.
        const others = turns.filter((t) => t.outcome === 'ran' && t.response?.intent.name !== 'system.stop');
        const took = word === 'stop' ? stopped && others.length === 0 && r.room.played.at(-1) === played : stopped && state === 'cancelled';
        if (took) ok++;
        else misses.push(`#${i} (path ${Math.floor(i / 20) % PATHS.length}, trial ${i % 20}) ${word} stopped=${stopped} heard [${turns.map((t) => `${t.transcript}:${t.outcome}`).join(', ')}] AEC ${r.audio.suppressionDb().toFixed(1)} dB, residual echo ${r.audio.residualEchoDb()?.toFixed(1) ?? '-'} dB`);
        if (state === 'pending') app.pipeline.actions.cancel(token, app.config.user, 'cleanup');
      }
    } finally {
      r.close();
    }
    process.stdout.write(`voice-aec: stop/cancel over the read-back: ${ok}/${RUNS}${misses.length ? `; misses: ${misses.join(' | ')}` : ''}\n`);
    // The issue's gate: ≥ 95 of 100 (the simulation is deterministic). Measured with the read-back
    // in flite kal16 (the default): 97/100, the misses right after a path change ("stop" mixed with
    // echo heard as other words; "cancel" dropped by the text echo filter while the ERLE is below
    // aecTrustDb). In espeak-ng en-us: 99/100, the miss #81 on path 4 right after the bulk delay was
    // re-centred ("cancel" dropped by the text echo filter, ERLE 9 dB).
    // It was 95–96/100 while the barge-in gate expected the reply's echo at full level less the
    // ERLE: on a new path the ERLE is ~0 dB for 2–4 s, so the user could not barge in at all. On 5
    // other paths (delays 0–250 ms, gains 0.15–0.7, scratch run) it is 98/100.
    expect(ok / RUNS).toBeGreaterThanOrEqual(0.95);
  }, 600_000);

  it(`a read-back containing "say confirm. Confirm." played into the open mic confirms nothing and cancels nothing (${RUNS} trials)`, async () => {
    const r = await rig('aec-self');
    const token = pendingMerge(app, 'aec-self', READ_BACK);
    let heard = 0;
    try {
      for (let i = 0; i < RUNS; i++) {
        r.setPath(i);
        const { startMs } = await r.reply(SELF_CONFIRM);
        await r.room.runUntilQuiet(1500);
        // This trial's turns (loop.turns keeps the last 50 only, so not by index).
        const turns = r.loop.turns.filter((t) => t.startedAtMs >= startMs);
        heard += turns.length;
        expect(app.store.repos.pendingActions.get(token)?.state, `trial ${i}`).toBe('pending');
        expect(turns.filter((t) => t.outcome === 'ran' && t.response?.intent.name === 'system.confirm'), `trial ${i}`).toHaveLength(0);
      }
    } finally {
      r.close();
    }
    process.stdout.write(`voice-aec: self-confirm with AEC: 0/${RUNS} confirmations or cancels; ${heard} utterances reached STT\n`);
  }, 600_000);
});
