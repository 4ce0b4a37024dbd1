/**
 * The voice loop's state machine over scripted fake ports and a virtual clock: 20 ms mic frames
 * are pushed as simulated time advances; the fake speaker plays in simulated time and loops what
 * it plays back into the mic (delay, gain) like an open speaker next to the mic.
 */
import { describe, expect, it } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { CommandResponse } from '../../contract/response.js';
import type { AudioSink, PlaybackSession } from '../ports/audio.js';
import type { PcmAudio, SpeechToText, TextToSpeech, Transcript, VoiceActivityDetector } from '../ports/speech.js';
import { echoScore, EchoFilter, normalizeForEcho } from './echoFilter.js';
import { SpeechSegmenter } from './segmenter.js';
import { DEFAULT_VOICE_LOOP_CONFIG, VoiceLoop, type VoiceLoopConfig, type VoiceLoopDeps } from './voiceLoop.js';

const RATE = 16_000;
const FRAME = 320; // 20 ms
const MS = RATE / 1000;

/** Energy VAD: the fakes' "speech" is any frame with RMS above ~ -36 dBFS. */
const vad: VoiceActivityDetector = {
  name: 'fake-energy',
  frameSamples: FRAME,
  sampleRateHz: RATE,
  isSpeech(f) {
    let s = 0;
    for (const v of f) s += v * v;
    return Math.sqrt(s / f.length) > 500;
  },
  reset() {},
};

