/**
 * Speech ports: speech-to-text, text-to-speech and voice activity detection. Implemented in
 * main/speech (offline pocketsphinx / espeak-ng / WebRTC VAD, OpenAI, and deterministic stubs);
 * the voice loop in core/voice only sees these interfaces. Pure types.
 */

/** Mono 16-bit PCM. */
export interface PcmAudio {
  readonly sampleRateHz: number;
  readonly samples: Int16Array;
  /**
   * The rate the microphone itself captures at (Hz), when lower than sampleRateHz: an 8 kHz HFP
   * headset mic delivered resampled to 16 kHz holds only the narrow band, and a recognizer that
   * picks its settings by band needs to know.
   */
  readonly captureRateHz?: number;
}

export interface ProviderHealth {
  /** e.g. "offline-pocketsphinx", "openai", "stub". */
  readonly provider: string;
  readonly ok: boolean;
  /** Why not ok, or a note such as "falling back to offline". */
  readonly message: string | null;
}

export interface TranscribeOptions {
  readonly signal?: { readonly aborted: boolean; throwIfAborted(): void };
  /**
   * Optional bias: PR/issue numbers the user can see right now (inbox, last PR, open PRs of the
   * repo). A recognizer may favour them in its number slot; it must still hear any other number.
   */
  readonly hints?: { readonly numbers: readonly number[] };
  /**
   * Judge every hypothesis as strictly as one that would act (merge, confirm, …): the audio may be
   * the assistant's own reply coming back, heard over or right after it spoke with no echo
   * canceller to trust. A recognizer without such a judgement ignores it.
   */
  readonly strict?: boolean;
}

export interface Transcript {
  /** Lowercase words as heard; "" when nothing in the grammar was heard (rejection). */
  readonly text: string;
  /** 0..1. */
  readonly confidence: number;
  /** Provider that produced it (after any fallback). */
  readonly provider: string;
  /** Processing time in ms (not audio time). */
  readonly processingMs: number;
  /** Audio length in ms. */
  readonly audioMs: number;
  /** A fallback note to say once ("The cloud speech service is unavailable; using offline speech."). */
  readonly notice?: string;
  /**
   * True when the recognizer's grammar allows no further words after this transcript (a whole
   * command that nothing can extend, e.g. "what needs my attention"; not "read PR twelve", which
   * "three" could follow). Absent for providers without a grammar. Lets VAD mode end a turn early.
   */
  readonly grammarComplete?: boolean;
  /**
   * True when the transcript is a whole command, even if the grammar could extend it ("read PR
   * twelve"). Set with grammarComplete. VAD mode ends such a turn after a shorter silence than the
   * full hangover.
   */
  readonly grammarFinal?: boolean;
  /**
   * For a command naming one PR/issue number: other numbers the recognizer weighed for it, most
   * likely first (an N-best list). A "there is no PR 50" answer offers the first that exists
   * ("Did you mean 15?"). Absent when the provider has none.
   */
  readonly numberAlternatives?: readonly number[];
  /**
   * True when a whole command ends inside a number the grammar could still extend ("read PR twelve"
   * → "… eighteen", as people group PR numbers, often with a pause). Set with grammarFinal. VAD mode
   * waits longer for such a turn than for one that only a word could extend ("next" → "next one").
   */
  readonly grammarNumberOpen?: boolean;
  /**
   * With text "": a command with a side effect that the recognizer heard but will not pass on by
   * itself (free speech explained part of the audio better), for the caller to read back and run
   * only if the user says it again. Never a confirmation, never on strict judgement
   * (TranscribeOptions.strict). Absent when the provider has none.
   */
  readonly unsure?: string;
}

export interface SpeechToText {
  readonly name: string;
  /** Sets Transcript.grammarComplete (a grammar-constrained recognizer): VAD mode may then end turns early. */
  readonly reportsGrammarComplete?: boolean;
  transcribe(audio: PcmAudio, opts?: TranscribeOptions): Promise<Transcript>;
  health(): ProviderHealth;
  /**
   * Builds now (blocking) what the first utterance captured at `sampleRateHz` (Hz) would otherwise
   * build inside the audio path, e.g. an offline recognizer's decoders: the voice loop calls it
   * before it listens, so the first command neither waits for it nor loses mic audio meanwhile.
   */
  prepareFor?(sampleRateHz: number): void;
}

export type TtsFormat = 'wav' | 'mp3' | 'opus';

export interface SynthesizeOptions {
  readonly voice?: string;
  readonly signal?: { readonly aborted: boolean; throwIfAborted(): void };
}

export interface Speech {
  readonly audio: PcmAudio;
  readonly provider: string;
  /** Time to the first audio in ms (whole synthesis for non-streaming providers). */
  readonly firstAudioMs: number;
  readonly notice?: string;
}

/**
 * Speech delivered while it is synthesized: the voice loop starts playback on the first chunk
 * instead of waiting for the whole reply.
 */
export interface SpeechStream {
  readonly sampleRateHz: number;
  readonly provider: string;
  /** Time from the request to the first chunk, ms. */
  readonly firstAudioMs: number;
  /** Mono 16-bit chunks at `sampleRateHz`, in order, the first one ready; throws if synthesis fails midway. */
  readonly chunks: AsyncIterable<Int16Array>;
  /** Stops synthesis (barge-in, stop); the iteration then ends. Idempotent. */
  cancel(): void;
}

export interface TextToSpeech {
  readonly name: string;
  /** Voices this provider knows (first is the default). */
  readonly voices: readonly string[];
  synthesize(text: string, opts?: SynthesizeOptions): Promise<Speech>;
  /** Optional: the same speech as it is synthesized; resolves when the first chunk is ready. */
  synthesizeStream?(text: string, opts?: SynthesizeOptions): Promise<SpeechStream>;
  health(): ProviderHealth;
}

/** Frame-by-frame speech/non-speech decisions with smoothing, producing utterance boundaries. */
export interface VoiceActivityDetector {
  readonly name: string;
  /** Samples per frame the detector consumes at `sampleRateHz`. */
  readonly frameSamples: number;
  readonly sampleRateHz: number;
  /** Raw per-frame decision. */
  isSpeech(frame: Int16Array): boolean;
  reset(): void;
}

/**
 * Spots a wake phrase ("hey companion") at the start of an utterance the VAD cut: keyword
 * spotting, not full recognition.
 */
export interface WakePhraseDetector {
  readonly name: string;
  /** The phrase listened for, lowercase words. */
  readonly phrase: string;
  /** Where the phrase ends in `audio` (ms from its start), or null when it is not in it. */
  spot(audio: PcmAudio): number | null;
  /** Builds now what audio captured at `sampleRateHz` (Hz) needs, instead of on its first utterance. */
  prepareFor?(sampleRateHz: number): void;
  close(): void;
}
