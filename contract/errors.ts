/**
 * Typed application errors. Every failure that reaches a user carries one of these codes,
 * a message for humans (shown) and, via core/responses, a spoken sentence.
 */

export const APP_ERROR_CODES = [
  // input
  'bad_request',
  'invalid_json',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
  'text_too_long',
  'empty_command',
  'invalid_encoding',
  // auth / transport
  'unauthorized',
  'forbidden',
  'rate_limited',
  'not_found',
  'method_not_allowed',
  'bad_origin',
  // domain
  'unknown_repo',
  'pr_not_found',
  'issue_not_found',
  'no_context',
  'no_pending_action',
  'ambiguous_confirmation',
  'token_invalid',
  'token_expired',
  'token_used',
  'action_cancelled',
  /** The desktop app's native confirmation dialog was dismissed: the action stays pending. */
  'confirmation_declined',
  'policy_denied',
  /** A side effect asked for by a structured action still needs POST /v1/commands/confirm (details: token, read-back). */
  'confirmation_required',
  /** An idempotency key reused within 24 h for a different request. */
  'idempotency_conflict',
  /** An audio URI this server will not fetch (scheme, host, address, or not an uploaded file). */
  'uri_not_allowed',
  /** Fetching an allowed audio URI failed (status, size cap, deadline, redirect). */
  'audio_fetch_failed',
  /** The route exists in the contract but this server cannot do it (e.g. re-running checks). */
  'not_supported',
  'head_moved',
  'not_mergeable',
  'already_merged',
  // GitHub / infrastructure
  'no_token',
  'github_unauthorized',
  'github_forbidden',
  'github_rate_limited',
  'github_unavailable',
  'github_timeout',
  'github_validation',
  'outcome_unknown',
  'store_failed',
  'internal',
] as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export interface AppErrorShape {
  code: AppErrorCode;
  message: string;
}

/** An error with a code from APP_ERROR_CODES; `details` must never carry secrets. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: AppErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toJSON(): AppErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