/** A tone burst standing for speech (amplitude, frequency). */
function tone(ms: number, amp: number, hz = 300): Int16Array {
  const n = ms * MS;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

interface Played {
  samples: Int16Array;
  startMs: number;
  stoppedAtMs: number | null;
}

/** A reply that plays about 1.6 s. */
const LONG_REPLY = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';

class Sim {
  t = 0;
  readonly events: VoiceStateEvent[] = [];
  readonly played: Played[] = [];
  readonly sttAudio: PcmAudio[] = [];
  readonly commands: string[] = [];
  /** Transcripts STT returns, in order; when empty, STT hears "". */
  heard: { text: string; confidence?: number; unsure?: string }[] = [];
  /** What the fake pipeline answers per command text. */
  answer: (text: string) => Partial<CommandResponse> = (text) => ({ spoken_text: `You said ${text}.` });
  /** User speech in the mic: [startMs, samples]. */
  user: { at: number; samples: Int16Array }[] = [];
  echoDelayMs = 0;
  echoGain = 1;
  /** drain() resolves this much (ms) after the audio's nominal end: a sink that started late. */
  drainLateMs = 0;
  private drainWaiters: { until: () => number; resolve: () => void }[] = [];
  readonly loop: VoiceLoop;

  /** Streaming TTS (synthesizeStream) chunks handed out, and whether the stream was cancelled. */
  readonly streamed = { chunks: 0, cancelled: 0 };
  /** Resolved on every simulated frame. */
  readonly tickWaiters: (() => void)[] = [];

  /**
   * @param opts.streamChunkMs TTS streams its reply in chunks this long (ms), 2 ms of "synthesis" apart.
   * @param opts.deps ports that replace the fakes (e.g. an AEC's echoSuppressionDb, metrics).
   */
  constructor(cfg: Partial<VoiceLoopConfig> = {}, sttOverride?: (sim: Sim) => SpeechToText, opts: { streamChunkMs?: number; deps?: Partial<VoiceLoopDeps> } = {}) {
    const stt: SpeechToText = sttOverride?.(this) ?? {
      name: 'fake',
      transcribe: async (audio): Promise<Transcript> => {
        this.sttAudio.push(audio);
        const h = this.heard.shift() ?? { text: '' };
        return { text: h.text, confidence: h.confidence ?? 0.9, provider: 'fake', processingMs: 0, audioMs: audio.samples.length / MS, ...(h.unsure !== undefined ? { unsure: h.unsure } : {}) };
      },
      health: () => ({ provider: 'fake', ok: true, message: null }),
    };
    const tts: TextToSpeech = {
      name: 'fake',
      voices: ['fake'],
      // 100 ms of "speech" per word at -16 dBFS, like a loud reply.
      synthesize: async (text) => ({ audio: { sampleRateHz: RATE, samples: tone(100 * text.split(/\s+/).length, 5000, 200) }, provider: 'fake', firstAudioMs: 0 }),
      health: () => ({ provider: 'fake', ok: true, message: null }),
    };
    const sim = this;
    const chunkMs = opts.streamChunkMs;
    if (chunkMs !== undefined) {
      tts.synthesizeStream = async (text) => {
        const all = tone(100 * text.split(/\s+/).length, 5000, 200);
        let cancelled = false;
        return {
          sampleRateHz: RATE,
          provider: 'fake',
          firstAudioMs: 0,
          cancel: () => {
            if (!cancelled) sim.streamed.cancelled++;
            cancelled = true;
          },
          chunks: (async function* () {
            // Synthesis runs 200 ms ahead of real time (simulated), so a long reply is still
            // being synthesized while its start plays.
            const t0 = sim.t;
            for (let o = 0; o < all.length && !cancelled; o += chunkMs * MS) {
              while (sim.t < t0 + o / MS - 200) await new Promise<void>((r) => sim.tickWaiters.push(r));
              if (cancelled) return;
              sim.streamed.chunks++;
              yield all.slice(o, o + chunkMs * MS);
            }
          })(),
        };
      };
    }
    const sink: AudioSink = {
      available: true,
      async openPlayback() {
        let current: Played | null = null;
        const mine: Played[] = [];
        const session: PlaybackSession = {
          async write(pcm) {
            // Queued behind what this session still plays (a streamed reply comes in chunks).
            const prevEnd = current === null ? -Infinity : (current.stoppedAtMs ?? current.startMs + current.samples.length / MS);
            current = { samples: pcm as Int16Array, startMs: Math.max(sim.t, prevEnd), stoppedAtMs: null };
            sim.played.push(current);
            mine.push(current);
          },
          drain() {
            const p = current;
            if (p === null) return Promise.resolve();
            return new Promise<void>((resolve) => sim.drainWaiters.push({ until: () => (p.stoppedAtMs !== null ? -1 : p.startMs + p.samples.length / MS + sim.drainLateMs), resolve }));
          },
          stop() {
            for (const p of mine) if (p.stoppedAtMs === null && p.startMs + p.samples.length / MS > sim.t) p.stoppedAtMs = Math.max(sim.t, p.startMs);
            for (const w of sim.drainWaiters.splice(0)) w.resolve();
          },
          position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }),
          onRoute: () => () => {},
          close() {},
        };
        return session;
      },
    };
    this.loop = new VoiceLoop(
      {
        vad,
        stt,
        tts,
        sink,
        clock: { monotonicMs: () => this.t },
        metrics: { observe() {}, increment() {} },
        runCommand: async (text) => {
          this.commands.push(text);
          return { status: 'ok', intent: { name: 'pr.summarize', confidence: 1, entities: {} }, spoken_text: '', cards: [], session_id: 's', debug: { processing_time_ms: 0, correlation_id: 'c' }, ...this.answer(text) } as CommandResponse;
        },
        emit: (e) => this.events.push(e),
        ...opts.deps,
      },
      cfg,
    );
  }

  /** Mic sample at absolute sample index i: user speech plus the speaker's echo. */
  private micAt(i: number): number {
    const tMs = i / MS;
    let v = 0;
    for (const u of this.user) {
      const k = i - u.at * MS;
      if (k >= 0 && k < u.samples.length) v += u.samples[k] as number;
    }
    for (const p of this.played) {
      const k = Math.round((tMs - this.echoDelayMs - p.startMs) * MS);
      const end = p.stoppedAtMs === null ? p.samples.length : Math.round((p.stoppedAtMs - p.startMs) * MS);
      if (k >= 0 && k < Math.min(end, p.samples.length)) v += this.echoGain * (p.samples[k] as number);
    }
    return Math.max(-32768, Math.min(32767, Math.round(v)));
  }

  /** Advances simulated time by `ms`, one 20 ms mic frame at a time, letting async work run. */
  async run(ms: number): Promise<void> {
    const until = this.t + ms;
    while (this.t < until) {
      const frame = new Int16Array(FRAME);
      const i0 = this.t * MS;
      for (let k = 0; k < FRAME; k++) frame[k] = this.micAt(i0 + k);
      const at = this.t;
      this.t += 20;
      this.loop.pushAudio(frame, at);
      for (const w of this.tickWaiters.splice(0)) w();
      for (const w of [...this.drainWaiters]) {
        const u = w.until();
        if (u >= 0 && this.t >= u) {
          this.drainWaiters.splice(this.drainWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
      for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
    }
  }

  say(at: number, samples: Int16Array): void {
    this.user.push({ at, samples });
  }

  /**
   * The user says "read pr twelve" at 100 ms (a 400 ms tone) and is answered with a 1.6 s reply;
   * `then` (heard next) is answered as system.stop, or with a plain "Okay." when `thenStops` is false.
   */
  asksForLongReply(then?: string, thenStops = true): void {
    this.heard.push({ text: 'read pr twelve' }, ...(then === undefined ? [] : [{ text: then }]));
    this.answer = (t) => (t === 'read pr twelve' ? { spoken_text: LONG_REPLY } : thenStops ? { intent: { name: 'system.stop', confidence: 1, entities: {} }, spoken_text: 'Okay.' } : { spoken_text: 'Okay.' });
    this.say(100, tone(400, 6000));
  }

  states(): string[] {
    return this.events.map((e) => `${e.state}:${e.reason}`);
  }
}

describe('SpeechSegmenter', () => {
  it('starts after the onset frames, ends after the hangover, drops short bursts', () => {
    const s = new SpeechSegmenter({ frameMs: 20, onsetFrames: 3, hangoverMs: 100, minSpeechMs: 100 });
    expect([true, true].map((v) => s.push(v).type)).toEqual(['none', 'none']);
    expect(s.push(true)).toEqual({ type: 'start', framesBack: 3 });
    for (let i = 0; i < 4; i++) expect(s.push(i % 2 === 0).type).toBe('none');
    const edges = [false, false, false, false, false].map((v) => s.push(v));
    expect(edges.filter((e) => e.type !== 'none')).toEqual([{ type: 'end', voicedMs: 100, hangoverFrames: 5 }]);
    [true, true, true].forEach((v) => s.push(v));
    const short = [false, false, false, false, false].map((v) => s.push(v));
    expect(short.filter((e) => e.type !== 'none')).toEqual([{ type: 'discard', voicedMs: 60 }]);
  });
});

describe('EchoFilter', () => {
  it('drops in-window transcripts that are a fuzzy in-order run of what was said', () => {
    const f = new EchoFilter(1500);
    f.spoken('Merge PR 12 in acme/api, squash. Say confirm. Confirm.', 10_000);
    expect(normalizeForEcho('PR 12')).toEqual(['pr', 'one', 'two']);
    expect(f.isEcho('confirm', 10_500)).toBe(true);
    expect(f.isEcho('say confirm', 10_200)).toBe(true);
    expect(f.isEcho('merged pr one two', 10_900)).toBe(true); // one edit away: still the echo
    expect(f.isEcho('confirm', 11_600)).toBe(false); // after the window: the user
    expect(f.isEcho('cancel', 10_500)).toBe(false);
    expect(f.isEcho('what needs my attention', 10_100)).toBe(false);
    expect(echoScore(['confirm', 'the', 'merge'], ['say', 'confirm'])).toBeCloseTo(1 / 3);
  });
});

describe('VoiceLoop', () => {
  it('VAD turn: idle → listening → endpoint → transcribing → thinking → speaking → idle, with pre-roll', async () => {
    const sim = new Sim();
    sim.heard.push({ text: 'read pr twelve' });
    // A quiet first syllable (below the VAD's threshold) then the loud part: pre-roll keeps both.
    const quiet = tone(100, 400, 500);
    sim.say(200, quiet);
    sim.say(300, tone(500, 6000));
    await sim.run(1000);
        await sim.run(2000);
    expect(sim.states()).toEqual(['listening:vad', 'endpoint:endpoint', 'transcribing:endpoint', 'thinking:transcribed', 'speaking:replied', 'idle:done']);
    expect(sim.commands).toEqual(['read pr twelve']);
    const a = sim.sttAudio[0]!;
    // The utterance handed to STT starts before the VAD onset (300 ms + 3 frames): the quiet part is in it.
    const quietStart = a.samples.findIndex((v) => v !== 0);
    expect(quietStart).toBeGreaterThanOrEqual(0);
    expect(Math.abs(a.samples[quietStart + 10]!)).toBeLessThan(500);
    expect(a.samples.length / MS).toBeGreaterThanOrEqual(500 + 100);
    expect(sim.played).toHaveLength(1);
  });

  it("passes the transcript's other number readings to the command (for a \"Did you mean …?\")", async () => {
    const got: unknown[][] = [];
    const sim = new Sim(
      {},
      () => ({ name: 'nbest', transcribe: async (a) => ({ text: 'merge pr fifty', numberAlternatives: [15, 16], confidence: 0.9, provider: 'nbest', processingMs: 0, audioMs: a.samples.length / MS }), health: () => ({ provider: 'nbest', ok: true, message: null }) }),
      { deps: { runCommand: async (...args) => (got.push(args), { status: 'ok', intent: { name: 'pr.merge', confidence: 1, entities: {} }, spoken_text: 'ok', cards: [], session_id: 's', debug: { processing_time_ms: 0, correlation_id: 'c' } }) } },
    );
    sim.say(200, tone(500, 6000));
    await sim.run(2000);
    expect(got).toEqual([['merge pr fifty', 0.9, [15, 16]]]);
  });

  it('barge-in: user speech over the reply stops playback within 100 ms of simulated time and listens', async () => {
    const sim = new Sim({ echoGainDb: 0, bargeInMarginDb: 6 });
    sim.echoGain = 0.3; // a speaker some way from the mic
    sim.asksForLongReply('stop talking');
    await sim.run(1000);
    expect(sim.loop.state).toBe('speaking');
    // The reply plays 1.6 s; the user talks over it at t = 1300 ms, louder than its echo.
    const bargeAt = 1300;
    sim.say(bargeAt, tone(600, 16_000, 350));
    await sim.run(1300);
    const b = sim.loop.lastBargeIn;
    expect(b).not.toBeNull();
    expect(b!.onsetMs).toBe(bargeAt);
    expect(sim.played[0]!.stoppedAtMs! - bargeAt).toBeLessThanOrEqual(100);
    expect(b!.latencyMs).toBeLessThanOrEqual(100);
        await sim.run(200);
    expect(sim.states()).toContain('idle:barge-in');
    expect(sim.states()).toContain('listening:barge-in');
    // "stop" as a command: silence, nothing spoken.
    expect(sim.commands).toEqual(['read pr twelve', 'stop talking']);
    expect(sim.played).toHaveLength(1);
    expect(sim.states().at(-1)).toBe('idle:stop');
  });

  it('its own reply at full loudness (loopback) never barges in', async () => {
    const sim = new Sim();
    sim.echoGain = 1;
    sim.echoDelayMs = 40;
    sim.heard.push({ text: 'read pr twelve' });
    sim.answer = () => ({ spoken_text: 'a b c d e f g h i j k l m n o p q r s t' });
    sim.say(100, tone(400, 6000));
    await sim.run(4000);
        expect(sim.loop.lastBargeIn).toBeNull();
    expect(sim.played[0]!.stoppedAtMs).toBeNull();
    expect(sim.states()).not.toContain('listening:barge-in');
  });

  it('stop() silences at once and drops the tail of the reply', async () => {
    const sim = new Sim();
    sim.heard.push({ text: 'read pr twelve' });
    sim.answer = () => ({ spoken_text: 'a b c d e f g h i j k l m n o p' });
    sim.say(100, tone(400, 6000));
    await sim.run(1000);
        expect(sim.loop.state).toBe('speaking');
    sim.loop.stop();
    expect(sim.played[0]!.stoppedAtMs).toBe(sim.t);
    expect(sim.loop.state).toBe('idle');
    expect(sim.states().at(-1)).toBe('idle:stop');
  });

  it('half-duplex: echo within the tail is ignored; echo still sounding when the tail ends cannot start an utterance', async () => {
    const sim = new Sim({ tailMs: 300 });
    sim.echoGain = 1;
    sim.echoDelayMs = 500; // a long speaker path (e.g. Bluetooth): the echo outlasts the tail
    sim.heard.push({ text: 'read pr twelve' }, { text: 'say confirm' });
    sim.answer = () => ({ spoken_text: 'a b c d e f g h' });
    sim.say(100, tone(400, 6000));
    await sim.run(5000);
        // Only the user's utterance reached STT.
    expect(sim.sttAudio).toHaveLength(1);
    expect(sim.commands).toEqual(['read pr twelve']);
  });

  it('echo filter: a transcript of what was just said is dropped; the same words later are the user', async () => {
    const sim = new Sim({ tailMs: 100, echoWindowMs: 1500 });
    sim.heard.push({ text: 'merge pr twelve' }, { text: 'confirm' }, { text: 'confirm' });
    sim.answer = (t) => (t === 'merge pr twelve' ? { spoken_text: 'Merge PR 12. Say confirm.' } : { spoken_text: 'Merged.' });
    sim.say(100, tone(400, 6000));
    await sim.run(800);
        await sim.run(1000);
    expect(sim.loop.state).toBe('idle');
    const ended = sim.events.at(-1)!.at_ms;
    // Something that STT hears as "confirm" starts 400 ms after playback ended: an echo.
    sim.say(ended + 400, tone(300, 6000));
    await sim.run(1200);
        expect(sim.states()).toContain('idle:echo');
    expect(sim.commands).toEqual(['merge pr twelve']);
    // The user says "confirm" 2 s after: it runs.
    sim.say(sim.t + 400, tone(300, 6000));
    await sim.run(1500);
        expect(sim.commands).toEqual(['merge pr twelve', 'confirm']);
  });

  it('push-to-talk: only pttStart listens; pttStop ends the utterance; nothing heard is answered', async () => {
    const sim = new Sim({ mode: 'ptt' });
    sim.say(100, tone(400, 6000));
    await sim.run(800);
    expect(sim.events).toEqual([]); // hands-free is off
    expect(sim.loop.pttStart()).toEqual({ ok: true, state: 'listening' });
    sim.heard.push({ text: 'agent status' });
    sim.say(sim.t + 100, tone(400, 6000));
    await sim.run(700);
    expect(sim.loop.state).toBe('listening'); // silence does not end a push-to-talk utterance
    expect(sim.loop.pttStop().ok).toBe(true);
        await sim.run(1000);
    expect(sim.commands).toEqual(['agent status']);
    // A press with nothing said: "I didn't catch that".
    sim.loop.pttStart();
    await sim.run(200);
    sim.loop.pttStop();
    await sim.run(100);
    expect(sim.states()).toContain('speaking:not-heard');
    expect(sim.loop.pttStop().ok).toBe(false);
  });

  it('push-to-talk during a reply is a barge-in', async () => {
    const sim = new Sim({ mode: 'ptt' });
    sim.loop.pttStart();
    sim.heard.push({ text: 'read pr twelve' });
    sim.say(100, tone(300, 6000));
    await sim.run(600);
    sim.loop.pttStop();
        sim.answer = () => ({ spoken_text: 'a b c d e f g h i j k l' });
    await sim.run(200);
    expect(sim.loop.state).toBe('speaking');
    expect(sim.loop.pttStart().ok).toBe(true);
    expect(sim.played.at(-1)!.stoppedAtMs).toBe(sim.t);
  });

  it('low-confidence numbers are read back and run only when heard again', async () => {
    const sim = new Sim({ tailMs: 100, echoWindowMs: 500 });
    sim.heard.push({ text: 'merge pr nine eighteen', confidence: 0.3 }, { text: 'merge pr nine eighteen', confidence: 0.3 });
    sim.say(100, tone(400, 6000));
    await sim.run(900);
        await sim.run(3000);
    expect(sim.commands).toEqual([]);
    expect(sim.events.some((e) => e.reason === 'low-confidence' && e.spoken_text === 'I heard: merge pr nine eighteen. If that is right, say it again.')).toBe(true);
    sim.say(sim.t + 200, tone(400, 6000));
    await sim.run(1000);
        expect(sim.commands).toEqual(['merge pr nine eighteen']);
  });

  describe('a side-effect command the recognizer is unsure of (Transcript.unsure)', () => {
    const press = async (sim: Sim, atMs: number): Promise<void> => {
      await sim.run(atMs - sim.t);
      sim.loop.pttStart();
      sim.say(sim.t + 50, tone(400, 6000));
      await sim.run(600);
      sim.loop.pttStop();
      await sim.run(3000);
    };

    it('push-to-talk: read back, and run when heard the same way again', async () => {
      const sim = new Sim({ mode: 'ptt', tailMs: 100, echoWindowMs: 500 });
      sim.heard.push({ text: '', confidence: 0, unsure: 'merge it' }, { text: '', confidence: 0, unsure: 'merge it' });
      await press(sim, 100);
      expect(sim.commands).toEqual([]);
      expect(sim.events.some((e) => e.reason === 'low-confidence' && e.spoken_text === 'I heard: merge it. If that is right, say it again.')).toBe(true);
      await press(sim, sim.t + 200);
      expect(sim.commands).toEqual(['merge it']);
    });

    it('push-to-talk: heard differently the second time, it is read back again and nothing runs', async () => {
      const sim = new Sim({ mode: 'ptt', tailMs: 100, echoWindowMs: 500 });
      sim.heard.push({ text: '', confidence: 0, unsure: 'merge it' }, { text: '', confidence: 0, unsure: 'approve it' });
      await press(sim, 100);
      await press(sim, sim.t + 200);
      expect(sim.commands).toEqual([]);
      expect(sim.events.filter((e) => e.reason === 'low-confidence').map((e) => e.spoken_text)).toEqual([
        'I heard: merge it. If that is right, say it again.',
        'I heard: approve it. If that is right, say it again.',
      ]);
    });

    it('push-to-talk: too late (after lowConfidenceHoldMs), the second one is only read back', async () => {
      const sim = new Sim({ mode: 'ptt', tailMs: 100, echoWindowMs: 500, lowConfidenceHoldMs: 2000 });
      sim.heard.push({ text: '', confidence: 0, unsure: 'merge it' }, { text: '', confidence: 0, unsure: 'merge it' });
      await press(sim, 100);
      await press(sim, sim.t + 2500);
      expect(sim.commands).toEqual([]);
      expect(sim.events.filter((e) => e.reason === 'low-confidence')).toHaveLength(2);
    });

    it('hands-free (VAD): it stays unheard and silent, even twice: it may be chit-chat', async () => {
      const sim = new Sim({ tailMs: 100, echoWindowMs: 500 });
      sim.heard.push({ text: '', confidence: 0, unsure: 'merge it' }, { text: '', confidence: 0, unsure: 'merge it' });
      sim.say(100, tone(400, 6000));
      await sim.run(1500);
      sim.say(sim.t + 200, tone(400, 6000));
      await sim.run(1500);
      expect(sim.commands).toEqual([]);
      expect(sim.played).toHaveLength(0);
      expect(sim.states().filter((x) => x === 'idle:not-heard')).toHaveLength(2);
    });
  });

  it('noise that STT rejects in hands-free mode returns to idle silently', async () => {
    const sim = new Sim();
    sim.say(100, tone(400, 6000));
    await sim.run(900);
        expect(sim.states()).toEqual(['listening:vad', 'endpoint:endpoint', 'transcribing:endpoint', 'idle:not-heard']);
    expect(sim.played).toHaveLength(0);
  });

  describe('streaming TTS (playback from the first chunk)', () => {
    it('plays every chunk back to back, in order, then idle:done', async () => {
      const sim = new Sim({}, undefined, { streamChunkMs: 100 });
      sim.heard.push({ text: 'read pr twelve' });
      sim.answer = () => ({ spoken_text: 'one two three four five six seven eight' });
      sim.say(100, tone(400, 6000));
      await sim.run(2500);
      expect(sim.states()).toEqual(['listening:vad', 'endpoint:endpoint', 'transcribing:endpoint', 'thinking:transcribed', 'speaking:replied', 'idle:done']);
      expect(sim.played).toHaveLength(8);
      for (let i = 1; i < 8; i++) expect(sim.played[i]!.startMs).toBe(sim.played[i - 1]!.startMs + 100);
      expect(sim.played.reduce((n, p) => n + p.samples.length, 0)).toBe(800 * MS);
      // Idle only after the last chunk has played.
      expect(sim.events.at(-1)!.at_ms).toBeGreaterThanOrEqual(sim.played[7]!.startMs + 100);
      expect(sim.streamed.cancelled).toBe(0);
    });

    it('barge-in over a streamed reply stops it within 100 ms and cancels the synthesis', async () => {
      const sim = new Sim({ echoGainDb: 0, bargeInMarginDb: 6 }, undefined, { streamChunkMs: 100 });
      sim.echoGain = 0.3;
      sim.asksForLongReply('stop talking');
      await sim.run(1000);
      expect(sim.loop.state).toBe('speaking');
      const bargeAt = 1300;
      sim.say(bargeAt, tone(600, 16_000, 350));
      await sim.run(1500);
      const b = sim.loop.lastBargeIn;
      expect(b).not.toBeNull();
      expect(b!.latencyMs).toBeLessThanOrEqual(100);
      const stopped = sim.played.find((p) => p.stoppedAtMs !== null)!;
      expect(stopped.stoppedAtMs! - bargeAt).toBeLessThanOrEqual(100);
      // Nothing of the reply sounds after the stop.
      for (const p of sim.played) expect(p.stoppedAtMs ?? p.startMs + p.samples.length / MS).toBeLessThanOrEqual(Math.max(stopped.stoppedAtMs!, p.startMs));
      expect(sim.streamed.cancelled).toBe(1);
      expect(sim.commands).toEqual(['read pr twelve', 'stop talking']);
    });

    it('a streamed read-back ending "Say confirm. Confirm." confirms nothing; the user later does', async () => {
      const sim = new Sim({ tailMs: 100, echoWindowMs: 1500 }, undefined, { streamChunkMs: 60 });
      sim.heard.push({ text: 'merge pr twelve' }, { text: 'confirm' }, { text: 'confirm' });
      sim.answer = (t) => (t === 'merge pr twelve' ? { spoken_text: 'Merge PR 12. Say confirm. Confirm.' } : { spoken_text: 'Merged.' });
      sim.say(100, tone(400, 6000));
      await sim.run(1800);
      expect(sim.loop.state).toBe('idle');
      const ended = sim.events.at(-1)!.at_ms;
      sim.say(ended + 400, tone(300, 6000)); // heard as "confirm": the reply's echo
      await sim.run(1200);
      expect(sim.states()).toContain('idle:echo');
      expect(sim.commands).toEqual(['merge pr twelve']);
      sim.say(sim.t + 400, tone(300, 6000));
      await sim.run(1500);
      expect(sim.commands).toEqual(['merge pr twelve', 'confirm']);
    });
  });

  describe('early end of turn (VAD mode, grammar-complete transcript)', () => {
    /** A grammar STT: transcribes by how much voiced audio it got; `complete` decides grammarComplete. */
    const grammarStt = (complete: (voicedMs: number) => boolean, final: (voicedMs: number) => boolean = () => false, numberOpen: (voicedMs: number) => boolean = () => false) => (sim: Sim): SpeechToText => ({
      name: 'fake-grammar',
      reportsGrammarComplete: true,
      transcribe: async (audio): Promise<Transcript> => {
        sim.sttAudio.push(audio);
        let voiced = 0;
        for (let i = 0; i + FRAME <= audio.samples.length; i += FRAME) if (vad.isSpeech(audio.samples.subarray(i, i + FRAME))) voiced += 20;
        return { text: voiced >= 700 ? 'what needs my attention please' : 'what needs my attention', confidence: 0.9, provider: 'fake', processingMs: 0, audioMs: audio.samples.length / MS, grammarComplete: complete(voiced), grammarFinal: complete(voiced) || final(voiced), grammarNumberOpen: numberOpen(voiced) };
      },
      health: () => ({ provider: 'fake', ok: true, message: null }),
    });
    const endpointAt = (sim: Sim) => sim.events.find((e) => e.state === 'endpoint')!.at_ms;

    const { earlyEndSilenceMs: EARLY, completeEndSilenceMs: COMPLETE, finalEndSilenceMs: FINAL, numberEndSilenceMs: NUMBER, hangoverMs: HANGOVER } = DEFAULT_VOICE_LOOP_CONFIG;

    it('a complete command ends after the complete-command pause instead of the hangover, with the speculative transcript (one STT call)', async () => {
      const sim = new Sim({}, grammarStt(() => true));
      sim.say(300, tone(500, 6000));
      await sim.run(2000);
      expect(sim.commands).toEqual(['what needs my attention']);
      expect(sim.sttAudio).toHaveLength(1);
      // Stamped at the start of the frame that completes the pause.
      const late = endpointAt(sim) - 800;
      expect(late).toBe(COMPLETE - 20);
      expect(COMPLETE).toBeGreaterThan(EARLY);
      expect(late).toBeLessThan(HANGOVER - 100);
    });

    it('a closure inside a word ("st|op", shorter than the complete-command pause) does not end the turn', async () => {
      // Complete already after the first part: only the length of the pause keeps the turn open.
      const sim = new Sim({}, grammarStt(() => true));
      sim.say(300, tone(400, 6000));
      sim.say(700 + COMPLETE - 40, tone(400, 6000));
      await sim.run(2500);
      expect(sim.commands).toEqual(['what needs my attention please']);
      expect(sim.events.filter((e) => e.state === 'endpoint')).toHaveLength(1);
    });

    it('an incomplete transcript waits out the hangover, then is used as it is (one STT call)', async () => {
      const sim = new Sim({}, grammarStt(() => false));
      sim.say(300, tone(500, 6000));
      await sim.run(2000);
      expect(endpointAt(sim) - 800).toBeGreaterThanOrEqual(280);
      expect(sim.commands).toEqual(['what needs my attention']);
      expect(sim.sttAudio).toHaveLength(1); // the speculation heard all the speech: no second decode
    });

    it('a failed speculation is not reused: the endpoint transcribes again', async () => {
      let calls = 0;
      const sim = new Sim({}, (s) => {
        const inner = grammarStt(() => false)(s);
        return { ...inner, transcribe: async (a) => (++calls === 1 ? Promise.reject(new Error('busy')) : inner.transcribe(a)) };
      });
      sim.say(300, tone(500, 6000));
      await sim.run(2000);
      expect(calls).toBe(2);
      expect(sim.commands).toEqual(['what needs my attention']);
    });

    it('speech after a pause discards the speculation: one turn with all of it', async () => {
      // Complete only once the whole utterance is in: the pause's transcript says "not yet".
      const sim = new Sim({}, grammarStt((voiced) => voiced >= 700));
      sim.say(300, tone(400, 6000));
      sim.say(860, tone(400, 6000)); // 160 ms pause: past the speculation trigger, within the hangover
      await sim.run(2500);
      expect(sim.commands).toEqual(['what needs my attention please']);
      expect(sim.events.filter((e) => e.state === 'endpoint')).toHaveLength(1);
      expect(sim.sttAudio.at(-1)!.samples.length / MS).toBeGreaterThanOrEqual(800); // the transcript heard both parts
      expect(endpointAt(sim) - 1260).toBeLessThan(140);
    });

    it('a speculation still pending when more speech comes is cancelled (its signal aborted); the one used is not', async () => {
      const signals: { aborted: boolean }[] = [];
      const counted: string[] = [];
      let release: (() => void) | null = null;
      const sim = new Sim({}, (s) => {
        const inner = grammarStt((voiced) => voiced >= 700)(s);
        return {
          ...inner,
          transcribe: async (a, o) => {
            signals.push(o!.signal!);
            // The first (the pause inside the command) is still decoding when the speech goes on.
            if (signals.length === 1) await new Promise<void>((r) => (release = r));
            return inner.transcribe(a);
          },
        };
      }, { deps: { metrics: { observe() {}, increment: (c) => void counted.push(c) } } });
      sim.say(300, tone(400, 6000));
      sim.say(860, tone(400, 6000));
      await sim.run(840);
      expect(signals).toHaveLength(1);
      expect(signals[0]!.aborted).toBe(false); // still in the pause: it may be the whole command
      await sim.run(160); // speech again
      expect(signals[0]!.aborted).toBe(true);
      (release as (() => void) | null)?.();
      await sim.run(2500);
      expect(sim.commands).toEqual(['what needs my attention please']);
      expect(signals.length).toBeGreaterThanOrEqual(2);
      expect(signals.at(-1)!.aborted).toBe(false);
      expect(counted.filter((c) => c === 'voice.speculations')).toHaveLength(signals.length);
    });

    it('a whole command the grammar could extend ends after the shorter final silence, not the hangover', async () => {
      const sim = new Sim({}, grammarStt(() => false, () => true));
      sim.say(300, tone(500, 6000));
      await sim.run(2000);
      expect(sim.commands).toEqual(['what needs my attention']);
      expect(sim.sttAudio).toHaveLength(1);
      // Stamped at the start of the frame that completes the final silence.
      const late = endpointAt(sim) - 800;
      expect(late).toBeGreaterThanOrEqual(FINAL - 20);
      expect(late).toBeLessThan(FINAL + 60);
      expect(late).toBeLessThan(HANGOVER - 100);
    });

    it('a whole command ending inside a number that may go on waits the longer number silence', async () => {
      const sim = new Sim({}, grammarStt(() => false, () => true, () => true));
      sim.say(300, tone(500, 6000));
      await sim.run(2000);
      expect(sim.commands).toEqual(['what needs my attention']);
      const late = endpointAt(sim) - 800;
      expect(late).toBeGreaterThanOrEqual(NUMBER - 20);
      expect(late).toBeLessThan(NUMBER + 60);
      expect(NUMBER).toBeGreaterThan(FINAL);
    });

    it('a number the user can see, that no visible number goes on from, ends after the final silence', async () => {
      // "read pr twelve": 12 is open, 1218 is not, so the user meant 12.
      const numberStt = (sim: Sim): SpeechToText => {
        const inner = grammarStt(() => false, () => true, () => true)(sim);
        return { ...inner, transcribe: async (a) => ({ ...(await inner.transcribe(a)), text: 'read pr twelve' }) };
      };
      const late = async (hints: number[]) => {
        const sim = new Sim({}, numberStt);
        sim.loop.setNumberHints(hints);
        sim.say(300, tone(500, 6000));
        await sim.run(2000);
        expect(sim.commands).toEqual(['read pr twelve']);
        return endpointAt(sim) - 800;
      };
      const settled = await late([15, 12, 918]);
      expect(settled).toBeGreaterThanOrEqual(FINAL - 20);
      expect(settled).toBeLessThan(FINAL + 20);
      // A visible number it may go on to (1218), or a number the user cannot see: the number silence.
      for (const hints of [[12, 1218], [15, 918], []]) {
        const wait = await late(hints);
        expect(wait).toBeGreaterThanOrEqual(NUMBER - 20);
        expect(wait).toBeLessThan(NUMBER + 60);
      }
    });

    it('a pause between the groups of a number ("twelve … eighteen") does not cut it', async () => {
      const pause = NUMBER - 40;
      expect(pause).toBeGreaterThan(FINAL);
      const sim = new Sim({}, grammarStt((voiced) => voiced >= 700, () => true, (voiced) => voiced < 700));
      sim.say(300, tone(400, 6000));
      sim.say(700 + pause, tone(400, 6000));
      await sim.run(2500);
      expect(sim.commands).toEqual(['what needs my attention please']);
      expect(sim.events.filter((e) => e.state === 'endpoint')).toHaveLength(1);
    });

    it('a pause shorter than the final silence inside a whole-so-far command does not cut it', async () => {
      // "read pr twelve … please": whole after the first part, and the speaker goes on after 80 ms.
      const sim = new Sim({}, grammarStt((voiced) => voiced >= 700, () => true));
      sim.say(300, tone(400, 6000));
      sim.say(780, tone(400, 6000)); // 80 ms pause: past the speculation trigger, short of the final silence
      expect(80).toBeGreaterThan(EARLY);
      expect(80).toBeLessThan(FINAL);
      await sim.run(2500);
      expect(sim.commands).toEqual(['what needs my attention please']);
      expect(sim.events.filter((e) => e.state === 'endpoint')).toHaveLength(1);
    });

    it('a blip too short to keep is dropped as before, even when its transcript is a whole command', async () => {
      // e.g. the tail of a word cut by an audio-process restart, heard as "what".
      const sim = new Sim({}, grammarStt(() => true, () => true));
      sim.say(300, tone(140, 6000));
      await sim.run(1500);
      expect(sim.commands).toEqual([]);
      expect(sim.states()).toContain('idle:too-short');
    });

    it('a speculation that comes back after the pause is long enough ends the turn at once, not on the next frame', async () => {
      let release: (() => void) | null = null;
      const sim = new Sim({}, (s) => {
        const inner = grammarStt(() => false, () => true)(s);
        // The decode takes long: it resolves only when the test says so.
        return { ...inner, transcribe: (a) => new Promise<void>((r) => (release = r)).then(() => inner.transcribe(a)) };
      });
      sim.say(300, tone(500, 6000));
      await sim.run(800 + FINAL + 40); // the speculation started at EARLY; the final pause is over, no result yet
      expect(sim.events.some((e) => e.state === 'endpoint')).toBe(false);
      const lastFrameEnd = sim.t;
      release!();
      for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r)); // no frame pushed meanwhile
      expect(endpointAt(sim)).toBe(lastFrameEnd);
      await sim.run(1000);
      expect(sim.commands).toEqual(['what needs my attention']);
    });

    describe('a VAD that holds "speech" past the end of a word (WebRTC VAD: 60–100 ms)', () => {
      /** The energy VAD, holding speech for 5 frames after the last loud one, like WebRTC VAD's hangover. */
      const holdingVad = (): VoiceActivityDetector => {
        let hold = 0;
        return {
          ...vad,
          isSpeech(f) {
            if (vad.isSpeech(f)) hold = 5;
            else if (hold > 0) hold--;
            else return false;
            return true;
          },
        };
      };
      /** Low room noise throughout (about -60 dBFS): the ambient floor. */
      const roomNoise = (sim: Sim) => {
        const n = new Int16Array(4000 * MS);
        for (let i = 0; i < n.length; i++) n[i] = Math.round(Math.sin(i * 12.9898) * 43758.5453 % 1 * 60);
        sim.say(0, n);
      };

      it('the pause after the word counts from its real end: the held frames are at the ambient floor', async () => {
        const sim = new Sim({}, grammarStt(() => true), { deps: { vad: holdingVad() } });
        roomNoise(sim);
        sim.say(300, tone(500, 6000));
        await sim.run(2000);
        expect(sim.commands).toEqual(['what needs my attention']);
        expect(endpointAt(sim) - 800).toBe(COMPLETE - 20);
      });

      it('digital silence is no floor: a dithered pause after the word (about -90 dBFS) counts from its real end', async () => {
        // An input that delivered exact zeros before the utterance (gated, muted, just opened),
        // then a recording whose pause is 16-bit dither: the zeros must not make the dither "speech".
        const dither = (sim: Sim) => {
          const n = new Int16Array(1500 * MS);
          for (let i = 0; i < n.length; i++) n[i] = i % 2 === 0 ? 1 : -1; // about -90 dBFS
          sim.say(800, n);
        };
        const sim = new Sim({}, grammarStt(() => true), { deps: { vad: holdingVad() } });
        sim.say(300, tone(500, 6000));
        dither(sim);
        await sim.run(2000);
        expect(sim.commands).toEqual(['what needs my attention']);
        expect(endpointAt(sim) - 800).toBe(COMPLETE - 20);
      });

      it('without the floor check (pauseAboveFloorDb 0) the early end waits for the VAD to let go', async () => {
        const sim = new Sim({ pauseAboveFloorDb: 0 }, grammarStt(() => true), { deps: { vad: holdingVad() } });
        roomNoise(sim);
        sim.say(300, tone(500, 6000));
        await sim.run(2000);
        expect(endpointAt(sim) - 800).toBe(COMPLETE - 20 + 100); // 5 held frames later
      });

      it('over a reply (barge-in) the level is not trusted for pauses: the early end waits for the VAD', async () => {
        const sim = new Sim({ echoGainDb: 0, bargeInMarginDb: 6 }, grammarStt(() => true), { deps: { vad: holdingVad() } });
        sim.echoGain = 0.3;
        sim.answer = () => ({ spoken_text: LONG_REPLY });
        roomNoise(sim);
        sim.say(100, tone(400, 6000));
        await sim.run(1200);
        expect(sim.loop.state).toBe('speaking');
        sim.say(1300, tone(400, 16_000, 350));
        await sim.run(1500);
        expect(sim.states()).toContain('listening:barge-in');
        const ends = sim.events.filter((e) => e.state === 'endpoint').map((e) => e.at_ms);
        expect(ends).toHaveLength(2);
        expect(ends[1]! - 1700).toBe(COMPLETE - 20 + 100); // the 5 held frames, then the pause
      });

      it('a quiet end of a word (well above the floor, below the VAD) is speech still: no early end inside it', async () => {
        const sim = new Sim({}, grammarStt(() => true), { deps: { vad: holdingVad() } });
        roomNoise(sim);
        sim.say(300, tone(500, 6000));
        sim.say(800, tone(80, 400)); // ~ -38 dBFS, 20+ dB above the room: the VAD holds, the floor check does not call it a pause
        await sim.run(2000);
        expect(sim.commands).toEqual(['what needs my attention']);
        expect(endpointAt(sim) - 880).toBeGreaterThanOrEqual(EARLY);
        expect(sim.sttAudio.at(-1)!.samples.length / MS).toBeGreaterThanOrEqual(880 - 300);
      });
    });

    it('push-to-talk never ends early', async () => {
      const sim = new Sim({ mode: 'ptt' }, grammarStt(() => true));
      sim.loop.pttStart();
      sim.say(100, tone(500, 6000));
      await sim.run(1200);
      expect(sim.events.some((e) => e.state === 'endpoint')).toBe(false);
      expect(sim.sttAudio).toHaveLength(0);
    });
  });
});

