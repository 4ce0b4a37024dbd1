/**
 * The tail guard after playback (issue 18): for `tailMs` after a reply ends, mic audio is ignored
 * and listening re-arms only after silence. These tests have no speaker echo at all and never let
 * a transcript reach the echo text filter: sound in the tail must not even reach STT, so they fail
 * when the guard is removed whatever the echo filter does.
 */
import { describe, expect, it } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { CommandResponse } from '../../contract/response.js';
import type { AudioSink, PlaybackSession } from '../ports/audio.js';
import type { PcmAudio, VoiceActivityDetector } from '../ports/speech.js';
import { VoiceLoop, type VoiceLoopConfig } from './voiceLoop.js';

const RATE = 16_000;
const FRAME = 320; // 20 ms
const MS = RATE / 1000;

const vad: VoiceActivityDetector = {
  name: 'energy',
  frameSamples: FRAME,
  sampleRateHz: RATE,
  isSpeech(f) {
    let s = 0;
    for (const v of f) s += v * v;
    return Math.sqrt(s / f.length) > 500;
  },
  reset() {},
};

function tone(ms: number, amp = 6000): Int16Array {
  const out = new Int16Array(ms * MS);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * 300 * i) / RATE));
  return out;
}

/** Virtual time, a mic that hears only the user (no echo), a speaker that plays in virtual time. */
class Sim {
  t = 0;
  readonly events: VoiceStateEvent[] = [];
  readonly stt: PcmAudio[] = [];
  readonly commands: string[] = [];
  readonly heard: string[] = [];
  private readonly user: { at: number; samples: Int16Array }[] = [];
  private playEnd: { at: number; resolve: () => void } | null = null;
  readonly loop: VoiceLoop;

  constructor(cfg: Partial<VoiceLoopConfig>) {
    const sim = this;
    const session: PlaybackSession = {
      async write(pcm) {
        sim.playEnd = { at: sim.t + pcm.length / MS, resolve: () => {} };
      },
      drain: () => new Promise<void>((resolve) => (sim.playEnd ? (sim.playEnd.resolve = resolve) : resolve())),
      stop() {
        sim.playEnd?.resolve();
        sim.playEnd = null;
      },
      position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }),
      onRoute: () => () => {},
      close() {},
    };
    const sink: AudioSink = { available: true, openPlayback: async () => session };
    this.loop = new VoiceLoop(
      {
        vad,
        stt: {
          name: 'fake',
          transcribe: async (audio) => {
            this.stt.push(audio);
            return { text: this.heard.shift() ?? 'something else entirely', confidence: 0.9, provider: 'fake', processingMs: 0, audioMs: audio.samples.length / MS };
          },
          health: () => ({ provider: 'fake', ok: true, message: null }),
        },
        tts: {
          name: 'fake',
          voices: ['fake'],
          synthesize: async () => ({ audio: { sampleRateHz: RATE, samples: tone(400) }, provider: 'fake', firstAudioMs: 0 }),
          health: () => ({ provider: 'fake', ok: true, message: null }),
        },
        sink,
        clock: { monotonicMs: () => this.t },
        metrics: { observe() {}, increment() {} },
        runCommand: async (text) => {
          this.commands.push(text);
          return { status: 'ok', intent: { name: 'pr.summarize', confidence: 1, entities: {} }, spoken_text: 'Here it is.', cards: [], session_id: 's', debug: { processing_time_ms: 0, correlation_id: 'c' } } as CommandResponse;
        },
        emit: (e) => this.events.push(e),
      },
      { echoWindowMs: 0, ...cfg },
    );
  }

  say(at: number, samples: Int16Array): void {
    this.user.push({ at, samples });
  }

  async run(ms: number): Promise<void> {
    const until = this.t + ms;
    while (this.t < until) {
      const frame = new Int16Array(FRAME);
      for (let k = 0; k < FRAME; k++) {
        const i = this.t * MS + k;
        for (const u of this.user) {
          const j = i - u.at * MS;
          if (j >= 0 && j < u.samples.length) frame[k] = u.samples[j] as number;
        }
      }
      const at = this.t;
      this.t += 20;
      this.loop.pushAudio(frame, at);
      if (this.playEnd && this.t >= this.playEnd.at) {
        const p = this.playEnd;
        this.playEnd = null;
        p.resolve();
      }
      for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
    }
  }

  /** When the first reply finished playing (idle:done), on the loop's clock. */
  replyEndedAt(): number | undefined {
    return this.events.find((e) => e.state === 'idle' && e.reason === 'done')?.at_ms;
  }
}

