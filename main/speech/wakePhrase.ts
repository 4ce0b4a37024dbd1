/**
 * Offline wake phrase, on each utterance the VAD cut, as a whole (batch cepstral mean). The phrase
 * (any 1–4 words the user sets) is forced onto the utterance's start through its own small grammar
 * with pocketsphinx's filler models around it (so the command after it, or a word before it, is
 * absorbed), and the same audio is decoded as free English with the general LM, as the command
 * decoder's rejection does (pocketsphinx.ts REJECTION). The phrase is accepted when its words fit
 * well and free English explains none of them much better (WAKE_VERIFICATION); its end, from the
 * forced alignment, is where the command starts.
 *
 * Measured 2026-12-05 (`npm run bench wake`; rule fitted on 9 calibration voices, figures on 10
 * held-apart espeak-ng and flite voices, 5 wake utterances each, 180 chit-chat sentences each =
 * 68.7 min): 88% detected (44/50; 8 voices 5/5, espeak en-us+m7 4/5, espeak en-029 0/5) and 4 false
 * accepts in 68.7 min (3.5/h: "hey come and look at this" ×2, "hey company meeting at noon" ×2;
 * without the placement limits MAX_START_FRAMES/MAX_GAP_FRAMES also "he works at an insurance
 * company" and "my brother works for a shipping company", 5.2/h). Neither target (≥ 95%, ≤ 1/h) is
 * met; what is left is near misses the free English decoding does not out-score. Tried for them
 * (2026-12-06, not shipped): a third decoding whose grammar lets the phrase's last word compete with
 * the 134 dictionary words of at most 7 phones that share its first 3 ("company", "come", "compass",
 * …), rejecting when one of those wins. It rejected all four held-apart false accepts, but also 3
 * of 35 calibration wake utterances ("companion merge it" → "compiler"), and a score margin does
 * not separate them: (rival − phrase) per frame over the word's frames was −27 to −4 on accepted
 * wake utterances and −22 to −10 on the four false accepts. With no length limit (350 words) a
 * rival won 15 of the first four calibration voices' 20 wake utterances ("compatibility"). en-029's phrase fits the model badly (word score −33 to −38 per frame against −9
 * to −25 on every other voice) while its margin over free English is small (−2 to −18), and
 * chit-chat of the calibration voices fits better on both: no rule over these features takes it in
 * without taking chit-chat. Tried and measured, no help for it: a CI phone loop (`-allphone`) as
 * normaliser (the loop fits en-029 well, −14 to −18, the phrase does not), vocal tract length
 * warping (0.8–1.2), an AA variant of "companion" (−38 → −32), its own enrolled voice profile
 * (MLLR from the 20 prompts: −30 to −33, still rejected). The previous verifier (5 calibration
 * voices, the command decoder's narrower free-English beams) on the same 68.7 min: 88% and 8 false
 * accepts (7.0/h; 1 of them in the first 80 sentences); the accent voices alone: 90% and 9. Before
 * that (keyphrase spotting alone, `firstStage: 'kws'` with no verifier, WAKE_THRESHOLD): 78% (39/50)
 * and 17 false accepts in 31 min (~33/h), most of them "companion" after a short word ("my
 * companion on the trip"), which the verifier rejects: "hey" forced onto "my" loses to the free
 * decoding's "my" by 30–120 units per frame. Keyphrase spotting is no first stage for it: at any
 * threshold it found no wake utterance of the calibration voice espeak en-gb@170 (0/5 from 1e-30
 * to 1e-80) and reports hits 300–400 ms before the phrase ends. Cost: two decodings of the
 * utterance's first ~3 s on every utterance (the bench prints the real-time factor: 0.115 in that
 * run, 0.093 with the command decoder's narrower free-English beams, on this shared machine).
 * On the 8 kHz headset band (WAKE_CHANNEL_MLLR; `npm run bench wake` prints it since 2026-12-06)
 * with the same rule: 90% (45/50) and 12 false accepts in 68.7 min (10.5/h).
 * Judging the command after the phrase strictly (TranscribeOptions.strict, as for possible echo) was
 * measured 2026-12-06 and not kept: on the held-apart voices it left 1 of the 4 false accepts (and
 * 0 of 11 on the band) a command to run, but on the calibration voices it lost 10 of 40 commands
 * said after the phrase (HFP band: 12 of 31) for no false accept there to remove.
 * Off by default (settings: wakePhrase).
 */