/**
 * The guards at their edges (issue 18's mutation run): how an echo canceller's measured
 * suppression changes the tail re-arm, the barge-in gate (with its credit capped) and the echo
 * filter's exception for stop/cancel words; the silence needed to re-arm after the tail; and that
 * an interrupted or failed reply still counts as said for the echo filter.
 */
describe('VoiceLoop guards at their edges', () => {
  /** Runs one turn ("read pr twelve") and returns when its reply has ended (idle:done), on the loop's clock. */
  async function afterReply(sim: Sim): Promise<number> {
    sim.heard.push({ text: 'read pr twelve' });
    sim.say(100, tone(400, 6000));
    for (let i = 0; i < 60 && !sim.states().includes('idle:done'); i++) await sim.run(100);
    const done = sim.events.find((e) => e.state === 'idle' && e.reason === 'done');
    expect(done).toBeDefined();
    return done!.at_ms;
  }

  it('after the tail, listening re-arms after onsetFrames + 2 silent frames, not fewer; a trusted AEC re-arms at once', async () => {
    const heardAfter = async (gapMs: number, suppressionDb?: number) => {
      const sim = new Sim({ tailMs: 300, echoWindowMs: 0 }, undefined, suppressionDb === undefined ? {} : { deps: { echoSuppressionDb: () => suppressionDb } });
      sim.echoGain = 0;
      const ended = await afterReply(sim);
      // Sound from inside the tail to 100 ms past it, then `gapMs` of silence, then speech.
      sim.say(ended + 100, tone(300, 6000));
      sim.say(ended + 400 + gapMs, tone(400, 6000));
      sim.heard.push({ text: 'second' }, { text: 'third' });
      await sim.run(2500);
      return sim.commands.slice(1);
    };
    expect(await heardAfter(100)).toEqual(['second']);
    expect(await heardAfter(80)).toEqual([]);
    // Echo cancelled (≥ aecTrustDb): the sound past the tail is the user's, heard at once.
    expect((await heardAfter(80, 12)).length).toBeGreaterThan(0);
    expect(await heardAfter(80, 11.9)).toEqual([]);
    // A broken measurement is no cancellation.
    expect(await heardAfter(80, Number.POSITIVE_INFINITY)).toEqual([]);
    expect(await heardAfter(80, Number.NaN)).toEqual([]);
  });

  /** Whether user speech at `amp` (no echo in the mic) barges in over a loud reply (about -19 dBFS) in `sim`. */
  const bargesOverLoudReply = async (amp: number, sim: Sim): Promise<boolean> => {
    sim.echoGain = 0;
    sim.asksForLongReply();
    await sim.run(1000);
    expect(sim.loop.state).toBe('speaking');
    sim.say(sim.t + 100, tone(500, amp, 350));
    await sim.run(700);
    return sim.loop.lastBargeIn !== null;
  };

  it('barge-in needs the mic above the expected echo by the margin; an AEC lowers the expectation by at most its credit', async () => {
    /** Whether user speech at `amp` (no echo in the mic) over a loud reply barges in. */
    const barges = (amp: number, suppressionDb?: number, cfg: Partial<VoiceLoopConfig> = {}) =>
      bargesOverLoudReply(amp, new Sim({ bargeInMarginDb: 6, aecBargeInCreditDb: 18, ...cfg }, undefined, suppressionDb === undefined ? {} : { deps: { echoSuppressionDb: () => suppressionDb } }));
    // The reply plays at about -19 dBFS: without AEC the user needs more than about -13 dBFS.
    expect(await barges(12_000)).toBe(true);
    expect(await barges(3_000)).toBe(false);
    // 12 dB of measured suppression: about -25 dBFS is enough.
    expect(await barges(3_000, 12)).toBe(true);
    expect(await barges(1_000, 12)).toBe(false);
    // 30 dB measured, but only 18 dB credited: about -33 dBFS is still not enough.
    expect(await barges(1_000, 30)).toBe(false);
    expect(await barges(1_600, 30)).toBe(true);
    // Negative or broken measurements lower nothing.
    expect(await barges(3_000, -10)).toBe(false);
    expect(await barges(3_000, Number.NaN)).toBe(false);
    // ...nor raise it: a negative figure is no suppression, not extra echo.
    expect(await barges(12_000, -10)).toBe(true);
    // A speaker louder than its signal (echoGainDb) raises the bar; barge-in can be turned off.
    expect(await barges(12_000, undefined, { echoGainDb: 10 })).toBe(false);
    expect(await barges(16_000, undefined, { bargeIn: false })).toBe(false);
  });

  it('with a measured residual echo the gate expects that echo: the acoustic loss counts, no credit until it is measured', async () => {
    /** Whether user speech at `amp` over a loud reply barges in, the AEC reporting `residual` (and `suppressionDb`). */
    const barges = (amp: number, residual: number | null, suppressionDb = 0) =>
      bargesOverLoudReply(amp, new Sim({ bargeInMarginDb: 6, aecBargeInCreditDb: 18 }, undefined, { deps: { echoSuppressionDb: () => suppressionDb, echoResidualDb: () => residual } }));
    // The reply plays at about -19 dBFS. Its echo measured 25 dB below it: about -38 dBFS is enough,
    // past the 18 dB an ERLE figure alone is credited.
    expect(await barges(1_000, -25)).toBe(true);
    expect(await barges(300, -25)).toBe(false);
    // An echo measured loud (a changed path, not re-learnt yet) raises the bar, whatever the stale ERLE says.
    expect(await barges(3_000, -3, 30)).toBe(false);
    expect(await barges(12_000, -3, 30)).toBe(true);
    // Not measured for this reply yet: no credit at all, the stale ERLE included.
    expect(await barges(3_000, null, 30)).toBe(false);
    expect(await barges(12_000, null, 30)).toBe(true);
  });

  it('a barge-in is recorded and measured from the onset; push-to-talk over a reply stops it without a barge-in record', async () => {
    const observed: Array<[string, number]> = [];
    const sim = new Sim({}, undefined, { deps: { metrics: { observe: (s, ms) => void observed.push([s, ms]), increment() {} } } });
    sim.echoGain = 0;
    sim.heard.push({ text: 'read pr twelve' });
    sim.answer = () => ({ spoken_text: 'one two three four five six seven eight nine ten eleven twelve' });
    sim.say(100, tone(400, 6000));
    await sim.run(1000);
    sim.say(1200, tone(400, 16_000, 350));
    await sim.run(400);
    const b = sim.loop.lastBargeIn!;
    expect(b.onsetMs).toBe(1200);
    expect(b.latencyMs).toBe(b.stoppedAtMs - b.onsetMs);
    expect(observed).toContainEqual(['voice.barge_in', b.latencyMs]);
    // From the end of the utterance to the first audio of the reply: not negative, not the sum of both.
    const first = observed.find(([st]) => st === 'voice.turn_to_first_audio')![1];
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(200);
    // The VAD's listening starts at the user's onset (t = 100 ms), not where the onset was detected.
    expect(sim.events.find((e) => e.state === 'listening' && e.reason === 'vad')?.at_ms).toBe(100);

    const ptt = new Sim({ mode: 'ptt' });
    ptt.heard.push({ text: 'read pr twelve' });
    ptt.answer = () => ({ spoken_text: 'one two three four five six seven eight nine ten eleven twelve' });
    ptt.say(100, tone(400, 6000));
    ptt.loop.pttStart();
    await ptt.run(600);
    ptt.loop.pttStop();
    for (let i = 0; i < 20 && ptt.loop.state !== 'speaking'; i++) await ptt.run(100);
    expect(ptt.loop.state).toBe('speaking');
    expect(ptt.loop.pttStart()).toEqual({ ok: true, state: 'listening' });
    expect(ptt.played[0]!.stoppedAtMs).toBe(ptt.t);
    expect(ptt.loop.lastBargeIn).toBeNull();
    expect(ptt.states()).toContain('idle:barge-in');
  });

  it('with a trusted AEC, "cancel" right after a read-back that says "cancel" is the user; "confirm" still is an echo', async () => {
    const run = async (said: string, suppressionDb?: number) => {
      const sim = new Sim({ tailMs: 100, echoWindowMs: 1500 }, undefined, suppressionDb === undefined ? {} : { deps: { echoSuppressionDb: () => suppressionDb } });
      sim.echoGain = 0;
      sim.answer = (t) => (t === 'read pr twelve' ? { spoken_text: 'Merge PR 12. Say confirm or cancel.' } : { spoken_text: 'Okay.' });
      const ended = await afterReply(sim);
      sim.heard.push({ text: said });
      sim.say(ended + 300, tone(300, 6000));
      await sim.run(1500);
      return sim.commands.slice(1);
    };
    expect(await run('cancel', 20)).toEqual(['cancel']);
    expect(await run('Please cancel', 20)).toEqual(['Please cancel']);
    expect(await run('cancel')).toEqual([]);
    expect(await run('confirm', 20)).toEqual([]);
  });

  it('an utterance started within the echo window is transcribed strictly (it may be the reply) unless the AEC is trusted; the first command and a later one are not', async () => {
    const run = async (suppressionDb?: number) => {
      const calls: { strict: boolean; utterance: number }[] = [];
      let utterance = 0;
      const stt = (s: Sim): SpeechToText => ({
        name: 'fake',
        transcribe: async (a, o) => {
          calls.push({ strict: o?.strict === true, utterance });
          const h = s.heard.shift() ?? { text: '' };
          return { text: h.text, confidence: 0.9, provider: 'fake', processingMs: 0, audioMs: a.samples.length / MS };
        },
        health: () => ({ provider: 'fake', ok: true, message: null }),
      });
      const sim = new Sim({ tailMs: 100, echoWindowMs: 1500 }, stt, suppressionDb === undefined ? {} : { deps: { echoSuppressionDb: () => suppressionDb } });
      sim.echoGain = 0;
      const ended = await afterReply(sim);
      utterance = 1;
      sim.heard.push({ text: 'next' });
      sim.say(ended + 300, tone(300, 6000));
      await sim.run(2500);
      utterance = 2;
      sim.heard.push({ text: 'next' });
      // Well past the window after the reply to "next".
      sim.say(sim.t + 3000, tone(300, 6000));
      await sim.run(4500);
      expect(sim.commands).toEqual(['read pr twelve', 'next', 'next']);
      return [0, 1, 2].map((u) => [...new Set(calls.filter((c) => c.utterance === u).map((c) => c.strict))]);
    };
    expect(await run()).toEqual([[false], [true], [false]]);
    expect(await run(20)).toEqual([[false], [false], [false]]);
  });

  it('a reply cut short by stop() still counts as said: its words heard next are an echo', async () => {
    const counted: string[] = [];
    const sim = new Sim({ tailMs: 100, echoWindowMs: 1500 }, undefined, { deps: { metrics: { observe() {}, increment: (c) => void counted.push(c) } } });
    sim.echoGain = 0;
    sim.heard.push({ text: 'read pr twelve' });
    sim.answer = () => ({ spoken_text: 'Merge PR 12 into main. Say confirm or cancel.' });
    sim.say(100, tone(400, 6000));
    await sim.run(1000);
    expect(sim.loop.state).toBe('speaking');
    sim.loop.stop();
    // A stop is not a barge-in.
    expect(sim.loop.lastBargeIn).toBeNull();
    sim.heard.push({ text: 'merge pr' }); // words already played
    sim.say(sim.t + 300, tone(300, 6000));
    await sim.run(1500);
    expect(sim.states()).toContain('idle:echo');
    expect(sim.events.find((e) => e.reason === 'echo')).toMatchObject({ state: 'idle', transcript: 'merge pr' });
    expect(counted).toContain('voice.echo_dropped');
    expect(sim.commands).toEqual(['read pr twelve']);
  });

  it('the words of a stopped reply that were never played are no echo ("next" after stopping a help that lists it)', async () => {
    // 100 ms per word: 9 words, stopped after about 2 of them had played.
    const sim = new Sim({ tailMs: 100, echoWindowMs: 1500 });
    sim.echoGain = 0;
    sim.heard.push({ text: 'help' });
    sim.answer = (t) => ({ spoken_text: t === 'help' ? 'You can say: what needs my attention, next, or stop.' : 'First notification.' });
    sim.say(100, tone(400, 6000));
    await sim.run(1000);
    expect(sim.loop.state).toBe('speaking');
    const playedMs = sim.t - sim.events.filter((e) => e.state === 'speaking').at(-1)!.at_ms;
    expect(playedMs).toBeLessThan(300);
    sim.loop.stop();
    sim.heard.push({ text: 'next' });
    sim.say(sim.t + 300, tone(300, 6000));
    await sim.run(1500);
    expect(sim.states()).not.toContain('idle:echo');
    expect(sim.commands).toEqual(['help', 'next']);
  });

  it('a reply whose playback fails still counts as said, and starts a tail', async () => {
    const failing: AudioSink = {
      available: true,
      openPlayback: async () => ({
        write: () => Promise.reject(new Error('device gone')),
        drain: () => Promise.resolve(),
        stop() {},
        position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }),
        onRoute: () => () => {},
        close() {},
      }),
    };
    const sim = new Sim({ tailMs: 300, echoWindowMs: 1500 }, undefined, { deps: { sink: failing } });
    sim.heard.push({ text: 'read pr twelve' });
    sim.answer = () => ({ spoken_text: 'Say confirm or cancel.' });
    sim.say(100, tone(400, 6000));
    for (let i = 0; i < 30 && !sim.states().includes('idle:error'); i++) await sim.run(100);
    const failed = sim.events.find((e) => e.state === 'idle' && e.reason === 'error')!;
    expect(failed.message).toBe('device gone');
    const failedAt = failed.at_ms;
    // Inside the tail: not even transcribed.
    sim.say(failedAt + 60, tone(200, 6000));
    await sim.run(800);
    expect(sim.sttAudio).toHaveLength(1);
    // After it, the read-back's words are an echo.
    sim.heard.push({ text: 'say confirm' });
    sim.say(sim.t + 100, tone(300, 6000));
    await sim.run(1000);
    expect(sim.states()).toContain('idle:echo');
    expect(sim.commands).toEqual(['read pr twelve']);
  });

  it('push-to-talk is refused when closed or busy', async () => {
    const sim = new Sim({ mode: 'ptt' });
    sim.loop.close();
    expect(sim.loop.pttStart()).toEqual({ ok: false, state: 'idle' });
    const busy = new Sim({ mode: 'ptt' });
    let release!: (t: Transcript) => void;
    const slow = new Sim({ mode: 'ptt' }, () => ({ name: 'slow', transcribe: () => new Promise<Transcript>((r) => (release = r)), health: () => ({ provider: 'slow', ok: true, message: null }) }));
    slow.say(0, tone(400, 6000));
    slow.loop.pttStart();
    await slow.run(400);
    slow.loop.pttStop();
    await slow.run(40);
    expect(slow.loop.state).toBe('transcribing');
    expect(slow.loop.pttStart()).toEqual({ ok: false, state: 'transcribing' });
    release({ text: '', confidence: 0, provider: 'slow', processingMs: 0, audioMs: 0 });
    expect(busy.loop.pttStart()).toEqual({ ok: true, state: 'listening' });
  });
});

