/**
 * How AppErrors become HTTP responses. One table, typed as a total Record so that adding a code
 * to contract/errors.ts fails the build here until someone decides its status.
 *
 * Transport vs. pipeline errors: a transport failure (bad body, auth, rate limit, routing, origin)
 * is a 4xx/5xx with `{error, code, message, details}` (contract/seedApi.ts errorBody). A well-formed command that the pipeline answers with
 * `status: 'error'` (e.g. pr_not_found, no_context) is a 200 carrying the CommandResponse, because
 * that response holds the spoken explanation the client must play. The statuses below for domain
 * codes therefore only apply when the service *throws* an AppError (typically confirm/cancel).
 *
 * | code                                                        | HTTP | why                                          |
 * |-------------------------------------------------------------|------|----------------------------------------------|
 * | bad_request, invalid_json, validation_failed,               | 400  | the request itself is wrong                  |
 * |   invalid_encoding, text_too_long, empty_command            |      |                                              |
 * | unauthorized                                                | 401  | missing/wrong/revoked API key or admin token |
 * | forbidden, policy_denied                                    | 403  | authenticated but not allowed                |
 * | bad_origin                                                  | 403  | foreign Origin / cross-site fetch            |
 * |   (wrong Host header)                                       | 421  | DNS-rebinding defence (set by the transport) |
 * | not_found, token_invalid, no_pending_action, unknown_repo,  | 404  | the thing named does not exist               |
 * |   pr_not_found, issue_not_found                             |      |                                              |
 * | method_not_allowed                                          | 405  | with an Allow header                         |
 * | token_used, action_cancelled, ambiguous_confirmation,       | 409  | conflicts with the action's current state    |
 * |   head_moved, not_mergeable, already_merged, no_context,    |      |
 * |   confirmation_declined                                     |      |                                              |
 * | confirmation_required, idempotency_conflict                 | 409  | needs a confirm / key reused for another body|
 * | uri_not_allowed                                             | 400  | audio URI refused before any fetch (SSRF)    |
 * | not_supported                                               | 501  | in the seed's contract, not doable here      |
 * | audio_fetch_failed                                          | 502  | the audio URL could not be fetched           |
 * | token_expired                                               | 410  | the token existed but is gone for good       |
 * | payload_too_large                                           | 413  |                                              |
 * | unsupported_media_type                                      | 415  |                                              |
 * | rate_limited                                                | 429  | with Retry-After (seconds)                   |
 * | internal, store_failed                                      | 500  | generic message; details only in logs        |
 * | github_unauthorized, github_forbidden, github_validation,   | 502  | GitHub refused *our* upstream call; not 401/ |
 * |   github_unavailable, outcome_unknown                       |      | 403, which would blame the caller's API key  |
 * | no_token, github_rate_limited                               | 503  | not usable until configured / limit resets   |
 * | github_timeout                                              | 504  | upstream deadline passed                     |
 */
import { AppError, isAppError, type AppErrorCode } from '../../contract/errors.js';
import { errorBody } from '../../contract/seedApi.js';

/**
 * An AppError raised by the transport itself, when the status or headers differ from the table
 * (421 for a wrong Host, Retry-After on 429, Allow on 405, WWW-Authenticate on 401).
 */
export class HttpError extends AppError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: AppErrorCode, message: string, headers: Record<string, string> = {}, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

export const HTTP_STATUS_BY_CODE: Readonly<Record<AppErrorCode, number>> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  text_too_long: 400,
  empty_command: 400,
  invalid_encoding: 400,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  not_found: 404,
  method_not_allowed: 405,
  bad_origin: 403,
  unknown_repo: 404,
  pr_not_found: 404,
  issue_not_found: 404,
  no_context: 409,
  no_pending_action: 404,
  ambiguous_confirmation: 409,
  token_invalid: 404,
  token_expired: 410,
  token_used: 409,
  action_cancelled: 409,
  confirmation_declined: 409,
  policy_denied: 403,
  confirmation_required: 409,
  idempotency_conflict: 409,
  uri_not_allowed: 400,
  audio_fetch_failed: 502,
  not_supported: 501,
  head_moved: 409,
  not_mergeable: 409,
  already_merged: 409,
  no_token: 503,
  github_unauthorized: 502,
  github_forbidden: 502,
  github_rate_limited: 503,
  github_unavailable: 502,
  github_timeout: 504,
  github_validation: 502,
  outcome_unknown: 502,
  store_failed: 500,
  internal: 500,
};

/** Codes whose AppError message may leak internals; the client gets a generic sentence instead. */
const GENERIC_MESSAGE: Partial<Record<AppErrorCode, string>> = {
  internal: 'Internal error. The request id in X-Request-ID identifies it in the logs.',
  store_failed: 'Storage failed. The request id in X-Request-ID identifies it in the logs.',
};

export function httpStatusFor(code: AppErrorCode): number {
  return HTTP_STATUS_BY_CODE[code] ?? 500;
}

export function publicMessageFor(code: AppErrorCode, message: string): string {
  return GENERIC_MESSAGE[code] ?? message;
}

/**
 * An AppError as the response every route sends: status from the table (or the HttpError's own),
 * body `{error, code, message, details}` (see contract/seedApi.ts errorBody). null for anything
 * else (an unexpected exception, answered 500 by the dispatcher). Only an HttpError's details are
 * sent: they are built for the client; an AppError's details may be internal and stay in the log.
 */
export function appErrorResult(e: unknown): { status: number; headers: Readonly<Record<string, string>>; json: ReturnType<typeof errorBody> } | null {
  if (e instanceof HttpError) return { status: e.status, headers: e.headers, json: errorBody(e.code, e.message, { ...(e.details ?? {}) }) };
  if (isAppError(e)) return { status: httpStatusFor(e.code), headers: {}, json: errorBody(e.code, publicMessageFor(e.code, e.message)) };
  return null;
}