import { createHash } from 'node:crypto';
import koffi from 'koffi';
import type { PcmAudio, WakePhraseDetector } from '../../core/ports/speech.js';
import { openSpeechCache } from './cacheDir.js';
import {
  BACKGROUND_DECODER_ARGS,
  BACKGROUND_LM_PATH,
  DEFAULT_DECODER_ARGS,
  FRONT_ENDS,
  frontEndFor,
  frontEndOf,
  mergeArgs,
  NOISE_FLOOR_RMS,
  openRawDecoder,
  scoreTrack,
  withNoiseFloor,
  wordScorePerFrame,
  type FrontEndName,
  type RawDecoder,
  type Segment,
} from './pocketsphinx.js';
import { buildDictionary, CMUDICT_PATH } from './pronounce.js';
import { resample } from './wav.js';

export const DEFAULT_WAKE_PHRASE = 'hey companion';
const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us/en-us';
const SAMPLE_RATE_HZ = 16_000;

/**
 * The keyphrase search's threshold (pocketsphinx `-kws_threshold`), used only in 'kws' mode or with
 * no verifier (the previous detector, kept as the bench's baseline): fitted on the calibration
 * voices as the most lenient with no false accept on their chit-chat; held-apart figures above.
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

/** One keyphrase detection: its first and last 10 ms frame in the utterance. */
export interface KwsHit {
  startFrame: number;
  endFrame: number;
  /** The detection's score (log likelihood ratio against the phone loop, logmath units). */
  prob: number;
}

interface KwsBinding {
  init(args: string[]): unknown;
  /** Every keyphrase detection in a whole utterance, in time order. */
  spot(dec: unknown, pcm: Int16Array): KwsHit[];
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
  const segProb = ps.func('int32_t ps_seg_prob(void *seg, _Out_ int32_t *ascr, _Out_ int32_t *lscr, _Out_ int32_t *lback)');
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
      if (((getHyp(dec, [0]) as string | null) ?? '').trim() === '') return [];
      const hits: KwsHit[] = [];
      // ps_seg_next frees the iterator when it returns null.
      for (let it = segIter(dec); it; it = segNext(it)) {
        if (((segWord(it) as string | null) ?? '').startsWith('<')) continue;
        const sf = [0];
        const ef = [0];
        segFrames(it, sf, ef);
        const prob = segProb(it, [0], [0], [0]) as number;
        hits.push({ startFrame: sf[0] as number, endFrame: ef[0] as number, prob });
      }
      return hits.sort((a, b) => a.endFrame - b.endFrame);
    },
    free(dec) {
      psFree(dec);
    },
  };
  return binding;
}

/**
 * The verifier's acceptance rule, in logmath units per 10 ms frame (see pocketsphinx.ts REJECTION).
 * The phrase is forced onto the audio (its own small grammar) and the same audio is decoded as free
 * English (the background LM). Two features: how well the phrase's words fit (wordScore), and the
 * largest, over the phrase's words, of how much better free English explains that word's frames
 * (wordMargin; "my companion": "hey" forced onto "my" loses to the free "my"). Accepted when
 * wordMargin ≤ maxMargin + slope · (wordScore − pivot): the worse the phrase fits, the more clearly
 * it must beat free English.
 */
export interface WakeVerification {
  maxMargin: number;
  slope: number;
  pivot: number;
}

/**
 * Fitted by `npm run bench wake` on the calibration voices only (their 45 wake utterances and 360
 * chit-chat sentences): the slope with the widest gap between the two classes, the margin at its
 * middle (all 45 in, all 360 out; the gap is narrow: 1.4 units). Held-apart figures: see the header.
 */