/**
 * Barge-in at its edges (issue 18's mutation run): which part of a reply the gate expects to echo
 * (up to echoDelayMaxMs back, one frame ahead, never past its end), a reply not yet playing, how a
 * barge-in utterance ends, and that a barge-in or stop leaves nothing of the old reply behind.
 */
describe('VoiceLoop barge-in at its edges', () => {
  const health = () => ({ provider: 'fake', ok: true, message: null });

  /** A TTS whose reply is the given parts back to back: [ms, amplitude] of a 200 Hz tone (every 20 ms frame alike). */
  function shapedTts(parts: Array<[number, number]>): TextToSpeech {
    const pieces = parts.map(([ms, amp]) => tone(ms, amp, 200));
    const all = new Int16Array(pieces.reduce((n, p) => n + p.length, 0));
    pieces.reduce((o, p) => (all.set(p, o), o + p.length), 0);
    return { name: 'shaped', voices: ['shaped'], synthesize: async () => ({ audio: { sampleRateHz: RATE, samples: all }, provider: 'shaped', firstAudioMs: 0 }), health };
  }

  /** Runs a turn up to the first frame of its reply; the mic hears the user only (no echo). */
  async function replying(cfg: Partial<VoiceLoopConfig>, tts?: TextToSpeech): Promise<{ sim: Sim; start: number }> {
    const sim = new Sim(cfg, undefined, tts === undefined ? {} : { deps: { tts } });
    sim.echoGain = 0;
    sim.asksForLongReply(undefined, false);
    for (let i = 0; i < 200 && sim.played.length === 0; i++) await sim.run(20);
    expect(sim.loop.state).toBe('speaking');
    return { sim, start: sim.played[0]!.startMs };
  }

  // Levels: the loud part -9.2 dBFS, the quiet part -33.3 dBFS, the user -17.7 dBFS (margin 6 dB).
  const LOUD = 16_000;
  const QUIET = 1_000;
  const USER = 6_000;

  /**
   * Loopback echo of a reply alternating loud and quiet, misplaced against the loop's timeline as
   * seen in the always-on E2E after the glasses went away (streams reopened on another device):
   * stamped 400 ms early, or 1.3 s late from a sink that started late (it drains late too).
   */
  it('its own echo stamped early, or from a sink that started late, never barges in', async () => {
    const bargedIn = async (delayMs: number, drainLateMs: number, cfg: Partial<VoiceLoopConfig> = {}) => {
      const sim = new Sim(cfg, undefined, { deps: { tts: shapedTts([[600, QUIET], [600, LOUD], [600, QUIET], [600, LOUD], [300, QUIET]]) } });
      sim.echoGain = 1;
      sim.echoDelayMs = delayMs;
      sim.drainLateMs = drainLateMs;
      sim.asksForLongReply(undefined, false);
      await sim.run(6_000);
      expect(sim.played.length).toBeGreaterThan(0);
      expect(sim.loop.state).toBe('idle');
      return sim.states().includes('listening:barge-in');
    };
    expect(await bargedIn(-400, 0)).toBe(false);
    expect(await bargedIn(1_300, 1_300)).toBe(false);
    expect(await bargedIn(0, 0)).toBe(false);
    // Without the lead, the early echo of a loud part over a quiet one is taken for the user.
    expect(await bargedIn(-400, 0, { echoLeadMs: 0 })).toBe(true);
  });

  it('the echo of the previous reply does not barge in on the next one; the user over it still does', async () => {
    const tts: TextToSpeech = {
      name: 'two',
      voices: ['two'],
      synthesize: async (text) => ({ audio: { sampleRateHz: RATE, samples: tone(2_000, text.startsWith('loud') ? LOUD : QUIET, 200) }, provider: 'two', firstAudioMs: 0 }),
      health,
    };
    const run = async (user: boolean) => {
      const sim = new Sim({}, undefined, { deps: { tts } });
      sim.echoGain = 1;
      sim.echoDelayMs = 600; // a long speaker path: the end of the first reply sounds during the second
      expect(sim.loop.say('loud first')).toBe(true);
      for (let i = 0; i < 300 && sim.loop.state !== 'idle'; i++) await sim.run(20);
      expect(sim.loop.say('quiet second')).toBe(true);
      const second = sim.t;
      if (user) sim.say(second + 1_000, tone(500, LOUD, 350));
      await sim.run(2_500);
      return sim;
    };
    const echoOnly = await run(false);
    expect(echoOnly.played).toHaveLength(2);
    expect(echoOnly.states()).not.toContain('listening:barge-in');
    const talking = await run(true);
    expect(talking.states()).toContain('listening:barge-in');
  });

  it('the echo of a loud part is expected for echoDelayMaxMs after it: speech over the quiet part after it barges in from then on', async () => {
    /** When the user, speaking from `fromMs` into the reply, barged in (onset, ms into the reply), or null. */
    const bargeIn = async (fromMs: number, ms = 600) => {
      const { sim, start } = await replying({ echoDelayMaxMs: 1_000 }, shapedTts([[600, LOUD], [2_400, QUIET]]));
      sim.say(start + fromMs, tone(ms, USER, 350));
      await sim.run(start + fromMs + ms + 200 - sim.t);
      return sim.loop.lastBargeIn === null ? null : sim.loop.lastBargeIn.onsetMs - start;
    };
    // The loud part ends 600 ms in; its echo may arrive until 1,600 ms in.
    expect(await bargeIn(700, 800)).toBeNull();
    expect(await bargeIn(1_500)).toBe(1_600);
    expect(await bargeIn(1_700)).toBe(1_700);
  });

  it('a loud part still to come does not block barge-in now; one starting within echoLeadMs does', async () => {
    const bargeIn = async (fromMs: number, cfg: Partial<VoiceLoopConfig> = {}) => {
      const { sim, start } = await replying(cfg, shapedTts([[1_000, QUIET], [1_000, LOUD]]));
      sim.say(start + fromMs, tone(300, USER, 350));
      await sim.run(start + fromMs + 500 - sim.t);
      return sim.loop.lastBargeIn === null ? null : sim.loop.lastBargeIn.onsetMs - start;
    };
    expect(await bargeIn(200)).toBe(200);
    // The onset needs three frames clear of the loud part and of the 500 ms (echoLeadMs) ahead of each.
    expect(await bargeIn(420)).toBe(420);
    expect(await bargeIn(440)).toBeNull();
    // With no lead, only the frame ahead of each.
    expect(await bargeIn(920, { echoLeadMs: 0 })).toBe(920);
    expect(await bargeIn(940, { echoLeadMs: 0 })).toBeNull();
  });

  it('speech over the last frames of a reply still barges in (and is heard)', async () => {
    const { sim, start } = await replying({}, shapedTts([[1_000, 5_000]]));
    sim.heard.push({ text: 'next one' });
    sim.say(start + 940, tone(400, LOUD, 350));
    await sim.run(2_000);
    expect(sim.loop.lastBargeIn?.onsetMs).toBe(start + 940);
    expect(sim.commands).toEqual(['read pr twelve', 'next one']);
  });

  it('with no margin, its own echo at exactly the expected level (loopback) never barges in: it must be louder', async () => {
    const sim = new Sim({ bargeInMarginDb: 0 });
    sim.echoGain = 1;
    sim.echoDelayMs = 0;
    sim.heard.push({ text: 'read pr twelve' });
    sim.answer = () => ({ spoken_text: 'a b c d e f g h i j k l m n o p' });
    sim.say(100, tone(400, 6000));
    await sim.run(3_500);
    expect(sim.states()).toContain('idle:done');
    expect(sim.loop.lastBargeIn).toBeNull();
  });

  it('speech while the reply is still being synthesized (nothing plays yet) barges in; the reply, once ready, never plays', async () => {
    let sim!: Sim;
    const slow: TextToSpeech = {
      name: 'slow',
      voices: ['slow'],
      synthesize: async () => {
        const t0 = sim.t;
        while (sim.t < t0 + 1_500) await new Promise<void>((r) => sim.tickWaiters.push(r));
        return { audio: { sampleRateHz: RATE, samples: tone(1_000, 5_000, 200) }, provider: 'slow', firstAudioMs: 1_500 };
      },
      health,
    };
    sim = new Sim({}, undefined, { deps: { tts: slow } });
    sim.echoGain = 0;
    sim.heard.push({ text: 'read pr twelve' }, { text: 'stop talking' });
    sim.answer = (t) => (t === 'read pr twelve' ? { spoken_text: 'Here is PR twelve.' } : { intent: { name: 'system.stop', confidence: 1, entities: {} }, spoken_text: 'Okay.' });
    sim.say(100, tone(400, 6000));
    for (let i = 0; i < 100 && sim.loop.state !== 'speaking'; i++) await sim.run(20);
    expect(sim.loop.state).toBe('speaking');
    const at = sim.t + 100;
    sim.say(at, tone(400, USER, 350)); // over before the synthesis is
    await sim.run(3_000);
    expect(sim.loop.lastBargeIn?.onsetMs).toBe(at);
    expect(sim.commands).toEqual(['read pr twelve', 'stop talking']);
    expect(sim.played).toEqual([]);
    expect(sim.states().at(-1)).toBe('idle:stop');
  });

  it('a barge-in ends on the hangover like any utterance: 180 ms of voice (onset included) is too short, 200 ms is transcribed', async () => {
    const HANGOVER = DEFAULT_VOICE_LOOP_CONFIG.hangoverMs;
    const after = async (voiceMs: number) => {
      const { sim, start } = await replying({});
      sim.heard.push({ text: 'next one' });
      const at = start + 200;
      sim.say(at, tone(voiceMs, LOUD, 350));
      await sim.run(at + voiceMs + HANGOVER + 200 - sim.t);
      expect(sim.loop.lastBargeIn?.onsetMs).toBe(at);
      const barged = sim.events.findIndex((e) => e.state === 'listening' && e.reason === 'barge-in');
      expect(barged).toBeGreaterThan(0);
      const ended = sim.events.slice(barged).find((e) => e.reason === 'too-short' || e.state === 'endpoint');
      expect(ended).toBeDefined();
      // On the hangover's last frame.
      expect(ended!.at_ms).toBe(at + voiceMs + HANGOVER - 20);
      return { how: `${ended!.state}:${ended!.reason}`, commands: sim.commands.slice(1) };
    };
    expect(await after(180)).toEqual({ how: 'idle:too-short', commands: [] });
    expect(await after(200)).toEqual({ how: 'endpoint:endpoint', commands: ['next one'] });
  });

  it('a barge-in starts no tail: after a blip dropped as too short, the user speaking again at once is heard', async () => {
    const { sim, start } = await replying({ tailMs: 1_000 });
    sim.say(start + 200, tone(100, LOUD, 350));
    for (let i = 0; i < 50 && !sim.states().includes('idle:too-short'); i++) await sim.run(20);
    expect(sim.states()).toContain('idle:too-short');
    sim.heard.push({ text: 'next one' });
    sim.say(sim.t + 20, tone(400, USER, 350));
    await sim.run(1_200);
    expect(sim.commands).toEqual(['read pr twelve', 'next one']);
  });

  it('push-to-talk over a streamed reply, released at once: nothing more of the old reply is written', async () => {
    const sim = new Sim({ mode: 'ptt' }, undefined, { streamChunkMs: 100 });
    sim.loop.pttStart();
    sim.asksForLongReply('stop talking');
    await sim.run(600);
    sim.loop.pttStop();
    for (let i = 0; i < 50 && sim.played.length < 3; i++) await sim.run(20);
    expect(sim.loop.state).toBe('speaking');
    expect(sim.loop.pttStart().ok).toBe(true);
    const stoppedAt = sim.t;
    const written = sim.played.length;
    sim.loop.pttStop();
    await sim.run(2_000);
    expect(sim.commands).toEqual(['read pr twelve', 'stop talking']);
    expect(sim.played).toHaveLength(written);
    // Nothing of it sounds after the press.
    for (const p of sim.played) expect(p.stoppedAtMs ?? p.startMs + p.samples.length / MS).toBeLessThanOrEqual(Math.max(stoppedAt, p.startMs));
    expect(sim.streamed.cancelled).toBe(1);
    expect(sim.states()).not.toContain('idle:done');
  });

  it('stop() during playback is the last word: the reply never reports its end afterwards', async () => {
    const { sim } = await replying({});
    await sim.run(200);
    sim.loop.stop();
    await sim.run(2_500);
    expect(sim.states().at(-1)).toBe('idle:stop');
    expect(sim.states()).not.toContain('idle:done');
  });

  it('stop() while the output is still opening: the reply is never written nor timed', async () => {
    let sim!: Sim;
    const written: number[] = [];
    const observed: string[] = [];
    const slowOpen: AudioSink = {
      available: true,
      openPlayback: async () => {
        const t0 = sim.t;
        while (sim.t < t0 + 500) await new Promise<void>((r) => sim.tickWaiters.push(r));
        return {
          write: async (pcm) => void written.push(pcm.length),
          drain: () => Promise.resolve(),
          stop() {},
          position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }),
          onRoute: () => () => {},
          close() {},
        };
      },
    };
    sim = new Sim({}, undefined, { deps: { sink: slowOpen, metrics: { observe: (name) => void observed.push(name), increment() {} } } });
    sim.heard.push({ text: 'read pr twelve' });
    sim.say(100, tone(400, 6000));
    for (let i = 0; i < 100 && sim.loop.state !== 'speaking'; i++) await sim.run(20);
    expect(sim.loop.state).toBe('speaking');
    sim.loop.stop();
    await sim.run(1_500);
    expect(written).toEqual([]);
    expect(sim.states().at(-1)).toBe('idle:stop');
    // No time to first audio: there was no audio.
    expect(observed).toContain('voice.stt');
    expect(observed).not.toContain('voice.turn_to_first_audio');
  });

  it('a reply failing after stop() reports no error and starts no second tail', async () => {
    let sim!: Sim;
    const failing: TextToSpeech = {
      name: 'failing',
      voices: ['failing'],
      synthesize: async () => {
        const t0 = sim.t;
        while (sim.t < t0 + 500) await new Promise<void>((r) => sim.tickWaiters.push(r));
        throw new Error('synthesis failed');
      },
      health,
    };
    sim = new Sim({ tailMs: 300 }, undefined, { deps: { tts: failing } });
    sim.echoGain = 0;
    sim.heard.push({ text: 'read pr twelve' });
    sim.say(100, tone(400, 6000));
    for (let i = 0; i < 100 && sim.loop.state !== 'speaking'; i++) await sim.run(20);
    sim.loop.stop();
    const stoppedAt = sim.t;
    // Past the stop's tail and a moment of silence, before the synthesis fails.
    sim.heard.push({ text: 'next one' });
    sim.say(stoppedAt + 400, tone(400, USER, 350));
    await sim.run(1_500);
    expect(sim.states()).not.toContain('idle:error');
    expect(sim.commands).toEqual(['read pr twelve', 'next one']);
  });
});
