/**
 * The assistant never confirms itself (product.md voice rules; issue 5 "done when"): with a merge
 * pending, a read-back containing "say confirm. Confirm." is played into the open mic path 100
 * times — real espeak-ng audio → real WebRTC VAD → real pocketsphinx STT → the real pipeline,
 * store and Octokit client against the fake GitHub — with the echo arriving 0–1.4 s late (longer
 * than the tail: a slow Bluetooth path) at two loudnesses. No merge may reach GitHub.
 * A control run with the guards off shows the same room does confirm (the test can fail), and
 * a voice "confirm" racing a click confirm merges exactly once.
 * The read-back is in espeak-ng en-us, not the default voice (flite when installed): the worst case
 * for self-confirmation is a voice whose echoed "confirm" the recognizer hears, and pocketsphinx
 * hears flite's as nothing. The default voice gets its own runs below.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { TextToSpeech } from '../../core/ports/speech.js';
import type { VoiceLoopConfig } from '../../core/voice/voiceLoop.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { fliteAvailable } from '../../main/speech/flite.js';
import { resample } from '../../main/speech/wav.js';
import { VoiceRunner } from '../../main/voice/voiceRunner.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { hasSpeechTools, speak } from './speech-audio.js';
import { cachedTts, pendingMerge, SimulatedRoom } from './voice-harness.js';

const RUNS = Number(process.env['HANDSFREE_SELF_CONFIRM_RUNS'] ?? 100);
/** Runs in the default voice: fewer, its echo is not heard as words (see the header). */
const FLITE_RUNS = Math.max(1, Math.round(RUNS / 5));
const READ_BACK = 'Merge PR 12 in acme/api with a squash, head a1b2c3d, 4 checks passing. To go ahead, say confirm. Confirm.';
const DELAYS_MS = [0, 40, 150, 300, 450, 600, 800, 1000, 1200, 1400];
const tools = hasSpeechTools();

let fake: FakeGitHub;
let app: App;
let dir: string;
let headSha: string;
let tts: TextToSpeech & { calls: number; synthesized: number };

beforeAll(async () => {
  if (!tools) return;
  fake = await startFakeGitHub({ rateLimit: { core: 1e9, search: 1e9 } });
  const github = new OctokitGitHubGateway({ token: 'ghp_test_voice', baseUrl: fake.url, circuitBreaker: false });
  dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hf-voice-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'offline', HANDSFREE_TTS: 'offline', HANDSFREE_TTS_VOICE: 'en-us' }), { logger: SILENT_LOGGER, github });
  headSha = (await github.getPullRequest('acme/api', 12)).headSha;
  tts = cachedTts((await app.speech()).tts);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A runner over a simulated room (fresh loop state), with the room following its states. */
async function roomRunner(sessionId: string, loop: Partial<VoiceLoopConfig>): Promise<{ room: SimulatedRoom; runner: VoiceRunner; events: VoiceStateEvent[]; off: () => void }> {
  const room = new SimulatedRoom();
  const events: VoiceStateEvent[] = [];
  const off = app.events.on('voice.state', (e) => {
    events.push(e);
    room.onState(e.state);
  });
  const runner = await VoiceRunner.start(app, { audio: room.audio, loop: { mode: 'vad', ...loop }, sessionId, tts, stt: room.decodingStt((await app.speech()).stt), speakNotifications: false });
  return { room, runner, events, off };
}

