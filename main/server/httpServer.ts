/**
 * The loopback HTTP API (/v1/...) on node:http. Every request goes through the same pipeline:
 *
 *   Host check (421) → Origin / Sec-Fetch-Site check (403) → OPTIONS → route (404 / 405)
 *   → auth (401 / 403) → rate limit (429) → body: media type (415), size (413, enforced while
 *   streaming), UTF-8 (400), JSON (400), schema (400) → handler → JSON response.
 *
 * Routes may share method and path when their bodies take disjoint media types (POST /v1/command
 * as JSON or as audio): the router picks one by Content-Type, and a type none takes is a 415
 * (after auth, like any other body check).
 *
 * Errors are `{error, code, message, details}` (contract/seedApi.ts errorBody) with a status from errorStatus.ts; unknown exceptions are
 * 500 'internal' with a generic message and the details only in the log. Each request carries a
 * correlation id (X-Request-ID, echoed when well-formed, generated otherwise) into the logs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { MAX_JSON_BODY_BYTES, type AppService, type Caller } from '../../contract/api.js';
import { AppError, isAppError } from '../../contract/errors.js';
import type { Clock, Logger } from '../../core/ports/clock.js';
import type { ApiKeyRepository } from '../../core/ports/store.js';
import { authenticateAdmin, authenticateCaller, type Authenticated, type AuthMode, type AuthPolicy, type JwtVerifier, type LocalCredentials } from './auth.js';
import { ClientAbortedError, decodeUtf8, isJsonContentType, parseJson, readBodyLimited, validate } from './body.js';
import { errorBody } from '../../contract/seedApi.js';
import { appErrorResult, HttpError, publicMessageFor } from './errorStatus.js';
import { IdempotencyGuard, idempotencyKeyOf, memoryIdempotencyRepository, type IdempotencyRepository } from './idempotency.js';
import { allowedHostHeaders, canonicalOrigin, checkOrigin, isAllowedHost, isLoopbackAddress } from './requestPolicy.js';
import { TokenBucketLimiter } from './rateLimit.js';
import { buildOpenApi } from './openapi.js';
import { Router, type RouteResult, type RouteSpec } from './router.js';
import { v1Routes, type AudioCommandRunner } from './v1Routes.js';

export type { RouteContext, RouteResult, RouteSpec } from './router.js';
export { jsonRoute, plainRoute } from './router.js';

/** Requests per minute for a dev-mode user, for API keys created without a limit, and for admin calls. */
export const DEFAULT_RATE_LIMIT_PER_MIN = 120;
/** All request headers must arrive within this (slowloris defence). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 5_000;
/** The whole request (headers + body) must arrive within this. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 9_000;
/** How often Node checks the two timeouts above; the worst-case close is timeout + this. */
const CONNECTIONS_CHECK_INTERVAL_MS = 500;
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_CONNECTIONS = 512;
/** On close(), in-flight requests get this long before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;
const MIN_ADMIN_TOKEN_CHARS = 16;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const CORS_ALLOW_HEADERS = 'Content-Type, Authorization, X-API-Key, X-User-ID, X-Request-ID, Idempotency-Key';

export interface UpgradeContext {
  requestId: string;
  logger: Logger;
  /** The authenticated caller: upgrades without a valid credential are refused (401) before this. */
  caller: Caller;
}

