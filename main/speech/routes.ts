/**
 * Speech over the HTTP API, mounted through `extraRoutes` (same Host/Origin checks, auth, rate
 * limit and `{error, code, message, details}` (contract/seedApi.ts errorBody) shape as the built-in routes):
 *
 * - `POST /v1/command` with an audio body (the JSON route of the same path takes text; the router
 *   picks by Content-Type): the format is sniffed from the bytes (WAV, MP3, OGG/Opus, OGG/Vorbis),
 *   ≤ 10 MB (413, enforced while streaming) and ≤ 60 s (422); then one voice turn (STT → pipeline
 *   → TTS). Answers AudioCommandResponse JSON, or the spoken reply as WAV with `?reply=wav` or
 *   `Accept: audio/wav` (transcript and status then in X-Transcript / X-Command-Status headers).
 * - `POST /v1/tts` {text, voice?, provider?, format} → audio bytes, X-TTS-First-Audio-Ms header.
 * - `POST /v1/dev/audio`, `GET /v1/dev/audio`, `DELETE /v1/dev/audio/:id` (dev auth mode only):
 *   validated test audio stored under `<dataDir>/dev-audio`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  AUDIO_UPLOAD_CONTENT_TYPES,
  MAX_AUDIO_UPLOAD_BYTES,
  MAX_AUDIO_UPLOAD_MS,
  SessionIdSchema,
  TtsRequestSchema,
  voiceClientContext,
  type AudioCommandResponse,
  type DevAudioView,
  type TtsProviderName,
} from '../../contract/api.js';
import { isAppError } from '../../contract/errors.js';
import { PROFILE_NAMES } from '../../contract/intent.js';
import type { AppService } from '../../contract/api.js';
import type { Metrics } from '../../core/ports/metrics.js';
import { runVoiceTurn } from '../../core/voice/turn.js';
import { AudioCommandResponseSchema, DevAudioListSchema, DevAudioViewSchema } from '../../contract/seedApi.js';
import { validate } from '../server/body.js';
import { HttpError } from '../server/errorStatus.js';
import { callerOf, jsonRoute, plainRoute, queryOf, type RouteContext, type RouteSpec } from '../server/router.js';
import type { SpeechProviders } from './providers.js';
import { TtsService } from './ttsService.js';
import { decodeAudio, encodeWav } from './wav.js';

export interface SpeechRouteDeps {
  service: AppService;
  /** STT/TTS for voice turns (created lazily by the app). */
  speech(): Promise<Pick<SpeechProviders, 'stt' | 'tts'>>;
  tts: TtsService;
  metrics: Metrics;
  monotonicMs: () => number;
  nowMs: () => number;
  authMode: 'local' | 'dev' | 'api_key' | 'jwt';
  /** Where /v1/dev/audio keeps uploads. */
  devAudioDir: string;
  /** Default TTS voice for replies. */
  voice?: string;
}

/** Most files /v1/dev/audio keeps (uploads beyond it are refused until some are deleted). */
export const MAX_DEV_AUDIO_FILES = 100;

const CommandAudioQuerySchema = z.strictObject({
  reply: z.enum(['json', 'wav']).optional(),
  session_id: SessionIdSchema.optional(),
  profile: z.enum(PROFILE_NAMES).optional(),
  voice: z.string().regex(/^[A-Za-z0-9_+-]{1,40}$/).optional(),
});

const DEV_AUDIO_ID = /^[a-f0-9]{16}$/;

function wantsWav(ctx: RouteContext, reply: 'json' | 'wav' | undefined): boolean {
  if (reply !== undefined) return reply === 'wav';
  const accept = String(ctx.req.headers.accept ?? '').toLowerCase();
  return /\baudio\/(wav|wave|x-wav)\b/.test(accept) && !accept.includes('application/json');
}

/**
 * decodeAudio's errors as HTTP: too large 413, unknown format 415, too long or corrupt 422 (the
 * media type was fine, the content is not usable).
 */
