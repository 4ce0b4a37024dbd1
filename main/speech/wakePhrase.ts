/**
 * Offline wake phrase: pocketsphinx keyphrase spotting (`-keyphrase`, `-kws_threshold`) through
 * koffi like pocketsphinx.ts, on its own decoder (the keyphrase search and the command grammar
 * cannot share one search). It runs on each utterance the VAD cut, as a whole (batch cepstral
 * mean over the utterance): fed frame by frame from the open mic, the live mean starts far from
 * the speaker's and took tens of seconds to settle, missing most phrases meanwhile.
 * Off by default (settings: wakePhrase).
 */
import { createHash } from 'node:crypto';
import koffi from 'koffi';
import type { PcmAudio, WakePhraseDetector } from '../../core/ports/speech.js';
import { openSpeechCache } from './cacheDir.js';
import { NOISE_FLOOR_RMS, withNoiseFloor } from './pocketsphinx.js';
import { buildDictionary } from './pronounce.js';
import { resample } from './wav.js';

export const DEFAULT_WAKE_PHRASE = 'hey companion';
const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us/en-us';
const SAMPLE_RATE_HZ = 16_000;

/**
 * Detection threshold (pocketsphinx `-kws_threshold`, a likelihood ratio: lower = more detections
 * and more false accepts). Fitted by `npm run bench wake` on the calibration voices (espeak-ng and
 * flite voices other than the held-apart ones): of 1e-15/1e-20/1e-30/1e-40, the most lenient with no
 * false accept on their chit-chat (1e-40 had one). Held-apart voices at 1e-30 (2026-12-04): 78%
 * detected (39/50; espeak en-029 and flite kal@90 0/5), and on all 80 chit-chat sentences (31 min)
 * 17 false accepts = ~33/h, far over the ≤ 1/h target (the earlier "1 in 7.9 min" was the first
 * 20 sentences only). A global MLLR channel transform fitted on the calibration voices (`mllr`
 * option) did not help at the same threshold: 40/50, the same 17 false accepts. Most false
 * accepts are the word itself after a short word ("my companion on the trip", "a companion
 * planting guide": 10 of the 14 on nine of the voices), the rest flite awb's "company". A second stage that
 * re-decoded the spotted audio with "(hey | a | the | my | your | our | their) companion" removed
 * those on espeak voices but also rejected every wake utterance of flite slt and awb (tried, not kept).
 */
export const WAKE_THRESHOLD = 1e-30;

/** Words of a wake phrase: 1–4 lowercase words. */
export function normalizeWakePhrase(p: string): string {
  const w = p
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(/\s+/)
    .filter((x) => x !== '');
  if (w.length === 0 || w.length > 4) throw new RangeError('A wake phrase is 1 to 4 words, e.g. "hey companion".');
  return w.join(' ');
}

interface KwsBinding {
  init(args: string[]): unknown;
  /** The keyphrase's last frame in a whole utterance, or -1. */
  spot(dec: unknown, pcm: Int16Array): number;
  free(dec: unknown): void;
}
let binding: KwsBinding | null = null;

