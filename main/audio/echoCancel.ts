/**
 * Acoustic echo cancellation between the speaker and the mic: every reply written to playback is
 * kept on the mic's clock as the echo reference, and every captured frame goes through the echo
 * canceller (speexdsp in the audio add-on) with the reference frame for the same moment. The voice
 * loop then hears the user, not the reply — so "stop" or "cancel" over or right after a reply can
 * count. The loop's policy (core/voice) asks `suppressionDb()` how far the echo is cancelled right
 * now, measured, and relaxes its text-level echo guards only when it is.
 */
import type { AudioSink, AudioSource, CaptureSession, PcmChunk, PlaybackPosition, PlaybackSession } from '../../core/ports/audio.js';
import { resample } from '../speech/wav.js';
import type { AddonAudio } from './types.js';

/** The add-on's echo canceller (native/audio-addon/lib/echo.ts), structurally. */
export interface EchoCancellerLike {
  readonly sampleRateHz: number;
  readonly frameSamples: number;
  /** How late its output is, samples (the add-on's: one frame); default 0. */
  readonly latencySamples?: number;
  process(mic: Int16Array, ref: Int16Array): Int16Array;
  reset(): void;
  close(): void;
}

export interface EchoCancelOptions {
  /** Makes the canceller for a capture stream (one per stream). */
  create(opts: { sampleRateHz: number; frameSamples: number; filterMs: number }): EchoCancellerLike;
  /** Longest speaker → mic echo modelled, ms. Default 300. */
  filterMs?: number;
  /**
   * Starting guess of the bulk delay, ms: a reply written at t is heard from t + this. The delay
   * is then measured from the audio itself (see BulkDelay) and this only matters until then.
   * Default 0.
   */
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
  /** The bulk delay (ms) currently assumed between a reply as written and its echo. */
  referenceDelayMs(): number;
  /**
   * How loud the reply's echo is in the cancelled mic audio, relative to the reply itself, dB
   * (−30: the echo comes out 30 dB below the loudest frame of the reply over the last second, as
   * written): the 90th percentile over the last 2 s of frames with the reply's echo due. Measured
   * on the output, so it covers the acoustic path (ERL) and the canceller (ERLE) together, and
   * follows a changed echo path within a few frames, before the canceller re-learns it. Measured
   * afresh for each reply that follows quiet (the path may have changed meanwhile): null until
   * 0.3 s of it has sounded.
   */
  residualEchoDb(): number | null;
}

interface Segment {
  /** When its first sample is heard, mic clock ms. */
  startMs: number;
  samples: Int16Array;
  /** Samples actually played (stop() cuts it). */
  end: number;
  /** Where it sits in its playback stream, to place it by what the stream has played (see PlayedAnchor). */
  anchor: PlayedAnchor | null;
  /** The playback stream it was written to. */
  stream: object;
  /** When it was written, ms. */
  writtenMs: number;
}

/** A reply its stream has not started this long after it was written (ms) will not be. */
const NEVER_STARTED_MS = 10_000;

/** A reply its stream starts this much (ms) later than its replies usually start is late (see PlayedAnchor). */
const LATE_START_MS = 40;
/** The usual start lag is the least over this many replies (late starts are rare, and only ever late). */
const LAG_HISTORY = 8;

/** What a playback stream's replies have shown (see PlayedAnchor). */
class StreamTiming {
  private lags: number[] = [];
  /** How long after it was written (ms) a reply usually starts by the stream's played-frame count; 0 before any has. */
  get usualLagMs(): number {
    return this.lags.length === 0 ? 0 : Math.min(...this.lags);
  }
  /** One reply's start lag, ms. */
  add(lagMs: number): void {
    this.lags.push(lagMs);
    if (this.lags.length > LAG_HISTORY) this.lags.shift();
  }
}

/**
 * Places a reply by when its playback stream plays it, when that is late. A stream that has been
 * idle can start late: through the audio process, PulseAudio's null sink played the first two
 * replies 1120 and 380 ms after they were written (every later one 5–25 ms after), beyond the
 * canceller's 300 ms filter and far from the bulk delay learnt on the others. Their echo went
 * through uncancelled, and the loop took it for the user. The stream's played-frame count (output
 * latency already deducted by the add-on) says when a reply's first frame left:
 * `now − (played − first) / rate`. A reply the count has not started LATE_START_MS past its
 * stream's usual lag is held back (no reference: there is no echo yet, and a reference without
 * one would teach the canceller that there is none), then placed where the count says, less the
 * usual lag, so the bulk delay learnt on on-time replies still fits. The usual lag is learnt, so
 * a device that reports more output latency than it has (its count always late) is not taken
 * for late after its first reply. The count moves in whole device callbacks and is read between
 * them, so the least of the readings over a late reply's first 0.5 s is kept. A reply that plays
 * on time stays where it was written: moving the reference by a few samples costs the canceller
 * more than it gains.
 */