describe('tail guard after playback', () => {
  async function afterReply(cfg: Partial<VoiceLoopConfig>): Promise<{ sim: Sim; ended: number }> {
    const sim = new Sim(cfg);
    sim.heard.push('read pr twelve');
    sim.say(100, tone(400));
    if (cfg.mode === 'ptt') {
      await sim.run(80);
      sim.loop.pttStart();
      await sim.run(500);
      sim.loop.pttStop();
    }
    for (let i = 0; i < 100 && sim.replyEndedAt() === undefined; i++) await sim.run(100);
    const ended = sim.replyEndedAt();
    expect(ended).toBeDefined();
    expect(sim.stt).toHaveLength(1);
    return { sim, ended: ended! };
  }

  it('sound starting inside the tail never reaches STT (hands-free)', async () => {
    const { sim, ended } = await afterReply({ mode: 'vad', tailMs: 600 });
    // 200 ms after the reply: 300 ms of sound, over before the tail ends.
    sim.say(ended + 200, tone(300));
    await sim.run(ended + 2_000 - sim.t);
    expect(sim.stt).toHaveLength(1);
    expect(sim.commands).toEqual(['read pr twelve']);
    expect(sim.events.filter((e) => e.state === 'listening')).toHaveLength(1);
  });

  it('sound that starts inside the tail and runs past it still does not start an utterance', async () => {
    const { sim, ended } = await afterReply({ mode: 'vad', tailMs: 300 });
    sim.say(ended + 100, tone(700));
    await sim.run(ended + 2_000 - sim.t);
    expect(sim.stt).toHaveLength(1);
  });

  it('the user is heard again once the tail and a moment of silence have passed', async () => {
    const { sim, ended } = await afterReply({ mode: 'vad', tailMs: 300 });
    sim.heard.push('next');
    sim.say(ended + 800, tone(400));
    await sim.run(ended + 3_000 - sim.t);
    expect(sim.commands).toEqual(['read pr twelve', 'next']);
  });

  it('push-to-talk right after a reply leaves out what the mic caught during the tail', async () => {
    const { sim, ended } = await afterReply({ mode: 'ptt', tailMs: 300, preRollMs: 300 });
    sim.say(ended + 60, tone(200));
    expect(sim.t).toBeLessThan(ended + 280);
    await sim.run(ended + 280 - sim.t);
    expect(sim.loop.pttStart().ok).toBe(true);
    await sim.run(200);
    sim.loop.pttStop();
    await sim.run(1_000);
    expect(sim.stt).toHaveLength(2);
    // The sound was over before the press and fell inside the tail: the pre-roll must not carry it.
    const a = sim.stt[1]!;
    expect(a.samples.length).toBeGreaterThan(0);
    expect(a.samples.every((v) => v === 0)).toBe(true);
  });

  it('stop() during a reply also starts a tail', async () => {
    const sim = new Sim({ mode: 'vad', tailMs: 600 });
    sim.heard.push('read pr twelve');
    sim.say(100, tone(400));
    for (let i = 0; i < 100 && sim.loop.state !== 'speaking'; i++) await sim.run(20);
    sim.loop.stop();
    const stoppedAt = sim.t;
    sim.say(stoppedAt + 100, tone(300));
    await sim.run(2_000);
    expect(sim.stt).toHaveLength(1);
  });

  it('push-to-talk keeps what was said just before the press when no reply is near (pre-roll)', async () => {
    const sim = new Sim({ mode: 'ptt', preRollMs: 300 });
    const word = tone(200);
    sim.say(100, word);
    await sim.run(400);
    expect(sim.loop.pttStart().ok).toBe(true);
    await sim.run(200);
    sim.loop.pttStop();
    await sim.run(1_000);
    // The last 300 ms before the press, then the 200 ms held: the word is all there.
    const a = sim.stt[0]!;
    expect(a.samples.length).toBe(500 * MS);
    expect(a.samples.subarray(0, 200 * MS)).toEqual(word);
  });

  it('push-to-talk pre-roll starts exactly where the tail ends: a word at its first moment is kept', async () => {
    const { sim, ended } = await afterReply({ mode: 'ptt', tailMs: 300, preRollMs: 300 });
    const word = tone(100);
    sim.say(ended + 300, word);
    await sim.run(ended + 500 - sim.t);
    expect(sim.loop.pttStart().ok).toBe(true);
    await sim.run(100);
    sim.loop.pttStop();
    await sim.run(1_000);
    expect(sim.stt).toHaveLength(2);
    // From the end of the tail (200 ms before the press) to the release, the word first.
    const a = sim.stt[1]!;
    expect(a.samples.length).toBe(300 * MS);
    expect(a.samples.subarray(0, 100 * MS)).toEqual(word);
  });

  it('listening re-arms on the fifth silent frame (onsetFrames + 2) counted from the end of the tail', async () => {
    const heardAt = async (afterTailMs: number) => {
      const { sim, ended } = await afterReply({ mode: 'vad', tailMs: 300 });
      sim.heard.push('next');
      sim.say(ended + 300 + afterTailMs, tone(400));
      await sim.run(ended + 2_500 - sim.t);
      return sim.commands.slice(1);
    };
    // Silent frames at +0, +20, …, +80 ms past the tail: armed for speech at +100.
    expect(await heardAt(100)).toEqual(['next']);
    expect(await heardAt(80)).toEqual([]);
  });

  it('an utterance just after the tail carries none of the tail in its pre-roll', async () => {
    const { sim, ended } = await afterReply({ mode: 'vad', tailMs: 300, preRollMs: 300 });
    sim.say(ended + 100, tone(150, 3000)); // inside the tail, over 50 ms before it ends
    sim.heard.push('next');
    sim.say(ended + 400, tone(400)); // 100 ms after the tail: just re-armed
    await sim.run(ended + 2_500 - sim.t);
    expect(sim.commands).toEqual(['read pr twelve', 'next']);
    // The utterance starts at the end of the tail: 100 ms of silence, then the user (tone(…)[0] is 0).
    const a = sim.stt[1]!;
    expect(a.samples.findIndex((v) => v !== 0)).toBe(100 * MS + 1);
  });

  describe('with no tail (tailMs 0), sound already going on when playback ends or is stopped waits for silence', () => {
    /** Runs to the reply's playback; the mic then hears a 1 s sound, no louder than the reply (no barge-in). */
    async function soundOverReply(): Promise<Sim> {
      const sim = new Sim({ mode: 'vad', tailMs: 0 });
      sim.heard.push('read pr twelve');
      sim.say(100, tone(400));
      for (let i = 0; i < 100 && sim.loop.state !== 'speaking'; i++) await sim.run(20);
      expect(sim.loop.state).toBe('speaking');
      sim.say(sim.t, tone(1_000));
      return sim;
    }

    it('at the end of playback', async () => {
      const sim = await soundOverReply();
      await sim.run(2_000);
      expect(sim.replyEndedAt()).toBeDefined();
      expect(sim.loop.lastBargeIn).toBeNull();
      expect(sim.stt).toHaveLength(1);
    });

    it('after stop()', async () => {
      const sim = await soundOverReply();
      await sim.run(100);
      sim.loop.stop();
      await sim.run(2_000);
      expect(sim.stt).toHaveLength(1);
      // Silence, then speech: heard again.
      sim.heard.push('next');
      sim.say(sim.t + 200, tone(400));
      await sim.run(1_500);
      expect(sim.commands).toEqual(['read pr twelve', 'next']);
    });
  });
});
