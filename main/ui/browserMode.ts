/**
 * Browser mode: the renderer built by Vite (build/renderer) served from the loopback HTTP API with
 * a strict CSP, the UI calls of contract/ipc.ts as `POST /v1/ui/call/:name`, and pushed events over
 * a WebSocket at /v1/ui/events. All of it goes through startHttpServer's Host/Origin checks.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { UI_EVENTS_PATH, type WsMessage } from '../../contract/ipc.js';
import { errorBody } from '../../contract/seedApi.js';
import type { Caller } from '../../contract/api.js';
import type { LocalCredentials } from '../server/auth.js';
import type { RouteSpec, UpgradeContext } from '../server/httpServer.js';
import { jsonRoute, plainRoute } from '../server/httpServer.js';
import { dispatchCall, type CallHandlers } from './uiHost.js';
import type { UiEventHub } from './eventHub.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Strict CSP for served pages: only our own scripts/styles; no inline script, eval, plugins or framing. */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://${host}`,
    "media-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function securityHeaders(host: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(host),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  };
}

/** Resolves a URL path inside root, or null (traversal, missing, not a file). */
export function resolveStatic(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const full = resolve(root, `.${rel.startsWith('/') ? rel : `/${rel}`}`);
  if (full !== root && !full.startsWith(root + sep)) return null;
  if (!existsSync(full)) return null;
  const real = realpathSync(full);
  return real.startsWith(realpathSync(root) + sep) ? real : null;
}

export interface BrowserModeOptions {
  rendererDir: string;
  handlers: CallHandlers;
  events: UiEventHub;
  /**
   * Mode 'local': `GET /?token=<secret>` (the URL the app prints) trades the secret for an
   * HttpOnly, SameSite=Strict browser-session cookie and redirects to `/`, so the secret leaves the
   * address bar and history. Null in other auth modes.
   */
  local?: LocalCredentials | null;
  /** A socket idle this long (no pong to our ping) is closed, ms. Default 60,000. */
  wsIdleTimeoutMs?: number;
  /** A client this far behind (bytes queued, not yet sent) is closed rather than buffered for. Default 1 MiB. */
  wsMaxBufferedBytes?: number;
}

export interface BrowserMode {
  routes: RouteSpec[];
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: UpgradeContext): void;
  close(): void;
}

export function createBrowserMode(opts: BrowserModeOptions): BrowserMode {
  const root = resolve(opts.rendererDir);
  const indexPath = join(root, 'index.html');

  const serveFile = async (req: IncomingMessage, path: string) => {
    const host = req.headers.host ?? '127.0.0.1';
    const file = resolveStatic(root, path);
    if (file === null) return { status: 404, json: errorBody('not_found', 'No such file.') };
    return {
      status: 200,
      raw: { body: readFileSync(file), contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' },
      headers: securityHeaders(host),
    };
  };

  const routes: RouteSpec[] = [
    plainRoute({
      method: 'GET',
      path: '/',
      auth: 'none',
      handler: async ({ req }) => {
        const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
        if (token !== null) {
          const value = opts.local?.openBrowserSession(token) ?? null;
          if (value === null) return { status: 401, json: { error: { code: 'unauthorized', message: 'Wrong or unknown token: open the URL the app printed.' } } };
          const port = req.socket.localPort ?? 0;
          return { status: 303, headers: { Location: '/', 'Set-Cookie': opts.local!.setCookieHeader(port, value), 'Referrer-Policy': 'no-referrer' } };
        }
        if (!existsSync(indexPath)) {
          return { status: 503, json: errorBody('not_found', 'The renderer is not built: run npm run build:renderer.') };
        }
        return serveFile(req, '/index.html');
      },
    }),
    plainRoute({ method: 'GET', path: '/assets/*', auth: 'none', handler: async ({ req }) => serveFile(req, (req.url ?? '').split(/[?#]/)[0] ?? '') }),
    jsonRoute({
      method: 'POST',
      path: '/v1/ui/call/:name',
      auth: 'caller',
      schema: z.strictObject({ req: z.unknown().optional() }),
      handler: async (ctx) => {
        const caller = { ...ctx.caller!, correlationId: ctx.requestId };
        const res = await dispatchCall(opts.handlers, ctx.params['name'] ?? '', ctx.body.req, caller);
        return { status: 200, json: { res: res ?? null } };
      },
    }),
  ];

  // `ws` loads on the first upgrade: the page asks for it only after it has rendered, so the
  // module's load time (~100 ms) stays out of the cold start.
  let wss: Promise<WebSocketServer> | null = null;
  let closed = false;
  const server = (): Promise<WebSocketServer> => (wss ??= import('ws').then((m) => new m.WebSocketServer({ noServer: true, maxPayload: 4 * 1024 })));
  const idleMs = opts.wsIdleTimeoutMs ?? 60_000;
  const maxBuffered = opts.wsMaxBufferedBytes ?? 1024 * 1024;
  const clients = new Map<WebSocket, () => void>();
  // Each socket subscribes for its own caller: the hub delivers only that caller's events (its
  // tokens, its session ids) plus the app-wide ones of its user.
  const attach = (ws: WebSocket, caller: Caller): void => {
    let alive = true;
    const off = opts.events.onAnyFor(caller, (event, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      // Backpressure: a client that stops reading is dropped, not buffered for without bound.
      if (ws.bufferedAmount > maxBuffered) return void ws.terminate();
      ws.send(JSON.stringify({ event, payload } as WsMessage));
    });
    const ping = setInterval(() => {
      if (!alive) return void ws.terminate();
      alive = false;
      ws.ping();
    }, idleMs);
    ping.unref();
    ws.on('pong', () => {
      alive = true;
    });
    const detach = (): void => {
      clearInterval(ping);
      off();
      clients.delete(ws);
    };
    clients.set(ws, detach);
    ws.on('close', detach);
  };

  return {
    routes,
    onUpgrade(req, socket, head, ctx) {
      const path = (req.url ?? '').split(/[?#]/)[0];
      if (path !== UI_EVENTS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      void server().then(
        (s) => {
          if (closed) return void socket.destroy();
          s.handleUpgrade(req, socket, head, (ws) => {
            attach(ws, ctx.caller);
            // Events only flow server → client; anything the client sends is ignored.
            ws.on('message', () => undefined);
            ws.on('error', () => ws.terminate());
          });
        },
        () => socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'),
      );
    },
    close() {
      closed = true;
      for (const [ws, detach] of [...clients]) {
        detach();
        ws.terminate();
      }
      void wss?.then((s) => s.close());
    },
  };
}
