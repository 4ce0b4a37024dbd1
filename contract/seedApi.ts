/**
 * The seed's HTTP contract (its architecture document and its public twin's spec/openapi.yaml),
 * spoken by this API beside today's forms: request shapes for /v1/command, confirmations and the
 * /v1/actions, /v1/inbox, /v1/repos/subscriptions and /v1/dev/audio routes, and the zod schemas of
 * every /v1 response, from which /v1/openapi.json is generated. Pure: zod only.
 */
import { z } from 'zod';
import { ClientContextSchema, MAX_AUDIO_UPLOAD_MS, SessionIdSchema, type CommandRequest } from './api.js';
import { APP_ERROR_CODES } from './errors.js';
import { INTENT_NAMES, MERGE_METHODS, PROFILE_NAMES } from './intent.js';
import { ACTION_KINDS, ACTION_STATES, type Card, type CommandResponse } from './response.js';

const RepoSchema = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'repo: owner/name');
const LoginSchema = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'a GitHub login');

/** Client-chosen key that makes a retried request harmless (24 h, per user). */
export const IdempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'idempotency_key: 1-128 chars of A-Z a-z 0-9 _ . : -');
/** How long an idempotency key is remembered, ms. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export const PRIVACY_MODES = ['strict', 'balanced', 'debug'] as const;
export type PrivacyMode = (typeof PRIVACY_MODES)[number];

/** Audio formats a client may name (the bytes are sniffed anyway; m4a is not decodable here). */
export const AUDIO_INPUT_FORMATS = ['wav', 'm4a', 'mp3', 'opus', 'ogg'] as const;

export const TextInputSchema = z.strictObject({ type: z.literal('text'), text: z.string() });
export const AudioInputSchema = z.strictObject({
  type: z.literal('audio'),
  /** What POST /v1/dev/audio returned (handsfree-dev-audio:<id>), or an https:// URL. */
  uri: z.string().min(1).max(2048),
  format: z.enum(AUDIO_INPUT_FORMATS),
  duration_ms: z.number().int().min(0).max(MAX_AUDIO_UPLOAD_MS).optional(),
});
export const CommandInputSchema = z.discriminatedUnion('type', [TextInputSchema, AudioInputSchema]);
export type AudioInput = z.infer<typeof AudioInputSchema>;

/**
 * POST /v1/command (JSON): the seed's `{input, profile, client_context, idempotency_key}` or
 * today's `{text, ...}`; exactly one of `text` and `input`.
 */
export const HttpCommandRequestSchema = z
  .strictObject({
    /** Today's form; an alias of input {type: text}. */
    text: z.string().optional(),
    input: CommandInputSchema.optional(),
    profile: z.enum(PROFILE_NAMES).optional(),
    session_id: SessionIdSchema.optional(),
    client_context: ClientContextSchema.optional(),
    idempotency_key: IdempotencyKeySchema.optional(),
  })
  .refine((b) => (b.text === undefined) !== (b.input === undefined), { message: 'give exactly one of "text" and "input"', path: ['input'] });
export type HttpCommandRequest = z.infer<typeof HttpCommandRequestSchema>;

/** POST /v1/commands/confirm and /cancel. */
export const HttpTokenRequestSchema = z.strictObject({
  token: z.string().min(1).max(256),
  idempotency_key: IdempotencyKeySchema.optional(),
});

export const RequestReviewActionSchema = z.strictObject({
  repo: RepoSchema,
  pr_number: z.number().int().min(1).max(10_000_000),
  reviewers: z.array(LoginSchema).min(1).max(15),
  idempotency_key: IdempotencyKeySchema.optional(),
  session_id: SessionIdSchema.optional(),
});
export const RerunChecksActionSchema = z.strictObject({
  repo: RepoSchema,
  pr_number: z.number().int().min(1).max(10_000_000),
  idempotency_key: IdempotencyKeySchema.optional(),
  session_id: SessionIdSchema.optional(),
});
export const MergeActionSchema = z.strictObject({
  repo: RepoSchema,
  pr_number: z.number().int().min(1).max(10_000_000),
  /** Default: the repo's configured method. */
  merge_method: z.enum(MERGE_METHODS).optional(),
  idempotency_key: IdempotencyKeySchema.optional(),
  session_id: SessionIdSchema.optional(),
});