export const WAKE_VERIFICATION: WakeVerification = { maxMargin: -9.3, slope: 1.9, pivot: -20 };

/** Whether the verifier accepts a candidate with these features. */
export function wakeAccepted(wordScore: number, wordMargin: number, v: WakeVerification = WAKE_VERIFICATION): boolean {
  return Number.isFinite(wordScore) && !Number.isNaN(wordMargin) && wordMargin <= v.maxMargin + v.slope * (wordScore - v.pivot);
}

/** What the verifier measured on one keyphrase hit. */
export interface WakeCandidate extends KwsHit {
  /** Whether the phrase grammar found a path through the hit's audio. */
  phraseFound: boolean;
  /** Where the verifier placed the phrase (10 ms frames of the utterance, inclusive); -1 without a path. */
  phraseStart: number;
  phraseEnd: number;
  /** Acoustic score per frame over the phrase's words (fillers left out); -Infinity without a path. */
  wordScore: number;
  /** The largest, over the phrase's words, of (free English − phrase) acoustic score per frame on that word's frames. */
  wordMargin: number;
  /** (free English − phrase) acoustic score per frame from the phrase's first word to its last. */
  spanMargin: number;
  /** What the free decoding heard on the hit's audio (diagnostics). */
  background: string;
  /** The phrase's words as placed (10 ms frames of the utterance, inclusive) with their acoustic score per frame (diagnostics). */
  words: { word: string; startFrame: number; endFrame: number; scorePerFrame: number }[];
  accepted: boolean;
}

export interface WakeAnalysis {
  candidates: WakeCandidate[];
  /** Where the accepted phrase ends (ms from the utterance start), or null. */
  endMs: number | null;
  /** The front end the verifier decoded with (by the rate the mic captured at). */
  frontEnd: FrontEndName;
}

export interface WakePhraseOptions {
  phrase?: string;
  /**
   * Where the verifier looks: 'prefix' (default) the start of every utterance, where the phrase
   * belongs; 'kws' only around keyphrase hits (cheaper, but the keyphrase search misses whole voices).
   */
  firstStage?: 'prefix' | 'kws';
  /** `-kws_threshold` of the keyphrase search; default WAKE_THRESHOLD. */
  threshold?: number;
  /** The second stage's rule; null: keyphrase spotting alone (the first stage decides). Default WAKE_VERIFICATION. */
  verification?: WakeVerification | null;
  /** Decoder arguments on top (e.g. a voice profile's ['-mllr', file]). */
  decoderArgs?: readonly string[];
  /**
   * Global MLLR channel transforms per front end (pocketsphinx `-mllr` text, e.g. from
   * adapt/mllr.ts estimateMllr; null: none), each instead of WAKE_CHANNEL_MLLR's: written once to the
   * cache directory and loaded with `-mllr`; a voice profile's `-mllr` in decoderArgs replaces them.
   */
  channelMllr?: Partial<Record<FrontEndName, string | null>>;
  /** Arguments on top of the free English decoding's (BACKGROUND_DECODER_ARGS); default WAKE_BACKGROUND_ARGS. */
  backgroundArgs?: readonly string[];
  cacheDir?: string;
}

/**
 * Audio around a keyphrase hit that the verifier decodes (10 ms frames before its start and after
 * its end). Generous: at a lenient threshold the keyphrase search reports a hit as soon as its
 * score crosses the threshold, often 300–400 ms before the phrase really ends.
 */
const LEAD_FRAMES = 40;
const TAIL_FRAMES = 80;
/** At most this many hits per utterance are verified (the phrase belongs at its start). */
const MAX_CANDIDATES = 3;
/** 'prefix' mode decodes the first (PREFIX_BASE_FRAMES + PREFIX_FRAMES_PER_PHONE × phones) frames: room for slow speech and a lead-in. */
const PREFIX_BASE_FRAMES = 100;
const PREFIX_FRAMES_PER_PHONE = 20;
const FILLER = /^(<s>|<\/s>|<sil>|\[.*\]|\(NULL\))$/;
/**
 * Where the phrase may lie ('prefix' mode), in 10 ms frames of the audio the front end keeps (its
 * silence removal drops pauses, so these count sound, not time): the phrase starts within the first
 * second (the VAD's pre-roll plus a short word before it) and no more than a second of sound lies
 * between its words. Design limits, not fitted: every wake utterance measured starts by frame 58
 * with nothing between the words, while the filler models otherwise let the phrase grammar put
 * "hey" at the start and "companion" on a "company" 1.3 s later ("he works at an insurance
 * company"), or the whole phrase at the end ("my brother works for a shipping company").
 */
