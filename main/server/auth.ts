/**
 * Caller authentication for the HTTP API (one policy for every route and WebSocket upgrade).
 * - 'local' (default): the per-install secret, or a browser-session cookie derived from it.
 * - 'dev': no credential; the caller names itself with `X-User-ID` (default "local"). Tests only:
 *   anything that can reach the loopback port can act as any user.
 * - 'api_key': `Authorization: Bearer <key>` or `X-API-Key: <key>`; only SHA-256 hashes are stored.
 * - 'jwt': `Authorization: Bearer <jwt>`, HS256 or RS256, `exp` and `aud` checked.
 * - admin routes: `X-Admin-Token`, compared in constant time.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
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
  /** Rate-limit bucket: one per API key, JWT subject, browser session / local secret, or dev user. */
  bucketKey: string;
  ratePerMin: number;
  keyId: string | null;
}

/**
 * How callers authenticate:
 * - 'local' (default): the per-install secret (see localSecret.ts) as `Authorization: Bearer`, or
 *   a browser-session cookie minted from it; the caller is the app's own user.
 * - 'dev': no credential, the caller names itself with X-User-ID. Tests only: anything that can
 *   reach the port can act as anyone.
 * - 'api_key': stored keys (remote clients); 'jwt': a signed JWT whose `sub` is the user.
 */
