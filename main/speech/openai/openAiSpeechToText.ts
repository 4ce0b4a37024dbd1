/**
 * Cloud speech-to-text: OpenAI `audio.transcriptions.create` (gpt-4o-mini-transcribe by default,
 * whisper-1 or any OpenAI-compatible service by configuration). The utterance is uploaded as a
 * 16-bit mono WAV. One attempt per call with a deadline (20 s by default); wrap it in
 * FallbackSpeechToText (main/speech/fallback.ts) for the breaker and the offline fallback.
 */
import { z } from 'zod';
import type { PcmAudio, ProviderHealth, SpeechToText, TranscribeOptions, Transcript } from '../../../core/ports/speech.js';
import { CloudSpeechError, type CloudSpeechProvider } from '../fallback.js';
import { encodeWav } from '../wav.js';
import { loadOpenAi, missingKey, OpenAiClientCache, toCloudError } from './client.js';
import { settingsFingerprint, type OpenAiSpeechSettings } from './settings.js';

/** Confidence when the service gives no log-probabilities (whisper-1): unknown, so below "sure". */
export const UNSCORED_CONFIDENCE = 0.5;
/** The vocabulary prompt stays short: the API reads only its last 224 tokens. */
const MAX_PROMPT_CHARS = 600;

const TranscriptionSchema = z.object({
  text: z.string(),
  logprobs: z.array(z.object({ logprob: z.number() })).optional(),
});

export class OpenAiSpeechToText implements SpeechToText, CloudSpeechProvider {
  readonly name = 'openai';
  readonly deadlineMs: number;
  private readonly clients: OpenAiClientCache;
  private prompt: string | undefined;
  private lastError: string | null = null;

  constructor(private readonly settings: OpenAiSpeechSettings) {
    this.deadlineMs = settings.sttDeadlineMs;
    this.clients = new OpenAiClientCache(settings);
  }

  /** Biases recognition toward the user's repo and people names (spelled as on GitHub). */
  setVocabulary(v: { knownRepos: readonly string[]; people?: readonly string[] }): void {
    const names = [...v.knownRepos, ...(v.people ?? [])].join(', ');
    this.prompt = names === '' ? undefined : `Voice commands for GitHub. Names: ${names}`.slice(0, MAX_PROMPT_CHARS);
  }

  /**
   * One transcription request. Throws CloudSpeechError on any failure (SpeechCallAbortedError when
   * `opts.signal` was aborted by the caller). `processingMs` and `audioMs` are milliseconds.
   */
  async transcribe(audio: PcmAudio, opts: TranscribeOptions = {}): Promise<Transcript> {
    const t0 = performance.now();
    const audioMs = (audio.samples.length / audio.sampleRateHz) * 1000;
    const signal = withDeadline(opts.signal, this.deadlineMs);
    try {
      const client = await this.clients.get(this.deadlineMs);
      const { toFile } = await loadOpenAi();
      const file = await toFile(encodeWav(audio), 'utterance.wav', { type: 'audio/wav' });
      // Log-probabilities exist only for the gpt-4o transcribe family, with JSON output.
      const scored = this.settings.sttModel.startsWith('gpt-4o');
      const res: unknown = await client.audio.transcriptions.create(
        {
          file,
          model: this.settings.sttModel,
          response_format: 'json',
          language: 'en',
          ...(this.prompt !== undefined ? { prompt: this.prompt } : {}),
          ...(scored ? { include: ['logprobs' as const] } : {}),
        },
        { signal, timeout: this.deadlineMs },
      );
      const parsed = TranscriptionSchema.safeParse(res);
      if (!parsed.success) throw new CloudSpeechError('unavailable', 'OpenAI answered a transcription without text');
      const lp = parsed.data.logprobs ?? [];
      const confidence = lp.length > 0 ? Math.exp(lp.reduce((a, x) => a + x.logprob, 0) / lp.length) : UNSCORED_CONFIDENCE;
      const text = normalizeTranscript(parsed.data.text);
      this.lastError = null;
      return { text, confidence: text === '' ? 0 : Math.min(1, Math.max(0, confidence)), provider: this.name, processingMs: performance.now() - t0, audioMs };
    } catch (e) {
      const err = await toCloudError(e, signal, this.deadlineMs);
      this.lastError = err.message;
      throw err;
    }
  }

  settingsFingerprint(): string {
    return settingsFingerprint(this.settings, this.settings.sttModel);
  }

  missingSettings(): CloudSpeechError | null {
    return missingKey(this.settings);
  }

  health(): ProviderHealth {
    const key = this.settings.apiKey();
    if (key === undefined || key === '') return { provider: this.name, ok: false, message: 'no OpenAI API key is set' };
    return { provider: this.name, ok: this.lastError === null, message: this.lastError };
  }
}

/**
 * Lowercase words as the pipeline expects: sentence punctuation dropped, digits and names such as
 * "acme/api" or "v1.2" kept.
 */
export function normalizeTranscript(text: string): string {
  return text
    .toLowerCase()
    .replace(/[“”"¿¡]/g, ' ')
    .replace(/[.,!?;:…]+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The caller's signal (if it is an AbortSignal) combined with this call's deadline. */
export function withDeadline(outer: TranscribeOptions['signal'], deadlineMs: number): AbortSignal {
  const deadline = AbortSignal.timeout(deadlineMs);
  return outer instanceof AbortSignal ? AbortSignal.any([outer, deadline]) : deadline;
}
