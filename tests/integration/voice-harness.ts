/**
 * A simulated room for the voice loop: a mic and a speaker on a virtual clock. The speaker's
 * output reaches the mic after `echoDelayMs` at `echoGain` (an open speaker beside the mic, or a
 * Bluetooth path slower than the playback end the device reports); user speech is mixed in at
 * chosen times. Implements the AudioSource/AudioSink ports, so the real runner, VAD, STT, pipeline
 * and TTS run over it; only the devices are simulated. Virtual time stands still while the loop
 * transcribes, thinks or synthesizes, so results do not depend on this machine's speed.
 */
import type { VoiceLoopState } from '../../contract/events.js';
import type { AudioSink, AudioSource, CaptureSession, PcmChunk, PlaybackSession } from '../../core/ports/audio.js';
import type { Speech, SpeechStream, SpeechToText, TextToSpeech } from '../../core/ports/speech.js';
import { resample } from '../../main/speech/wav.js';
import type { AddonAudio } from '../../main/audio/addonAudio.js';
import type { App } from '../../main/app/app.js';

const RATE = 16_000;
const MS = RATE / 1000;
const FRAME_MS = 20;

interface Played {
  samples: Int16Array;
  startMs: number;
  stoppedAtMs: number | null;
}

export class SimulatedRoom {
  t = 0;
  echoDelayMs = 0;
  echoGain = 1;
  /**
   * Further echo paths (reflections), each `delayMs` after the direct one at `gain`: with the
   * direct path, an FIR echo path that colours the echo the way a room or a housing does.
   */
  echoTaps: { delayMs: number; gain: number }[] = [];
  readonly played: Played[] = [];
  /** Replies that may still reach the mic (the mixing loop only looks at these). */
  private sounding: Played[] = [];
  private user: { at: number; samples: Int16Array }[] = [];
  private listeners = new Set<(c: PcmChunk) => void>();
  private drains: { p: Played; resolve: () => void }[] = [];
  private seq = 0;
  private framesSinceYield = 0;
  /** Set by the test from 'voice.state' events: the loop is working and time should stand still. */
  state: VoiceLoopState = 'idle';
  awaitingAudio = false;
  /** Transcriptions under way through decodingStt(): virtual time waits for them. */
  private decoding = 0;
  readonly audio: AddonAudio;

