/** `handsfree serve`: the loopback HTTP API over the app, until SIGINT/SIGTERM. */
import { isAppError } from '../../contract/errors.js';
import { composeApp } from '../app/compose.js';
import type { AppConfig } from '../app/config.js';
import { serveApp, type ServedApp } from '../app/serveApp.js';
import { createLogger } from '../log/logger.js';
import { formatOfferForTerminal } from '../lan/printOffer.js';

/**
 * @param opts.lan serve on the LAN too (TLS, API keys only); `host` absent: config.lan.host or this
 *   machine's first private IPv4 address.
 */
export async function runServe(config: AppConfig, opts: { port: number; lan?: { host?: string; port: number } }): Promise<number> {
  const logger = createLogger({ level: config.logLevel === 'warn' ? 'info' : config.logLevel });
  let app;
  try {
    app = await composeApp('serve', config, { logger });
  } catch (e) {
    process.stderr.write(`handsfree: cannot start: ${isAppError(e) ? e.message : String(e)}\n`);
    return 2;
  }
  let served: ServedApp;
  try {
    served = await serveApp(app, logger, { port: opts.port, ...(opts.lan !== undefined ? { lan: opts.lan } : {}) });
  } catch (e) {
    await app.close();
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `handsfree: port ${opts.port} is in use. Set HANDSFREE_PORT or pass --port 0 for any free port.\n`
        : `handsfree: cannot start the server${opts.lan ? ' (or its LAN listener)' : ''}: ${(e as Error).message}\n`,
    );
    return 2;
  }
  for (const note of app.notes) process.stdout.write(`Note: ${note}\n`);
  process.stdout.write(`HandsFree API listening on ${served.server.url} (${config.mode === 'fixture' ? 'demo fixture' : 'live'} mode, ${config.authMode} auth). Ctrl+C stops it.\n`);
  if (served.lan !== null) {
    process.stdout.write(`LAN listener on ${served.lan.server.url} (TLS; every request needs an API key).\n`);
    process.stdout.write(await formatOfferForTerminal(await served.pairing.offer()));
  }

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await served.close();
  await app.close();
  return 0;
}
