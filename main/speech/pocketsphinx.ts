/**
 * Offline speech-to-text: Debian's pocketsphinx (libpocketsphinx.so.3, en-us model) called in
 * process through koffi, constrained by the grammar generated from the command registry
 * (core/intent/grammar.ts), compiled to a minimal word automaton (FSG). Whole utterances found by
 * the VAD go in; the words heard come out, or "" when nothing in the grammar fits.
 *
 * The FSG and the dictionary are cached on disk by content hash: compiling the catalog grammar
 * takes about a second, decoder start-up ~50–150 ms, decoding ~0.05× real time here.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { applyRewrites, generateGrammar, grammarAutomaton, toFsg, type GeneratedGrammar } from '../../core/intent/grammar.js';
import type { PcmAudio, ProviderHealth, SpeechToText, Transcript, TranscribeOptions } from '../../core/ports/speech.js';
import { buildDictionary } from './pronounce.js';
import { resample } from './wav.js';

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us/en-us';
const SAMPLE_RATE_HZ = 16_000;
/**
 * Dither (with a fixed seed, so results repeat) helped on synthetic speech with digital silence:
 * 91–92% vs 89–91% intents for en-us. Beam/language-weight changes did not help (measured).
 */
const DEFAULT_DECODER_ARGS = ['-dither', 'yes', '-seed', '1'];

interface Binding {
  init(args: string[]): unknown;
  decode(dec: unknown, pcm: Int16Array): { hyp: string; score: number };
  free(dec: unknown): void;
}

let binding: Binding | null = null;
let bindingError: string | null = null;

function loadBinding(): Binding | null {
  if (binding !== null || bindingError !== null) return binding;
  try {
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
    binding = {
      init(args) {
        const va: unknown[] = [];
        for (const a of args) va.push('str', a);
        va.push('str', null);
        const cfg = cmdLnInit(null, psArgs(), 1, ...va);
        if (!cfg) throw new Error('pocketsphinx rejected its configuration');
        const dec = psInit(cfg);
        if (!dec) throw new Error('pocketsphinx could not start (model, dictionary or grammar unreadable)');
        return dec;
      },
      decode(dec, pcm) {
        if (startUtt(dec) < 0) throw new Error('ps_start_utt failed');
        if (pcm.length > 0 && processRaw(dec, pcm, pcm.length, 0, 1) < 0) throw new Error('ps_process_raw failed');
        if (endUtt(dec) < 0) throw new Error('ps_end_utt failed');
        const score = [0];
        const hyp = getHyp(dec, score) as string | null;
        return { hyp: hyp ?? '', score: score[0] as number };
      },
      free(dec) {
        psFree(dec);
      },
    };
  } catch (e) {
    bindingError = `pocketsphinx is not available: ${(e as Error).message}. Install the Debian packages pocketsphinx and pocketsphinx-en-us (scripts/setup does).`;
  }
  return binding;
}

/** Whether the offline STT can run here, and why not. */
export function pocketsphinxAvailability(modelDir = POCKETSPHINX_MODEL_DIR): { ok: boolean; reason: string | null } {
  const b = loadBinding();
  if (b === null) return { ok: false, reason: bindingError };
  if (!existsSync(join(modelDir, 'mdef'))) return { ok: false, reason: `pocketsphinx model missing at ${modelDir} (Debian package pocketsphinx-en-us)` };
  return { ok: true, reason: null };
}

export interface PocketsphinxOptions {
  knownRepos?: readonly string[];
  people?: readonly string[];
  bodyPhrases?: readonly string[];
  modelDir?: string;
  /** Where compiled grammars and dictionaries are cached (default: <tmp>/handsfree-speech). */
  cacheDir?: string;
  /** Extra decoder arguments (tuning experiments), e.g. ['-lw', '3']. */
  decoderArgs?: readonly string[];
}

/** A compiled grammar on disk: the FSG and dictionary pocketsphinx loads. */
export interface CompiledGrammar {
  grammar: GeneratedGrammar;
  fsgPath: string;
  dictPath: string;
  /** Words whose pronunciation was generated (missing from cmudict). */
  generatedWords: string[];
}

