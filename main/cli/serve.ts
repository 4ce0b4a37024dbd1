/** `handsfree serve` / `start`: the loopback HTTP API over the app, until SIGINT/SIGTERM. */
import { isAppError } from '../../contract/errors.js';
import { createApp } from '../app/app.js';
import type { AppConfig } from '../app/config.js';
import { createLogger } from '../log/logger.js';
import { startHttpServer } from '../server/httpServer.js';
import { appNotificationRoutes } from '../notifications/routes.js';
import { appSpeechRoutes } from '../speech/routes.js';
import { appVoiceRoutes } from '../voice/routes.js';
import { removeServerInfo, writeServerInfo } from './serverClient.js';

/** How often interrupted actions are re-checked while serving, in ms. */
const RECONCILE_EVERY_MS = 30_000;

export async function runServe(config: AppConfig, opts: { port: number; announce: boolean }): Promise<number> {
  const logger = createLogger({ level: config.logLevel === 'warn' ? 'info' : config.logLevel });
  let app;
  try {
    app = await createApp(config, { logger, reconcileEveryMs: RECONCILE_EVERY_MS, startPolling: true });
  } catch (e) {
    process.stderr.write(`handsfree: cannot start: ${isAppError(e) ? e.message : String(e)}\n`);
    return 2;
  }
  let server;
  try {
    server = await startHttpServer({
      service: app.service,
      apiKeys: app.store.repos.apiKeys,
      authMode: config.authMode,
      adminToken: config.adminToken,
      port: opts.port,
      logger,
      extraRoutes: [...appNotificationRoutes(app), ...appVoiceRoutes(app), ...appSpeechRoutes(app)],
    });
  } catch (e) {
    await app.close();
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `handsfree: port ${opts.port} is in use. Set HANDSFREE_PORT or pass --port 0 for any free port.\n`
        : `handsfree: cannot start the server: ${(e as Error).message}\n`,
    );
    return 2;
  }
  writeServerInfo(config.dataDir, { pid: process.pid, url: server.url, port: server.port });
  for (const note of app.notes) process.stdout.write(`Note: ${note}\n`);
  if (opts.announce) {
    process.stdout.write('Desktop window: not available in this build (the Electron shell and UI are not built yet); running the local API only.\n');
  }
  process.stdout.write(`HandsFree API listening on ${server.url} (${config.mode === 'fixture' ? 'demo fixture' : 'live'} mode, ${config.authMode} auth). Ctrl+C stops it.\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  removeServerInfo(config.dataDir);
  await server.close();
  await app.close();
  return 0;
}