export const CreateRepoSubscriptionRequestSchema = z.strictObject({
  repo_full_name: RepoSchema,
  /** Accepted for the twin's clients; this app has no GitHub App installations. */
  installation_id: z.number().int().min(1).nullable().optional(),
});

export const InboxQuerySchema = z.strictObject({
  profile: z.enum(PROFILE_NAMES).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const ApiKeyListQuerySchema = z.strictObject({ include_revoked: z.enum(['true', 'false']).optional() });

/** Largest base64 text POST /v1/dev/audio takes (≈ 10 MB of audio). */
export const MAX_DEV_AUDIO_JSON_BYTES = 14 * 1024 * 1024;

/** POST /v1/dev/audio as JSON: `audio_base64` (the issue's name) or `data_base64` (the twin's). */
export const DevAudioJsonRequestSchema = z
  .strictObject({
    audio_base64: z.string().min(1).optional(),
    data_base64: z.string().min(1).optional(),
    format: z.enum(AUDIO_INPUT_FORMATS).optional(),
    media_kind: z.literal('audio').optional(),
    mime_type: z.string().regex(/^audio\/[A-Za-z0-9.+-]{1,40}$/).optional(),
  })
  .refine((b) => (b.audio_base64 === undefined) !== (b.data_base64 === undefined), { message: 'give exactly one of "audio_base64" and "data_base64"', path: ['audio_base64'] });

/** Scheme of the URIs POST /v1/dev/audio hands out (never a file path). */
export const DEV_AUDIO_URI_PREFIX = 'handsfree-dev-audio:';

// ---- requests → the service's CommandRequest ----

export type NormalizedCommand =
  | { kind: 'text'; request: CommandRequest; privacy: PrivacyMode; debug: boolean }
  | { kind: 'audio'; input: AudioInput; request: Omit<CommandRequest, 'text'>; privacy: PrivacyMode; debug: boolean };

/** The one internal form of either request shape (seed client_context fields kept for the response). */
export function normalizeCommand(b: HttpCommandRequest): NormalizedCommand {
  const cc = b.client_context;
  const sessionId = b.session_id ?? cc?.session_id;
  const inner = cc === undefined ? undefined : { ...(cc.current_repo ? { current_repo: cc.current_repo } : {}), ...(cc.input ? { input: cc.input } : {}), ...(cc.stt_confidence !== undefined ? { stt_confidence: cc.stt_confidence } : {}), ...(cc.number_alternatives ? { number_alternatives: cc.number_alternatives } : {}) };
  const base = {
    ...(b.profile ? { profile: b.profile } : {}),
    ...(sessionId ? { session_id: sessionId } : {}),
    ...(inner !== undefined && Object.keys(inner).length > 0 ? { client_context: inner } : {}),
  };
  const privacy = cc?.privacy_mode ?? 'strict';
  const debug = cc?.debug === true || privacy === 'debug';
  if (b.input?.type === 'audio') return { kind: 'audio', input: b.input, request: base, privacy, debug };
  return { kind: 'text', request: { text: b.input?.type === 'text' ? b.input.text : (b.text ?? ''), ...base }, privacy, debug };
}

// ---- responses ----

const UiCardSchema = z.strictObject({
  type: z.enum(['notification', 'pr_summary', 'confirmation', 'outcome', 'help']),
  title: z.string(),
  subtitle: z.string().optional(),
  /** Detail lines: only outside privacy_mode strict. */
  lines: z.array(z.string()).optional(),
  deep_link: z.string().optional(),
  repo: z.string().optional(),
  pr_number: z.number().int().optional(),
  author: z.string().optional(),
  url: z.string().optional(),
});
export type UiCard = z.infer<typeof UiCardSchema>;

const PendingActionViewSchema = z.strictObject({
  token: z.string(),
  kind: z.enum(ACTION_KINDS),
  expires_at: z.string(),
  expires_in_ms: z.number(),
  summary: z.string(),
  repo: z.string(),
  number: z.number().int().nullable(),
  head_sha: z.string().nullable(),
});

const CardSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('notification'), position: z.number().int(), thread_id: z.string(), repo: z.string(), title: z.string(), url: z.string(), unread: z.boolean() }),
  z.looseObject({ kind: z.literal('pull_request'), repo: z.string(), number: z.number().int(), title: z.string(), author: z.string(), url: z.string() }),
  z.strictObject({ kind: z.literal('confirmation'), action: PendingActionViewSchema }),
  z.strictObject({ kind: z.literal('outcome'), token: z.string(), action: z.enum(ACTION_KINDS), state: z.enum(ACTION_STATES), outcome: z.string(), message: z.string() }),
  z.strictObject({ kind: z.literal('help'), examples: z.array(z.string()) }),
]);

