/**
 * Electron shell (thin): single instance, a sandboxed window on the Vite-built renderer, the IPC
 * handlers of contract/ipc.ts (shared with browser mode through main/ui/uiHost.ts), tray, global
 * push-to-talk shortcut and OS notifications. Everything else is the same app as browser mode.
 */
import { app as electronApp, BrowserWindow, dialog, globalShortcut, ipcMain, Menu, nativeImage, net, Notification, powerMonitor, safeStorage, session, shell, Tray } from 'electron';
import ElectronStore from 'electron-store';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAppError } from '../../contract/errors.js';
import { CALL_NAMES, ipcCallChannel, ipcEventChannel } from '../../contract/ipc.js';
import { composeDesktop } from '../app/composeDesktop.js';
import { loadConfig, REPO_ROOT } from '../app/config.js';
import { audioProcessLoader } from '../audio/diagnostics.js';
import { createLogger } from '../log/logger.js';
import { DATA_FILE_MODE, ensurePrivateDataDir } from '../settings/dataDir.js';
import { dispatchCall } from '../ui/uiHost.js';
import { isAllowedExternalUrl, isAllowedNavigation, isAllowedPermission, confirmDialogText, isTrustedSender, secureWebPreferences, windowOpenDecision } from './policy.js';
import { openDefaultAudio } from '../voice/voiceRunner.js';
import { utilityAudioChannel } from './audioChannel.js';
import { applyLaunchAtLogin, launchCommand, type LoginItemHost } from './loginItem.js';
import { SafeStorageSecretBackend } from './secrets.js';
import { trayMenuTemplate, trayToolTip, type TrayState } from './trayMenu.js';
import { ShortcutBinder, type ShortcutProblem } from './shortcuts.js';
import type { App } from '../app/app.js';
import { appRoutes } from '../app/wiring.js';
import { startLan, type RunningLan } from '../app/serveLan.js';

/** The one page the window may show and take IPC from: the bundle's index.html (not any file: URL). */
const APP_INDEX = join(REPO_ROOT, 'build', 'renderer', 'index.html');
const APP_URL = pathToFileURL(APP_INDEX).href;
/** 16×16 tray icon (a blue ring and dot), inline so packaging needs no asset. */
const TRAY_ICON_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAPUlEQVR42mNgoDZQSX79Hx+mSDNeQ4jVjNUQYp2JUx3RfsSlFpsgLttGkgFkByJZ0UhxQqJKUqZKZiIHAAAm9jiQ9WQB4gAAAABJRU5ErkJggg==';
/** How often the online state is checked for the poller, ms (main has no online/offline event). */
const ONLINE_CHECK_MS = 5_000;