class PlayedAnchor {
  private state: 'waiting' | 'onTime' | 'late' = 'waiting';
  /** On time: where it was expected when it started. Late: the earliest start the count gave, less the usual lag then. */
  private placed = Infinity;
  private best = Infinity;
  private lagMs = 0;
  private done = false;
  /**
   * @param plannedMs where it was placed when written (then, or behind the reply before it), ms;
   * @param firstFrame the stream's written-frame count before it; @param rateHz the stream's rate;
   * @param frames its length in the stream's frames.
   */
  constructor(
    private readonly position: () => PlaybackPosition | null,
    private readonly timing: StreamTiming,
    readonly plannedMs: number,
    private readonly firstFrame: number,
    private readonly rateHz: number,
    private readonly frames: number,
  ) {}

  /**
   * Where the reply starts (ms, `nowMs`'s clock), given where it is expected to (`expectedMs`: as
   * planned, or behind the reply before it as that one was placed); Infinity while it is late
   * and not playing yet.
   */
  placement(nowMs: number, expectedMs: number): number {
    if (!this.done) this.read(nowMs, expectedMs);
    if (this.state === 'onTime') return this.placed;
    if (this.state === 'late') return this.best - this.lagMs;
    return nowMs - expectedMs > this.timing.usualLagMs + LATE_START_MS ? Infinity : expectedMs;
  }

  private read(nowMs: number, expectedMs: number): void {
    const p = this.position();
    if (p === null) return;
    if (p.writtenFrames <= this.firstFrame) {
      // A stream that does not count what it is given cannot say when it plays it.
      this.state = 'onTime';
      this.placed = expectedMs;
      this.done = true;
      return;
    }
    if (p.playedFrames <= this.firstFrame) return;
    const est = nowMs - ((p.playedFrames - this.firstFrame) / this.rateHz) * 1000;
    // Readings once it has played for a while add nothing: the start is known by then.
    if (p.playedFrames - this.firstFrame >= Math.min(this.frames, this.rateHz / 2)) this.done = true;
    if (this.state === 'waiting') {
      const lag = est - expectedMs;
      this.lagMs = this.timing.usualLagMs;
      this.timing.add(lag);
      if (lag - this.lagMs < LATE_START_MS) {
        this.state = 'onTime';
        this.placed = expectedMs;
        this.done = true;
        return;
      }
      this.state = 'late';
    }
    this.best = Math.min(this.best, est);
  }
}

/** Smoothing per frame with a reference (20 ms frames → 0.4 s time constant): the figure follows the end of the latest reply, so a changed echo path shows before its echo tail matters. */
const SMOOTH = 0.05;
/** A reference frame below this RMS (int16 units, ≈ −50 dBFS) counts as silence. */
const REF_ACTIVE_RMS = 100;
/** One frame's ERLE counts at most this much (dB), so a few silent frames cannot dominate. */
const MAX_FRAME_DB = 40;

/** Residual echo (see residualEchoDb): reply level over this many frames (1 s, as the voice loop's echo window), ... */
const RESIDUAL_SPAN_FRAMES = 50;
/** ... and the percentile over this many frames with a reply sounding (2 s). */
const RESIDUAL_HISTORY = 100;
const RESIDUAL_PERCENTILE = 0.9;
/** Fewer frames of the current reply than this (0.3 s): not measured yet. */
const RESIDUAL_MIN_FRAMES = 15;

/** dB of a frame's energy (sum of squares over `n` samples) relative to full scale; −120 for silence. */
const frameDb = (e: number, n: number): number => (e > 0 ? 10 * Math.log10(e / n / 32768 ** 2) : -120);

