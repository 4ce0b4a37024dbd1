/**
 * The API contract shared by every transport (HTTP, IPC, CLI): request validators and the
 * service interface the transports call. zod is the one library contract/ may import.
 */
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
});

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
  github: { ok: boolean; account: string | null; rate_limit: RateLimitInfo | null; error: string | null };
  store: { ok: boolean; path: string; message: string | null };
  pending_actions: number;
  auth_mode: 'dev' | 'api_key';
}

/** What every transport calls. Implemented in main by the composition root. */
export interface AppService {
  runCommand(req: CommandRequest, caller: Caller): Promise<CommandResponse>;
  /** `via` records whether the confirmation came from a click, a voice command or the API. */
  confirm(req: TokenRequest, caller: Caller, via: 'click' | 'voice' | 'api'): Promise<CommandResponse>;
  cancel(req: TokenRequest, caller: Caller): Promise<CommandResponse>;
  status(): Promise<StatusResponse>;
  metrics(): MetricsResponse;
}