describe.skipIf(!tools)('voice loop: a read-back never confirms itself', () => {
  it('control: with the half-duplex guard and echo filter off, the same echo does confirm (so the test can fail)', async () => {
    fake.reset();
    const token = pendingMerge(app, 'voice-control', READ_BACK, headSha);
    const { room, runner, off } = await roomRunner('voice-control', { tailMs: 0, echoWindowMs: -1, bargeIn: false });
    try {
      room.echoDelayMs = 1400;
      room.echoGain = 1;
      await room.run(500);
      expect(runner.loop!.say(READ_BACK)).toBe(true);
      await room.runUntilQuiet(2500);
      const heard = runner.loop!.turns.map((t) => t.transcript);
      expect(heard, 'pocketsphinx heard the echoed "confirm"').toContain('confirm');
      expect(fake.mergePuts).toBe(1);
      expect(app.store.repos.pendingActions.get(token)?.state).toBe('done');
    } finally {
      off();
      runner.close();
    }
  }, 120_000);

  /**
   * Plays the read-back `runs` times into the open mic (echo delays and gains cycling) and asserts
   * after each run that nothing merged and the action is still pending. Counts the turns each run
   * produced (the loop keeps its last 50 turns only: a run's are those after the last seen before it).
   */
  async function playReadBacks(room: SimulatedRoom, runner: VoiceRunner, token: string, runs: number): Promise<{ echo: number; notHeard: number; ran: number; bargeIn: number }> {
    const outcomes = { echo: 0, notHeard: 0, ran: 0, bargeIn: 0 };
    await room.run(500);
    for (let i = 0; i < runs; i++) {
      room.echoDelayMs = DELAYS_MS[i % DELAYS_MS.length]!;
      room.echoGain = i % 2 === 0 ? 1 : 0.5;
      const lastSeen = runner.loop!.turns.at(-1);
      expect(runner.loop!.say(READ_BACK), `run ${i}: loop idle`).toBe(true);
      await room.runUntilQuiet(2000);
      for (const t of runner.loop!.turns.slice(lastSeen === undefined ? 0 : runner.loop!.turns.lastIndexOf(lastSeen) + 1)) {
        if (t.outcome === 'echo') outcomes.echo++;
        else if (t.outcome === 'not-heard') outcomes.notHeard++;
        else outcomes.ran++;
      }
      if (runner.loop!.lastBargeIn) outcomes.bargeIn++;
      expect(fake.mergePuts, `run ${i} (echo delay ${room.echoDelayMs} ms, gain ${room.echoGain})`).toBe(0);
      expect(app.store.repos.pendingActions.get(token)?.state).toBe('pending');
    }
    return outcomes;
  }

  it(`${RUNS} read-backs played into the open mic: 0 confirmations`, async () => {
    fake.reset();
    const token = pendingMerge(app, 'voice-guarded', READ_BACK, headSha);
    const { room, runner, off } = await roomRunner('voice-guarded', {});
    try {
      const outcomes = await playReadBacks(room, runner, token, RUNS);
      process.stdout.write(`self-confirm: ${RUNS} runs, 0 merges; transcripts dropped as echo ${outcomes.echo}, empty ${outcomes.notHeard}, run ${outcomes.ran}; ${tts.calls} TTS calls from ${tts.synthesized} espeak-ng syntheses\n`);
      expect(fake.state.merges).toHaveLength(0);
      // The long delays put the echo past the tail: the echo filter, not luck, kept it out.
      expect(outcomes.echo).toBeGreaterThan(0);
    } finally {
      off();
      runner.close();
    }
  }, 600_000);

  it.skipIf(!fliteAvailable())('in the default voice (flite kal16), read-backs played into the open mic confirm nothing either', async () => {
    fake.reset();
    const token = pendingMerge(app, 'voice-flite', READ_BACK, headSha);
    const { room, runner, off } = await roomRunner('voice-flite', { voice: 'flite-kal16' });
    try {
      const { ran } = await playReadBacks(room, runner, token, FLITE_RUNS);
      process.stdout.write(`self-confirm (flite kal16): ${FLITE_RUNS} runs, 0 merges, ${ran} echoed turns run as commands\n`);
      // Nothing the echo made of the read-back ran as a command (not even a harmless one).
      expect(ran).toBe(0);
    } finally {
      off();
      runner.close();
    }
  }, 600_000);

  it('voice "confirm" racing a click confirm merges exactly once, at every click timing', async () => {
    const confirmClip = await speak('confirm', 'en-us');
    const clip = confirmClip.sampleRateHz === 16_000 ? confirmClip.samples : resample(confirmClip.samples, confirmClip.sampleRateHz, 16_000);
    // Click: before the voice utterance ends, while it is transcribed, while the pipeline runs, after.
    const clickAt: VoiceStateEvent['state'][] = ['listening', 'transcribing', 'thinking', 'speaking'];
    for (const when of clickAt) {
      fake.reset();
      const sessionId = `voice-race-${when}`;
      const token = pendingMerge(app, sessionId, READ_BACK, headSha);
      const { room, runner, off } = await roomRunner(sessionId, {});
      let click: Promise<unknown> | null = null;
      const offClick = app.events.on('voice.state', (e) => {
        if (e.state === when && click === null) click = app.service.confirm({ token }, { userId: app.config.user, transport: 'http' }, 'click');
      });
      try {
        await room.run(500);
        room.say(room.t + 200, clip);
        await room.runUntilQuiet(1500);
        await click;
        expect(click, `click at ${when}`).not.toBeNull();
        expect(runner.loop!.turns.map((t) => t.transcript)).toContain('confirm');
        expect(fake.mergePuts, `click at ${when}`).toBe(1);
        expect(fake.state.merges).toHaveLength(1);
        expect(app.store.repos.pendingActions.get(token)?.state).toBe('done');
      } finally {
        offClick();
        off();
        runner.close();
      }
    }
  }, 240_000);
});