/** The reference leads the echo by this much (ms), so the filter sees the whole echo onset. */
const MARGIN_MS = 20;
/**
 * The mic's own timeline for the canceller's reference. Capture stamps are estimates: from chunk to
 * chunk they jitter by up to ~0.5 ms about the samples' real times (PulseAudio through PortAudio,
 * idle), and a callback that runs late stamps its chunk late by as much. Followed as they came, the
 * reference moved against the mic by up to 8 samples at 16 kHz at each jitter, the canceller
 * re-learnt the echo path each time, and now and then let a burst of the reply through at full
 * level (the loop heard it as the user barging in). The mic's samples are continuous, so this
 * timeline runs on their count and moves only when the stamps say so for sure: at once when a
 * stamp is earlier than the timeline by `resyncMs` (a late anchor; lateness never makes a stamp
 * early), when the last `window` stamps are all later by more than that (samples lost, drift
 * adding up), by the least of them, and at once for a stamp `restartMs` late (capture paused and
 * resumed: no callback runs that late without losing samples).
 */
export class MicTimeline {
  private nextMs: number | null = null;
  private late: number[] = [];
  /** @param resyncMs ms; @param window chunks; @param restartMs ms. */
  constructor(
    private readonly resyncMs = 3,
    private readonly window = 5,
    private readonly restartMs = 60,
  ) {}

  /** The time (ms) of a chunk's first sample on the timeline, from its capture stamp (ms) and its length (ms). */
  next(stampMs: number, durationMs: number): number {
    if (this.nextMs === null) this.nextMs = stampMs;
    const errMs = stampMs - this.nextMs;
    this.late.push(errMs);
    if (this.late.length > this.window) this.late.shift();
    const least = Math.min(...this.late);
    if (errMs <= -this.resyncMs || errMs >= this.restartMs) this.shift(errMs);
    else if (this.late.length === this.window && least >= this.resyncMs) this.shift(least);
    const at = this.nextMs;
    this.nextMs += durationMs;
    return at;
  }

  private shift(ms: number): void {
    this.nextMs = (this.nextMs as number) + ms;
    this.late = this.late.map((e) => e - ms);
  }
}
/** A new bulk delay must correlate this much better than the one in use (see BulkDelay.push). */
const HYSTERESIS = 0.1;

const energy = (x: Int16Array): number => {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += (x[i] as number) ** 2;
  return e;
};

/**
 * Bulk delay between a reply as written and its echo in the mic, from the audio: the lag (in
 * frames) that best correlates the log-energy envelopes of mic and reference over the last 5 s.
 * Output buffering, and capture timestamps that are estimates, put it anywhere in ±800 ms — beyond
 * what the canceller's filter can model by itself.
 */
export class BulkDelay {
  private mic: number[] = [];
  private ref: number[] = [];
  private active = 0;
  private since = 0;
  /** @param frameMs frame length, ms. */
  constructor(
    private readonly frameMs: number,
    private readonly history = 250,
    private readonly maxLag = 40,
  ) {}

  /**
   * One frame's energies (sum of squares); returns a new delay estimate (ms) now and then, else
   * null. `currentMs`: the delay in use, if any; another is only returned when its correlation
   * beats the current one's by HYSTERESIS (a weak echo correlates almost as well at other lags).
   */
  push(micEnergy: number, refEnergy: number, refActive: boolean, currentMs?: number): number | null {
    this.mic.push(Math.log10(micEnergy + 1));
    this.ref.push(Math.log10(refEnergy + 1));
    if (refActive) this.active++;
    if (this.mic.length > this.history) {
      this.mic.shift();
      this.ref.shift();
    }
    if (++this.since < 50 || this.active < 50) return null;
    this.since = 0;
    // Two estimates in a row must agree: speech envelopes correlate at other lags now and then.
    let e = this.estimate();
    if (e !== null && currentMs !== undefined && Math.abs(e.ms - currentMs) > this.frameMs) {
      const here = this.correlation(Math.round(currentMs / this.frameMs));
      if (here !== null && e.r < here + HYSTERESIS) e = null;
    }
    const ms = e?.ms ?? null;
    const agreed = ms !== null && this.last !== null && Math.abs(ms - this.last) <= 2 * this.frameMs ? ms : null;
    this.last = ms;
    return agreed;
  }

  private last: number | null = null;

  private estimate(): { ms: number; r: number } | null {
    let best = 0.6;
    let bestLag: number | null = null;
    for (let lag = -this.maxLag; lag <= this.maxLag; lag++) {
      const r = this.correlation(lag);
      if (r !== null && r > best) {
        best = r;
        bestLag = lag;
      }
    }
    return bestLag === null ? null : { ms: bestLag * this.frameMs, r: best };
  }

