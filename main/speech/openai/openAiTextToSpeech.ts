/**
 * Cloud text-to-speech: OpenAI `audio.speech.create` (gpt-4o-mini-tts by default; model, voice and
 * format configurable). The body is read as a stream, so `firstAudioMs` is the time to the first
 * audio bytes, not to the whole file. Formats: `pcm` (24 kHz 16-bit mono, no header) or `wav`.
 * One attempt per call with a deadline covering headers and body (10 s by default); wrap it in
 * FallbackTextToSpeech for the breaker and the offline fallback.
 */
import type { PcmAudio, ProviderHealth, Speech, SynthesizeOptions, TextToSpeech } from '../../../core/ports/speech.js';
import { sanitizeForSpeech } from '../../../core/voice/speechText.js';
import { CloudSpeechError, type CloudSpeechProvider } from '../fallback.js';
import { parseWav } from '../wav.js';
import { missingKey, OpenAiClientCache, toCloudError } from './client.js';
import { withDeadline } from './openAiSpeechToText.js';
import { OPENAI_VOICES, settingsFingerprint, type OpenAiSpeechSettings } from './settings.js';

/** Sample rate of OpenAI's `pcm` output. */
export const OPENAI_PCM_RATE_HZ = 24_000;

export class OpenAiTextToSpeech implements TextToSpeech, CloudSpeechProvider {
  readonly name = 'openai';
  readonly voices: readonly string[];
  readonly deadlineMs: number;
  private readonly clients: OpenAiClientCache;
  private lastError: string | null = null;

  constructor(private readonly settings: OpenAiSpeechSettings) {
    this.deadlineMs = settings.ttsDeadlineMs;
    this.clients = new OpenAiClientCache(settings);
    this.voices = [settings.voice, ...OPENAI_VOICES.filter((v) => v !== settings.voice)];
  }

  /**
   * One speech request, streamed. A voice this provider does not know (e.g. an espeak voice name)
   * is replaced by the configured default. Throws CloudSpeechError on failure. `firstAudioMs` in ms.
   */
  async synthesize(text: string, opts: SynthesizeOptions = {}): Promise<Speech> {
    const input = sanitizeForSpeech(text);
    if (input === '') throw new CloudSpeechError('rejected', 'nothing to say');
    const voice = opts.voice !== undefined && this.voices.includes(opts.voice) ? opts.voice : this.settings.voice;
    const format = this.settings.ttsFormat;
    const signal = withDeadline(opts.signal, this.deadlineMs);
    const t0 = performance.now();
    try {
      const client = await this.clients.get(this.deadlineMs);
      const res = await client.audio.speech.create({ model: this.settings.ttsModel, voice, input, response_format: format }, { signal, timeout: this.deadlineMs });
      if (res.body === null) throw new CloudSpeechError('unavailable', 'OpenAI answered speech without a body');
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let firstAudioMs: number | null = null;
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.length === 0) continue;
        firstAudioMs ??= performance.now() - t0;
        chunks.push(value);
        total += value.length;
      }
      if (total === 0 || firstAudioMs === null) throw new CloudSpeechError('unavailable', 'OpenAI answered speech with no audio');
      const bytes = new Uint8Array(total);
      let o = 0;
      for (const c of chunks) {
        bytes.set(c, o);
        o += c.length;
      }
      const audio = decodeSpeech(bytes, format);
      this.lastError = null;
      return { audio, provider: this.name, firstAudioMs };
    } catch (e) {
      const err = await toCloudError(e, signal, this.deadlineMs);
      this.lastError = err.message;
      throw err;
    }
  }

  settingsFingerprint(): string {
    return settingsFingerprint(this.settings, `${this.settings.ttsModel}\0${this.settings.voice}`);
  }

  missingSettings(): CloudSpeechError | null {
    return missingKey(this.settings);
  }

  health(): ProviderHealth {
    const missing = missingKey(this.settings);
    if (missing !== null) return { provider: this.name, ok: false, message: missing.message };
    return { provider: this.name, ok: this.lastError === null, message: this.lastError };
  }
}

/** OpenAI speech bytes → mono PCM; a malformed answer is an unavailable service, not our bug. */
function decodeSpeech(bytes: Uint8Array, format: 'pcm' | 'wav'): PcmAudio {
  if (format === 'wav') {
    try {
      return parseWav(bytes);
    } catch (e) {
      throw new CloudSpeechError('unavailable', `OpenAI answered a WAV that could not be read: ${(e as Error).message}`);
    }
  }
  const n = Math.floor(bytes.length / 2);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = dv.getInt16(i * 2, true);
  return { sampleRateHz: OPENAI_PCM_RATE_HZ, samples };
}