export const AUTH_MODES = ['local', 'dev', 'api_key', 'jwt'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface JwtSettings {
  /** HS256 shared secret (≥ 32 bytes) or an RS256 public key (PEM, SPKI). Exactly one. */
  hs256Secret?: string;
  rs256PublicKeyPem?: string;
  audience: string;
  issuer?: string;
}

export interface AuthPolicy {
  mode: AuthMode;
  apiKeys: ApiKeyRepository;
  /** Requests per minute for dev users, local callers and JWT subjects. */
  defaultRatePerMin: number;
  /** Mode 'local': the secret and the user it stands for. */
  local?: LocalCredentials;
  /** Mode 'jwt'. */
  jwt?: JwtVerifier;
}

/** Browser-session cookie name; per port, since cookies ignore ports and two instances may run. */
export function sessionCookieName(port: number): string {
  return `hf_session_${port}`;
}

function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = header(headers, 'cookie');
  if (raw === undefined) return undefined;
  for (const part of raw.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * The per-install secret and the browser sessions derived from it. A session cookie is
 * `<nonce>.<HMAC(secret, nonce)>`: verifiable without server state (it survives a restart) and
 * useless once the secret is replaced. The nonce names the browser session (the caller's principal).
 */
export class LocalCredentials {
  constructor(
    private readonly secret: string,
    readonly userId: string,
  ) {
    if (secret.length < 32) throw new Error('local secret must be at least 32 characters');
  }

  private mac(nonce: string): string {
    return createHmac('sha256', this.secret).update(`browser-session:${nonce}`).digest('base64url');
  }

  /** The secret itself, for the one URL browser mode prints. */
  secretForUrl(): string {
    return this.secret;
  }

  /** True when `token` is the secret (constant time). */
  isSecret(token: string): boolean {
    return constantTimeEqual(token, this.secret);
  }

  /** A new browser-session cookie value when `token` is the secret; null otherwise. */
  openBrowserSession(token: string): string | null {
    if (!this.isSecret(token)) return null;
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.mac(nonce)}`;
  }

  /** The browser session's nonce when the cookie value is genuine; null otherwise. */
  checkBrowserSession(value: string): string | null {
    const dot = value.indexOf('.');
    if (dot <= 0 || value.length > 200) return null;
    const nonce = value.slice(0, dot);
    return constantTimeEqual(value.slice(dot + 1), this.mac(nonce)) ? nonce : null;
  }

  /** `Set-Cookie` for a browser session: HttpOnly, SameSite=Strict, whole site, 30 days. */
  setCookieHeader(port: number, value: string): string {
    return `${sessionCookieName(port)}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${30 * 86_400}`;
  }
}

/** Verifies JWTs with `jose`: one algorithm per configured key, `exp` required, `aud` (and `iss`) checked. */
export class JwtVerifier {
  private readonly key: Promise<Uint8Array | Awaited<ReturnType<typeof importSPKI>>>;
  private readonly alg: 'HS256' | 'RS256';
  constructor(private readonly s: JwtSettings) {
    if ((s.hs256Secret === undefined) === (s.rs256PublicKeyPem === undefined)) throw new Error('JWT auth needs exactly one of an HS256 secret or an RS256 public key');
    if (s.audience.trim() === '') throw new Error('JWT auth needs an audience');
    if (s.hs256Secret !== undefined) {
      if (Buffer.byteLength(s.hs256Secret) < 32) throw new Error('the JWT HS256 secret must be at least 32 bytes');
      this.alg = 'HS256';
      this.key = Promise.resolve(new TextEncoder().encode(s.hs256Secret));
    } else {
      this.alg = 'RS256';
      this.key = importSPKI(s.rs256PublicKeyPem!, 'RS256');
    }
  }

  /** The verified subject; throws 401 for a bad signature, algorithm, audience, issuer or an expired token. */
  async subject(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: [this.alg],
        audience: this.s.audience,
        ...(this.s.issuer !== undefined ? { issuer: this.s.issuer } : {}),
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 5,
      });
      const sub = payload.sub ?? '';
      if (!USER_ID_PATTERN.test(sub)) throw unauthorized('The token\'s subject is not a valid user id.');
      return sub;
    } catch (e) {
      if (e instanceof HttpError) throw e;
      const code = (e as { code?: string }).code ?? 'ERR_JWT_INVALID';
      throw unauthorized(code === 'ERR_JWT_EXPIRED' ? 'The token has expired.' : 'Invalid token.');
    }
  }
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const auth = header(headers, 'authorization');
  if (auth === undefined) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
  if (m === null) throw unauthorized('Authorization header must be "Bearer <credential>".');
  return m[1];
}

/**
 * The single authentication policy every `auth: 'caller'` route and every WebSocket upgrade goes
 * through. `localPort` picks the browser-session cookie; `peer` (the connection's remote address)
 * keys dev mode's rate limit. Throws HttpError 401 (or 400 for a malformed dev X-User-ID).
 */
export async function authenticateCaller(headers: IncomingHttpHeaders, policy: AuthPolicy, localPort = 0, peer = 'local'): Promise<Authenticated> {
  const rate = policy.defaultRatePerMin;
  switch (policy.mode) {
    case 'dev': {
      const raw = header(headers, 'x-user-id');
      const userId = raw === undefined ? DEFAULT_DEV_USER : raw.trim();
      if (!USER_ID_PATTERN.test(userId)) {
        throw new HttpError(400, 'validation_failed', 'X-User-ID header must be 1-64 chars of A-Z a-z 0-9 _ . @ -.');
      }
      // The user id is self-chosen here: the rate limit is keyed on the connection's peer, so a
      // client cannot escape it by naming a new user per request.
      return { caller: { userId, transport: 'http', principal: `dev:${userId}` }, bucketKey: `dev-peer:${peer}`, ratePerMin: rate, keyId: null };
    }
    case 'local': {
      const local = policy.local;
      if (local === undefined) throw new Error('local auth mode without a local secret');
      const token = bearer(headers);
      if (token !== undefined) {
        if (!local.isSecret(token)) throw unauthorized('Wrong local API secret.');
        return { caller: { userId: local.userId, transport: 'http', principal: 'local-secret' }, bucketKey: 'local', ratePerMin: rate, keyId: null };
      }
      const c = cookie(headers, sessionCookieName(localPort));
      const nonce = c === undefined ? null : local.checkBrowserSession(c);
      if (nonce === null) throw unauthorized('This API needs its local secret: open the URL the app printed, or send Authorization: Bearer <secret>.');
      return { caller: { userId: local.userId, transport: 'http', principal: `browser:${nonce}` }, bucketKey: 'local', ratePerMin: rate, keyId: null };
    }
    case 'jwt': {
      if (policy.jwt === undefined) throw new Error('jwt auth mode without a verifier');
      const token = bearer(headers);
      if (token === undefined || token.length > 8192) throw unauthorized('A bearer token is required (Authorization: Bearer <jwt>).');
      const sub = await policy.jwt.subject(token);
      return { caller: { userId: sub, transport: 'http', principal: `jwt:${sub}` }, bucketKey: `jwt:${sub}`, ratePerMin: rate, keyId: null };
    }
    case 'api_key': {
      const key = presentedApiKey(headers);
      if (key === undefined || key === '') throw unauthorized('An API key is required (Authorization: Bearer <key>).');
      let rec: ApiKeyRecord | undefined;
      if (key.length <= MAX_KEY_CHARS && key.startsWith(API_KEY_PREFIX)) rec = policy.apiKeys.findByHash(hashApiKey(key));
      if (rec === undefined || rec.revokedAtMs !== null) throw unauthorized('Invalid or revoked API key.');
      return { caller: { userId: rec.userId, transport: 'http', principal: `key:${rec.id}` }, bucketKey: `key:${rec.id}`, ratePerMin: rec.rateLimitPerMin, keyId: rec.id };
    }
  }
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