  /** Correlation of mic[t] with ref[t - lag] (the echo `lag` frames after the reply was written); null with too little overlap. */
  private correlation(lag: number): number | null {
    const n = this.mic.length;
    let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, k = 0;
    for (let t = Math.max(0, lag); t < n && t - lag < n; t++) {
      const x = this.mic[t] as number;
      const y = this.ref[t - lag] as number;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      k++;
    }
    if (k < 50) return null;
    const cov = sxy - (sx * sy) / k;
    const den = Math.sqrt((sxx - (sx * sx) / k) * (syy - (sy * sy) / k));
    return den > 0 ? cov / den : 0;
  }
}

/** Wraps `audio` so capture is echo-cancelled against what its sink plays. */
export function withEchoCancellation(audio: AddonAudio, opts: EchoCancelOptions): EchoCancelledAudio {
  const filterMs = opts.filterMs ?? 300;
  let delayMs = opts.referenceDelayMs ?? 0;
  const segments: Segment[] = [];
  let erleDb = 0;
  let measured = false;
  /** Reply level (dB, as written) of the last RESIDUAL_SPAN_FRAMES frames, and output-minus-reply samples. */
  const replyDb: number[] = [];
  const residual: number[] = [];

  /** The reference (what the speaker plays) for `n` samples from `atMs`, at `rate`. */
  const referenceAt = (atMs: number, n: number, rate: number, delay = delayMs): { ref: Int16Array; active: boolean; energy: number } => {
    const ref = new Int16Array(n);
    let active = false;
    for (const s of segments) {
      const k0 = Math.round(((atMs - s.startMs - delay) * rate) / 1000);
      if (k0 >= s.end || k0 + n <= 0) continue;
      for (let i = Math.max(0, -k0); i < n && k0 + i < s.end; i++) ref[i] = Math.max(-32768, Math.min(32767, (ref[i] as number) + (s.samples[k0 + i] as number)));
    }
    let e = 0;
    for (let i = 0; i < n; i++) e += (ref[i] as number) ** 2;
    if (Math.sqrt(e / n) > REF_ACTIVE_RMS) active = true;
    return { ref, active, energy: e };
  };
  /**
   * Places replies where their stream played them (PlayedAnchor); a reply queued behind another on
   * the same stream cannot start before that one ends.
   */
  const follow = (nowMs: number): void => {
    const ends = new Map<object, number>();
    for (const s of segments) {
      // Cut to nothing by a stop: nothing of it plays, nothing waits behind it.
      if (s.anchor === null || s.end === 0) continue;
      // Written while the one before it was still to play: expected right behind it, as placed now.
      const prevEnd = ends.get(s.stream);
      const expected = prevEnd !== undefined && prevEnd >= s.anchor.plannedMs ? prevEnd : s.anchor.plannedMs;
      s.startMs = s.anchor.placement(nowMs, expected);
      ends.set(s.stream, s.startMs + (s.end / captureRate) * 1000);
    }
  };
  /** Forget replies that can no longer echo. */
  const prune = (nowMs: number): void => {
    for (let i = segments.length - 1; i >= 0; i--) {
      const s = segments[i] as Segment;
      // A reply its stream never started (the device went away) is dropped after a while too.
      if (s.startMs === Infinity && s.writtenMs + NEVER_STARTED_MS < nowMs) segments.splice(i, 1);
      else if (s.startMs + delayMs + (s.end / captureRate) * 1000 + filterMs + 1000 < nowMs) segments.splice(i, 1);
    }
  };
  let captureRate = 16_000;

  const source: AudioSource = {
    available: audio.source.available,
    unavailableReason: audio.source.unavailableReason,
    listDevices: () => audio.source.listDevices(),
    watchRoutes: (l, onReady) => audio.source.watchRoutes(l, onReady),
    async openCapture(req): Promise<CaptureSession> {
      // A tap that wants the device's own audio (a measurement, diagnostics): no canceller.
      if (req.echoCancellation === false) return audio.source.openCapture(req);
      const rate = req.sampleRateHz ?? 16_000;
      if ((req.channels ?? 1) !== 1) throw new Error('Echo cancellation needs mono capture.');
      captureRate = rate;
      const inner = await audio.source.openCapture({ ...req, format: 'int16' });
      // Measured (delay, ERLE, residual) per 20 ms frame; cancelled in 10 ms halves of it.
      const frame = Math.round(rate / 50);
      const sub = frame % 2 === 0 ? frame / 2 : frame;
      const aec = opts.create({ sampleRateHz: rate, frameSamples: sub, filterMs });
      // The canceller's output is the audio of an earlier (10 ms) frame: stamped with that frame's
      // time, or the loop would place every sound (and its end) that much late. Halves rather than
      // whole 20 ms frames, because that lag is what every turn waits for.
      const latencyMs = ((aec.latencySamples ?? 0) / rate) * 1000;
      const bulk = new BulkDelay(20);
      let pending = new Int16Array(0);
      let pendingAtMs = 0;
      const timeline = new MicTimeline();
      let seq = 0;
      const listeners = new Set<(c: PcmChunk) => void>();
      const off = inner.onChunk((c) => {
        const data = c.data instanceof Int16Array ? c.data : Int16Array.from(c.data, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
        let buf = data;
        let at = timeline.next(c.captureTimestampMs, (data.length / rate) * 1000);
        follow(audio.nowMs());
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
          let written = -120;
          if (segments.length > 0) {
            // The reply as written (no delay) against what the mic got: where the echo really is.
            const raw = referenceAt(atMs, frame, rate, 0);
            written = frameDb(raw.energy, frame);
            let m = 0;
            for (let i = 0; i < frame; i++) m += (mic[i] as number) ** 2;
            const measuredDelay = bulk.push(m, raw.energy, raw.active, delayMs + MARGIN_MS);
            if (measuredDelay !== null && Math.abs(measuredDelay - MARGIN_MS - delayMs) >= 40) {
              delayMs = measuredDelay - MARGIN_MS;
              aec.reset();
              measured = false;
            }
          }
          const { ref, active } = referenceAt(atMs, frame, rate);
          const out = new Int16Array(frame);
          for (let k = 0; k < frame; k += sub) out.set(aec.process(mic.slice(k, k + sub), ref.slice(k, k + sub)), k);
          if (active) {
            const a = energy(mic);
            const b = energy(out);
            // Averaged in dB, per frame: the user talking over a reply (near-end speech, nothing
            // to cancel) pulls the figure down for as long as it lasts, not by its loudness.
            const erle = Math.min(MAX_FRAME_DB, Math.max(0, 10 * Math.log10((a + 1) / (b + 1))));
            erleDb = measured ? erleDb + SMOOTH * (erle - erleDb) : erle;
            measured = true;
          }
          replyDb.push(written);
          if (replyDb.length > RESIDUAL_SPAN_FRAMES) replyDb.shift();
          const loudest = Math.max(...replyDb);
          // Only while the reply's echo is due now (the reference fed to the canceller sounds): not
          // after a stop, when what the mic gets is the user.
          if (active && loudest > frameDb(REF_ACTIVE_RMS ** 2 * frame, frame)) {
            residual.push(frameDb(energy(out), frame) - loudest);
            if (residual.length > RESIDUAL_HISTORY) residual.shift();
          }
          const chunk: PcmChunk = { sampleRateHz: rate, channels: 1, format: 'int16', data: out, frames: frame, captureTimestampMs: atMs - latencyMs, seq: seq++, preRoll: c.preRoll };
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
      const position = (): PlaybackPosition | null => {
        try {
          return inner.position();
        } catch {
          return null; // closed: the reply stays where it was placed
        }
      };
      const timing = new StreamTiming();
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
          // Capture prunes as it goes; with none running (or paused) the replies would pile up.
          prune(now);
          // A reply after quiet: the echo path may have changed since the last one (the user moved,
          // another output), so its residual echo is measured afresh.
          if (!segments.some((s) => s.startMs + delayMs + (s.end / captureRate) * 1000 + MARGIN_MS >= now)) residual.length = 0;
          // Back-to-back writes continue the previous segment's timeline.
          // (Not behind one its stream has not started yet: that one's end is not known.)
          const prevEnd = current && current.startMs !== Infinity ? current.startMs + (current.end / captureRate) * 1000 : -Infinity;
          const startMs = Math.max(now, prevEnd);
          const first = position()?.writtenFrames;
          const anchor = first === undefined ? null : new PlayedAnchor(position, timing, startMs, first, req.sampleRateHz, mono.length);
          current = { startMs, samples, end: samples.length, anchor, stream: inner, writtenMs: now };
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
    referenceDelayMs: () => delayMs,
    // A mic that barely hears the replies (a headset) also reads ~0 dB here: no credit is given
    // for echo that was not measured, since it may just arrive later than the window looked.
    suppressionDb: () => (measured ? erleDb : 0),
    residualEchoDb: () => {
      if (residual.length < RESIDUAL_MIN_FRAMES) return null;
      const sorted = [...residual].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(RESIDUAL_PERCENTILE * sorted.length))] as number;
    },
  };
}
