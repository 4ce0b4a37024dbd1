/**
 * Electron shell (thin): single instance, a sandboxed window on the Vite-built renderer, the IPC
 * handlers of contract/ipc.ts (shared with browser mode through main/ui/uiHost.ts), tray, global
 * push-to-talk shortcut and OS notifications. Everything else is the same app as browser mode.
 */
import { app as electronApp, BrowserWindow, dialog, globalShortcut, ipcMain, Menu, Notification, safeStorage, session, shell, Tray, nativeImage } from 'electron';
import ElectronStore from 'electron-store';
import { join } from 'node:path';
import { isAppError } from '../../contract/errors.js';
import { CALL_NAMES, ipcCallChannel, ipcEventChannel } from '../../contract/ipc.js';
import { createApp } from '../app/app.js';
import { applyLiveSettings, configWithSettings, settingsInEffect } from '../settings/applySettings.js';
import { loadConfig, REPO_ROOT } from '../app/config.js';
import { AudioDiagnosticsService, audioProcessLoader } from '../audio/diagnostics.js';
import { createLogger } from '../log/logger.js';
import { SettingsStore } from '../settings/settingsStore.js';
import { UiEventHub } from '../ui/eventHub.js';
import { createCallHandlers, dispatchCall } from '../ui/uiHost.js';
import { isAllowedExternalUrl, isAllowedNavigation, isAllowedPermission, confirmDialogText, isTrustedSender, secureWebPreferences, windowOpenDecision } from './policy.js';
import { openDefaultAudio } from '../voice/voiceRunner.js';
import { utilityAudioChannel } from './audioChannel.js';
import { SafeStorageSecretBackend } from './secrets.js';
import { ShortcutBinder, type ShortcutProblem } from './shortcuts.js';

const APP_ORIGIN = 'file://';

async function run(): Promise<void> {
  if (!electronApp.requestSingleInstanceLock()) {
    electronApp.quit();
    return;
  }
  await electronApp.whenReady();
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  const store = new ElectronStore<Record<string, unknown>>({ cwd: config.dataDir, name: 'ui-settings' });
  const secrets = new SafeStorageSecretBackend(safeStorage, store);
  // Saved settings pick mode, providers, voice and devices (the environment wins where set); the token comes from the keychain.
  const stored = new SettingsStore(store, secrets);
  const effective = configWithSettings(config, stored.get(), stored.saved, process.env, secrets.read());
  // The audio add-on runs in a utilityProcess: a native crash costs seconds of audio, not the app.
  const app = await createApp(effective, { logger, reconcileEveryMs: 30_000, startPolling: true, openAudio: () => openDefaultAudio({ logger }, { spawn: utilityAudioChannel }) });
  const hub = new UiEventHub(app.events);
  // The keyboard shortcut and the headset tap (play/pause media key) both toggle push-to-talk.
  const shortcuts = new ShortcutBinder(globalShortcut, () => pushToTalk());
  const reportShortcuts = (problems: ShortcutProblem[]): void => {
    for (const p of problems) {
      logger.warn({ role: p.role, accelerator: p.accelerator }, p.message);
      if (Notification.isSupported()) new Notification({ title: 'HandsFree: shortcut not set', body: p.message }).show();
    }
  };
  const settings = new SettingsStore(store, secrets, {
    inEffect: settingsInEffect(effective),
    onChange: (s) => {
      applyLiveSettings(app, s);
      reportShortcuts(shortcuts.apply(s));
    },
  });
  applyLiveSettings(app, settings.get());
  const diagnostics = new AudioDiagnosticsService((s) => hub.emitLocal('diagnostics.levels', s), audioProcessLoader({ spawn: utilityAudioChannel }));
  const handlers = createCallHandlers({
    app,
    settings,
    diagnostics,
    prefetchInbox: true,
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
  });

  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(isAllowedPermission(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => isAllowedPermission(permission));

  const win = new BrowserWindow({ width: 1000, height: 760, show: false, title: 'HandsFree Dev Companion', webPreferences: secureWebPreferences(join(REPO_ROOT, 'build', 'preload-out', 'preload', 'preload.cjs')) });
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, APP_ORIGIN)) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (windowOpenDecision(url).openExternally) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());

  for (const name of CALL_NAMES) {
    ipcMain.handle(ipcCallChannel(name), async (e, req: unknown) => {
      const frame = e.senderFrame;
      if (!isTrustedSender({ frameUrl: frame?.url ?? null, isMainFrame: frame !== null && frame === e.sender.mainFrame }, APP_ORIGIN)) throw new Error('untrusted sender');
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

  let muted = settings.get().spokenNotifications.muted;
  const tray = new Tray(nativeImage.createEmpty());
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
  const updateTray = (unread: number): void => {
    tray.setToolTip(`HandsFree: ${unread} unread`);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: `Open (${unread} unread)`, click: () => win.show() },
        { label: 'Push to talk', click: pushToTalk },
        { label: 'Mute spoken notifications', type: 'checkbox', checked: muted, click: (item) => { muted = item.checked; settings.update({ spokenNotifications: { ...settings.get().spokenNotifications, muted } }); } },
        { type: 'separator' },
        { label: 'Quit', click: () => electronApp.quit() },
      ]),
    );
  };
  updateTray(0);
  app.events.on('inbox.changed', ({ items }) => {
    const unread = items.filter((i) => i.unread).length;
    updateTray(unread);
    if (unread > 0 && !muted && Notification.isSupported()) new Notification({ title: 'HandsFree', body: `${unread} notification(s) need your attention` }).show();
  });
  // A saved shortcut that is invalid falls back to its default when read (parseSettings); one another
  // app holds is reported. Neither stops start-up.
  reportShortcuts(shortcuts.apply(settings.get()));
  electronApp.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  electronApp.on('will-quit', () => {
    globalShortcut.unregisterAll();
    offEvents();
    diagnostics.stop();
    void app.close();
  });
  await win.loadFile(join(REPO_ROOT, 'build', 'renderer', 'index.html'));
}

run().catch((e: unknown) => {
  process.stderr.write(`handsfree (electron): cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  electronApp.exit(2);
});
