/**
 * One way to put a running app on the loopback HTTP API, shared by `handsfree serve` and the
 * desktop app's browser mode so their routes cannot drift: the /v1 API plus the notification,
 * webhook, agent, voice and speech routes, and the server-info file the CLI finds it by.
 */
import type { Logger } from '../../core/ports/clock.js';
import { removeServerInfo, writeServerInfo } from '../server/serverInfo.js';
import { JwtVerifier, LocalCredentials } from '../server/auth.js';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../server/httpServer.js';
import { ensureLocalSecret } from '../server/localSecret.js';
import type { RouteSpec } from '../server/router.js';
import { sqlIdempotencyRepository } from '../store/idempotency.js';
import type { PairingService } from '../lan/pairing.js';
import { createPairing, startLan, type RunningLan } from './serveLan.js';
import { pairingRoutes } from '../lan/routes.js';
import type { App } from './app.js';
import { appAudioCommandRunner, appRoutes } from './wiring.js';

export interface ServedApp {
  server: RunningHttpServer;
  /** Mode 'local': the per-install credentials (browser mode prints the secret once in its URL). */
  local: LocalCredentials | null;
  /** Phone pairing: codes are offered only while the LAN listener runs. */
  pairing: PairingService;
  /** The LAN listener (opts.lan), or null. */
  lan: RunningLan | null;
  /** Removes the server-info file and closes the servers (not the app). */
  close(): Promise<void>;
}


/**
 * Starts the HTTP server over `app` on 127.0.0.1:`port` and records it for the CLI.
 * @throws what startHttpServer throws (e.g. EADDRINUSE); the app is left open for the caller to close.
 */
export async function serveApp(
  app: App,
  logger: Logger,
  opts: {
    port: number;
    extraRoutes?: RouteSpec[] | ((local: LocalCredentials | null) => RouteSpec[]);
    /**
     * Also serve on the LAN (TLS, API keys only); `host` absent: this machine's first private IPv4.
     * `optional`: a LAN listener that cannot start is logged and shown in Settings (pairing status)
     * instead of failing the start (the desktop setting); `serve --lan` fails instead.
     */
    lan?: { host?: string; port: number; optional?: boolean };
    /** Default: a new one (browser mode passes the one its UI calls use). */
    pairing?: PairingService;
  } & Pick<HttpServerOptions, 'allowSameOrigin' | 'onUpgrade'>,
): Promise<ServedApp> {
  const { config } = app;
  const local = config.authMode === 'local' ? new LocalCredentials(ensureLocalSecret(config.dataDir), config.user) : null;
  const extraRoutes = typeof opts.extraRoutes === 'function' ? opts.extraRoutes(local) : (opts.extraRoutes ?? []);
  const pairing = opts.pairing ?? createPairing(app);
  const server = await startHttpServer({
    service: app.service,
    apiKeys: app.store.repos.apiKeys,
    authMode: config.authMode,
    ...(local !== null ? { local } : {}),
    ...(config.authMode === 'jwt' && config.jwt !== undefined ? { jwt: new JwtVerifier(config.jwt) } : {}),
    adminToken: config.adminToken,
    port: opts.port,
    logger,
    extraRoutes: [...extraRoutes, ...pairingRoutes(pairing), ...appRoutes(app)],
    // Idempotency keys in the durable store: a retry after a restart still replays.
    idempotency: sqlIdempotencyRepository(app.store),
    audioCommand: appAudioCommandRunner(app),
    ...(opts.allowSameOrigin !== undefined ? { allowSameOrigin: opts.allowSameOrigin } : {}),
    ...(opts.onUpgrade !== undefined ? { onUpgrade: opts.onUpgrade } : {}),
  });
  let lan: RunningLan | null = null;
  if (opts.lan !== undefined) {
    try {
      lan = await startLan(app, logger, pairing, { ...(opts.lan.host !== undefined ? { host: opts.lan.host } : {}), port: opts.lan.port, routes: appRoutes(app) });
    } catch (e) {
      if (opts.lan.optional !== true) {
        await server.close();
        throw e;
      }
      logger.warn({ err_message: (e as Error).message }, 'LAN listener not started');
    }
  }
  writeServerInfo(config.dataDir, { pid: process.pid, url: server.url, port: server.port });
  return {
    server,
    local,
    pairing,
    lan,
    async close() {
      removeServerInfo(config.dataDir);
      await Promise.all([server.close(), lan?.close()]);
    },
  };
}
