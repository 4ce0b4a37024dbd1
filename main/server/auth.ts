/**
 * Caller authentication for the HTTP API.
 * - 'dev': no credential; the caller names itself with `X-User-ID` (default "local"). Only for a
 *   single-user machine: anything that can reach the loopback port can act as any user.
 * - 'api_key': `Authorization: Bearer <key>` or `X-API-Key: <key>`; only SHA-256 hashes are stored.
 * - admin routes: `X-Admin-Token`, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from '../../contract/api.js';
import type { ApiKeyRecord, ApiKeyRepository } from '../../core/ports/store.js';
import { HttpError } from './errorStatus.js';

export const API_KEY_PREFIX = 'hfk_';
/** Longest credential we bother hashing; real keys are 47 chars. */
const MAX_KEY_CHARS = 256;
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
export const DEFAULT_DEV_USER = 'local';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key (256 random bits, base64url) with its hash; the key is shown once and never stored. */
export function generateApiKey(): { key: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

export function newApiKeyId(): string {
  return `key_${randomBytes(12).toString('hex')}`;
}

/** Constant-time string equality (hashing first makes the lengths equal). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer realm="handsfree"' });
}

/** The presented API key, or undefined when none was sent. Throws 401 on a malformed header. */
export function presentedApiKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = header(headers, 'authorization');
  const xKey = header(headers, 'x-api-key');
  let key: string | undefined;
  if (auth !== undefined) {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
    if (m === null) throw unauthorized('Authorization header must be "Bearer <api key>".');
    key = m[1];
  }
  if (xKey !== undefined) {
    if (key !== undefined && !constantTimeEqual(key, xKey.trim())) {
      throw unauthorized('Authorization and X-API-Key name different keys.');
    }
    key = xKey.trim();
  }
  return key;
}

export interface Authenticated {
  caller: Caller;
  /** Rate-limit bucket: one per API key, or per user in dev mode. */
  bucketKey: string;
  ratePerMin: number;
  keyId: string | null;
}

export function authenticateCaller(
  headers: IncomingHttpHeaders,
  mode: 'dev' | 'api_key',
  apiKeys: ApiKeyRepository,
  devRatePerMin: number,
): Authenticated {
  if (mode === 'dev') {
    const raw = header(headers, 'x-user-id');
    const userId = raw === undefined ? DEFAULT_DEV_USER : raw.trim();
    if (!USER_ID_PATTERN.test(userId)) {
      throw new HttpError(400, 'validation_failed', 'X-User-ID header must be 1-64 chars of A-Z a-z 0-9 _ . @ -.');
    }
    return { caller: { userId, transport: 'http' }, bucketKey: `user:${userId}`, ratePerMin: devRatePerMin, keyId: null };
  }
  const key = presentedApiKey(headers);
  if (key === undefined || key === '') throw unauthorized('An API key is required (Authorization: Bearer <key>).');
  let rec: ApiKeyRecord | undefined;
  if (key.length <= MAX_KEY_CHARS && key.startsWith(API_KEY_PREFIX)) rec = apiKeys.findByHash(hashApiKey(key));
  if (rec === undefined || rec.revokedAtMs !== null) throw unauthorized('Invalid or revoked API key.');
  return { caller: { userId: rec.userId, transport: 'http' }, bucketKey: `key:${rec.id}`, ratePerMin: rec.rateLimitPerMin, keyId: rec.id };
}

/**
 * Admin routes: disabled (403, saying how to enable) without a configured token; otherwise the
 * `X-Admin-Token` header must match in constant time (401).
 */
export function authenticateAdmin(headers: IncomingHttpHeaders, adminToken: string | undefined): void {
  if (adminToken === undefined) {
    throw new HttpError(403, 'forbidden', 'Admin API is disabled: no admin token is configured. Set HANDSFREE_ADMIN_TOKEN (at least 16 characters) and restart to enable it.');
  }
  const presented = header(headers, 'x-admin-token');
  if (presented === undefined || !constantTimeEqual(presented, adminToken)) {
    throw new HttpError(401, 'unauthorized', 'Missing or wrong X-Admin-Token.');
  }
}
