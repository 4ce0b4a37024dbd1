/**
 * `handsfree start` / `npm start`: the Electron shell where its binary exists; otherwise one line
 * saying so and the same renderer in browser mode on 127.0.0.1 from this process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isAppError } from '../../contract/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { App } from '../app/app.js';
import { composeDesktop } from '../app/composeDesktop.js';
import { serveApp, type ServedApp } from '../app/serveApp.js';
import { REPO_ROOT, type AppConfig } from '../app/config.js';
import { systemClock } from '../app/system.js';
import { createLogger } from '../log/logger.js';
import { jsonRoute, type RouteSpec } from '../server/httpServer.js';
import { FileSecretBackend, openJsonFileBackend } from '../settings/settingsStore.js';
import { createBrowserMode, type BrowserMode } from './browserMode.js';

export const RENDERER_DIR = join(REPO_ROOT, 'build', 'renderer');

/** The Electron binary's path when it is installed on disk (never `require('electron')`: that downloads). */
export function electronBinary(root: string = REPO_ROOT): string | null {
  const pathTxt = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

/** A clock a test can move forward (HANDSFREE_E2E_CLOCK=1 only, never when packaged). */
export function offsetClock(base: Clock): Clock & { advance(ms: number): void } {
  let offsetMs = 0;
  return {
    nowMs: () => base.nowMs() + offsetMs,
    monotonicMs: () => base.monotonicMs() + offsetMs,
    advance: (ms) => {
      offsetMs += ms;
    },
  };
}

export interface RunningUi {
  url: string;
  /** The URL to open: in mode 'local' it carries the secret once (the page swaps it for a cookie). */
  openUrl: string;
  app: App;
  close(): Promise<void>;
}

export async function startBrowserMode(config: AppConfig, opts: { port: number; env?: NodeJS.ProcessEnv }): Promise<RunningUi> {
  const env = opts.env ?? process.env;
  const logger = createLogger({ level: config.logLevel });
  const testClock = env['HANDSFREE_E2E_CLOCK'] === '1' ? offsetClock(systemClock) : null;
  // The desktop app polls notifications like `handsfree serve`; E2E runs (test clock) keep the
  // demo inbox still so their assertions do not race new arrivals.
  // Saved desktop settings pick mode, providers, voice and devices (the environment wins where set).
  const settingsBackend = openJsonFileBackend(config.dataDir);
  const secrets = new FileSecretBackend(config.dataDir, env);
  // E2E runs may still poll (a fake GitHub in live mode) with a short floor: HANDSFREE_E2E_POLL_S.
  const e2ePollS = testClock && /^[0-9]{1,3}$/.test(env['HANDSFREE_E2E_POLL_S'] ?? '') ? Math.max(1, Number(env['HANDSFREE_E2E_POLL_S'])) : null;
  const desktop = await composeDesktop('browser', config, {
    settingsBackend,
    secrets,
    savedToken: secrets.read(),
    env,
    poll: !testClock || e2ePollS !== null,
    parts: {
      logger,
      ...(e2ePollS !== null ? { notifications: { minPollIntervalS: e2ePollS } } : {}),
      ...(testClock ? { clock: testClock } : {}),
    },
    // Browser mode: the page opens links itself (policy-checked in the renderer); nothing to do here.
    openExternal: async () => false,
  });
  const { app, hub, handlers, pairing, effective } = desktop;
  let browser = null as BrowserMode | null;
  const extra: RouteSpec[] = [];
  if (testClock) {
    extra.push(
      jsonRoute({
        method: 'POST',
        path: '/v1/ui/test/advance-clock',
        auth: 'caller',
        schema: z.strictObject({ ms: z.number().int().min(0).max(86_400_000) }),
        handler: async (ctx) => {
          testClock.advance(ctx.body.ms);
          return { status: 200, json: { ok: true } };
        },
      }),
    );
  }
  let served: ServedApp;
  try {
    served = await serveApp(app, logger, {
      port: opts.port,
      // The page trades the secret in the printed URL for a session cookie (mode 'local').
      extraRoutes: (local) => {
        browser = createBrowserMode({ rendererDir: RENDERER_DIR, handlers, events: hub, local });
        return [...browser.routes, ...extra];
      },
      allowSameOrigin: true,
      pairing,
      ...(effective.lan?.enabled === true ? { lan: { ...(effective.lan.host !== undefined ? { host: effective.lan.host } : {}), port: effective.lan.port, optional: true } } : {}),
      onUpgrade: (req, socket, head, ctx) => browser?.onUpgrade(req, socket, head, ctx),
    });
  } catch (e) {
    browser?.close();
    await desktop.close();
    throw e;
  }
  const secret = served.local?.secretForUrl() ?? null;
  desktop.start();
  return {
    url: served.server.url,
    openUrl: secret !== null ? `${served.server.url}/?token=${secret}` : `${served.server.url}/`,
    app,
    async close() {
      browser?.close();
      await served.close();
      await desktop.close();
    },
  };
}

export async function runStart(config: AppConfig, opts: { port: number }): Promise<number> {
  const electron = process.env['HANDSFREE_BROWSER_MODE'] === '1' ? null : electronBinary();
  if (electron !== null) {
    const child = spawn(electron, [join(REPO_ROOT, 'build', 'main', 'electron', 'main.js')], { stdio: 'inherit', env: process.env });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
  }
  process.stdout.write('Electron is not installed on this machine (no binary under node_modules/electron/dist); serving the desktop UI in browser mode instead.\n');
  let ui: RunningUi;
  try {
    ui = await startBrowserMode(config, { port: opts.port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `handsfree: port ${opts.port} is in use. Set HANDSFREE_PORT or pass --port 0 for any free port.\n`
        : `handsfree: cannot start: ${isAppError(e) ? e.message : (e as Error).message}\n`,
    );
    return 2;
  }
  for (const note of ui.app.notes) process.stdout.write(`Note: ${note}\n`);
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) process.stdout.write('Note: the renderer is not built; run npm run build:renderer.\n');
  process.stdout.write(`HandsFree desktop UI (browser mode, ${config.mode === 'fixture' ? 'demo fixture' : 'live'} mode): open ${ui.openUrl} in a browser. Ctrl+C stops it.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await ui.close();
  return 0;
}