  constructor() {
    const room = this;
    const source: AudioSource = {
      available: true,
      unavailableReason: null,
      listDevices: async () => [],
      async openCapture(): Promise<CaptureSession> {
        let l: ((c: PcmChunk) => void) | null = null;
        return {
          onChunk(listener) {
            l = listener;
            room.listeners.add(listener);
            return () => room.listeners.delete(listener);
          },
          onLevel: () => () => {},
          onRoute: () => () => {},
          pause() {},
          resume() {},
          close() {
            if (l) room.listeners.delete(l);
          },
        };
      },
      watchRoutes: (_l, onReady) => (onReady?.(), () => {}),
    };
    const sink: AudioSink = {
      available: true,
      async openPlayback(req): Promise<PlaybackSession> {
        let current: Played | null = null;
        /** The reply being written is complete (drain() was called): the next write starts another. */
        let drained = true;
        return {
          async write(pcm) {
            const s = pcm instanceof Int16Array ? pcm : Int16Array.from(pcm, (v) => Math.round(v * 32767));
            const samples = req.sampleRateHz === RATE ? s : resample(s, req.sampleRateHz, RATE);
            if (current !== null && current.stoppedAtMs === null && !drained) {
              // A streamed reply's next chunk: queued behind what plays, one reply in `played`.
              const joined = new Int16Array(current.samples.length + samples.length);
              joined.set(current.samples);
              joined.set(samples, current.samples.length);
              current.samples = joined;
              return;
            }
            drained = false;
            current = { samples, startMs: room.t, stoppedAtMs: null };
            room.played.push(current);
            room.sounding.push(current);
            room.awaitingAudio = false;
          },
          drain() {
            drained = true;
            const p = current;
            if (p === null || p.stoppedAtMs !== null) return Promise.resolve();
            return new Promise<void>((resolve) => room.drains.push({ p, resolve }));
          },
          stop() {
            if (current && current.stoppedAtMs === null) current.stoppedAtMs = room.t;
            for (const d of room.drains.splice(0)) d.resolve();
          },
          position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }),
          onRoute: () => () => {},
          close() {},
        };
      },
    };
    this.audio = { source, sink, nowMs: () => this.t };
  }

  /** Tracks the loop's state (wire to the 'voice.state' event). */
  onState(state: VoiceLoopState): void {
    this.state = state;
    this.awaitingAudio = state === 'speaking' && !this.playing();
  }

  private playing(): boolean {
    const p = this.played.at(-1);
    return p !== undefined && p.stoppedAtMs === null && this.t < p.startMs + p.samples.length / MS;
  }

  /** The user speaks `samples` (16 kHz) starting at `atMs`. */
  say(atMs: number, samples: Int16Array): void {
    this.user.push({ at: atMs, samples });
  }

  /** Mic self-noise, ±`noiseFloor` (≈ -60 dBFS): real mics are never digitally silent, and pocketsphinx misreads speech padded with exact zeros. */
  noiseFloor = 30;

  private micAt(i: number): number {
    // Deterministic per-sample noise (an integer hash of the sample index).
    let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ (h >>> 16);
    let v = ((h & 0xffff) / 0xffff - 0.5) * 2 * this.noiseFloor;
    for (const u of this.user) {
      const k = i - Math.round(u.at * MS);
      if (k >= 0 && k < u.samples.length) v += u.samples[k] as number;
    }
    const d = Math.round(this.echoDelayMs * MS);
    for (const p of this.sounding) {
      const end = p.stoppedAtMs === null ? p.samples.length : Math.min(p.samples.length, Math.round((p.stoppedAtMs - p.startMs) * MS));
      const k = i - d - Math.round(p.startMs * MS);
      if (k >= 0 && k < end) v += this.echoGain * (p.samples[k] as number);
      for (const tap of this.echoTaps) {
        const kt = k - Math.round(tap.delayMs * MS);
        if (kt >= 0 && kt < end) v += this.echoGain * tap.gain * (p.samples[kt] as number);
      }
    }
    return Math.max(-32768, Math.min(32767, Math.round(v)));
  }

  /**
   * `stt` with virtual time standing still while it transcribes, the loop's speculative decodes
   * during a pause too: the offline recognizer decodes on the thread pool, and frames pushed at full
   * speed meanwhile would make the early end of turn depend on this machine's speed.
   */
  decodingStt(stt: SpeechToText): SpeechToText {
    const wrapped = Object.create(stt) as SpeechToText;
    wrapped.transcribe = async (audio, opts) => {
      this.decoding++;
      try {
        return await stt.transcribe(audio, opts);
      } finally {
        this.decoding--;
      }
    };
    return wrapped;
  }

  /** Advances virtual time by `ms` in 20 ms mic chunks; waits (in real time) while the loop works. */
  async run(ms: number, timeoutMs = 60_000): Promise<void> {
    const until = this.t + ms;
    const deadline = performance.now() + timeoutMs;
    while (this.t < until) {
      while (['endpoint', 'transcribing', 'thinking'].includes(this.state) || this.awaitingAudio || this.decoding > 0) {
        if (performance.now() > deadline) throw new Error(`the loop stayed in ${this.state} for ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 1));
      }
      const data = new Int16Array(FRAME_MS * MS);
      const i0 = Math.round(this.t * MS);
      for (let k = 0; k < data.length; k++) data[k] = this.micAt(i0 + k);
      const chunk: PcmChunk = { sampleRateHz: RATE, channels: 1, format: 'int16', data, frames: data.length, captureTimestampMs: this.t, seq: this.seq++, preRoll: false };
      this.t += FRAME_MS;
      const stateBefore = this.state;
      for (const l of this.listeners) l(chunk);
      let resolved = false;
      for (const d of [...this.drains]) {
        if (this.t >= d.p.startMs + d.p.samples.length / MS) {
          this.drains.splice(this.drains.indexOf(d), 1);
          d.resolve();
          resolved = true;
        }
      }
      // Let the loop's async work run whenever something happened (a state change, a drained
      // reply, a stop); otherwise frames follow each other at once, with a breather now and then.
      if (resolved || this.state !== stateBefore || this.awaitingAudio || ++this.framesSinceYield >= 25) {
        this.framesSinceYield = 0;
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
      }
    }
    // Old user speech and replies no longer sound; forget them so mixing stays cheap.
    this.user = this.user.filter((u) => u.at * MS + u.samples.length > this.t * MS);
    const tail = this.echoDelayMs + Math.max(0, ...this.echoTaps.map((x) => x.delayMs));
    this.sounding = this.sounding.filter((p) => (p.stoppedAtMs ?? p.startMs + p.samples.length / MS) + tail >= this.t);
  }

  /** Runs until the loop is idle and nothing has played for `quietMs`. */
  async runUntilQuiet(quietMs = 2000, maxMs = 30_000): Promise<void> {
    const stop = this.t + maxMs;
    while (this.t < stop) {
      await this.run(100);
      const last = this.played.at(-1);
      const lastEnd = last ? (last.stoppedAtMs ?? last.startMs + last.samples.length / MS) + this.echoDelayMs : 0;
      const userEnd = Math.max(0, ...this.user.map((u) => u.at + u.samples.length / MS));
      if (this.state === 'idle' && this.t - Math.max(lastEnd, userEnd) >= quietMs) return;
    }
    throw new Error(`not quiet after ${maxMs} ms of virtual time (state ${this.state})`);
  }
}

/**
 * A TTS that synthesizes each text once (the 100-run test reuses one clip). It streams the cached
 * audio in ~100 ms chunks when the wrapped TTS streams (as espeak-ng does), so the loop is tested
 * on the path it takes in the app.
 */
export function cachedTts(tts: TextToSpeech): TextToSpeech & { calls: number; synthesized: number } {
  const cache = new Map<string, Promise<Speech>>();
  const wrapped = {
    name: tts.name,
    voices: tts.voices,
    calls: 0,
    synthesized: 0,
    synthesize(text: string, opts?: Parameters<TextToSpeech['synthesize']>[1]): Promise<Speech> {
      wrapped.calls++;
      const key = `${opts?.voice ?? ''}|${text}`;
      let p = cache.get(key);
      if (!p) {
        wrapped.synthesized++;
        p = tts.synthesize(text, opts);
        cache.set(key, p);
      }
      return p;
    },
    ...(tts.synthesizeStream !== undefined
      ? {
          async synthesizeStream(text: string, opts?: Parameters<TextToSpeech['synthesize']>[1]): Promise<SpeechStream> {
            const whole = await wrapped.synthesize(text, opts);
            const { sampleRateHz, samples } = whole.audio;
            const step = Math.round(sampleRateHz / 10);
            let cancelled = false;
            return {
              sampleRateHz,
              provider: whole.provider,
              firstAudioMs: whole.firstAudioMs,
              cancel: () => {
                cancelled = true;
              },
              chunks: (async function* () {
                for (let o = 0; o < samples.length && !cancelled; o += step) yield samples.slice(o, o + step);
              })(),
            };
          },
        }
      : {}),
    health: () => tts.health(),
  };
  return wrapped;
}

/** A squash merge of acme/api#12 (at `headSha`) waiting for "confirm" in `sessionId`, with `readBack` as its read-back; its token. */
export function pendingMerge(app: App, sessionId: string, readBack: string, headSha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'): string {
  return app.pipeline.actions.create({
    kind: 'pr.merge',
    sessionId,
    userId: app.config.user,
    repo: 'acme/api',
    number: 12,
    headSha,
    params: { method: 'squash' },
    readBack,
    ttlMs: 3_600_000,
    correlationId: `aec-${sessionId}`,
  }).token;
}
