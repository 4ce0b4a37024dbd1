/**
 * Acoustic echo cancellation between the speaker and the mic: every reply written to playback is
 * kept on the mic's clock as the echo reference, and every captured frame goes through the echo
 * canceller (speexdsp in the audio add-on) with the reference frame for the same moment. The voice
 * loop then hears the user, not the reply — so "stop" or "cancel" over or right after a reply can
 * count. The loop's policy (core/voice) asks `suppressionDb()` how far the echo is cancelled right
 * now, measured, and relaxes its text-level echo guards only when it is.
 */
import type { AudioSink, AudioSource, CaptureSession, PcmChunk, PlaybackSession } from '../../core/ports/audio.js';
import { resample } from '../speech/wav.js';
import type { AddonAudio } from './addonAudio.js';

/** The add-on's echo canceller (native/audio-addon/lib/echo.ts), structurally. */
export interface EchoCancellerLike {
  readonly sampleRateHz: number;
  readonly frameSamples: number;
  process(mic: Int16Array, ref: Int16Array): Int16Array;
  reset(): void;
  close(): void;
}

export interface EchoCancelOptions {
  /** Makes the canceller for a capture stream (one per stream). */
  create(opts: { sampleRateHz: number; frameSamples: number; filterMs: number }): EchoCancellerLike;
  /** Longest speaker → mic echo modelled, ms. Default 300. */
  filterMs?: number;
  /** Known output latency: a reply written at t is heard from t + this, ms. Default 0. */
  referenceDelayMs?: number;
}

/** The echo-cancelled audio, with the measured echo return loss enhancement (ERLE). */
export interface EchoCancelledAudio extends AddonAudio {
  /**
   * How far (dB) the canceller currently lowers the echo: the smoothed per-frame ratio (dB) of mic
   * energy before and after cancellation over frames when a reply was sounding (0.4 s time
   * constant). 0 until it has been measured.
   */
  suppressionDb(): number;
}

interface Segment {
  /** When its first sample is heard, mic clock ms. */
  startMs: number;
  samples: Int16Array;
  /** Samples actually played (stop() cuts it). */
  end: number;
}

/** Smoothing per frame with a reference (20 ms frames → 0.4 s time constant): the figure follows the end of the latest reply, so a changed echo path shows before its echo tail matters. */
const SMOOTH = 0.05;
/** A reference frame below this RMS (int16 units, ≈ −50 dBFS) counts as silence. */
const REF_ACTIVE_RMS = 100;
/** One frame's ERLE counts at most this much (dB), so a few silent frames cannot dominate. */
const MAX_FRAME_DB = 40;
/** Reported when replies are not heard by the mic at all. */
const NO_ECHO_DB = 40;

