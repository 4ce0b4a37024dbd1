/**
 * Text → encoded audio for POST /v1/tts and the UI's TTS test screen, behind one bounded LRU
 * cache keyed by (provider, voice, format, text).
 *
 * The cache lives in memory, not on disk: a cached sentence is 30–200 kB, the bound (64 entries,
 * 16 MB) fits comfortably in the app's RSS budget, a hit costs no I/O, and nothing stale survives a
 * restart or a provider/voice change (a disk cache would need its own eviction, corruption handling
 * and cleanup in the data dir for little gain: espeak-ng synthesizes a sentence in tens of ms).
 * Concurrent requests for the same key share one synthesis. Audio produced by a fallback provider
 * (notice set) is not cached, so the cloud voice is used again as soon as it recovers.
 */
import { MAX_TTS_TEXT_CHARS, TTS_PROVIDERS, type TtsFormatName, type TtsProviderName } from '../../contract/api.js';
import { AppError } from '../../contract/errors.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { TextToSpeech } from '../../core/ports/speech.js';
import { sanitizeForSpeech } from '../../core/voice/speechText.js';
import { AUDIO_CONTENT_TYPES, encodeAudio } from './wav.js';

export interface TtsAudio {
  bytes: Uint8Array;
  contentType: string;
  format: TtsFormatName;
  /** Provider that produced the audio (after any fallback). */
  provider: string;
  voice: string;
  /** ms from the request to encoded audio ready (a cache hit is near 0). */
  firstAudioMs: number;
  /** Length of the audio, ms. */
  durationMs: number;
  cached: boolean;
  notice: string | null;
}

export interface TtsServiceOptions {
  /** The provider for a kind; may be async (e.g. the app's lazily created, fallback-wrapped one). */
  providerFor(kind: TtsProviderName): TextToSpeech | Promise<TextToSpeech>;
  defaultProvider: TtsProviderName;
  metrics: Metrics;
  monotonicMs: () => number;
  /** Default 64 entries. */
  maxEntries?: number;
  /** Default 16 MB of encoded audio. */
  maxBytes?: number;
}

interface Entry {
  audio: Omit<TtsAudio, 'firstAudioMs' | 'cached'>;
}

export const DEFAULT_TTS_CACHE_ENTRIES = 64;
export const DEFAULT_TTS_CACHE_BYTES = 16 * 1024 * 1024;

export class TtsService {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry & { cacheable: boolean }>>();
  private cachedBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: TtsServiceOptions) {
    this.maxEntries = opts.maxEntries ?? DEFAULT_TTS_CACHE_ENTRIES;
    this.maxBytes = opts.maxBytes ?? DEFAULT_TTS_CACHE_BYTES;
  }

  /** The provider used when a request names none. */
  get defaultProvider(): TtsProviderName {
    return this.opts.defaultProvider;
  }

  /** Voices per provider kind (first is the default), for the UI's choices. */
  async voices(): Promise<{ provider: TtsProviderName; voices: string[] }[]> {
    const out: { provider: TtsProviderName; voices: string[] }[] = [];
    for (const kind of TTS_PROVIDERS) out.push({ provider: kind, voices: [...(await this.opts.providerFor(kind)).voices] });
    return out;
  }

  /** Entries and bytes held, for tests and status. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cachedBytes };
  }

  /**
   * Synthesizes `text` (sanitized, ≤ 4,096 chars) and encodes it. Throws AppError validation_failed
   * for empty text after sanitizing or an unknown voice, text_too_long over the limit; provider
   * failures propagate as they are.
   */
  async synthesize(req: { text: string; voice?: string; provider?: TtsProviderName; format: TtsFormatName }): Promise<TtsAudio> {
    const t0 = this.opts.monotonicMs();
    if (req.text.length > MAX_TTS_TEXT_CHARS) throw new AppError('text_too_long', `Text is ${req.text.length} characters; the limit is ${MAX_TTS_TEXT_CHARS}.`);
    const text = sanitizeForSpeech(req.text);
    if (text === '') throw new AppError('validation_failed', 'Nothing to say: the text is empty after removing control and invisible characters.');
    const kind = req.provider ?? this.opts.defaultProvider;
    const tts = await this.opts.providerFor(kind);
    const voice = req.voice ?? (tts.voices[0] as string);
    if (!tts.voices.includes(voice)) {
      throw new AppError('validation_failed', `Unknown voice "${voice}" for provider ${kind}; known: ${tts.voices.join(', ')}.`);
    }
    // JSON of a tuple: no separator inside the text can make two keys collide.
    const key = JSON.stringify([kind, voice, req.format, text]);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key); // re-insert: Map order is the LRU order
      this.cache.set(key, hit);
      this.opts.metrics.increment('tts.cache_hit');
      const ms = this.opts.monotonicMs() - t0;
      this.opts.metrics.observe('tts.first_audio', ms);
      return { ...hit.audio, firstAudioMs: ms, cached: true };
    }
    let job = this.inFlight.get(key);
    if (job === undefined) {
      this.opts.metrics.increment('tts.cache_miss');
      job = this.produce(tts, text, voice, req.format).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, job);
      const fresh = await job;
      if (fresh.cacheable) this.remember(key, { audio: fresh.audio });
    }
    const done = await job;
    const ms = this.opts.monotonicMs() - t0;
    this.opts.metrics.observe('tts.first_audio', ms);
    return { ...done.audio, firstAudioMs: ms, cached: false };
  }

  private async produce(tts: TextToSpeech, text: string, voice: string, format: TtsFormatName): Promise<Entry & { cacheable: boolean }> {
    const speech = await tts.synthesize(text, { voice });
    const bytes = await encodeAudio(speech.audio, format);
    const durationMs = Math.round((speech.audio.samples.length / speech.audio.sampleRateHz) * 1000);
    return {
      audio: { bytes, contentType: AUDIO_CONTENT_TYPES[format], format, provider: speech.provider, voice, durationMs, notice: speech.notice ?? null },
      cacheable: speech.notice === undefined,
    };
  }

  private remember(key: string, e: Entry): void {
    const size = e.audio.bytes.byteLength;
    if (size > this.maxBytes) return;
    this.cache.set(key, e);
    this.cachedBytes += size;
    for (const [k, old] of this.cache) {
      if (this.cache.size <= this.maxEntries && this.cachedBytes <= this.maxBytes) break;
      this.cache.delete(k);
      this.cachedBytes -= old.audio.bytes.byteLength;
    }
  }
}