const MAX_START_FRAMES = 100;
const MAX_GAP_FRAMES = 100;

/**
 * The free English decoding's search on top of BACKGROUND_DECODER_ARGS: wider beams than the
 * command decoder's rejection uses. With its narrow beams the free decoding sometimes lost the
 * words actually said on the phrase's stretch and the phrase beat it ("i keep forgetting my
 * password", "hey come and look at this", "i accompanied my aunt"). On the utterance's first ~3 s
 * only, the cost hardly changed; beams of 1e-60 doubled it with no gain.
 */
export const WAKE_BACKGROUND_ARGS: readonly string[] = ['-beam', '1e-45', '-pbeam', '1e-40', '-wbeam', '1e-30', '-maxhmmpf', '4000', '-maxwpf', '20'];

/**
 * The channel transform the wake decoders use per front end (the front end is picked per utterance
 * by the rate its mic captured at, pocketsphinx.ts frontEndOf). On the 8 kHz headset band, the
 * command decoder's narrowband transform: measured 2026-12-06 on the 10 held-apart voices through
 * the HFP band (8 kHz, 300–3400 Hz), with the rule fitted on 16 kHz audio, detection 41 → 45 of 50
 * (espeak en-us+m7 1 → 5; en-029 0 either way) and false accepts on the 80 near-word chit-chat
 * sentences (34.6 min) 13 → 12. On 16 kHz audio none: a transform fitted for the wake phrase
 * gained nothing there (40/50 either way, a91256f).
 */
export const WAKE_CHANNEL_MLLR: Readonly<Record<FrontEndName, string | null>> = { wideband: null, narrowband: FRONT_ENDS.narrowband.mllr ?? null };

export class PocketsphinxWakePhrase implements WakePhraseDetector {
  readonly name = 'pocketsphinx-kws';
  readonly phrase: string;
  /** The keyphrase search ('kws' mode or no verifier), else null. */
  private dec: unknown = null;
  private closed = false;
  /** The verifier's decoders per front end, opened on first use. */
  private readonly decoders = new Map<FrontEndName, { phrase: RawDecoder; background: RawDecoder }>();
  /** How to open them (the phrase's dictionary and grammar, the shared arguments), null without a verifier. */
  private readonly open: ((fe: FrontEndName) => { phrase: RawDecoder; background: RawDecoder }) | null = null;
  private readonly verification: WakeVerification | null;
  private readonly firstStage: 'prefix' | 'kws';
  /** Frames of an utterance's start the verifier decodes in 'prefix' mode. */
  private readonly prefixFrames: number;

