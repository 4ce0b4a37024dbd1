/**
 * The front door of main/: every host builds its app here, and only here. The hosts differ only in
 * what they pass in: the long-running ones (the desktop app, browser mode, `handsfree serve`) poll
 * notifications and reconcile interrupted actions on a timer; one-shot CLI commands do neither.
 * Host-specific parts (the Electron utilityProcess for audio, a test clock) come in as options.
 */
import { createApp, type App, type CreateAppOptions } from './app.js';
import type { AppConfig } from './config.js';

/** Which host is starting the app. */
export type HostKind = 'electron' | 'browser' | 'serve' | 'cli';

/** How often a long-running host re-checks interrupted actions, in ms. */
export const RECONCILE_EVERY_MS = 30_000;

/**
 * Builds the app for `host`; `parts` override the host's defaults (polling, reconcile period) and
 * add host-specific pieces. Not async on purpose: it hands back createApp's own promise, because a
 * host subscribes to app.events right after awaiting it and the first notification poll is already
 * running (an extra tick here made the desktop tray miss the first inbox; main/electron/main.test.ts).
 */
export function composeApp(host: HostKind, config: AppConfig, parts: CreateAppOptions): Promise<App> {
  const longRunning = host !== 'cli';
  return createApp(config, { ...(longRunning ? { reconcileEveryMs: RECONCILE_EVERY_MS, startPolling: true } : {}), ...parts });
}
