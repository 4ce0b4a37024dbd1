/**
 * The API contract shared by every transport (HTTP, IPC, CLI): request validators and the
 * service interface the transports call. zod is the one library contract/ may import.
 */
import { TTS_PROVIDERS } from './providers.js';
import { z } from 'zod';
import type { RateLimitInfo } from './github.js';
import { PROFILE_NAMES } from './intent.js';
import type { CommandResponse } from './response.js';

/** Longest command text accepted, in characters (a spoken command is a sentence or two). */
export const MAX_COMMAND_TEXT_CHARS = 2_000;
/** Largest JSON request body accepted by the HTTP API, in bytes. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

export const SessionIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'session_id: 1-64 chars of A-Z a-z 0-9 _ . : -');

export const ClientContextSchema = z.strictObject({
  /** "owner/name" the user is looking at, used when a command names no repo. */
  current_repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/).optional(),
  /** How the text was produced: typed, or a speech transcript. */
  input: z.enum(['text', 'voice']).optional(),
  /** STT confidence of the transcript, 0..1, when input is voice. */
  stt_confidence: z.number().min(0).max(1).optional(),
  /**
   * When input is voice: other readings of the PR/issue number the command names, most likely first
   * (the recognizer's N-best). A "there is no PR 50" answer offers the first that exists.
   */
  number_alternatives: z.array(z.number().int().min(1).max(1_000_000_000)).max(10).optional(),
  // The seed's client context (architecture document and its twin's OpenAPI), for phone clients.
  /** e.g. ios, android, simulator (the twin's name). */
  device: z.string().regex(/^[A-Za-z0-9 _.:-]{1,64}$/, 'device: 1-64 chars of A-Z a-z 0-9 space _ . : -').optional(),
  /** e.g. mobile, glasses (the seed document's name). */
  device_type: z.string().regex(/^[A-Za-z0-9 _.:-]{1,64}$/, 'device_type: 1-64 chars of A-Z a-z 0-9 space _ . : -').optional(),
  /** BCP 47 tag, e.g. en-US. */
  locale: z.string().regex(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8}){0,4}$/, 'locale: a BCP 47 tag such as en-US').optional(),
  /** IANA zone name, e.g. America/Los_Angeles. */
  timezone: z.string().regex(/^[A-Za-z0-9_+/-]{1,64}$/, 'timezone: an IANA zone name such as Europe/Berlin').optional(),
  app_version: z.string().regex(/^[A-Za-z0-9_.+-]{1,32}$/, 'app_version: 1-32 chars of A-Z a-z 0-9 _ . + -').optional(),
  /** The seed's place for the session id; the top-level session_id wins when both are given. */
  session_id: SessionIdSchema.optional(),
  /** The client hears a noisy environment (informational; the profile decides the wording). */
  noise_mode: z.boolean().optional(),
  /** Ask for diagnostics in `debug` (the transcript only when privacy_mode is not strict). */
  debug: z.boolean().optional(),
  /** strict (default): summaries only; balanced: card detail lines; debug: also the transcript. */
  privacy_mode: z.enum(['strict', 'balanced', 'debug']).optional(),
});
export type ClientContext = z.infer<typeof ClientContextSchema>;

/** The client context of a command transcribed by this app's own STT (confidence 0..1). */
export function voiceClientContext(sttConfidence: number, numberAlternatives?: readonly number[]): ClientContext {
  return { input: 'voice', stt_confidence: sttConfidence, ...(numberAlternatives !== undefined && numberAlternatives.length > 0 ? { number_alternatives: numberAlternatives.slice(0, 10) } : {}) };
}

export const CommandRequestSchema = z.strictObject({
  text: z.string(),
  profile: z.enum(PROFILE_NAMES).optional(),
  session_id: SessionIdSchema.optional(),
  client_context: ClientContextSchema.optional(),
});
export type CommandRequest = z.infer<typeof CommandRequestSchema>;

export const TokenRequestSchema = z.strictObject({
  token: z.string().min(1).max(256),
});
export type TokenRequest = z.infer<typeof TokenRequestSchema>;