export async function decodeUpload(bytes: Uint8Array): Promise<Awaited<ReturnType<typeof decodeAudio>>> {
  try {
    return await decodeAudio(bytes, { maxBytes: MAX_AUDIO_UPLOAD_BYTES, maxMs: MAX_AUDIO_UPLOAD_MS });
  } catch (e) {
    if (isAppError(e) && e.code === 'validation_failed') throw new HttpError(422, 'validation_failed', e.message);
    throw e;
  }
}

/** A header-safe form of text (headers are Latin-1; the transcript may be anything). */
function headerText(s: string): string {
  return encodeURIComponent(s.slice(0, 500));
}

export function devAudioViews(dir: string): DevAudioView[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: DevAudioView[] = [];
  for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, n), 'utf8')) as DevAudioView);
    } catch {
      // A half-written or hand-edited entry is skipped, not fatal to the listing.
    }
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/**
 * Validates (decodes) and stores test audio under `dir`, content-addressed: the same bytes give
 * the same id. `created` is false when it was already there.
 */
export async function storeDevAudio(dir: string, bytes: Uint8Array, nowMs: number): Promise<{ view: DevAudioView; created: boolean }> {
  const audio = await decodeUpload(bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const id = sha256.slice(0, 16);
  const existing = devAudioViews(dir);
  const same = existing.find((v) => v.id === id);
  if (same !== undefined) return { view: same, created: false };
  if (existing.length >= MAX_DEV_AUDIO_FILES) {
    throw new HttpError(409, 'bad_request', `The test audio store is full (${MAX_DEV_AUDIO_FILES} files); delete some with DELETE /v1/dev/audio/:id.`);
  }
  const view: DevAudioView = {
    id,
    container: audio.container,
    bytes: bytes.length,
    duration_ms: Math.round((audio.samples.length / audio.sampleRateHz) * 1000),
    sha256,
    created_at: new Date(nowMs).toISOString(),
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Audio first, then its entry: a crash in between leaves an unlisted file, never a listed one without audio.
  writeFileSync(join(dir, `${id}.${audio.container}`), bytes, { mode: 0o600 });
  writeFileSync(join(dir, `${id}.json`), JSON.stringify(view), { mode: 0o600 });
  return { view, created: true };
}

/** The bytes of stored test audio `id` (16 hex chars), or undefined. Never takes a path. */
export function readDevAudio(dir: string, id: string): Uint8Array | undefined {
  if (!DEV_AUDIO_ID.test(id)) return undefined;
  const view = devAudioViews(dir).find((v) => v.id === id);
  if (view === undefined) return undefined;
  try {
    return readFileSync(join(dir, `${id}.${view.container}`));
  } catch {
    return undefined;
  }
}

export function speechRoutes(deps: SpeechRouteDeps): RouteSpec[] {
  const devOnly = (): void => {
    // Single-user local modes only (the per-install secret, or dev in tests): never for remote clients.
    if (deps.authMode !== 'dev' && deps.authMode !== 'local') throw new HttpError(403, 'forbidden', 'Test audio uploads are only available in local or dev auth mode.');
  };
  return [
    {
      method: 'POST',
      path: '/v1/command',
      auth: 'caller',
      body: { kind: 'raw', contentTypes: AUDIO_UPLOAD_CONTENT_TYPES },
      maxBodyBytes: MAX_AUDIO_UPLOAD_BYTES,
      doc: { summary: 'Run a spoken command from audio bytes (WAV, MP3, OGG)', query: CommandAudioQuerySchema, responses: { 200: AudioCommandResponseSchema } },
      handler: async (ctx) => {
        const q = validate(CommandAudioQuerySchema, queryOf(ctx));
        const t0 = deps.monotonicMs();
        const audio = await decodeUpload(ctx.body as Uint8Array);
        const decodeMs = deps.monotonicMs() - t0;
        const speech = await deps.speech();
        const caller = callerOf(ctx);
        const turn = await runVoiceTurn(
          {
            stt: speech.stt,
            tts: speech.tts,
            metrics: deps.metrics,
            monotonicMs: deps.monotonicMs,
            runCommand: (text, conf, numbers) =>
              deps.service.runCommand(
                {
                  text,
                  ...(q.session_id ? { session_id: q.session_id } : {}),
                  ...(q.profile ? { profile: q.profile } : {}),
                  client_context: voiceClientContext(conf, numbers),
                },
                caller,
              ),
          },
          audio,
          { voice: q.voice ?? deps.voice },
        );
        deps.metrics.increment(`voice.audio_upload.${audio.container}`);
        if (wantsWav(ctx, q.reply) && turn.reply !== null) {
          return {
            status: 200,
            raw: { body: encodeWav(turn.reply.audio), contentType: 'audio/wav' },
            headers: {
              'X-Transcript': headerText(turn.transcript.text),
              'X-Spoken-Text': headerText(turn.spokenText),
              'X-Command-Status': turn.response?.status ?? 'not_heard',
              'X-TTS-First-Audio-Ms': String(Math.round(turn.timingsMs.ttsFirstAudio)),
            },
          };
        }
        const t = turn.timingsMs;
        const json: AudioCommandResponse = {
          transcript: { text: turn.transcript.text, confidence: turn.transcript.confidence, provider: turn.transcript.provider, audio_ms: Math.round(turn.transcript.audioMs) },
          response: turn.response,
          spoken_text: turn.spokenText,
          timings_ms: { decode: Math.round(decodeMs), stt: Math.round(t.stt), pipeline: Math.round(t.pipeline), tts_first_audio: Math.round(t.ttsFirstAudio), total: Math.round(t.total + decodeMs) },
        };
        return { status: 200, json };
      },
    },
    jsonRoute({
      method: 'POST',
      path: '/v1/tts',
      auth: 'caller',
      schema: TtsRequestSchema,
      doc: { summary: 'Text to speech: audio bytes', responses: { 200: 'binary' } },
      handler: async (ctx) => {
        const a = await deps.tts.synthesize(ctx.body);
        return {
          status: 200,
          raw: { body: a.bytes, contentType: a.contentType },
          headers: {
            'X-TTS-First-Audio-Ms': String(Math.round(a.firstAudioMs)),
            'X-TTS-Cache': a.cached ? 'hit' : 'miss',
            'X-TTS-Provider': a.provider,
            'X-TTS-Voice': a.voice,
            'X-Audio-Duration-Ms': String(a.durationMs),
            ...(a.notice !== null ? { 'X-TTS-Notice': headerText(a.notice) } : {}),
          },
        };
      },
    }),
    {
      method: 'POST',
      path: '/v1/dev/audio',
      auth: 'caller',
      body: { kind: 'raw', contentTypes: AUDIO_UPLOAD_CONTENT_TYPES },
      maxBodyBytes: MAX_AUDIO_UPLOAD_BYTES,
      doc: { summary: 'Upload test audio bytes (dev auth mode only)', responses: { 201: DevAudioViewSchema, 200: DevAudioViewSchema } },
      handler: async (ctx) => {
        devOnly();
        const { view, created } = await storeDevAudio(deps.devAudioDir, ctx.body as Uint8Array, deps.nowMs());
        if (created) ctx.logger.info({ dev_audio_id: view.id, container: view.container, bytes: view.bytes }, 'dev audio stored');
        return { status: created ? 201 : 200, json: view };
      },
    },
    plainRoute({
      method: 'GET',
      path: '/v1/dev/audio',
      auth: 'caller',
      doc: { summary: 'List test audio (dev auth mode only)', responses: { 200: DevAudioListSchema } },
      handler: async () => {
        devOnly();
        return { status: 200, json: { items: devAudioViews(deps.devAudioDir), dir: deps.devAudioDir } };
      },
    }),
    plainRoute({
      method: 'DELETE',
      path: '/v1/dev/audio/:id',
      auth: 'caller',
      doc: { summary: 'Delete test audio (dev auth mode only)', responses: { 204: null } },
      handler: async (ctx) => {
        devOnly();
        const id = ctx.params['id'] ?? '';
        const view = DEV_AUDIO_ID.test(id) ? devAudioViews(deps.devAudioDir).find((v) => v.id === id) : undefined;
        if (view === undefined) throw new HttpError(404, 'not_found', 'No test audio with that id.');
        rmSync(join(deps.devAudioDir, `${id}.json`), { force: true });
        rmSync(join(deps.devAudioDir, `${id}.${view.container}`), { force: true });
        return { status: 204 };
      },
    }),
  ];
}