/**
 * Receives HTTP upgrade requests (WebSocket) after the Host/Origin checks passed. It owns the
 * socket from then on; the server destroys it on close() if it is still open.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, ctx: UpgradeContext) => void;

export interface HttpServerOptions {
  service: AppService;
  apiKeys: ApiKeyRepository;
  /**
   * 'local' needs `local` (the per-install secret), 'jwt' needs `jwt`; 'dev' (no credentials) is
   * for tests only and logs a warning.
   */
  authMode: AuthMode;
  local?: LocalCredentials;
  jwt?: JwtVerifier;
  /** Enables /v1/admin/* (≥ 16 chars). Without it those routes answer 403. */
  adminToken?: string;
  /** Loopback IP literal only (127.0.0.0/8 or ::1); default 127.0.0.1. With `lan`: the IP literal of the interface to bind. */
  host?: string;
  /**
   * The LAN listener (`handsfree serve --lan`, the desktop's "Pair a phone"): binds `host` (one
   * interface's IP literal, never a wildcard) over TLS with this key and certificate. Every request
   * needs an API key (or a JWT when authMode is 'jwt'), whatever the loopback auth mode, except
   * routes with auth 'pairing'; admin and loopbackOnly routes are not mounted. Host/Origin checks
   * apply as on loopback.
   */
  lan?: { tls: { key: string; cert: string } };
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  logger?: Logger;
  clock?: Clock;
  /** Default MAX_JSON_BODY_BYTES; a route may override it. */
  maxBodyBytes?: number;
  /** Default DEFAULT_RATE_LIMIT_PER_MIN. */
  rateLimitPerMin?: number;
  /** Browser origins allowed to call the API (with CORS headers), e.g. a dev UI server. Default none. */
  allowedOrigins?: readonly string[];
  /**
   * Also allow this server's own origins (http://127.0.0.1:<port>, http://localhost:<port>), for the
   * browser-mode UI served by extraRoutes: browsers send Origin on same-origin POSTs and WebSocket
   * upgrades. Default false. (The port is only known after listen, hence a flag, not a list entry.)
   */
  allowSameOrigin?: boolean;
  /** More routes (webhooks, static files, ...), served after the built-in ones with the same checks. */
  extraRoutes?: readonly RouteSpec[];
  /**
   * Where idempotency keys are kept (24 h per user). Default: in memory, which does not survive a
   * restart; serveApp passes the durable store.
   */
  idempotency?: IdempotencyRepository;
  /** Runs a seed-format audio command (`input.type: audio`); without it such a command is a 501. */
  audioCommand?: AudioCommandRunner;
  /** WebSocket (or other) upgrades; without it upgrades get 404. */
  onUpgrade?: UpgradeHandler;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxConnections?: number;
}

export interface RunningHttpServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (≤ 2 s), then cuts remaining connections. */
  close(): Promise<void>;
}

const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => noopLogger,
};

