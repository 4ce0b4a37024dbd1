/**
 * GitHub's OAuth device flow (docs: "Authorizing OAuth apps" → Device flow), as a small client:
 * POST /login/device/code → a user code to show and speak; then POST /login/oauth/access_token
 * every `interval` seconds until the user approves, denies, or the code expires.
 *
 * Why not @octokit/auth-oauth-device: its poll loop sleeps with setTimeout and cannot be cancelled
 * or driven by a test clock, and it adds 7 s on slow_down where GitHub's documentation says 5.
 * This client follows the same protocol with an injected sleep, an AbortSignal and zod-validated
 * responses. It never logs: the device code and the token stay in memory and in the return value.
 */
import { z } from 'zod';
import { AppError } from '../../contract/errors.js';

/** The grant type GitHub expects when polling for a device-flow token. */
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Scopes asked for, the minimum the app's features need: `repo` reads and acts on pull requests and
 * issues (private repos included: merge, review, comment, the agent's task issues) and grants the
 * notifications API. Nothing else (no admin, no workflow, no user email).
 */
export const DEVICE_FLOW_SCOPES = ['repo'] as const;

/** How many polls in a row may fail on the network before sign-in gives up. */
export const MAX_NETWORK_FAILURES = 5;

const DeviceCodeSchema = z.object({
  device_code: z.string().min(1).max(200),
  // Spoken and shown: only GitHub's shape (WDJB-MJHT), never free text.
  user_code: z.string().regex(/^[A-Z0-9]{2,10}(-[A-Z0-9]{2,10}){0,2}$/, 'user_code is not GitHub\'s XXXX-XXXX shape'),
  verification_uri: z.url().max(500),
  expires_in: z.coerce.number().int().min(1).max(3600),
  interval: z.coerce.number().int().min(0).max(120),
});
export type DeviceCode = z.infer<typeof DeviceCodeSchema>;

const TokenSchema = z.object({ access_token: z.string().min(1).max(400), token_type: z.string().max(40).optional(), scope: z.string().max(400).optional() });
const ErrorSchema = z.object({
  error: z.string().min(1).max(100),
  error_description: z.string().max(500).optional(),
  interval: z.coerce.number().int().min(0).max(600).optional(),
});

export interface DeviceFlowOptions {
  /** Web root of the GitHub instance: https://github.com, or https://HOST for GitHub Enterprise Server. */
  webBaseUrl: string;
  /** The OAuth app's client id (public; the device flow needs no client secret). */
  clientId: string;
  /** fetch implementation (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
  /** Per-request deadline, ms (default 15,000). */
  requestTimeoutMs?: number;
}

/** What one poll of the token endpoint said. */
export type PollResult =
  | { kind: 'token'; token: string; scope: string }
  | { kind: 'authorization_pending' }
  /** GitHub's new interval in s, when it sent one. */
  | { kind: 'slow_down'; intervalS: number | null }
  | { kind: 'expired_token' }
  | { kind: 'access_denied' }
  /** Any other OAuth error (incorrect_device_code, unsupported_grant_type, device_flow_disabled, …): not worth polling again. */
  | { kind: 'oauth_error'; error: string }
  /** No answer (connection refused, timeout, 5xx, a body that is not GitHub's): worth polling again. */
  | { kind: 'network_error'; reason: string };

/** The final outcome of waiting for the user. */
export type DeviceFlowOutcome =
  | { kind: 'token'; token: string; scope: string }
  | { kind: 'expired' }
  | { kind: 'denied' }
  | { kind: 'cancelled' }
  | { kind: 'failed'; reason: string };

async function post(opts: DeviceFlowOptions, path: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const f = opts.fetch ?? globalThis.fetch;
  const url = `${opts.webBaseUrl.replace(/\/+$/, '')}${path}`;
  const res = await f(url, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'handsfree-dev-companion' },
    body: new URLSearchParams(form).toString(),
    redirect: 'error',
    signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 15_000),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  // Asked for JSON; an instance that answers form-encoded anyway (GitHub's default without Accept) is read too.
  let body: unknown;
  if (type.includes('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(text));
  else {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: res.status, body };
}

function networkReason(e: unknown): string {
  // Only the error's name/code: a message may quote the request.
  const code = (e as { cause?: { code?: unknown } })?.cause?.code ?? (e as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return e instanceof Error ? e.name : 'unknown';
}

/**
 * Asks GitHub for a device code and user code.
 * @throws AppError 'github_unavailable' (no answer), 'not_supported' (device flow disabled for the app),
 *   'validation_failed' (unknown client id, or an answer that is not GitHub's shape).
 */
export async function requestDeviceCode(opts: DeviceFlowOptions, scopes: readonly string[] = DEVICE_FLOW_SCOPES): Promise<DeviceCode> {
  let r: { status: number; body: unknown };
  try {
    r = await post(opts, '/login/device/code', { client_id: opts.clientId, scope: scopes.join(' ') });
  } catch (e) {
    throw new AppError('github_unavailable', `Could not reach GitHub to start sign-in (${networkReason(e)}). Check the connection and try again.`);
  }
  const err = ErrorSchema.safeParse(r.body);
  if (err.success) {
    if (err.data.error === 'device_flow_disabled') throw new AppError('not_supported', 'Device flow sign-in is not enabled for this OAuth app: enable it in the app\'s settings on GitHub.');
    if (err.data.error === 'incorrect_client_credentials' || err.data.error === 'unauthorized_client') {
      throw new AppError('validation_failed', 'GitHub does not know this OAuth client id: check HANDSFREE_GITHUB_CLIENT_ID.');
    }
    throw new AppError('github_validation', `GitHub refused to start sign-in (${err.data.error}).`);
  }
  if (r.status >= 500) throw new AppError('github_unavailable', `GitHub answered ${r.status} when starting sign-in; try again shortly.`);
  const parsed = DeviceCodeSchema.safeParse(r.body);
  if (!parsed.success || r.status !== 200) {
    throw new AppError('github_unavailable', `GitHub's answer to the sign-in request was not understood (HTTP ${r.status}).`);
  }
  return parsed.data;
}

/** One poll of the token endpoint. Never throws. */
export async function pollAccessToken(opts: DeviceFlowOptions, deviceCode: string): Promise<PollResult> {
  let r: { status: number; body: unknown };
  try {
    r = await post(opts, '/login/oauth/access_token', { client_id: opts.clientId, device_code: deviceCode, grant_type: DEVICE_GRANT_TYPE });
  } catch (e) {
    return { kind: 'network_error', reason: networkReason(e) };
  }
  // GitHub answers the pending/slow_down/expired/denied states with HTTP 200 and an `error` field.
  const err = ErrorSchema.safeParse(r.body);
  if (err.success) {
    switch (err.data.error) {
      case 'authorization_pending':
        return { kind: 'authorization_pending' };
      case 'slow_down':
        return { kind: 'slow_down', intervalS: err.data.interval ?? null };
      case 'expired_token':
        return { kind: 'expired_token' };
      case 'access_denied':
        return { kind: 'access_denied' };
      default:
        return { kind: 'oauth_error', error: err.data.error };
    }
  }
  if (r.status >= 500) return { kind: 'network_error', reason: `HTTP ${r.status}` };
  const ok = TokenSchema.safeParse(r.body);
  if (r.status === 200 && ok.success) return { kind: 'token', token: ok.data.access_token, scope: ok.data.scope ?? '' };
  return { kind: 'network_error', reason: `unrecognised answer (HTTP ${r.status})` };
}

export interface WaitOptions {
  /** Sleeps `ms`, resolving early (or rejecting) when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Monotonic clock, ms: the code's local deadline is `expires_in` after the request. */
  monotonicMs: () => number;
  signal: AbortSignal;
  /** Told after each poll (e.g. to show "still waiting" or "GitHub is not reachable, retrying"). */
  onPoll?: (r: PollResult, nextIntervalMs: number) => void;
}

/**
 * Polls until the user approves or denies, the code expires, or `signal` aborts. Honours
 * `interval` (never polls sooner), adds 5 s on `slow_down` (or takes GitHub's larger new interval),
 * keeps polling on network errors until MAX_NETWORK_FAILURES in a row.
 * @param startedAtMs monotonic ms when the device code was issued (its expiry is counted from there).
 */
export async function waitForToken(opts: DeviceFlowOptions, code: DeviceCode, startedAtMs: number, w: WaitOptions): Promise<DeviceFlowOutcome> {
  let intervalMs = Math.max(code.interval, 1) * 1000;
  const deadline = startedAtMs + code.expires_in * 1000;
  let networkFailures = 0;
  for (;;) {
    try {
      await w.sleep(intervalMs, w.signal);
    } catch {
      return { kind: 'cancelled' };
    }
    if (w.signal.aborted) return { kind: 'cancelled' };
    if (w.monotonicMs() >= deadline) return { kind: 'expired' };
    const r = await pollAccessToken(opts, code.device_code);
    if (w.signal.aborted) return { kind: 'cancelled' };
    if (r.kind === 'network_error') networkFailures += 1;
    else networkFailures = 0;
    if (r.kind === 'slow_down') intervalMs = Math.max(intervalMs + 5000, (r.intervalS ?? 0) * 1000);
    w.onPoll?.(r, intervalMs);
    switch (r.kind) {
      case 'token':
        return { kind: 'token', token: r.token, scope: r.scope };
      case 'expired_token':
        return { kind: 'expired' };
      case 'access_denied':
        return { kind: 'denied' };
      case 'oauth_error':
        return { kind: 'failed', reason: r.error };
      case 'network_error':
        if (networkFailures >= MAX_NETWORK_FAILURES) return { kind: 'failed', reason: `network: ${r.reason}` };
        break;
      default:
        break;
    }
  }
}

/** Sleep that resolves after `ms` or as soon as `signal` aborts (real timers). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