function load(): KwsBinding {
  if (binding !== null) return binding;
  const ps = koffi.load('libpocketsphinx.so.3');
  const sb = koffi.load('libsphinxbase.so.3');
  const psArgs = ps.func('void *ps_args()');
  const cmdLnInit = sb.func('void *cmd_ln_init(void *inout, void *defn, int strict, ...)');
  const psInit = ps.func('void *ps_init(void *config)');
  const psFree = ps.func('int ps_free(void *ps)');
  const startUtt = ps.func('int ps_start_utt(void *ps)');
  const processRaw = ps.func('int ps_process_raw(void *ps, const int16_t *data, size_t n, int no_search, int full_utt)');
  const endUtt = ps.func('int ps_end_utt(void *ps)');
  const getHyp = ps.func('const char *ps_get_hyp(void *ps, _Out_ int32_t *score)');
  const segIter = ps.func('void *ps_seg_iter(void *ps)');
  const segNext = ps.func('void *ps_seg_next(void *seg)');
  const segWord = ps.func('const char *ps_seg_word(void *seg)');
  const segFrames = ps.func('void ps_seg_frames(void *seg, _Out_ int *sf, _Out_ int *ef)');
  binding = {
    init(args) {
      const va: unknown[] = [];
      for (const a of args) va.push('str', a);
      va.push('str', null);
      const cfg = cmdLnInit(null, psArgs(), 1, ...va);
      if (!cfg) throw new Error('pocketsphinx rejected the keyphrase configuration');
      const dec = psInit(cfg);
      if (!dec) throw new Error('pocketsphinx could not start the keyphrase search');
      return dec;
    },
    spot(dec, pcm) {
      if (startUtt(dec) < 0) throw new Error('ps_start_utt failed');
      if (pcm.length > 0 && processRaw(dec, pcm, pcm.length, 0, 1) < 0) throw new Error('ps_process_raw failed');
      if (endUtt(dec) < 0) throw new Error('ps_end_utt failed');
      if (((getHyp(dec, [0]) as string | null) ?? '').trim() === '') return -1;
      let end = -1;
      // ps_seg_next frees the iterator when it returns null.
      for (let it = segIter(dec); it; it = segNext(it)) {
        if (end >= 0 || ((segWord(it) as string | null) ?? '').startsWith('<')) continue;
        const sf = [0];
        const ef = [0];
        segFrames(it, sf, ef);
        end = ef[0] as number;
      }
      return end;
    },
    free(dec) {
      psFree(dec);
    },
  };
  return binding;
}

export interface WakePhraseOptions {
  phrase?: string;
  /** `-kws_threshold`; default WAKE_THRESHOLD. */
  threshold?: number;
  /** Decoder arguments on top (e.g. a voice profile's ['-mllr', file]). */
  decoderArgs?: readonly string[];
  /**
   * A global MLLR channel transform's text (pocketsphinx `-mllr` format, e.g. from
   * adapt/mllr.ts estimateMllr): written once to the cache directory and loaded with `-mllr`; a
   * voice profile's `-mllr` in decoderArgs replaces it.
   */
  mllr?: string;
  cacheDir?: string;
}

export class PocketsphinxWakePhrase implements WakePhraseDetector {
  readonly name = 'pocketsphinx-kws';
  readonly phrase: string;
  private dec: unknown;

  constructor(opts: WakePhraseOptions = {}) {
    this.phrase = normalizeWakePhrase(opts.phrase ?? DEFAULT_WAKE_PHRASE);
    const b = load();
    const dict = buildDictionary(this.phrase.split(' '));
    // The per-user cache (0700); a file is rewritten when its content does not match its recorded hash.
    const cache = openSpeechCache(opts.cacheDir);
    const cached = (ext: string, text: string): string => cache.file(`kws-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.${ext}`, () => text);
    const dictPath = cached('dict', dict.text);
    const args = new Map<string, string>([
      ['-hmm', MODEL_DIR],
      ['-dict', dictPath],
      ['-keyphrase', this.phrase],
      ['-kws_threshold', (opts.threshold ?? WAKE_THRESHOLD).toExponential()],
      ['-logfn', '/dev/null'],
      ['-samprate', String(SAMPLE_RATE_HZ)],
      // The same fixed noise floor as the command decoder replaces the random dither.
      ['-dither', 'no'],
    ]);
    if (opts.mllr !== undefined) args.set('-mllr', cached('mllr', opts.mllr));
    const extra = opts.decoderArgs ?? [];
    for (let i = 0; i + 1 < extra.length; i += 2) args.set(extra[i] as string, extra[i + 1] as string);
    this.dec = b.init([...args].flat());
  }

  /** Where the phrase ends in the utterance (ms from its start), or null; ~0.05× real time. */
  spot(audio: PcmAudio): number | null {
    if (this.dec === null) throw new Error('the wake phrase detector was closed');
    const pcm = audio.sampleRateHz === SAMPLE_RATE_HZ ? audio.samples : resample(audio.samples, audio.sampleRateHz, SAMPLE_RATE_HZ);
    const ef = load().spot(this.dec, withNoiseFloor(pcm, NOISE_FLOOR_RMS));
    return ef < 0 ? null : (ef + 1) * 10;
  }

  close(): void {
    if (this.dec === null) return;
    load().free(this.dec);
    this.dec = null;
  }
}