const ErrorShapeSchema = z.strictObject({ code: z.enum(APP_ERROR_CODES), message: z.string() });

/** A command's answer: today's fields (the twin's) plus the seed document's requires_confirmation and ui_cards. */
export const CommandResponseSchema = z.strictObject({
  status: z.enum(['ok', 'needs_confirmation', 'error']),
  intent: z.strictObject({ name: z.enum(INTENT_NAMES), confidence: z.number().min(0).max(1), entities: z.record(z.string(), z.unknown()) }),
  spoken_text: z.string(),
  cards: z.array(CardSchema),
  pending_action: PendingActionViewSchema.optional(),
  directives: z.array(z.strictObject({ kind: z.literal('open_url'), url: z.string(), label: z.string() })).optional(),
  error: ErrorShapeSchema.optional(),
  session_id: z.string(),
  requires_confirmation: z.boolean(),
  ui_cards: z.array(UiCardSchema),
  debug: z.strictObject({
    processing_time_ms: z.number(),
    correlation_id: z.string(),
    /** Where the time went (ms): recognising the intent, and handling it. */
    timings_ms: z.strictObject({ intent: z.number(), handle: z.number() }).optional(),
    /** Only with client_context.debug or privacy_mode debug, and never in strict. */
    transcript: z.string().optional(),
    provider: z.string().optional(),
  }),
});
export type SeedCommandResponse = z.infer<typeof CommandResponseSchema>;

function uiCard(c: Card, detail: boolean): UiCard {
  switch (c.kind) {
    case 'notification':
      return {
        type: 'notification',
        title: c.title,
        subtitle: `${c.repo}${c.number !== null ? ` #${c.number}` : ''}, ${c.reason.replace(/_/g, ' ')}`,
        repo: c.repo,
        ...(c.number !== null && c.subject_type === 'PullRequest' ? { pr_number: c.number } : {}),
        url: c.url,
        deep_link: c.url,
        ...(detail ? { lines: [`${c.subject_type}${c.unread ? ', unread' : ''}`, `Updated ${c.updated_at}`] } : {}),
      };
    case 'pull_request':
      return {
        type: 'pr_summary',
        title: c.title,
        subtitle: `${c.repo} #${c.number} by ${c.author}`,
        repo: c.repo,
        pr_number: c.number,
        author: c.author,
        url: c.url,
        deep_link: c.url,
        ...(detail
          ? {
              lines: [
                `Checks: ${c.checks.passing} passing, ${c.checks.failing} failing, ${c.checks.pending} pending`,
                `Reviews: ${c.reviews.approved} approved, ${c.reviews.changes_requested} changes requested`,
                `+${c.size.additions} -${c.size.deletions} in ${c.size.changed_files} files`,
              ],
            }
          : {}),
      };
    case 'confirmation':
      return { type: 'confirmation', title: `Confirm ${c.action.kind}`, subtitle: c.action.summary, repo: c.action.repo, ...(c.action.number !== null ? { pr_number: c.action.number } : {}) };
    case 'outcome':
      return { type: 'outcome', title: c.message, subtitle: c.outcome };
    case 'help':
      return { type: 'help', title: 'You can say', ...(detail ? { lines: c.examples } : {}) };
  }
}