async function run(): Promise<App | null> {
  if (!electronApp.requestSingleInstanceLock()) {
    electronApp.quit();
    return null;
  }
  await electronApp.whenReady();
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  // Files this process creates are the user's alone; the data dir is 0700 before electron-store
  // writes into it, and its settings file 0600 from the first write.
  process.umask(0o077);
  ensurePrivateDataDir(config.dataDir);
  const store = new ElectronStore<Record<string, unknown>>({ cwd: config.dataDir, name: 'ui-settings', configFileMode: DATA_FILE_MODE });
  const secrets = new SafeStorageSecretBackend(safeStorage, store);
  // A token that cannot be decrypted (keyring changed) leaves the app running without it, and says so.
  const token = secrets.read();
  if (secrets.decryptError !== null) {
    logger.warn({ err: secrets.decryptError }, 'the saved GitHub token could not be decrypted; running without it');
    if (Notification.isSupported()) new Notification({ title: 'HandsFree: GitHub token unreadable', body: 'The saved GitHub token could not be decrypted; the app runs without it. Save it again in Settings.' }).show();
  }
  // The keyboard shortcut and the headset tap (play/pause media key) both toggle push-to-talk.
  const shortcuts = new ShortcutBinder(globalShortcut, () => pushToTalk());
  const reportShortcuts = (problems: ShortcutProblem[]): void => {
    for (const p of problems) {
      logger.warn({ role: p.role, accelerator: p.accelerator }, p.message);
      if (Notification.isSupported()) new Notification({ title: 'HandsFree: shortcut not set', body: p.message }).show();
    }
  };
  const loginHost = (): LoginItemHost => ({
    platform: process.platform,
    command: launchCommand({ isPackaged: electronApp.isPackaged, execPath: process.execPath, appPath: electronApp.getAppPath(), appImage: process.env['APPIMAGE'] }),
    configHome: process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'),
  });
  const setLaunchAtLogin = (on: boolean): void => {
    const problem = applyLaunchAtLogin(on, electronApp, loginHost());
    if (problem === null) return;
    logger.warn({ on }, problem);
    if (Notification.isSupported()) new Notification({ title: 'HandsFree: launch at login', body: problem }).show();
  };
  let launchAtLogin = false; // read from the saved settings below
  let refreshTray = (): void => undefined; // set once the tray exists
  // Saved settings pick mode, providers, voice and devices (the environment wins where set); the token comes from the keychain.
  // The audio add-on runs in a utilityProcess: a native crash costs seconds of audio, not the app.
  const desktop = await composeDesktop('electron', config, {
    settingsBackend: store,
    secrets,
    savedToken: token,
    env: process.env,
    poll: true,
    parts: { logger, openAudio: () => openDefaultAudio({ logger }, { spawn: utilityAudioChannel }) },
    diagnosticsLoader: audioProcessLoader({ spawn: utilityAudioChannel }),
    onSettingsChange: (s) => {
      reportShortcuts(shortcuts.apply(s));
      if (s.launchAtLogin !== launchAtLogin) setLaunchAtLogin((launchAtLogin = s.launchAtLogin));
      refreshTray(); // mute may have changed in Settings
    },
    openExternal: async (url) => {
      if (!isAllowedExternalUrl(url)) return false;
      await shell.openExternal(url);
      return true;
    },
    // CF-9: a click confirms only after the user says so in a native dialog the renderer cannot script.
    confirmOutsideRenderer: async (readBack) => {
      const { message, detail } = confirmDialogText(readBack);
      const { response } = await dialog.showMessageBox(win, { type: 'question', title: 'Confirm', message, detail, buttons: ['Cancel', 'Confirm'], defaultId: 0, cancelId: 0, noLink: true });
      return response === 1;
    },
    // Plaintext token storage is allowed only by the user in a native dialog, never by a renderer call alone.
    confirmPlaintextOptIn: async () => {
      const { response } = await dialog.showMessageBox(win, {
        type: 'warning',
        title: 'Store the GitHub token without encryption?',
        message: 'No OS keychain is available. Allow storing the GitHub token without real encryption?',
        detail: 'Anyone who can read your files could then use the token. You can set HANDSFREE_GITHUB_TOKEN instead.',
        buttons: ['Cancel', 'Allow plaintext storage'],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      });
      return response === 1;
    },
  });
  const { app, hub, handlers, settings } = desktop;
  // Refreshed at each start while on: the app (or its AppImage) may have moved since.
  launchAtLogin = settings.get().launchAtLogin;
  if (launchAtLogin) setLaunchAtLogin(true);
  // "Pair a phone": the shell has no loopback server (the UI speaks IPC), so only the LAN listener
  // runs, when the setting (or HANDSFREE_LAN=1) asks for it. A failure is shown in Settings, not fatal.
  const lanConfig = desktop.effective.lan;
  const lan: RunningLan | null =
    lanConfig?.enabled === true
      ? await startLan(desktop.app, logger, desktop.pairing, { ...(lanConfig.host !== undefined ? { host: lanConfig.host } : {}), port: lanConfig.port, routes: appRoutes(desktop.app) }).catch((e: unknown) => {
          logger.warn({ err: String(e) }, 'LAN listener not started');
          return null;
        })
      : null;

  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(isAllowedPermission(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => isAllowedPermission(permission));

  const win = new BrowserWindow({ width: 1000, height: 760, show: false, title: 'HandsFree Dev Companion', webPreferences: secureWebPreferences(join(REPO_ROOT, 'build', 'preload-out', 'preload', 'preload.cjs')) });
  // Navigations and redirects alike stay on the app page.
  const stayOnApp = (e: { preventDefault(): void }, url: string): void => {
    if (!isAllowedNavigation(url, APP_URL)) e.preventDefault();
  };
  win.webContents.on('will-navigate', stayOnApp);
  win.webContents.on('will-redirect', stayOnApp);
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (windowOpenDecision(url).openExternally) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());

  for (const name of CALL_NAMES) {
    ipcMain.handle(ipcCallChannel(name), async (e, req: unknown) => {
      const frame = e.senderFrame;
      if (!isTrustedSender({ frameUrl: frame?.url ?? null, isMainFrame: frame !== null && frame === e.sender.mainFrame }, APP_URL)) throw new Error('untrusted sender');
      try {
        return await dispatchCall(handlers, name, req, { userId: config.user, transport: 'ipc' });
      } catch (err) {
        throw new Error(isAppError(err) ? `${err.code}: ${err.message}` : 'internal error');
      }
    });
  }
  const offEvents = hub.onAny((name, payload) => {
    if (!win.isDestroyed()) win.webContents.send(ipcEventChannel(name), payload);
  });

  const tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON_PNG));
  // A global shortcut has no key-up: the first press opens the mic, the next one ends the utterance.
  function pushToTalk(): void {
    win.show();
    void app
      .startVoice()
      .then((runner) => {
        const r = runner.status().state === 'listening' ? runner.pttStop() : runner.pttStart();
        if (!r.ok && r.reason && Notification.isSupported()) new Notification({ title: 'HandsFree: voice unavailable', body: r.reason }).show();
      })
      .catch((e: unknown) => logger.error({ err: String(e) }, 'push-to-talk failed'));
  }
  // The tray shows the store's inbox (unread count, newest threads) and the saved mute setting,
  // rebuilt when either changes; the menu itself is main/electron/trayMenu.ts.
  let trayInbox: TrayState['items'] = [];
  let trayUnread = 0;
  const updateTray = (): void => {
    tray.setToolTip(trayToolTip(trayUnread));
    if (process.platform === 'darwin') tray.setTitle(trayUnread > 0 ? String(trayUnread) : '');
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayMenuTemplate(
          { unread: trayUnread, items: trayInbox, muted: settings.get().spokenNotifications.muted },
          {
            open: () => win.show(),
            openUrl: (url) => void shell.openExternal(url),
            pushToTalk,
            setMuted: (muted) => void settings.update({ spokenNotifications: { ...settings.get().spokenNotifications, muted } }),
            quit: () => electronApp.quit(),
          },
        ),
      ),
    );
  };
  refreshTray = updateTray;
  updateTray();
  app.events.on('inbox.changed', ({ items, unread }) => {
    trayInbox = items;
    trayUnread = unread ?? items.filter((i) => i.unread).length;
    updateTray();
  });
  // One OS notification per delivered batch; the center already applied filters, quiet hours and mute.
  app.events.on('notification.alert', (a) => {
    if (Notification.isSupported()) new Notification({ title: a.title, body: a.body, silent: true }).show();
  });
  // A saved shortcut that is invalid falls back to its default when read (parseSettings); one another
  // app holds is reported. Neither stops start-up.
  reportShortcuts(shortcuts.apply(settings.get()));
  // Polling pauses while asleep or offline, and polls at once on wake / reconnect.
  powerMonitor.on('suspend', () => app.notifications.poller.pause('asleep', true));
  powerMonitor.on('resume', () => app.notifications.poller.pause('asleep', false));
  const checkOnline = (): void => app.notifications.poller.pause('offline', !net.isOnline());
  checkOnline();
  const onlineTimer = setInterval(checkOnline, ONLINE_CHECK_MS);
  onlineTimer.unref();
  electronApp.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  electronApp.on('will-quit', () => {
    clearInterval(onlineTimer);
    globalShortcut.unregisterAll();
    offEvents();
    void lan?.close();
    void desktop.close();
  });
  await win.loadFile(APP_INDEX);
  // Every listener is attached: polling starts, and the voice loop (hands-free from launch: spoken
  // batches and VAD listening need no first press).
  desktop.start();
  return app;
}

/** The running app once the shell is up (null for a second instance); the shell's tests drive it. */
export const started: Promise<App | null> = run().catch((e: unknown) => {
  process.stderr.write(`handsfree (electron): cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  electronApp.exit(2);
  return null;
});
