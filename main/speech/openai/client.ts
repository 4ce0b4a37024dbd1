/**
 * The OpenAI SDK, loaded on first use (it is not needed when speech is offline) and configured for
 * voice latency: `maxRetries: 0` (the resilience wrapper decides what happens after a failure;
 * NET-2), an explicit timeout per call, and SDK logging off (headers carry the key).
 * SDK errors become CloudSpeechError with messages built from status and code only: OpenAI's own
 * 401 message echoes part of the key.
 */
import type OpenAIType from 'openai';
import { CloudSpeechError, SpeechCallAbortedError } from '../fallback.js';
import type { OpenAiSpeechSettings } from './settings.js';

type Sdk = typeof import('openai');
let sdk: Promise<Sdk> | null = null;

/** The SDK module, imported once. */
export function loadOpenAi(): Promise<Sdk> {
  sdk ??= import('openai');
  return sdk;
}

/** One client per (key, base URL); recreated when the key changes. */
export class OpenAiClientCache {
  private cached: { key: string; client: OpenAIType } | null = null;
  constructor(private readonly settings: OpenAiSpeechSettings) {}

  /** The client for the current key; throws CloudSpeechError('no_key') when none is set. */
  async get(deadlineMs: number): Promise<OpenAIType> {
    const missing = missingKey(this.settings);
    if (missing !== null) throw missing;
    const key = this.settings.apiKey() as string;
    if (this.cached?.key !== key) {
      const { OpenAI } = await loadOpenAi();
      this.cached = { key, client: new OpenAI({ apiKey: key, baseURL: this.settings.baseURL, maxRetries: 0, timeout: deadlineMs, logLevel: 'off' }) };
    }
    return this.cached.client;
  }
}

/** Maps anything the SDK (or our decoding) threw to a CloudSpeechError; caller aborts to SpeechCallAbortedError. */
export async function toCloudError(e: unknown, signal: AbortSignal | undefined, deadlineMs: number): Promise<Error> {
  if (e instanceof CloudSpeechError || e instanceof SpeechCallAbortedError) return e;
  const m = await loadOpenAi();
  if (e instanceof m.APIUserAbortError || (e instanceof Error && e.name === 'AbortError') || signal?.aborted === true) {
    // The guard's deadline aborts through the same signal: report it as a timeout, not a user cancel.
    const why: unknown = signal?.reason;
    if (why instanceof Error && (why.name === 'TimeoutError' || why.name === 'TaskCancelledError')) return new CloudSpeechError('unavailable', `no answer within ${deadlineMs} ms`);
    return new SpeechCallAbortedError();
  }
  if (e instanceof m.APIConnectionTimeoutError) return new CloudSpeechError('unavailable', `no answer within ${deadlineMs} ms`);
  if (e instanceof m.APIConnectionError) return new CloudSpeechError('unavailable', 'could not reach the OpenAI service (connection failed or reset)');
  if (e instanceof m.APIError) {
    const status = typeof e.status === 'number' ? e.status : null;
    const code = typeof e.code === 'string' ? e.code : (e.type ?? 'error');
    const msg = `OpenAI answered ${status ?? 'an error'} (${code})`;
    if (status === 401) return new CloudSpeechError('unauthorized', msg, status);
    if (status === 429 && (e.code === 'insufficient_quota' || e.type === 'insufficient_quota')) return new CloudSpeechError('quota', msg, status);
    if (status === 403 || status === 404) return new CloudSpeechError('misconfigured', msg, status);
    if (status === 400 || status === 413 || status === 415 || status === 422) return new CloudSpeechError('rejected', msg, status);
    return new CloudSpeechError('unavailable', msg, status);
  }
  return new CloudSpeechError('unavailable', `OpenAI call failed: ${e instanceof Error ? e.message : String(e)}`);
}

/** CloudSpeechError('no_key') when no API key is set, else null. */
export function missingKey(settings: OpenAiSpeechSettings): CloudSpeechError | null {
  const key = settings.apiKey();
  return key === undefined || key === '' ? new CloudSpeechError('no_key', 'no OpenAI API key is set (HANDSFREE_OPENAI_API_KEY, OPENAI_API_KEY or <dataDir>/openai-api-key)') : null;
}
