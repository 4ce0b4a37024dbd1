/**
 * The LAN listener over a running app: the same API as loopback, over TLS on one LAN interface,
 * for a paired phone (main/lan/: certificate, pairing codes, routes). Shared by `handsfree serve
 * --lan`, browser mode and the Electron shell (which has no loopback server of its own).
 */
import type { Logger } from '../../core/ports/clock.js';
import { ensureLanCertificate } from '../lan/certificate.js';
import { defaultLanAddress } from '../lan/lanAddress.js';
import { PairingService } from '../lan/pairing.js';
import { pairingRoutes } from '../lan/routes.js';
import { JwtVerifier } from '../server/auth.js';
import { DEFAULT_RATE_LIMIT_PER_MIN, startHttpServer, type RunningHttpServer } from '../server/httpServer.js';
import type { RouteSpec } from '../server/router.js';
import { sqlIdempotencyRepository } from '../store/idempotency.js';
import type { App } from './app.js';
import { appAudioCommandRunner } from './wiring.js';

/** The pairing service of `app`: paired phones act as the app's user. */
export function createPairing(app: App): PairingService {
  return new PairingService({ apiKeys: app.store.repos.apiKeys, userId: app.config.user, keyRatePerMin: DEFAULT_RATE_LIMIT_PER_MIN });
}

export interface RunningLan {
  server: RunningHttpServer;
  fingerprint256: string;
  close(): Promise<void>;
}

/**
 * Starts the LAN listener over `app` on `host:port` with the data dir's certificate (made on first
 * use) and points `pairing` at it. `routes`: the app's routes besides the built-in /v1 ones
 * (serveApp's appRoutes); loopback-only ones are dropped by the server.
 * @throws when no LAN address is found or the port is taken; `pairing` then says why in its status.
 */
export async function startLan(
  app: App,
  logger: Logger,
  pairing: PairingService,
  opts: { host?: string; port: number; routes: RouteSpec[]; nowMs?: number },
): Promise<RunningLan> {
  const { config } = app;
  const host = opts.host ?? defaultLanAddress();
  if (host === null) {
    pairing.setEndpoint(null, 'No LAN address found on this machine (set HANDSFREE_LAN_HOST to the interface\'s IP).');
    throw new Error('no LAN address found; set HANDSFREE_LAN_HOST');
  }
  try {
    const cert = await ensureLanCertificate(config.dataDir, opts.nowMs ?? Date.now(), [host]);
    if (cert.created) logger.info({ fingerprint256: cert.fingerprint256 }, 'LAN TLS certificate created');
    const server = await startHttpServer({
      service: app.service,
      apiKeys: app.store.repos.apiKeys,
      authMode: config.authMode,
      ...(config.authMode === 'jwt' && config.jwt !== undefined ? { jwt: new JwtVerifier(config.jwt) } : {}),
      host,
      port: opts.port,
      lan: { tls: { key: cert.key, cert: cert.cert } },
      logger,
      extraRoutes: [...pairingRoutes(pairing), ...opts.routes],
      idempotency: sqlIdempotencyRepository(app.store),
      audioCommand: appAudioCommandRunner(app),
    });
    pairing.setEndpoint({ url: server.url, fingerprint256: cert.fingerprint256 });
    return {
      server,
      fingerprint256: cert.fingerprint256,
      async close() {
        pairing.setEndpoint(null);
        await server.close();
      },
    };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    pairing.setEndpoint(null, code === 'EADDRINUSE' ? `LAN port ${opts.port} is in use (set HANDSFREE_LAN_PORT).` : `The LAN listener could not start: ${(e as Error).message}`);
    throw e;
  }
}
