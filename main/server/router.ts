/**
 * Route table for the HTTP transport. Built-in /v1 routes and routes added later (webhooks,
 * static renderer files) use the same RouteSpec, so the dispatcher in httpServer.ts applies the
 * same Host/Origin checks, auth, rate limit and body rules to all of them.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Caller } from '../../contract/api.js';
import type { Logger } from '../../core/ports/clock.js';
import { HttpError } from './errorStatus.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext<B = unknown> {
  /** For headers only: the body has already been read (or refused) by the dispatcher. */
  req: IncomingMessage;
  params: Readonly<Record<string, string>>;
  /** Set for auth 'caller'; null for 'admin' and 'none'. */
  caller: Caller | null;
  /** Parsed and validated JSON (body 'json'), raw bytes (body 'raw'), or undefined (body 'none'). */
  body: B;
  requestId: string;
  logger: Logger;
}

/**
 * What a handler returns: `json` is serialized; `raw` is sent as-is (static files); neither means
 * an empty body (204).
 */
export interface RouteResult {
  status: number;
  json?: unknown;
  raw?: { body: Uint8Array | string; contentType: string };
  headers?: Readonly<Record<string, string>>;
}

export type RouteBody =
  | { kind: 'none' }
  | { kind: 'json'; schema: z.ZodType }
  /** Bytes exactly as received (e.g. for webhook signatures over the raw body). */
  | { kind: 'raw'; contentTypes: readonly string[] };

export interface RouteSpec {
  method: HttpMethod;
  /** Segments separated by '/'; `:name` matches one non-empty segment; a final `*` the rest. */
  path: string;
  /**
   * 'caller': dev user or API key (per authMode); 'admin': X-Admin-Token; 'none': public or
   * authenticated by the handler itself (e.g. a webhook signature); 'pairing': the body carries a
   * one-time pairing code the handler checks (the one request a LAN client may make without an
   * API key: it is how the phone gets one).
   */
  auth: 'caller' | 'admin' | 'none' | 'pairing';
  /** Not mounted on the LAN listener (desktop-only routes: pairing offers, the UI bridge). Admin routes never are. */
  loopbackOnly?: boolean;
  body: RouteBody;
  /** Overrides the server's maxBodyBytes for this route. */
  maxBodyBytes?: number;
  /** Token-bucket limit; defaults to true for 'caller' and 'admin', false for 'none'. */
  rateLimit?: boolean;
  /**
   * Honours an idempotency key (body `idempotency_key` or header `Idempotency-Key`) for 24 h per
   * user: a retry gets the first answer and runs nothing. Only for auth 'caller' JSON routes.
   */
  idempotent?: boolean;
  /** For /v1/openapi.json: what the route is and the schema of each success response (null: no body). */
  doc?: RouteDoc;
  handler(ctx: RouteContext): Promise<RouteResult>;
}

export interface RouteDoc {
  summary: string;
  /** Status → JSON body schema; 'binary' for audio/static bytes; null for an empty body. */
  responses: Readonly<Record<number, z.ZodType | 'binary' | null>>;
  query?: z.ZodType;
}

/** A route whose JSON body is validated by `schema` and typed for the handler. */
export function jsonRoute<S extends z.ZodType>(spec: {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  auth: RouteSpec['auth'];
  loopbackOnly?: boolean;
  schema: S;
  maxBodyBytes?: number;
  rateLimit?: boolean;
  idempotent?: boolean;
  doc?: RouteDoc;
  handler(ctx: RouteContext<z.output<S>>): Promise<RouteResult>;
}): RouteSpec {
  const { schema, handler, ...rest } = spec;
  return { ...rest, body: { kind: 'json', schema }, handler: (ctx) => handler({ ...ctx, body: ctx.body as z.output<S> }) };
}

/** A route without a request body. */
export function plainRoute(spec: Omit<RouteSpec, 'body'>): RouteSpec {
  return { ...spec, body: { kind: 'none' } };
}

/** The media type of a Content-Type header, lowercased, without parameters. */
/** The caller of an `auth: 'caller'` route, with the request id as its correlation id. */
export function callerOf(ctx: RouteContext): Caller {
  // The dispatcher sets caller for every auth: 'caller' route; absence is a wiring bug.
  if (ctx.caller === null) throw new Error('caller missing on an authenticated route');
  return { ...ctx.caller, correlationId: ctx.requestId };
}

/** The query parameters; a repeated one is refused (400) rather than guessed. */
export function queryOf(ctx: RouteContext): Record<string, string> {
  const url = new URL(ctx.req.url ?? '/', 'http://localhost');
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in out) throw new HttpError(400, 'validation_failed', `Query parameter ${k} is repeated.`);
    out[k] = v;
  }
  return out;
}