export const CreateApiKeyRequestSchema = z.strictObject({
  name: z.string().min(1).max(100),
  user_id: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/),
  rate_limit_per_min: z.number().int().min(1).max(100_000).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

/** Who is calling, as established by the transport's auth. */
export interface Caller {
  userId: string;
  transport: 'http' | 'cli' | 'ipc';
  /** The transport's request id, reused as the command's correlation id so logs line up. */
  correlationId?: string;
  /**
   * The authenticated client within the user (a browser session, an API key, a JWT subject):
   * events about its commands and tokens go to this client only. Absent for in-process callers.
   */
  principal?: string;
}

export interface StageStats {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface MetricsResponse {
  stages: Record<string, StageStats>;
  counters: Record<string, number>;
}

export interface StatusResponse {
  version: string;
  mode: 'fixture' | 'live';
  uptime_ms: number;
  github: { ok: boolean; account: string | null; rate_limit: RateLimitInfo | null; error: string | null; last_error?: { message: string; at: string } | null };
  store: { ok: boolean; path: string; message: string | null };
  pending_actions: number;
  auth_mode: 'local' | 'dev' | 'api_key' | 'jwt';
  /** Speech provider health (absent when speech is not wired, e.g. in some tests). */
  speech?: { stt: ProviderHealthView; tts: ProviderHealthView; vad?: ProviderHealthView };
  /** The voice loop: started on the first push-to-talk press; `reason` says why it cannot run. */
  voice?: { started: boolean; available: boolean; reason: string | null; state: string };
}

export interface ProviderHealthView {
  provider: string;
  ok: boolean;
  message: string | null;
  /** The last failure and when (ISO 8601), kept after the provider recovers; null: none since start. */
  last_error?: { message: string; at: string } | null;
}

/** What every transport calls. Implemented in main by the composition root. */
export interface AppService {
  /** `opts.confirmGate`: asked with the read-back before a "confirm" in this command executes (CF-9). */
  runCommand(req: CommandRequest, caller: Caller, opts?: { confirmGate?: (readBack: string) => Promise<boolean> }): Promise<CommandResponse>;
  /** `via` records whether the confirmation came from a click, a voice command or the API. */
  confirm(req: TokenRequest, caller: Caller, via: 'click' | 'voice' | 'api'): Promise<CommandResponse>;
  cancel(req: TokenRequest, caller: Caller): Promise<CommandResponse>;
  status(): Promise<StatusResponse>;
  metrics(): MetricsResponse;
}

// ---- notifications, subscriptions and agent tasks (/v1/notifications, /v1/subscriptions, /v1/agent) ----

export const NOTIFICATION_SUBSCRIPTION_SCOPES = ['thread', 'repo'] as const;
export const NOTIFICATION_SUBSCRIPTION_STATES = ['subscribed', 'unsubscribed', 'ignored'] as const;
const RepoNameSchema = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'repo: owner/name');

export const NotificationListQuerySchema = z.strictObject({
  unread: z.enum(['true', 'false']).optional(),
  repo: RepoNameSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const CreateSubscriptionRequestSchema = z
  .strictObject({
    scope: z.enum(NOTIFICATION_SUBSCRIPTION_SCOPES),
    target: z.string().min(1).max(200),
    state: z.enum(NOTIFICATION_SUBSCRIPTION_STATES),
  })
  .refine((v) => (v.scope === 'repo' ? /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(v.target) : /^[0-9]{1,20}$/.test(v.target)), {
    message: 'target: owner/name for scope repo, a thread id (digits) for scope thread',
    path: ['target'],
  });
export type CreateSubscriptionRequest = z.infer<typeof CreateSubscriptionRequestSchema>;

export const UpdateSubscriptionRequestSchema = z.strictObject({ state: z.enum(NOTIFICATION_SUBSCRIPTION_STATES) });

export const AGENT_PROVIDERS = ['github_issue_dispatch', 'copilot'] as const;
export type AgentProvider = (typeof AGENT_PROVIDERS)[number];
export const AGENT_TASK_STATES = ['created', 'running', 'needs_input', 'completed', 'failed'] as const;
export type AgentTaskState = (typeof AGENT_TASK_STATES)[number];

/** POST /v1/agent/delegate: plans the delegation; it still needs a confirmation (POST /v1/commands/confirm). */
export const DelegateRequestSchema = z.strictObject({
  repo: RepoNameSchema,
  issue: z.number().int().min(1).max(10_000_000),
  instruction: z.string().min(1).max(500).optional(),
  session_id: SessionIdSchema.optional(),
});
export type DelegateRequest = z.infer<typeof DelegateRequestSchema>;

export interface NotificationView {
  thread_id: string;
  repo: string;
  subject_type: string;
  /** Untrusted text from GitHub. */
  title: string;
  reason: string;
  number: number | null;
  url: string | null;
  unread: boolean;
  updated_at: string;
  first_seen_at: string;
  announced_at: string | null;
  source: 'poll' | 'webhook';
}

export interface SubscriptionView {
  id: number;
  scope: (typeof NOTIFICATION_SUBSCRIPTION_SCOPES)[number];
  target: string;
  state: (typeof NOTIFICATION_SUBSCRIPTION_STATES)[number];
  created_at: string;
  updated_at: string;
}

export interface AgentTaskView {
  id: string;
  correlation_id: string;
  provider: string;
  state: AgentTaskState;
  /** The issue the agent works on, owner/name#n. */
  target: string;
  /** Dispatch issue, once created. */
  dispatch: { repo: string; number: number; url: string | null } | null;
  /** The agent's PR, once correlated. */
  pull_request: { repo: string; number: number; url: string | null } | null;
  instruction: string;
  error: string | null;
  created_at: string;
  updated_at: string;
}

// ---- speech over the API (/v1/command with audio, /v1/tts, /v1/dev/audio) ----

/** Longest text POST /v1/tts accepts, in characters (PI-5). */
export const MAX_TTS_TEXT_CHARS = 4_096;
/** Largest audio upload (POST /v1/command as audio, /v1/dev/audio), in bytes. */
export const MAX_AUDIO_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Longest audio accepted, in ms. */
export const MAX_AUDIO_UPLOAD_MS = 60_000;
/**
 * Content-Types accepted for audio uploads. The header only routes the request; the format is
 * always sniffed from the bytes (WAV, MP3, OGG/Opus, OGG/Vorbis).
 */
export const AUDIO_UPLOAD_CONTENT_TYPES = [
  'audio/wav',
  'audio/wave',
  'audio/x-wav',
  'audio/vnd.wave',
  'audio/mpeg',
  'audio/mp3',
  'audio/ogg',
  'audio/opus',
  'application/ogg',
  'application/octet-stream',
] as const;

export const TTS_FORMATS = ['wav', 'mp3', 'opus'] as const;
export type TtsFormatName = (typeof TTS_FORMATS)[number];
export { TTS_PROVIDERS, type TtsProviderName } from './providers.js';

export const TtsRequestSchema = z.strictObject({
  text: z.string().min(1, 'text must not be empty').max(MAX_TTS_TEXT_CHARS, `text: at most ${MAX_TTS_TEXT_CHARS} characters`),
  /** Provider-specific voice name; default: the provider's default voice. */
  voice: z.string().regex(/^[A-Za-z0-9_+-]{1,40}$/, 'voice: 1-40 chars of A-Z a-z 0-9 _ + -').optional(),
  /** Default: the configured TTS provider. */
  provider: z.enum(TTS_PROVIDERS).optional(),
  format: z.enum(TTS_FORMATS).default('wav'),
});
export type TtsRequest = z.input<typeof TtsRequestSchema>;

/** Audio of one synthesis, as the UI contract carries it (HTTP /v1/tts sends the bytes instead). */
export interface TtsResult {
  /** The encoded audio, base64. */
  audio_base64: string;
  content_type: string;
  format: TtsFormatName;
  /** Provider that produced the audio (after any fallback). */
  provider: string;
  voice: string;
  /** Time to the first audio in ms: 0-ish on a cache hit, synthesis time otherwise. */
  first_audio_ms: number;
  /** Length of the audio, ms. */
  duration_ms: number;
  cached: boolean;
  /** A fallback note, e.g. cloud TTS unavailable. */
  notice: string | null;
}

/** Response of POST /v1/command with an audio body: the command response plus what was heard. */
export interface AudioCommandResponse {
  transcript: { text: string; confidence: number; provider: string; audio_ms: number };
  /** null when nothing in the grammar was heard (no command ran). */
  response: CommandResponse | null;
  spoken_text: string;
  timings_ms: { decode: number; stt: number; pipeline: number; tts_first_audio: number; total: number };
}

/** A test audio file uploaded in dev mode (POST /v1/dev/audio). */
export interface DevAudioView {
  id: string;
  /** Detected from the bytes. */
  container: string;
  bytes: number;
  duration_ms: number;
  sha256: string;
  created_at: string;
}