const systemClock: Clock = { nowMs: () => Date.now(), monotonicMs: () => performance.now() };

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${String(v)}`);
  return n;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The path part of the request target, or null for anything but origin-form ("/..."). */
function pathOf(url: string | undefined): string | null {
  if (url === undefined || !url.startsWith('/')) return null;
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

function requestIdOf(req: IncomingMessage): string {
  const v = firstHeader(req.headers['x-request-id']);
  return v !== undefined && REQUEST_ID_PATTERN.test(v) ? v : randomUUID();
}

/** True when the request declared a body (any Content-Length > 0 or a Transfer-Encoding). */
function declaresBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const cl = req.headers['content-length'];
  return cl !== undefined && Number(cl) > 0;
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const host = opts.host ?? '127.0.0.1';
  const lan = opts.lan ?? null;
  if (lan === null && !isLoopbackAddress(host)) {
    throw new Error(`HTTP API host must be a loopback IP literal (127.0.0.1 or ::1), got "${host}"`);
  }
  if (lan !== null && (isIP(host) === 0 || host === '0.0.0.0' || host === '::')) {
    throw new Error(`the LAN listener binds one interface's IP literal (not a name or a wildcard), got "${host}"`);
  }
  const requestedPort = opts.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new Error(`port must be an integer 0-65535, got ${String(opts.port)}`);
  }
  if (opts.adminToken !== undefined && opts.adminToken.length < MIN_ADMIN_TOKEN_CHARS) {
    throw new Error(`adminToken must be at least ${MIN_ADMIN_TOKEN_CHARS} characters`);
  }
  const maxBodyBytes = positiveInt('maxBodyBytes', opts.maxBodyBytes, MAX_JSON_BODY_BYTES);
  const ratePerMin = positiveInt('rateLimitPerMin', opts.rateLimitPerMin, DEFAULT_RATE_LIMIT_PER_MIN);
  const headersTimeoutMs = positiveInt('headersTimeoutMs', opts.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS);
  const requestTimeoutMs = positiveInt('requestTimeoutMs', opts.requestTimeoutMs, Math.max(DEFAULT_REQUEST_TIMEOUT_MS, headersTimeoutMs));
  if (headersTimeoutMs > requestTimeoutMs) throw new Error('headersTimeoutMs must not exceed requestTimeoutMs');
  const allowedOrigins = new Set<string>((opts.allowedOrigins ?? []).map(canonicalOrigin));
  const logger = (opts.logger ?? noopLogger).child({ component: 'http' });
  const clock = opts.clock ?? systemClock;
  const limiter = new TokenBucketLimiter(() => clock.monotonicMs());
  // On the LAN the per-install secret and dev mode's self-named users do not apply: API keys
  // (from pairing or the admin API), or JWTs where that is the configured mode.
  const authMode: AuthMode = lan === null ? opts.authMode : opts.authMode === 'jwt' ? 'jwt' : 'api_key';
  if (authMode === 'local' && opts.local === undefined) throw new Error("authMode 'local' needs the local secret (opts.local)");
  if (authMode === 'jwt' && opts.jwt === undefined) throw new Error("authMode 'jwt' needs a JWT verifier (opts.jwt)");
  // The one authentication policy: every 'caller' route (built-in or added later) and every upgrade.
  const authPolicy: AuthPolicy = {
    mode: authMode,
    apiKeys: opts.apiKeys,
    defaultRatePerMin: ratePerMin,
    ...(opts.local !== undefined ? { local: opts.local } : {}),
    ...(opts.jwt !== undefined ? { jwt: opts.jwt } : {}),
  };
  const allRoutes = [
    ...v1Routes({ service: opts.service, apiKeys: opts.apiKeys, clock, defaultKeyRatePerMin: ratePerMin, authMode, ...(opts.audioCommand ? { audioCommand: opts.audioCommand } : {}), openapi: () => openapiDoc() }),
    ...(opts.extraRoutes ?? []),
  ];
  const routes = lan === null ? allRoutes : allRoutes.filter((r) => r.auth !== 'admin' && r.loopbackOnly !== true);
  // Everything under /v1 goes through the caller (or admin) policy; routes that authenticate
  // themselves (webhook signatures) or serve public files live outside it. Checked here, so a
  // route added later cannot skip authentication by accident.
  const open = routes.find((r) => r.auth === 'none' && (r.path === '/v1' || r.path.startsWith('/v1/')));
  if (open !== undefined) throw new Error(`route ${open.method} ${open.path} is under /v1 but has auth 'none'; /v1 routes must authenticate`);
  const router = new Router(routes);
  const idempotency = new IdempotencyGuard(opts.idempotency ?? memoryIdempotencyRepository(), () => clock.nowMs());
  let openapi: unknown = null;
  /** /v1/openapi.json, generated once from the mounted routes' schemas. */
  const openapiDoc = (): unknown => (openapi ??= buildOpenApi(router.specs()));
  // Filled in once the port is known.
  let allowedHosts: ReadonlySet<string> = new Set();

  /** Host and Origin policy; returns the CORS origin to echo, if any. */
  function checkHostAndOrigin(req: IncomingMessage): string | null {
    if (!isAllowedHost(req.headers.host, allowedHosts)) {
      throw new HttpError(421, 'bad_origin', 'Unexpected Host header: this API answers only on its loopback address.');
    }
    const verdict = checkOrigin(firstHeader(req.headers.origin), firstHeader(req.headers['sec-fetch-site']), allowedOrigins);
    if (!verdict.ok) throw new HttpError(403, 'bad_origin', `Forbidden: ${verdict.reason}.`);
    return verdict.corsOrigin;
  }

  async function readBody(req: IncomingMessage, spec: RouteSpec): Promise<unknown> {
    const body = spec.body;
    if (body.kind === 'none') {
      if (declaresBody(req)) throw new HttpError(400, 'bad_request', 'This route takes no request body.');
      return undefined;
    }
    const contentType = firstHeader(req.headers['content-type']);
    if (body.kind === 'json' ? !isJsonContentType(contentType) : !body.contentTypes.includes(mediaType(contentType))) {
      const expected = body.kind === 'json' ? 'application/json' : body.contentTypes.join(' or ');
      throw new AppError('unsupported_media_type', `Content-Type must be ${expected}.`);
    }
    const limit = spec.maxBodyBytes ?? maxBodyBytes;
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      throw new AppError('payload_too_large', `Request body exceeds the limit of ${limit} bytes.`);
    }
    const bytes = await readBodyLimited(req, limit);
    if (body.kind === 'raw') return bytes;
    return validate(body.schema, parseJson(decodeUtf8(bytes)));
  }

  function applyCors(res: ServerResponse, corsOrigin: string | null): void {
    if (corsOrigin === null) return;
    res.setHeader('Access-Control-Allow-Origin', corsOrigin);
    // The speech routes' headers too (time to first audio, cache, transcript), for allowed browser origins.
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-ID, Retry-After, Idempotent-Replayed, X-TTS-First-Audio-Ms, X-TTS-Cache, X-TTS-Provider, X-Transcript, X-Spoken-Text, X-Command-Status');
    res.setHeader('Vary', 'Origin');
  }

  function send(req: IncomingMessage, res: ServerResponse, result: RouteResult): void {
    // A body left unread (too large, see settleUnreadBody) must not be parsed as the next request,
    // and we will not read megabytes just to discard them: close after this response.
    if (!req.complete) res.setHeader('Connection', 'close');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
    let payload: string | Uint8Array | undefined;
    if (result.json !== undefined) {
      payload = JSON.stringify(result.json);
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
    } else if (result.raw !== undefined) {
      payload = result.raw.body;
      res.setHeader('Content-Type', result.raw.contentType);
    }
    if (payload !== undefined) res.setHeader('Content-Length', Buffer.byteLength(payload));
    res.writeHead(result.status);
    res.end(payload);
  }

  function errorResult(e: unknown, log: Logger): RouteResult {
    const mapped = appErrorResult(e);
    if (mapped !== null) {
      if (mapped.status >= 500 && isAppError(e)) log.error({ code: e.code, err_message: e.message, details: e.details }, 'request failed');
      return mapped;
    }
    const err = e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { value: String(e) };
    log.error({ err }, 'unhandled error in request');
    return { status: 500, json: errorBody('internal', publicMessageFor('internal', '')) };
  }

  /**
   * Before answering a request refused ahead of its body (401, 404, 429, ...): read and discard a
   * body of allowed size, so the client is not cut off mid-upload (it would see a reset instead of
   * our answer) and the connection stays usable. A body declared or found larger than `limit` is
   * left unread and the connection is closed after the answer. Returns false if the client left.
   */
  async function settleUnreadBody(req: IncomingMessage, limit: number, abandoned: boolean): Promise<boolean> {
    if (req.complete || abandoned) return true;
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) return true;
    try {
      await readBodyLimited(req, limit, { discard: true });
    } catch (e) {
      if (e instanceof ClientAbortedError) return false;
    }
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedMs = clock.monotonicMs();
    const requestId = requestIdOf(req);
    const log = logger.child({ request_id: requestId });
    const rawPath = pathOf(req.url);
    res.setHeader('X-Request-ID', requestId);
    let userId: string | null = null;
    let bodyLimit = maxBodyBytes;
    let bodyAbandoned = false;
    try {
      const corsOrigin = checkHostAndOrigin(req);
      applyCors(res, corsOrigin);
      if (rawPath === null) throw new HttpError(400, 'bad_request', 'The request target must be a path.');
      const method = req.method ?? '';
      // LAN: nothing (not even a 404 or OPTIONS) without a credential, except the pairing exchange.
      let lanCaller: Authenticated | null = null;
      if (lan !== null) {
        const target = method === 'OPTIONS' ? null : router.match(method, rawPath, firstHeader(req.headers['content-type']));
        if (!(target?.kind === 'found' && target.spec.auth === 'pairing')) {
          lanCaller = await authenticateCaller(req.headers, authPolicy, req.socket.localPort ?? 0, req.socket.remoteAddress ?? 'unknown');
          userId = lanCaller.caller.userId;
        }
      }

      if (method === 'OPTIONS') {
        const methods = router.methodsAt(rawPath);
        if (methods === null) throw new HttpError(404, 'not_found', 'No such route.');
        const headers: Record<string, string> = { Allow: methods.join(', ') };
        if (corsOrigin !== null) {
          headers['Access-Control-Allow-Methods'] = methods.join(', ');
          headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS;
          headers['Access-Control-Max-Age'] = '600';
        }
        send(req, res, { status: 204, headers });
        return;
      }

      const m = router.match(method, rawPath, firstHeader(req.headers['content-type']));
      if (m.kind === 'not_found') throw new HttpError(404, 'not_found', 'No such route.');

      if (m.kind === 'method_not_allowed') {
        throw new HttpError(405, 'method_not_allowed', `Method ${method} is not allowed here.`, { Allow: m.allow.join(', ') });
      }
      const spec = m.spec;
      bodyLimit = spec.maxBodyBytes ?? maxBodyBytes;

      let caller: Caller | null = null;
      let bucket: { key: string; ratePerMin: number } | null = null;
      if (spec.auth === 'caller') {
        const a = lanCaller ?? (await authenticateCaller(req.headers, authPolicy, req.socket.localPort ?? 0, req.socket.remoteAddress ?? 'unknown'));
        caller = a.caller;
        userId = a.caller.userId;
        bucket = { key: a.bucketKey, ratePerMin: a.ratePerMin };
      } else if (spec.auth === 'admin') {
        authenticateAdmin(req.headers, opts.adminToken);
        userId = 'admin';
        bucket = { key: 'admin', ratePerMin };
      } else if (lanCaller !== null) {
        bucket = { key: lanCaller.bucketKey, ratePerMin: lanCaller.ratePerMin };
      } else if (spec.rateLimit === true) {
        bucket = { key: `route:${spec.method} ${spec.path}`, ratePerMin };
      }
      if (bucket !== null && spec.rateLimit !== false) {
        const v = limiter.take(bucket.key, bucket.ratePerMin);
        if (!v.allowed) {
          throw new HttpError(
            429,
            'rate_limited',
            `Rate limit of ${bucket.ratePerMin} requests per minute exceeded; retry in ${v.retryAfterSec} s.`,
            { 'Retry-After': String(v.retryAfterSec) },
          );
        }
      }

      if (m.kind === 'unsupported_media_type') {
        // Routes sharing this path by media type: none takes the request's Content-Type.
        throw new HttpError(415, 'unsupported_media_type', `Content-Type must be one of: ${m.accepted.join(', ')}.`);
      }
      const body = await readBody(req, spec).catch((e: unknown) => {
        if (isAppError(e) && e.code === 'payload_too_large') bodyAbandoned = true;
        throw e;
      });
      const ctx = { req, params: m.params, caller, body, requestId, logger: log };
      const key = spec.idempotent === true && caller !== null ? idempotencyKeyOf(body, req.headers['idempotency-key']) : undefined;
      if (key === undefined || caller === null) {
        send(req, res, await spec.handler(ctx));
        return;
      }
      // Errors the client caused (4xx, e.g. a 409 carrying a pending action's token) are answers
      // too and are kept; unexpected ones propagate (500, not kept: a real retry may succeed).
      const answer = await idempotency.run(caller.userId, key, `${spec.method} ${spec.path}`, body, async () => {
        try {
          const r = await spec.handler(ctx);
          if (r.raw !== undefined) throw new Error('idempotent routes answer JSON');
          return { status: r.status, json: r.json };
        } catch (e) {
          const mapped = appErrorResult(e);
          if (mapped === null || mapped.status >= 500) throw e;
          return { status: mapped.status, json: mapped.json };
        }
      });
      send(req, res, { status: answer.status, ...(answer.json !== undefined ? { json: answer.json } : {}), headers: { 'Idempotent-Replayed': String(answer.replayed) } });
    } catch (e) {
      if (e instanceof ClientAbortedError) {
        log.debug({}, 'client aborted');
        res.destroy();
        return;
      }
      if (res.headersSent) {
        log.error({ err_message: e instanceof Error ? e.message : String(e) }, 'error after response started');
        res.destroy();
        return;
      }
      const result = errorResult(e, log);
      if (!(await settleUnreadBody(req, bodyLimit, bodyAbandoned))) {
        res.destroy();
        return;
      }
      send(req, res, result);
    } finally {
      log.info(
        {
          method: req.method,
          path: (rawPath ?? '').slice(0, 200),
          // null: no response was sent (the client went away).
          status: res.headersSent ? res.statusCode : null,
          user_id: userId,
          duration_ms: Math.round(clock.monotonicMs() - startedMs),
        },
        'http request',
      );
    }
  }

  const serverOpts = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
  };
  const server = lan === null ? createServer(serverOpts) : createTlsServer({ ...serverOpts, key: lan.tls.key, cert: lan.tls.cert, minVersion: 'TLSv1.2' });
  // A phone that rejects the pinned certificate, or a port scanner, fails the handshake: logged, not thrown.
  if (lan !== null) server.on('tlsClientError', (e: Error) => logger.debug({ err_message: e.message }, 'TLS handshake failed'));
  server.maxConnections = positiveInt('maxConnections', opts.maxConnections, DEFAULT_MAX_CONNECTIONS);

  // The response in progress per socket: a late parser error or timeout must not write a raw
  // response into a socket where ours has already started.
  const inFlight = new WeakMap<object, ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(req.socket, res);
    res.once('close', () => {
      if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
    });
    void handle(req, res);
  });

  // Malformed requests and the headers/request timeouts: answer in JSON when the socket is still
  // clean, then close. Node's default would answer with an empty body.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight.get(socket)?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, reason, message] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request was not received in time.']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'Request headers are too large.']
          : [400, 'Bad Request', 'Malformed HTTP request.'];
    const body = JSON.stringify(errorBody('bad_request', message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
    logger.debug({ code: err.code, status }, 'client error');
  });

  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const requestId = requestIdOf(req);
    const log = logger.child({ request_id: requestId });
    const reject = (status: number, code: string, message: string): void => {
      const body = JSON.stringify(errorBody(code, message));
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        () => socket.destroy(),
      );
    };
    try {
      checkHostAndOrigin(req);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 403;
      reject(status, 'bad_origin', e instanceof Error ? e.message : 'Forbidden.');
      return;
    }
    // LAN: even "no such upgrade" is only said to a caller with a key.
    if (opts.onUpgrade === undefined && lan === null) {
      reject(404, 'not_found', 'No upgrade handler.');
      return;
    }
    const onUpgrade = opts.onUpgrade;
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    authenticateCaller(req.headers, authPolicy, req.socket.localPort ?? 0, req.socket.remoteAddress ?? 'unknown').then(
      (a) => {
        if (socket.destroyed) return;
        if (onUpgrade === undefined) return reject(404, 'not_found', 'No upgrade handler.');
        try {
          onUpgrade(req, socket, head, { requestId, logger: log, caller: a.caller });
        } catch (e) {
          log.error({ err_message: e instanceof Error ? e.message : String(e) }, 'upgrade handler threw');
          socket.destroy();
        }
      },
      (e: unknown) => {
        const status = e instanceof HttpError ? e.status : 401;
        reject(status, status === 400 ? 'validation_failed' : 'unauthorized', e instanceof Error ? e.message : 'Unauthorized.');
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen({ host, port: requestedPort }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => logger.error({ err_message: e.message }, 'http server error'));

  const port = (server.address() as AddressInfo).port;
  allowedHosts = allowedHostHeaders(host, port);
  if (opts.allowSameOrigin === true) for (const h of allowedHosts) allowedOrigins.add(`http://${h}`);
  const url = `${lan === null ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (opts.authMode === 'dev' && lan === null) {
    logger.warn({ url }, 'HTTP API in DEV AUTH MODE (tests only): no credentials; any local process or other OS user can act as any user and confirm merges');
  } else {
    logger.info({ url, lan: lan !== null }, lan === null ? 'HTTP API listening' : 'LAN API listening (TLS; API key required)');
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => {
          server.closeAllConnections();
          for (const s of upgraded) s.destroy();
        }, CLOSE_GRACE_MS);
        timer.unref();
        server.once('close', () => clearTimeout(timer));
      });
      return closing;
    },
  };
}