export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Media types a route body takes; null for a body-less route (it conflicts with any other). */
function bodyMediaTypes(body: RouteBody): readonly string[] | null {
  if (body.kind === 'none') return null;
  return body.kind === 'json' ? ['application/json'] : body.contentTypes;
}

interface CompiledRoute {
  spec: RouteSpec;
  segments: readonly string[];
  wildcard: boolean;
}

export type RouteMatch =
  | { kind: 'found'; spec: RouteSpec; params: Record<string, string> }
  /** Several routes share method and path by media type, and none takes the request's. */
  | { kind: 'unsupported_media_type'; accepted: readonly string[]; spec: RouteSpec; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: readonly string[] }
  | { kind: 'not_found' };

function compile(spec: RouteSpec): CompiledRoute {
  if (!spec.path.startsWith('/')) throw new Error(`route path must start with "/": ${spec.path}`);
  const segments = spec.path.split('/').slice(1);
  const wildcard = segments[segments.length - 1] === '*';
  if (segments.slice(0, -1).includes('*')) throw new Error(`"*" only at the end of a route path: ${spec.path}`);
  return { spec, segments: wildcard ? segments.slice(0, -1) : segments, wildcard };
}

function matchPath(route: CompiledRoute, parts: readonly string[]): Record<string, string> | null {
  if (route.wildcard ? parts.length < route.segments.length : parts.length !== route.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i] as string;
    const part = parts[i] as string;
    if (seg.startsWith(':')) {
      if (part === '') return null;
      params[seg.slice(1)] = part;
    } else if (seg !== part) {
      return null;
    }
  }
  if (route.wildcard) params['*'] = parts.slice(route.segments.length).join('/');
  return params;
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  constructor(specs: readonly RouteSpec[]) {
    for (const s of specs) this.add(s);
  }

  private add(spec: RouteSpec): void {
    const same = this.routes.filter((r) => r.spec.method === spec.method && r.spec.path === spec.path);
    // Two routes may share method and path only when their bodies take disjoint media types
    // (e.g. POST /v1/command as JSON or as audio); the dispatcher picks one by Content-Type.
    const mine = bodyMediaTypes(spec.body);
    for (const r of same) {
      const theirs = bodyMediaTypes(r.spec.body);
      if (mine === null || theirs === null || mine.some((t) => theirs.includes(t))) {
        throw new Error(`duplicate route ${spec.method} ${spec.path}`);
      }
    }
    this.routes.push(compile(spec));
  }

  /**
   * First registered match wins; HEAD is served by the GET route. `path` excludes the query.
   * Where several routes share method and path (disjoint media types), the one whose body takes
   * `contentType` wins; when none does, the result lists them all so the caller can answer 415.
   */
  match(method: string, path: string, contentType?: string): RouteMatch {
    const parts = path.split('/').slice(1);
    const lookup = method === 'HEAD' ? 'GET' : method;
    const allow = new Set<string>();
    const found: { spec: RouteSpec; params: Record<string, string> }[] = [];
    for (const r of this.routes) {
      const params = matchPath(r, parts);
      if (params === null) continue;
      if (r.spec.method === lookup) {
        // Only alternatives for the same path pattern as the first match count.
        if (found.length === 0 || found[0]?.spec.path === r.spec.path) found.push({ spec: r.spec, params });
        continue;
      }
      allow.add(r.spec.method);
      if (r.spec.method === 'GET') allow.add('HEAD');
    }
    if (found.length === 1) return { kind: 'found', ...(found[0] as { spec: RouteSpec; params: Record<string, string> }) };
    if (found.length > 1) {
      const type = mediaTypeOf(contentType);
      const hit = found.find((f) => bodyMediaTypes(f.spec.body)?.includes(type) === true);
      if (hit !== undefined) return { kind: 'found', ...hit };
      // spec/params: the first alternative, whose auth and rate limit still apply before the 415.
      return { kind: 'unsupported_media_type', accepted: found.flatMap((f) => bodyMediaTypes(f.spec.body) ?? []), ...(found[0] as (typeof found)[number]) };
    }
    if (allow.size === 0) return { kind: 'not_found' };
    return { kind: 'method_not_allowed', allow: [...allow, 'OPTIONS'] };
  }

  /** Every route, in registration order (for the OpenAPI description). */
  specs(): readonly RouteSpec[] {
    return this.routes.map((r) => r.spec);
  }

  /** Methods served at `path` (for OPTIONS), or null when nothing is. */
  methodsAt(path: string): string[] | null {
    const parts = path.split('/').slice(1);
    const allow = new Set<string>();
    for (const r of this.routes) {
      if (matchPath(r, parts) === null) continue;
      allow.add(r.spec.method);
      if (r.spec.method === 'GET') allow.add('HEAD');
    }
    return allow.size === 0 ? null : [...allow, 'OPTIONS'];
  }
}