/** Generates (or reuses from the cache) the FSG and dictionary for a vocabulary. */
export function compileGrammar(opts: PocketsphinxOptions): CompiledGrammar {
  const grammar = generateGrammar({ knownRepos: opts.knownRepos, people: opts.people, bodyPhrases: opts.bodyPhrases });
  const dir = opts.cacheDir ?? join(tmpdir(), 'handsfree-speech');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = createHash('sha256').update(grammar.jsgf).update('v1').digest('hex').slice(0, 16);
  const fsgPath = join(dir, `${key}.fsg`);
  const dictPath = join(dir, `${key}.dict`);
  const jsgfPath = join(dir, `${key}.gram`);
  const dict = buildDictionary(grammar.words);
  // Written to a temp name and renamed (atomic): parallel test workers may compile the same grammar.
  const put = (path: string, text: string): void => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  };
  if (!existsSync(jsgfPath)) put(jsgfPath, grammar.jsgf);
  if (!existsSync(dictPath)) put(dictPath, dict.text);
  if (!existsSync(fsgPath)) put(fsgPath, toFsg(grammarAutomaton(grammar.jsgf)));
  return { grammar, fsgPath, dictPath, generatedWords: dict.generated };
}

export class PocketsphinxSpeechToText implements SpeechToText {
  readonly name = 'offline-pocketsphinx';
  private decoder: unknown = null;
  private compiled: CompiledGrammar | null = null;
  private lastError: string | null = null;
  private opts: PocketsphinxOptions;

  constructor(opts: PocketsphinxOptions = {}) {
    this.opts = opts;
  }

  /** Replaces the user's repos/people; the decoder is rebuilt on next use. */
  setVocabulary(v: { knownRepos?: readonly string[]; people?: readonly string[] }): void {
    const next = { ...this.opts, ...v };
    if (JSON.stringify([next.knownRepos, next.people]) === JSON.stringify([this.opts.knownRepos, this.opts.people])) return;
    this.opts = next;
    this.close();
  }

  /** Builds the decoder now (start-up) instead of on the first utterance. */
  warmUp(): void {
    this.ensure();
  }

  get grammar(): GeneratedGrammar | null {
    return this.compiled?.grammar ?? null;
  }

  private ensure(): unknown {
    if (this.decoder !== null) return this.decoder;
    const b = loadBinding();
    if (b === null) throw new Error(bindingError ?? 'pocketsphinx unavailable');
    this.compiled = compileGrammar(this.opts);
    const common = ['-hmm', this.opts.modelDir ?? POCKETSPHINX_MODEL_DIR, '-dict', this.compiled.dictPath, '-logfn', '/dev/null', '-samprate', String(SAMPLE_RATE_HZ), ...DEFAULT_DECODER_ARGS];
    this.decoder = b.init([...common, '-fsg', this.compiled.fsgPath, ...(this.opts.decoderArgs ?? [])]);
    return this.decoder;
  }

  async transcribe(audio: PcmAudio, opts: TranscribeOptions = {}): Promise<Transcript> {
    opts.signal?.throwIfAborted();
    const t0 = performance.now();
    const pcm = audio.sampleRateHz === SAMPLE_RATE_HZ ? audio.samples : resample(audio.samples, audio.sampleRateHz, SAMPLE_RATE_HZ);
    let text = '';
    try {
      const dec = this.ensure();
      const r = (loadBinding() as Binding).decode(dec, pcm);
      text = applyRewrites(r.hyp.trim(), this.compiled?.grammar.rewrites ?? []);

      this.lastError = null;
    } catch (e) {
      this.lastError = (e as Error).message;
      throw e;
    }
    return {
      text,
      confidence: text === '' ? 0 : 0.9,
      provider: this.name,
      processingMs: performance.now() - t0,
      audioMs: (pcm.length / SAMPLE_RATE_HZ) * 1000,
    };
  }

  health(): ProviderHealth {
    const a = pocketsphinxAvailability(this.opts.modelDir);
    if (!a.ok) return { provider: this.name, ok: false, message: a.reason };
    return { provider: this.name, ok: this.lastError === null, message: this.lastError };
  }

  close(): void {
    if (this.decoder !== null) (loadBinding() as Binding).free(this.decoder);
    this.decoder = null;
  }
}
