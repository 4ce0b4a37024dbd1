/**
 * Acoustic echo cancellation (speexdsp MDF + residual echo suppression), frame by frame: the mic
 * frame and the frame of what the speaker played at the same moment go in, the mic frame without
 * the speaker's echo comes out. Device-free and synchronous, so it works in whichever process
 * holds both signals.
 */
import { invalidArgument } from './errors.js';
import { loadNative } from './loader.js';

export interface EchoCancellerOptions {
  /** Sample rate of both signals, Hz (8000–48000). Default 16000. */
  readonly sampleRateHz?: number;
  /** Samples per frame (16–4096); every process() call takes exactly this many. Default 20 ms. */
  readonly frameSamples?: number;
  /** Longest speaker → mic echo the filter models, ms (frame length – 2000). Default 300. */
  readonly filterMs?: number;
  /** Residual echo suppression, dB (−90…0). Default −40. */
  readonly suppressDb?: number;
  /** Residual echo suppression while the near end talks, dB (−90…0). Default −15. */
  readonly activeSuppressDb?: number;
}

export interface EchoCanceller {
  readonly sampleRateHz: number;
  readonly frameSamples: number;
  /**
   * How late the output is, samples: each process() returns the mic audio of the call before
   * (speexdsp's canceller and its residual echo suppressor work one frame behind; measured:
   * output = input delayed by exactly frameSamples). Stamp output with the time of that frame.
   */
  readonly latencySamples: number;
  /** `mic` with the echo of `ref` removed; both exactly `frameSamples` long. */
  process(mic: Int16Array, ref: Int16Array): Int16Array;
  /** Forgets the learned echo path (e.g. after the output device changed). */
  reset(): void;
  /** Idempotent. */
  close(): void;
}

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidArgument(name, `an integer between ${min} and ${max}`, v);
  return v;
}

/** The validated native options (exported for tests). */
export function validateEchoOptions(options: unknown): { sampleRateHz: number; frameSamples: number; filterSamples: number; suppressDb: number; activeSuppressDb: number } {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument('options', 'an object', options);
  const o = options as Record<string, unknown>;
  const sampleRateHz = int('sampleRateHz', o['sampleRateHz'] ?? 16_000, 8_000, 48_000);
  const frameSamples = int('frameSamples', o['frameSamples'] ?? Math.round(sampleRateHz / 50), 16, 4_096);
  const frameMs = (frameSamples / sampleRateHz) * 1000;
  const filterMs = int('filterMs', o['filterMs'] ?? 300, Math.ceil(frameMs), 2_000);
  return {
    sampleRateHz,
    frameSamples,
    filterSamples: Math.max(frameSamples, Math.round((filterMs * sampleRateHz) / 1000)),
    suppressDb: int('suppressDb', o['suppressDb'] ?? -40, -90, 0),
    activeSuppressDb: int('activeSuppressDb', o['activeSuppressDb'] ?? -15, -90, 0),
  };
}

/** A new echo canceller; throws AudioAddonUnavailableError when the add-on is not built. */
export function createEchoCanceller(options?: EchoCancellerOptions): EchoCanceller {
  const opts = validateEchoOptions(options);
  const Ctor = loadNative().EchoCanceller;
  if (Ctor === undefined) throw new Error('This build of the audio add-on has no echo canceller: rebuild it (native/audio-addon/scripts/build.sh).');
  const native = new Ctor(opts);
  let closed = false;
  return {
    sampleRateHz: opts.sampleRateHz,
    frameSamples: opts.frameSamples,
    latencySamples: opts.frameSamples,
    process(mic, ref) {
      if (!(mic instanceof Int16Array) || mic.length !== opts.frameSamples) throw invalidArgument('mic', `an Int16Array of ${opts.frameSamples} samples`, mic);
      if (!(ref instanceof Int16Array) || ref.length !== opts.frameSamples) throw invalidArgument('ref', `an Int16Array of ${opts.frameSamples} samples`, ref);
      if (closed) throw new Error('EchoCanceller is closed');
      return native.process(mic, ref);
    },
    reset: () => {
      if (!closed) native.reset();
    },
    close: () => {
      if (!closed) native.close();
      closed = true;
    },
  };
}