  constructor(opts: WakePhraseOptions = {}) {
    this.phrase = normalizeWakePhrase(opts.phrase ?? DEFAULT_WAKE_PHRASE);
    this.verification = opts.verification === undefined ? WAKE_VERIFICATION : opts.verification;
    const b = load();
    const words = this.phrase.split(' ');
    const dict = buildDictionary(words);
    this.firstStage = opts.firstStage ?? 'prefix';
    // Phones of the phrase: each word's longest pronunciation (dictionary lines "word PH PH ...", variants "word(2) ...").
    const phones = new Map<string, number>();
    for (const line of dict.text.split('\n')) {
      const [w, ...ph] = line.trim().split(/\s+/);
      if (w !== undefined && w !== '') phones.set(w.replace(/\(\d+\)$/, ''), Math.max(phones.get(w.replace(/\(\d+\)$/, '')) ?? 0, ph.length));
    }
    this.prefixFrames = PREFIX_BASE_FRAMES + PREFIX_FRAMES_PER_PHONE * words.reduce((n, w) => n + (phones.get(w) ?? 4), 0);
    // The per-user cache (0700); a file is rewritten when its content does not match its recorded hash.
    const cache = openSpeechCache(opts.cacheDir);
    const cached = (ext: string, text: string): string => cache.file(`kws-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.${ext}`, () => text);
    const dictPath = cached('dict', dict.text);
    const common = new Map<string, string>([
      ['-hmm', MODEL_DIR],
      ['-logfn', '/dev/null'],
      ['-samprate', String(SAMPLE_RATE_HZ)],
      // The same fixed noise floor as the command decoder replaces the random dither.
      ['-dither', 'no'],
    ]);
    const extra = opts.decoderArgs ?? [];
    for (let i = 0; i + 1 < extra.length; i += 2) common.set(extra[i] as string, extra[i + 1] as string);
    const base = [...common].flat();
    const kws = this.firstStage === 'kws' || this.verification === null;
    if (kws) this.dec = b.init(mergeArgs(base, ['-dict', dictPath, '-keyphrase', this.phrase, '-kws_threshold', (opts.threshold ?? WAKE_THRESHOLD).toExponential()]));
    if (this.verification === null) return;
    const fsgPath = cached('fsg', ['FSG_BEGIN wake', `NUM_STATES ${words.length + 1}`, 'START_STATE 0', `FINAL_STATE ${words.length}`, ...words.map((w, i) => `TRANSITION ${i} ${i + 1} 1.0 ${w}`), 'FSG_END', ''].join('\n'));
    this.open = (fe) => {
      // A voice profile's transform (in decoderArgs) is the user's voice and channel: it replaces the channel's.
      const mllr = opts.channelMllr?.[fe] !== undefined ? opts.channelMllr[fe] : WAKE_CHANNEL_MLLR[fe];
      const args = common.has('-mllr') || mllr === null || mllr === undefined ? base : mergeArgs(base, ['-mllr', cached('mllr', mllr)]);
      const phrase = openRawDecoder(mergeArgs([...DEFAULT_DECODER_ARGS, ...args], ['-dict', dictPath, '-fsg', fsgPath]));
      try {
        return { phrase, background: openRawDecoder(mergeArgs([...BACKGROUND_DECODER_ARGS, ...args], ['-dict', CMUDICT_PATH, '-lm', BACKGROUND_LM_PATH, ...(opts.backgroundArgs ?? WAKE_BACKGROUND_ARGS)])) };
      } catch (e) {
        phrase.close();
        throw e;
      }
    };
    // The 16 kHz decoders now, so a bad configuration fails here and the first utterance does not wait.
    try {
      this.decodersFor('wideband');
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The verifier's decoders for audio captured at `sampleRateHz` (Hz), built now; see WakePhraseDetector.prepareFor. */
  prepareFor(sampleRateHz: number): void {
    if (!this.closed && this.open !== null) this.decodersFor(frontEndFor(sampleRateHz));
  }

  private decodersFor(fe: FrontEndName): { phrase: RawDecoder; background: RawDecoder } {
    let d = this.decoders.get(fe);
    if (d === undefined) {
      if (this.open === null) throw new Error('the wake phrase detector has no verifier');
      d = this.open(fe);
      this.decoders.set(fe, d);
    }
    return d;
  }

  /** Where the phrase ends in the utterance (ms from its start), or null; see analyze. */
  spot(audio: PcmAudio): number | null {
    return this.analyze(audio).endMs;
  }

  /**
   * Both stages on one utterance: keyphrase hits (first stage), each checked by the verifier
   * (the phrase forced onto the hit's audio against a free English decoding of it) until one passes.
   */
  analyze(audio: PcmAudio): WakeAnalysis {
    if (this.closed) throw new Error('the wake phrase detector was closed');
    const raw = audio.sampleRateHz === SAMPLE_RATE_HZ ? audio.samples : resample(audio.samples, audio.sampleRateHz, SAMPLE_RATE_HZ);
    const pcm = withNoiseFloor(raw, NOISE_FLOOR_RMS);
    const hits: KwsHit[] = this.dec !== null ? load().spot(this.dec, pcm) : [{ startFrame: LEAD_FRAMES, endFrame: this.prefixFrames - TAIL_FRAMES, prob: 0 }];
    const v = this.verification;
    if (v === null) {
      const first = hits[0];
      return { candidates: [], endMs: first === undefined ? null : (first.endFrame + 1) * 10, frontEnd: 'wideband' };
    }
    const candidates: WakeCandidate[] = [];
    const frontEnd = frontEndOf(audio);
    const decoders = this.decodersFor(frontEnd);
    for (const hit of hits.slice(0, MAX_CANDIDATES)) {
      const c = this.verify(pcm, hit, v, decoders);
      candidates.push(c);
      if (c.accepted) return { candidates, endMs: (c.phraseEnd + 1) * 10, frontEnd };
    }
    return { candidates, endMs: null, frontEnd };
  }

  private verify(pcm: Int16Array, hit: KwsHit, v: WakeVerification, decoders: { phrase: RawDecoder; background: RawDecoder }): WakeCandidate {
    const perFrame = SAMPLE_RATE_HZ / 100;
    const from = Math.max(0, hit.startFrame - LEAD_FRAMES);
    const clip = pcm.subarray(from * perFrame, Math.min(pcm.length, (hit.endFrame + 1 + TAIL_FRAMES) * perFrame));
    const p = decoders.phrase.decode(clip);
    const none = { ...hit, phraseFound: false, phraseStart: -1, phraseEnd: -1, wordScore: -Infinity, wordMargin: NaN, spanMargin: NaN, background: '', words: [], accepted: false };
    const words = p.segments.filter((s) => !FILLER.test(s.word));
    if (p.hyp.trim() === '' || words.length === 0) return none;
    const bg = decoders.background.decode(clip);
    const n = Math.max(p.frames, ...p.segments.map((s) => s.endFrame + 1), ...bg.segments.map((s) => s.endFrame + 1));
    const pt = scoreTrack(p.segments, n);
    const bt = scoreTrack(bg.segments, n);
    const margin = (a: number, b: number): number => {
      let d = 0;
      for (let i = a; i <= b; i++) d += (bt[i] as number) - (pt[i] as number);
      return d / Math.max(1, b - a + 1);
    };
    const wordScore = wordScorePerFrame(p.segments);
    const wordMargin = Math.max(...words.map((w) => margin(w.startFrame, w.endFrame)));
    const first = words[0] as Segment;
    const last = words[words.length - 1] as Segment;
    const spanMargin = margin(first.startFrame, last.endFrame);
    const background = bg.segments
      .filter((s) => !FILLER.test(s.word) && s.endFrame >= first.startFrame && s.startFrame <= last.endFrame)
      .map((s) => s.word)
      .join(' ');
    const placed = this.firstStage !== 'prefix' || (from + first.startFrame <= MAX_START_FRAMES && words.every((w, i) => i === 0 || w.startFrame - (words[i - 1] as Segment).endFrame - 1 <= MAX_GAP_FRAMES));
    const accepted = placed && wakeAccepted(wordScore, wordMargin, v);
    const wordsPlaced = words.map((w) => ({ word: w.word, startFrame: from + w.startFrame, endFrame: from + w.endFrame, scorePerFrame: w.ascr / Math.max(1, w.endFrame - w.startFrame + 1) }));
    return { ...hit, phraseFound: true, phraseStart: from + first.startFrame, phraseEnd: from + last.endFrame, wordScore, wordMargin, spanMargin, background, words: wordsPlaced, accepted };
  }

  close(): void {
    for (const d of this.decoders.values()) {
      d.phrase.close();
      d.background.close();
    }
    this.decoders.clear();
    this.closed = true;
    if (this.dec === null) return;
    load().free(this.dec);
    this.dec = null;
  }
}
