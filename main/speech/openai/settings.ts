/**
 * OpenAI speech settings (validated in main/app/config.ts). SDK-free so config and provider
 * selection can name them without loading the SDK.
 */
import { createHash } from 'node:crypto';

/** Voices of `audio.speech.create` (first is our default). */
export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;
/** Formats we can turn into PCM without extra tools: raw 24 kHz 16-bit PCM (streams best) or WAV. */
export const OPENAI_TTS_FORMATS = ['pcm', 'wav'] as const;
export type OpenAiTtsFormat = (typeof OPENAI_TTS_FORMATS)[number];

export interface OpenAiSpeechSettings {
  /** e.g. https://api.openai.com/v1, or any OpenAI-compatible service. */
  baseURL: string;
  /** Reads the key when needed (env or a 0600 file), so a changed key re-enables a disabled provider. Never logged. */
  apiKey: () => string | undefined;
  /** e.g. gpt-4o-mini-transcribe, gpt-4o-transcribe, whisper-1. */
  sttModel: string;
  /** e.g. gpt-4o-mini-tts, tts-1. */
  ttsModel: string;
  /** Default voice (one of OPENAI_VOICES or a custom voice id). */
  voice: string;
  ttsFormat: OpenAiTtsFormat;
  /** Per-call deadlines, ms (NET-1: STT 20 s, TTS 10 s). */
  sttDeadlineMs: number;
  ttsDeadlineMs: number;
  /** Breaker: open → one probe after this many ms. */
  halfOpenAfterMs: number;
}

export const OPENAI_DEFAULTS = {
  baseURL: 'https://api.openai.com/v1',
  sttModel: 'gpt-4o-mini-transcribe',
  ttsModel: 'gpt-4o-mini-tts',
  voice: 'alloy',
  ttsFormat: 'pcm',
  sttDeadlineMs: 20_000,
  ttsDeadlineMs: 10_000,
  halfOpenAfterMs: 30_000,
} as const satisfies Omit<OpenAiSpeechSettings, 'apiKey'>;

/** A short hash of everything that, when changed, deserves a fresh try (the key is hashed, never kept). */
export function settingsFingerprint(s: OpenAiSpeechSettings, model: string): string {
  return createHash('sha256').update(`${s.apiKey() ?? ''}\0${s.baseURL}\0${model}`).digest('hex').slice(0, 16);
}