/** Wraps `audio` so capture is echo-cancelled against what its sink plays. */
export function withEchoCancellation(audio: AddonAudio, opts: EchoCancelOptions): EchoCancelledAudio {
  const filterMs = opts.filterMs ?? 300;
  const delayMs = opts.referenceDelayMs ?? 0;
  const segments: Segment[] = [];
  let micE = 0;
  let erleDb = 0;
  let measured = false;

  /** The reference (what the speaker plays) for `n` samples from `atMs`, at `rate`. */
  const referenceAt = (atMs: number, n: number, rate: number): { ref: Int16Array; active: boolean } => {
    const ref = new Int16Array(n);
    let active = false;
    for (const s of segments) {
      const k0 = Math.round(((atMs - s.startMs - delayMs) * rate) / 1000);
      if (k0 >= s.end || k0 + n <= 0) continue;
      for (let i = Math.max(0, -k0); i < n && k0 + i < s.end; i++) ref[i] = Math.max(-32768, Math.min(32767, (ref[i] as number) + (s.samples[k0 + i] as number)));
    }
    let e = 0;
    for (let i = 0; i < n; i++) e += (ref[i] as number) ** 2;
    if (Math.sqrt(e / n) > REF_ACTIVE_RMS) active = true;
    return { ref, active };
  };
  /** Forget replies that can no longer echo. */
  const prune = (nowMs: number): void => {
    for (let i = segments.length - 1; i >= 0; i--) {
      const s = segments[i] as Segment;
      if (s.startMs + delayMs + (s.end / captureRate) * 1000 + filterMs + 1000 < nowMs) segments.splice(i, 1);
    }
  };
  let captureRate = 16_000;

  const source: AudioSource = {
    available: audio.source.available,
    unavailableReason: audio.source.unavailableReason,
    listDevices: () => audio.source.listDevices(),
    watchRoutes: (l) => audio.source.watchRoutes(l),
    async openCapture(req): Promise<CaptureSession> {
      const rate = req.sampleRateHz ?? 16_000;
      if ((req.channels ?? 1) !== 1) throw new Error('Echo cancellation needs mono capture.');
      captureRate = rate;
      const inner = await audio.source.openCapture({ ...req, format: 'int16' });
      const frame = Math.round(rate / 50);
      const aec = opts.create({ sampleRateHz: rate, frameSamples: frame, filterMs });
      let pending = new Int16Array(0);
      let pendingAtMs = 0;
      let seq = 0;
      const listeners = new Set<(c: PcmChunk) => void>();
      const off = inner.onChunk((c) => {
        const data = c.data instanceof Int16Array ? c.data : Int16Array.from(c.data, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
        let buf = data;
        let at = c.captureTimestampMs;
        if (pending.length > 0) {
          buf = new Int16Array(pending.length + data.length);
          buf.set(pending);
          buf.set(data, pending.length);
          at = pendingAtMs;
        }
        let o = 0;
        for (; o + frame <= buf.length; o += frame) {
          const atMs = at + (o / rate) * 1000;
          const mic = buf.slice(o, o + frame);
          const { ref, active } = referenceAt(atMs, frame, rate);
          const out = aec.process(mic, ref);
          if (active) {
            let a = 0;
            let b = 0;
            for (let i = 0; i < frame; i++) {
              a += (mic[i] as number) ** 2;
              b += (out[i] as number) ** 2;
            }
            // Averaged in dB, per frame: the user talking over a reply (near-end speech, nothing
            // to cancel) pulls the figure down for as long as it lasts, not by its loudness.
            const erle = Math.min(MAX_FRAME_DB, Math.max(0, 10 * Math.log10((a + 1) / (b + 1))));
            micE = measured ? micE + SMOOTH * (a - micE) : a;
            erleDb = measured ? erleDb + SMOOTH * (erle - erleDb) : erle;
            measured = true;
          }
          const chunk: PcmChunk = { sampleRateHz: rate, channels: 1, format: 'int16', data: out, frames: frame, captureTimestampMs: atMs, seq: seq++, preRoll: c.preRoll };
          for (const l of listeners) l(chunk);
        }
        pending = buf.slice(o);
        pendingAtMs = at + (o / rate) * 1000;
        prune(at);
      });
      return {
        onChunk(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        onLevel: (l) => inner.onLevel(l),
        onRoute: (l) => inner.onRoute(l),
        pause: () => inner.pause(),
        resume: () => inner.resume(),
        close() {
          off();
          listeners.clear();
          inner.close();
          aec.close();
        },
      };
    },
  };

  const sink: AudioSink = {
    available: audio.sink.available,
    async openPlayback(req): Promise<PlaybackSession> {
      const inner = await audio.sink.openPlayback(req);
      let current: Segment | null = null;
      const stopAll = (): void => {
        const now = audio.nowMs();
        for (const s of segments) {
          const played = Math.max(0, Math.round(((now - s.startMs) * captureRate) / 1000));
          if (played < s.end) s.end = played;
        }
      };
      return {
        async write(pcm) {
          const mono = pcm instanceof Int16Array ? pcm : Int16Array.from(pcm, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
          if ((req.channels ?? 1) !== 1) throw new Error('Echo cancellation needs mono playback.');
          const samples = req.sampleRateHz === captureRate ? mono : resample(mono, req.sampleRateHz, captureRate);
          const now = audio.nowMs();
          // Back-to-back writes continue the previous segment's timeline.
          const prevEnd = current ? current.startMs + (current.end / captureRate) * 1000 : -Infinity;
          current = { startMs: Math.max(now, prevEnd), samples, end: samples.length };
          segments.push(current);
          await inner.write(pcm);
        },
        drain: () => inner.drain(),
        stop() {
          stopAll();
          inner.stop();
        },
        position: () => inner.position(),
        onRoute: (l) => inner.onRoute(l),
        close: () => inner.close(),
      };
    },
  };

  return {
    source,
    sink,
    nowMs: () => audio.nowMs(),
    suppressionDb: () => {
      if (!measured) return 0;
      // Replies sounded but the mic barely heard them (a headset): there is no echo to cancel.
      if (micE < REF_ACTIVE_RMS ** 2 * Math.round(captureRate / 50)) return NO_ECHO_DB;
      return erleDb;
    },
  };
}
