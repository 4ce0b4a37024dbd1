/**
 * The LAN listener: the same API as loopback, over TLS on one LAN interface, for a paired phone.
 * Shared by `handsfree serve --lan`, browser mode and the Electron shell (which has no loopback
 * server of its own).
 */
import { networkInterfaces } from 'node:os';
import type { App } from '../app/app.js';
import type { Logger } from '../../core/ports/clock.js';
import { JwtVerifier } from '../server/auth.js';
import { startHttpServer, type RunningHttpServer } from '../server/httpServer.js';
import type { RouteSpec } from '../server/router.js';
import { appAudioCommandRunner } from '../seed/routes.js';
import { sqlIdempotencyRepository } from '../store/idempotency.js';
import { ensureLanCertificate } from './certificate.js';
import type { PairingService } from './pairing.js';
import { pairingRoutes } from './routes.js';

/** True for RFC 1918 IPv4 (10/8, 172.16/12, 192.168/16): home and office networks. */
export function isPrivateIpv4(ip: string): boolean {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
  const [a, b] = p as [number, number, number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/**
 * The address to offer phones: the first private IPv4 of a non-internal interface (else any
 * non-internal IPv4); null when this machine has none. `interfaces` is os.networkInterfaces() (tests pass their own).
 */
export function defaultLanAddress(interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): string | null {
  const v4 = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
  return v4.find(isPrivateIpv4) ?? v4[0] ?? null;
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
