/**
 * The desktop app's composition, shared by its two hosts (the Electron shell and browser mode) so
 * their wiring cannot drift: saved settings folded into the config, the app, the UI event hub,
 * live settings, audio diagnostics and the UI call handlers. The hosts add only what is theirs
 * (windows, tray, dialogs; the HTTP transport).
 *
 * Nothing flows before the host is listening: polling and the voice loop start in `start()`, which
 * the host calls once its event listeners (tray, OS notifications, window) are attached, so the
 * first inbox and the first batch alert are never missed.
 */
import type { Settings } from '../../contract/ipc.js';
import type { AddonLoader } from '../audio/diagnostics.js';
import { AudioDiagnosticsService } from '../audio/diagnostics.js';
import { applyLiveSettings, configWithSettings, githubViewOf, settingsInEffect } from '../settings/applySettings.js';
import { SettingsStore, type SecretBackend, type SettingsBackend } from '../settings/settingsStore.js';
import { UiEventHub } from '../ui/eventHub.js';
import { createCallHandlers, type CallHandlers, type UiHostDeps } from '../ui/uiHost.js';
import type { App, CreateAppOptions } from './app.js';
import { composeApp } from './compose.js';
import { appDeviceSignIn } from './deviceSignIn.js';
import type { AppConfig } from './config.js';
import { appTtsService } from './wiring.js';
import type { PairingService } from '../lan/pairing.js';
import { createPairing } from './serveLan.js';

export interface DesktopHostOptions extends Pick<UiHostDeps, 'openExternal' | 'confirmOutsideRenderer' | 'confirmPlaintextOptIn'> {
  /** Where the UI's settings are saved (electron-store in Electron, a 0600 JSON file in browser mode). */
  settingsBackend: SettingsBackend;
  /** Where the GitHub token is kept (safeStorage in Electron, a 0600 file in browser mode). */
  secrets: SecretBackend;
  /** The token read from `secrets` (the host decides what to do when it cannot be decrypted). */
  savedToken: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Host parts of the app (logger, test clock, the audio process spawner). */
  parts: CreateAppOptions;
  /** Whether start() polls notifications (browser-mode E2E runs keep the demo inbox still). */
  poll: boolean;
  /** The host's own reaction to a saved settings change (shortcuts, login item, tray). */
  onSettingsChange?: (s: Settings) => void;
  /** How diagnostics reach the add-on (Electron: through a utilityProcess). */
  diagnosticsLoader?: AddonLoader;
}

export interface DesktopHost {
  app: App;
  /** The config in effect: the environment, then saved settings, then settings.json. */
  effective: AppConfig;
  settings: SettingsStore;
  hub: UiEventHub;
  diagnostics: AudioDiagnosticsService;
  handlers: CallHandlers;
  /** Phone pairing (Settings → Pair a phone); codes are offered while a LAN listener runs. */
  pairing: PairingService;
  /** Starts polling (if asked) and the voice loop; call once the host listens to app events. */
  start(): void;
  /** Stops diagnostics and closes the app. */
  close(): Promise<void>;
}

/** Builds the desktop app for `host`; see the module comment for what start() defers. */
export async function composeDesktop(host: 'electron' | 'browser', config: AppConfig, o: DesktopHostOptions): Promise<DesktopHost> {
  const stored = new SettingsStore(o.settingsBackend, o.secrets);
  const effective = configWithSettings(config, stored.get(), stored.saved, o.env, o.savedToken);
  const app = await composeApp(host, effective, { ...o.parts, startPolling: false });
  const hub = new UiEventHub(app.events, effective.user);
  const settings = new SettingsStore(o.settingsBackend, o.secrets, {
    inEffect: settingsInEffect(effective),
    github: githubViewOf(effective),
    onChange: (s) => {
      applyLiveSettings(app, s);
      o.onSettingsChange?.(s);
    },
  });
  applyLiveSettings(app, settings.get());
  const diagnostics = new AudioDiagnosticsService((s) => hub.emitLocal('diagnostics.levels', s), ...(o.diagnosticsLoader ? [o.diagnosticsLoader] : []));
  const pairing = createPairing(app);
  const handlers = createCallHandlers({
    app,
    pairing,
    tts: appTtsService(app),
    settings,
    diagnostics,
    prefetchInbox: true,
    openExternal: o.openExternal,
    deviceSignIn: appDeviceSignIn(app, settings),
    ...(o.confirmOutsideRenderer ? { confirmOutsideRenderer: o.confirmOutsideRenderer } : {}),
    ...(o.confirmPlaintextOptIn ? { confirmPlaintextOptIn: o.confirmPlaintextOptIn } : {}),
  });
  let started = false;
  return {
    app,
    effective,
    settings,
    hub,
    diagnostics,
    handlers,
    pairing,
    start() {
      if (started) return;
      started = true;
      if (o.poll) app.notifications.poller.start();
      app.autostartVoice();
    },
    async close() {
      diagnostics.stop();
      await app.close();
    },
  };
}
