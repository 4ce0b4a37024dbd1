/**
 * The voice loop with a wake phrase (scripted detector, virtual clock): in VAD mode an utterance
 * runs only when it starts with the phrase (the rest is the command), the phrase alone opens the
 * next utterance, a reply opens the follow-up, and push-to-talk never needs it.
 */
import { describe, expect, it } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { CommandResponse } from '../../contract/response.js';
import type { AudioSink } from '../ports/audio.js';
import type { PcmAudio, VoiceActivityDetector, WakePhraseDetector } from '../ports/speech.js';
import { VoiceLoop, type VoiceLoopConfig } from './voiceLoop.js';

const RATE = 16_000;
const FRAME = 320;
const vad: VoiceActivityDetector = {
  name: 'energy',
  frameSamples: FRAME,
  sampleRateHz: RATE,
  isSpeech: (f) => f.some((v) => Math.abs(v) > 1000),
  reset() {},
};

/** `grammarComplete`: the recognizer says each transcript is a whole command (so a VAD turn ends early, on the speculation). */
function harness(mode: 'vad' | 'ptt' = 'vad', grammarComplete = false, config: Partial<VoiceLoopConfig> = {}) {
  let t = 0;
  const spotted: number[] = [];
  const sttMs: number[] = [];
  /** PcmAudio.captureRateHz of each utterance the recognizer got. */
  const rates: (number | undefined)[] = [];
  const commands: string[] = [];
  /** What the detector answers per utterance: where the phrase ends (ms), or null. */
  const wakeAnswers: (number | null)[] = [];
  const events: VoiceStateEvent[] = [];
  const wake: WakePhraseDetector = {
    name: 'scripted',
    phrase: 'hey companion',
    spot: (a: PcmAudio) => {
      spotted.push((a.samples.length / RATE) * 1000);
      return wakeAnswers.shift() ?? null;
    },
    close() {},
  };
  const sink: AudioSink = {
    available: true,
    openPlayback: async () => ({ write: async () => {}, drain: async () => {}, stop() {}, position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }), onRoute: () => () => {}, close() {} }),
  };
  const loop = new VoiceLoop(
    {
      vad,
      stt: {
        name: 'fake',
        ...(grammarComplete ? { reportsGrammarComplete: true } : {}),
        transcribe: async (a) => {
          const ms = (a.samples.length / RATE) * 1000;
          sttMs.push(ms);
          rates.push(a.captureRateHz);
          // Audio that still holds the phrase (1.3 s of speech and more) is heard as something else.
          const text = grammarComplete && ms >= 1300 ? 'hey company what needs my attention' : 'what needs my attention';
          return { text, confidence: 0.9, provider: 'fake', processingMs: 0, audioMs: 0, ...(grammarComplete ? { grammarComplete: true, grammarFinal: true } : {}) };
        },
        health: () => ({ provider: 'fake', ok: true, message: null }),
      },
      tts: { name: 'fake', voices: ['fake'], synthesize: async () => ({ audio: { sampleRateHz: RATE, samples: new Int16Array(1600) }, provider: 'fake', firstAudioMs: 0 }), health: () => ({ provider: 'fake', ok: true, message: null }) },
      sink,
      clock: { monotonicMs: () => t },
      metrics: { observe() {}, increment() {} },
      runCommand: async (text) => {
        commands.push(text);
        return { status: 'ok', intent: { name: 'inbox.summary', confidence: 1, entities: {} }, spoken_text: 'Nothing new.', cards: [], session_id: 's', debug: { processing_time_ms: 0, correlation_id: 'c' } } as unknown as CommandResponse;
      },
      emit: (e) => events.push(e),
      wake,
    },
    { mode, wakeWindowMs: 5000, ...config },
  );
  /** `ms` of "speech" (loud) or silence, pushed in 20 ms frames. */
  const push = async (ms: number, loud: boolean): Promise<void> => {
    for (let k = 0; k < ms / 20; k++) {
      loop.pushAudio(new Int16Array(FRAME).fill(loud ? 5000 : 0), t);
      t += 20;
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    }
  };
  /** When the last reply ended (idle:done), on the loop's clock. */
  const lastReplyEnd = (): number | undefined => events.filter((e) => e.state === 'idle' && e.reason === 'done').at(-1)?.at_ms;
  return { loop, push, spotted, sttMs, rates, commands, wakeAnswers, lastReplyEnd, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('VoiceLoop with a wake phrase', () => {
  it('drops VAD utterances without the phrase; runs the rest of one that starts with it', async () => {
    const h = harness();
    await h.push(1200, true); // chit-chat
    await h.push(600, false);
    await h.loop.settled();
    expect(h.spotted.length).toBe(1);
    expect(h.commands).toEqual([]);
    expect(h.sttMs).toEqual([]); // never reached the recognizer

    h.advance(10_000);
    h.wakeAnswers.push(700); // "hey companion" ends 700 ms in, the command follows
    await h.push(2000, true);
    await h.push(600, false);
    await h.loop.settled();
    expect(h.commands).toEqual(['what needs my attention']);
    // Only the audio after the phrase was transcribed.
    expect(h.sttMs[0]).toBeLessThan(h.spotted[1]! - 650);
  });

  it('the phrase alone opens the next utterance, and a reply opens the follow-up, within the window', async () => {
    const h = harness();
    h.wakeAnswers.push(700);
    await h.push(700, true); // "hey companion" and a pause
    await h.push(600, false);
    await h.loop.settled();
    expect(h.commands).toEqual([]);
    await h.push(1000, true); // the command, no phrase
    await h.push(600, false);
    await h.loop.settled();
    expect(h.spotted.length).toBe(1);
    expect(h.commands.length).toBe(1);
    await h.push(600, false); // the reply's guard passes
    await h.push(1000, true); // follow-up right after the reply
    await h.push(600, false);
    await h.loop.settled();
    expect(h.commands.length).toBe(2);
    expect(h.spotted.length).toBe(1);
    h.advance(6000); // window over
    await h.push(600, false); // the reply's guard passes
    await h.push(1000, true);
    await h.push(600, false);
    await h.loop.settled();
    expect(h.spotted.length).toBe(2);
    expect(h.loop.turns.map((x) => x.outcome)).toEqual(['ran', 'ran', 'not-heard']);
  });

  it('a turn that ends early (on the speculative transcript) still runs what the audio after the phrase says', async () => {
    const h = harness('vad', true);
    h.wakeAnswers.push(700);
    await h.push(600, false); // a quiet room first: the loud frames are not its floor (pauseAboveFloorDb)
    await h.push(1400, true); // the phrase, then the command
    await h.push(600, false);
    await h.loop.settled();
    // The speculation heard the whole utterance; the command is the rest's transcript.
    expect(h.sttMs.some((ms) => ms >= 1300)).toBe(true);
    expect(h.commands).toEqual(['what needs my attention']);
  });

  it('the phrase followed only by the silence the VAD keeps runs nothing, however long that silence', async () => {
    const h = harness();
    h.wakeAnswers.push(300); // "hey companion" ends 300 ms in and 400 ms of speech follow: a command
    await h.push(700, true);
    await h.push(600, false);
    await h.loop.settled();
    expect(h.commands.length).toBe(1);
    // A long hangover keeps 600 ms of silence after the phrase: still the phrase alone.
    const q = harness('vad', false, { hangoverMs: 600 });
    q.wakeAnswers.push(700);
    await q.push(700, true);
    await q.push(1200, false);
    await q.loop.settled();
    expect(q.spotted[0]).toBeGreaterThan(1250);
    expect(q.sttMs).toEqual([]);
    expect(q.commands).toEqual([]);
    expect(q.loop.turns).toEqual([]);
  });

  it("each utterance carries the mic's capture rate once told (an HFP headset's 8 kHz), also the rest after the phrase", async () => {
    const h = harness('ptt');
    const say = async () => {
      h.loop.pttStart();
      await h.push(600, true);
      h.loop.pttStop();
      await h.loop.settled();
    };
    await say();
    h.loop.setCaptureRate(8000);
    await say();
    h.loop.setCaptureRate(16_000); // the loop's own rate: nothing to tell
    await say();
    h.loop.setCaptureRate(8000);
    h.loop.setCaptureRate(null);
    await say();
    expect(h.rates).toEqual([undefined, 8000, undefined, undefined]);
    const v = harness();
    v.loop.setCaptureRate(8000);
    v.wakeAnswers.push(700);
    await v.push(2000, true);
    await v.push(600, false);
    await v.loop.settled();
    expect(v.rates).toEqual([8000]);
  });

  it('push-to-talk never asks for the phrase', async () => {
    const h = harness('ptt');
    h.loop.pttStart();
    await h.push(1000, true);
    h.loop.pttStop();
    await h.loop.settled();
    expect(h.spotted).toEqual([]);
    expect(h.commands.length).toBe(1);
  });

  it('a reply to a command said with the phrase opens the follow-up window; it ends wakeWindowMs after the reply, inclusive', async () => {
    /** Speech starting `afterMs` after the reply to "hey companion, what needs my attention" ended: did it run without the phrase? */
    const followUp = async (afterMs: number) => {
      const h = harness();
      h.wakeAnswers.push(700);
      await h.push(2000, true); // the phrase, then the command
      await h.push(600, false);
      await h.loop.settled();
      expect(h.commands.length).toBe(1);
      const ended = h.lastReplyEnd()!;
      expect(ended).toBeDefined();
      await h.push(ended + afterMs - h.now(), false); // the reply's tail passes in silence
      await h.push(1000, true); // no phrase
      await h.push(600, false);
      await h.loop.settled();
      return h.commands.length === 2 && h.spotted.length === 1;
    };
    expect(await followUp(1000)).toBe(true);
    expect(await followUp(5000)).toBe(true);
    expect(await followUp(5020)).toBe(false);
  });

  it('an announcement (say) opens no window: speech after it still needs the phrase', async () => {
    const h = harness();
    expect(h.loop.say('You have a new review request.')).toBe(true);
    await h.loop.settled();
    await h.push(600, false);
    await h.push(1000, true);
    await h.push(600, false);
    await h.loop.settled();
    expect(h.spotted.length).toBe(1);
    expect(h.commands).toEqual([]);
  });
});