/**
 * Today's response plus `requires_confirmation` and `ui_cards`, shaped by privacy_mode: strict
 * (the default) gives card titles and subtitles only and never echoes the transcript; balanced adds
 * card detail lines; debug (or client_context.debug outside strict) adds the transcript to `debug`.
 */
export function toSeedResponse(r: CommandResponse, opts: { privacy?: PrivacyMode; debug?: boolean; transcript?: string; provider?: string } = {}): SeedCommandResponse {
  const privacy = opts.privacy ?? 'strict';
  const withTranscript = privacy !== 'strict' && (opts.debug === true || privacy === 'debug') && opts.transcript !== undefined;
  return {
    ...r,
    requires_confirmation: r.status === 'needs_confirmation',
    ui_cards: r.cards.map((c) => uiCard(c, privacy !== 'strict')),
    debug: {
      ...r.debug,
      ...(withTranscript ? { transcript: opts.transcript } : {}),
      ...(opts.provider !== undefined && privacy !== 'strict' ? { provider: opts.provider } : {}),
    },
  } as SeedCommandResponse;
}

/**
 * The one error body of every route: the twin's `{error, message, details}` with the machine code
 * in `error` (and again as `code`, and in `details.code`), so a client of either contract reads it.
 */
export const ErrorBodySchema = z.strictObject({
  /** Machine-readable code (contract/errors.ts APP_ERROR_CODES, plus the transport's own). */
  error: z.string(),
  code: z.string(),
  message: z.string(),
  details: z.looseObject({ code: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Builds the error body; `details` must never carry secrets. */
export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: code, code, message, details: { ...details, code } };
}

export const DependencyStatusSchema = z.strictObject({ name: z.string(), status: z.enum(['ok', 'degraded', 'unavailable']), message: z.string().optional() });

/** A provider's last failure and when (ISO 8601), kept after it recovers. */
const LastErrorSchema = z.strictObject({ message: z.string(), at: z.string() }).nullable().optional();
const ProviderHealthSchema = z.strictObject({ provider: z.string(), ok: z.boolean(), message: z.string().nullable(), last_error: LastErrorSchema });
export const StatusResponseSchema = z.strictObject({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  timestamp: z.iso.datetime(),
  dependencies: z.array(DependencyStatusSchema),
  version: z.string(),
  mode: z.enum(['fixture', 'live']),
  uptime_ms: z.number(),
  github: z.strictObject({ ok: z.boolean(), account: z.string().nullable(), rate_limit: z.strictObject({ limit: z.number(), remaining: z.number(), resetAtMs: z.number() }).nullable(), error: z.string().nullable(), last_error: LastErrorSchema }),
  store: z.strictObject({ ok: z.boolean(), path: z.string(), message: z.string().nullable() }),
  pending_actions: z.number().int(),
  auth_mode: z.enum(['local', 'dev', 'api_key', 'jwt']),
  speech: z.strictObject({ stt: ProviderHealthSchema, tts: ProviderHealthSchema, vad: ProviderHealthSchema.optional() }).optional(),
  voice: z.strictObject({ started: z.boolean(), available: z.boolean(), reason: z.string().nullable(), state: z.string() }).optional(),
});

export const MetricsResponseSchema = z.strictObject({
  stages: z.record(z.string(), z.strictObject({ count: z.number(), p50_ms: z.number(), p95_ms: z.number(), p99_ms: z.number(), max_ms: z.number() })),
  counters: z.record(z.string(), z.number()),
});

export const InboxItemSchema = z.strictObject({
  id: z.string(),
  type: z.enum(['pr', 'mention', 'check', 'agent', 'issue', 'other']),
  title: z.string(),
  /** 1 = most urgent (review requested, mention), 5 = least (subscribed activity). */
  priority: z.number().int().min(1).max(5),
  repo: z.string(),
  url: z.string().optional(),
  summary: z.string(),
  reason: z.string(),
  unread: z.boolean(),
  updated_at: z.string(),
  number: z.number().int().optional(),
  checks_passed: z.number().int().min(0).optional(),
  checks_failed: z.number().int().min(0).optional(),
  checks_pending: z.number().int().min(0).optional(),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;
export const InboxResponseSchema = z.strictObject({ items: z.array(InboxItemSchema) });

export const ActionResultSchema = z.strictObject({ ok: z.boolean(), message: z.string(), url: z.string().optional(), response: CommandResponseSchema.optional() });

export const RepoSubscriptionSchema = z.strictObject({
  id: z.string(),
  user_id: z.string(),
  repo_full_name: z.string(),
  installation_id: z.number().int().nullable(),
  created_at: z.string(),
});
export const RepoSubscriptionListSchema = z.strictObject({ subscriptions: z.array(RepoSubscriptionSchema) });

export const ApiKeyViewSchema = z.strictObject({
  id: z.string(),
  user_id: z.string(),
  name: z.string(),
  /** The twin's name for `name`. */
  label: z.string(),
  rate_limit_per_min: z.number().int(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export const ApiKeyListSchema = z.strictObject({ api_keys: z.array(ApiKeyViewSchema) });
export const CreateApiKeyResponseSchema = z.strictObject({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  user_id: z.string(),
  rate_limit_per_min: z.number().int(),
  created_at: z.string(),
});

export const DevAudioViewSchema = z.strictObject({ id: z.string(), container: z.string(), bytes: z.number().int(), duration_ms: z.number().int(), sha256: z.string(), created_at: z.string() });
export const DevAudioUploadResponseSchema = DevAudioViewSchema.extend({ uri: z.string(), format: z.string(), user_id: z.string() });
export const DevAudioListSchema = z.strictObject({ items: z.array(DevAudioViewSchema), dir: z.string() });

export const AudioCommandResponseSchema = z.strictObject({
  transcript: z.strictObject({ text: z.string(), confidence: z.number(), provider: z.string(), audio_ms: z.number() }),
  response: z.looseObject({ status: z.string(), spoken_text: z.string() }).nullable(),
  spoken_text: z.string(),
  timings_ms: z.strictObject({ decode: z.number(), stt: z.number(), pipeline: z.number(), tts_first_audio: z.number(), total: z.number() }),
});

export const NotificationViewSchema = z.strictObject({
  thread_id: z.string(),
  repo: z.string(),
  subject_type: z.string(),
  title: z.string(),
  reason: z.string(),
  number: z.number().int().nullable(),
  url: z.string().nullable(),
  unread: z.boolean(),
  updated_at: z.string(),
  first_seen_at: z.string(),
  announced_at: z.string().nullable(),
  source: z.enum(['poll', 'webhook']),
});
export const SubscriptionViewSchema = z.strictObject({
  id: z.number().int(),
  scope: z.enum(['thread', 'repo']),
  target: z.string(),
  state: z.enum(['subscribed', 'unsubscribed', 'ignored']),
  created_at: z.string(),
  updated_at: z.string(),
});
export const AgentTaskViewSchema = z.looseObject({ id: z.string(), correlation_id: z.string(), provider: z.string(), state: z.string(), target: z.string() });
