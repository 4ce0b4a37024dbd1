/**
 * Noise handling before decoding: an estimate of the utterance's signal-to-noise ratio, and
 * speexdsp's noise suppressor (libspeexdsp.so.1, Debian libspeexdsp1, called through koffi as
 * pocketsphinx.ts calls pocketsphinx) for noisy utterances.
 */
import koffi from 'koffi';

/**
 * Estimated SNR of an utterance in dB: the level of its loud 20 ms frames (90th percentile of frame
 * energy) over its noise floor (10th percentile: the VAD's lead-in and pauses). Clean speech with
 * digital silence gives a large value (capped at 60 dB).
 */
export function estimateSnrDb(pcm: Int16Array, sampleRateHz: number): number {
  const frame = Math.max(1, Math.round(sampleRateHz * 0.02));
  const energies: number[] = [];
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    let e = 0;
    for (let k = i; k < i + frame; k++) e += (pcm[k] as number) ** 2;
    energies.push(e / frame);
  }
  if (energies.length < 10) return 60;
  energies.sort((a, b) => a - b);
  const lo = energies[Math.floor(energies.length * 0.1)] as number;
  const hi = energies[Math.floor(energies.length * 0.9)] as number;
  return Math.min(60, 10 * Math.log10(Math.max(hi, 1) / Math.max(lo, 1)));
}

interface SpeexBinding {
  init(frameSize: number, rateHz: number): unknown;
  ctlInt(st: unknown, request: number, value: number): void;
  run(st: unknown, frame: Int16Array): void;
  destroy(st: unknown): void;
}

let speex: SpeexBinding | null = null;
let speexError: string | null = null;

function loadSpeex(): SpeexBinding | null {
  if (speex !== null || speexError !== null) return speex;
  try {
    const lib = koffi.load('libspeexdsp.so.1');
    const init = lib.func('void *speex_preprocess_state_init(int frame_size, int sampling_rate)');
    const ctl = lib.func('int speex_preprocess_ctl(void *st, int request, _Inout_ int32_t *ptr)');
    const run = lib.func('int speex_preprocess_run(void *st, int16_t *x)');
    const destroy = lib.func('void speex_preprocess_state_destroy(void *st)');
    speex = {
      init: (frameSize, rateHz) => init(frameSize, rateHz) as unknown,
      ctlInt: (st, request, value) => {
        ctl(st, request, [value]);
      },
      run: (st, frame) => {
        run(st, frame);
      },
      destroy: (st) => {
        destroy(st);
      },
    };
  } catch (e) {
    speexError = `speexdsp is not available: ${(e as Error).message}`;
  }
  return speex;
}

/** Whether the noise suppressor can run here. */
export function denoiseAvailable(): boolean {
  return loadSpeex() !== null;
}

const SET_DENOISE = 0;
const SET_AGC = 2;
const SET_DEREVERB = 8;
const SET_NOISE_SUPPRESS = 18;

/**
 * speexdsp's noise suppressor over a whole utterance, 20 ms frames. The noise estimate is learnt in
 * a first pass over the utterance (output discarded), then the utterance is processed again from
 * that estimate, so its start is suppressed as well as its end. `suppressDb` is the maximum
 * attenuation of noise (negative dB, speexdsp's default −15). Returns a new array; the input as is
 * when speexdsp is missing.
 */
export function denoise(pcm: Int16Array, sampleRateHz: number, suppressDb = -15): Int16Array {
  const b = loadSpeex();
  if (b === null) return pcm;
  const frame = Math.round(sampleRateHz * 0.02);
  const st = b.init(frame, sampleRateHz);
  if (st === null) return pcm;
  try {
    b.ctlInt(st, SET_DENOISE, 1);
    b.ctlInt(st, SET_AGC, 0);
    b.ctlInt(st, SET_DEREVERB, 0);
    b.ctlInt(st, SET_NOISE_SUPPRESS, Math.round(suppressDb));
    // Whole frames, processed in place (koffi passes a typed array's memory, no copy); a partial
    // last frame is zero-padded.
    const frames = Math.ceil(pcm.length / frame);
    for (const keep of [false, true]) {
      const work = new Int16Array(frames * frame);
      work.set(pcm);
      for (let f = 0; f < frames; f++) b.run(st, work.subarray(f * frame, (f + 1) * frame));
      if (keep) return work.slice(0, pcm.length);
    }
    return pcm;
  } finally {
    b.destroy(st);
  }
}

/** Where an utterance's own speech starts and ends, and how much quieter the rest is made (attenuateEdges). */
export interface EdgePolicy {
  /** Speech: 10 ms frames within this many dB of the utterance's loud level (95th percentile of frame energy). */
  withinDb: number;
  /** Kept at full level before the first and after the last such frame, ms (weak onsets and endings). */
  marginMs: number;
  /** Gain applied to the lead-in before and the tail after, negative dB. */
  attenuateDb: number;
}

/**
 * The lead-in and tail of an utterance, outside its own speech, made `attenuateDb` quieter. The
 * wearer's voice is close and louder than other talkers: in babble, the other voices heard before
 * and after the command were decoded as extra words ("unsubscribe me" → "unsubscribe me from that",
 * "brief me" → "pull up three two eight on the chrome"). Speech is the span from the first to the
 * last 10 ms frame within `withinDb` of the loud level, widened by `marginMs`. The audio is kept,
 * only quieter: cutting it out or zeroing it measured worse on the HFP band (pocketsphinx.ts
 * DENOISE). Returns a new array; too short an input (< 100 ms) as it is.
 */
export function attenuateEdges(pcm: Int16Array, sampleRateHz: number, p: EdgePolicy): Int16Array {
  const frame = Math.max(1, Math.round(sampleRateHz * 0.01));
  const nf = Math.floor(pcm.length / frame);
  if (nf < 10) return pcm;
  const level = new Float64Array(nf);
  for (let f = 0; f < nf; f++) {
    let e = 0;
    for (let k = f * frame; k < (f + 1) * frame; k++) e += (pcm[k] as number) ** 2;
    level[f] = 10 * Math.log10(Math.max(e / frame, 1));
  }
  const loud = ([...level].sort((a, b) => a - b)[Math.floor(nf * 0.95)] as number) - p.withinDb;
  let first = -1;
  let last = -1;
  for (let f = 0; f < nf; f++) {
    if ((level[f] as number) < loud) continue;
    if (first < 0) first = f;
    last = f;
  }
  const margin = Math.round(p.marginMs / 10);
  const from = Math.max(0, first - margin) * frame;
  // The partial frame at the end belongs to the tail.
  const to = last + 1 + margin >= nf ? pcm.length : (last + 1 + margin) * frame;
  const g = 10 ** (p.attenuateDb / 20);
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = i >= from && i < to ? (pcm[i] as number) : Math.round((pcm[i] as number) * g);
  return out;
}
