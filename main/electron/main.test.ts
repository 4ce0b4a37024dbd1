/** The Electron shell with a mocked `electron` module: window prefs, IPC registration, sender checks, navigation. */
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES } from '../../contract/ipc.js';

const h = vi.hoisted(() => ({
  handlers: new Map<string, (e: unknown, req: unknown) => Promise<unknown>>(),
  windows: [] as { opts: any; wc: any }[],
  openExternal: vi.fn(async () => undefined),
  ready: null as null | (() => void),
  /** The native confirmation dialog: which button the user presses (0 Cancel, 1 Confirm), and what it showed. */
  dialogAnswer: 0,
  dialogMessages: [] as string[],
  /** Registered global shortcuts and their callbacks. */
  shortcuts: new Map<string, () => void>(),
  shown: 0,
  utilityForks: 0,
  /** Pre-saved settings, as a previous run left them. */
  // The token was saved under another OS key (a keyring reset): it cannot be decrypted now.
  seed: { pushToTalkShortcut: 'Ctrl+Shft+Space', headsetTapShortcut: 'MediaPlayPause', 'secrets.githubToken': Buffer.from('encrypted-elsewhere').toString('base64') } as Record<string, unknown>,
  /** Tray tooltips and menus in order, and OS notifications shown. */
  tooltips: [] as string[],
  menus: [] as { label?: string; checked?: boolean; click?: (item: { checked: boolean }) => void }[][],
  notifications: [] as { title: string; body: string }[],
  power: new Map<string, () => void>(),
  online: true,
  /** The app page's file URL (the window's main frame). */
  appUrl: '',
  /** The options electron-store was opened with. */
  storeOpts: [] as Record<string, unknown>[],
}));

/** Like Electron: an accelerator it cannot parse throws ("conversion failure"), a taken one returns false. */
const ELECTRON_KEYS = /^((CommandOrControl|CmdOrCtrl|Control|Ctrl|Alt|Shift|Super)\+)*([A-Z0-9]|F\d{1,2}|Space|MediaPlayPause|MediaNextTrack)$/i;

vi.mock('electron', async () => {
  const { REPO_ROOT } = await import('../app/config.js');
  h.appUrl = (await import('node:url')).pathToFileURL((await import('node:path')).join(REPO_ROOT, 'build', 'renderer', 'index.html')).href;
  // utilityProcess: a forked Node child speaking the same structured-clone messages.
  const { fork } = await import('node:child_process');
  const { EventEmitter } = await import('node:events');
  const utilityProcess = {
    fork: (path: string) => {
      const child = fork(path, [], { serialization: 'advanced', stdio: 'ignore', execArgv: [] } as never);
      const up = Object.assign(new EventEmitter(), { pid: child.pid, postMessage: (m: unknown) => child.send(m as object), kill: () => child.kill('SIGKILL') });
      h.utilityForks++;
      child.on('message', (m) => up.emit('message', m));
      child.on('exit', (code) => up.emit('exit', code ?? 1));
      return up;
    },
  };
  class BrowserWindow {
    webContents: any;
    constructor(opts: any) {
      const listeners = new Map<string, (...a: any[]) => void>();
      this.webContents = {
        on: (ev: string, fn: any) => listeners.set(ev, fn),
        listeners,
        setWindowOpenHandler: (fn: any) => (this.webContents.openHandler = fn),
        send: vi.fn(),
        mainFrame: { url: h.appUrl },
      };
      h.windows.push({ opts, wc: this.webContents });
    }
    once() {}
    show() { h.shown++; }
    isDestroyed() { return false; }
    isMinimized() { return false; }
    async loadFile() {}
  }
  const app = {
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    on: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
    isPackaged: false,
    getAppPath: () => '/repo',
    setLoginItemSettings: vi.fn(),
  };
  return {
    app,
    utilityProcess,
    BrowserWindow,
    dialog: {
      showMessageBox: vi.fn(async (_win: unknown, o: { message: string }) => {
        h.dialogMessages.push(o.message);
        return { response: h.dialogAnswer, checkboxChecked: false };
      }),
    },
    globalShortcut: {
      register: vi.fn((accel: string, fn: () => void) => {
        if (!ELECTRON_KEYS.test(accel)) throw new TypeError(`Error processing argument at index 0, conversion failure from ${accel}`);
        if (accel === 'F7') return false; // held by another app
        h.shortcuts.set(accel, fn);
        return true;
      }),
      unregister: vi.fn((accel: string) => h.shortcuts.delete(accel)),
      unregisterAll: vi.fn(),
    },
    ipcMain: { handle: (ch: string, fn: any) => h.handlers.set(ch, fn) },
    Menu: { buildFromTemplate: (t: unknown) => t },
    Notification: Object.assign(
      class {
        constructor(private readonly o: { title: string; body: string }) {}
        show() { h.notifications.push({ title: this.o.title, body: this.o.body }); }
      },
      { isSupported: () => true },
    ),
    powerMonitor: { on: (ev: string, fn: () => void) => h.power.set(ev, fn) },
    net: { isOnline: () => h.online },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: () => {
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      },
    },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openExternal: h.openExternal },
    Tray: class { setToolTip(t: string) { h.tooltips.push(t); } setTitle() {} setContextMenu(m: { label?: string }[]) { h.menus.push(m); } },
    nativeImage: { createEmpty: () => ({}), createFromDataURL: (u: string) => ({ dataUrl: u }) },
  };
});

vi.mock('electron-store', () => ({
  default: class {
    constructor(opts: Record<string, unknown>) {
      h.storeOpts.push(opts);
    }
    store: Record<string, unknown> = { ...h.seed };
    path = '/mock/ui-settings.json';
    get(k: string) { return this.store[k]; }
    set(k: string, v: unknown) { this.store[k] = v; }
  },
}));

const dataDir = mkdtempSync(join(tmpdir(), 'hf-electron-'));
const umask = process.umask();

describe('Electron shell (mocked electron)', () => {
  afterAll(() => void process.umask(umask));
  beforeAll(async () => {
    // A data dir an older version (or electron-store) left readable by others.
    chmodSync(dataDir, 0o755);
    process.env['HANDSFREE_DATA_DIR'] = dataDir;
    // Launch at login writes the XDG autostart entry here (Linux), never into the real ~/.config.
    process.env['XDG_CONFIG_HOME'] = mkdtempSync(join(tmpdir(), 'hf-xdg-'));
    // No audio here: the voice loop reports itself unavailable at once instead of opening devices.
    process.env['HANDSFREE_AUDIO_ADDON'] = join(tmpdir(), 'hf-no-such-addon.node');
    // The shell's voice start is covered by the browser-mode E2E; here it would open real devices.
    process.env['HANDSFREE_VOICE_AUTOSTART'] = '0';
    await import('./main.js');
    await vi.waitFor(() => expect(h.handlers.size).toBe(CALL_NAMES.length), { timeout: 20_000 });
  }, 30_000);

  it('opens one sandboxed, context-isolated window without Node', () => {
    expect(h.windows).toHaveLength(1);
    expect(h.windows[0]!.opts.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });

  it('registers exactly the contract calls as IPC handlers', () => {
    expect([...h.handlers.keys()].sort()).toEqual(CALL_NAMES.map((n) => `call:${n}`).sort());
  });

  it('a saved token that cannot be decrypted does not stop start-up: the app runs without it and says so', async () => {
    const { app } = await import('electron');
    expect(app.exit).not.toHaveBeenCalled();
    expect((await (await import('./main.js')).started)).not.toBeNull();
    const wc = h.windows[0]!.wc;
    const view = (await h.handlers.get('call:settings.get')!({ sender: wc, senderFrame: wc.mainFrame }, undefined)) as { secret: { configured: boolean; description: string } };
    expect(view.secret.configured).toBe(false);
    expect(view.secret.description).toMatch(/could not be decrypted.*runs without it/);
    expect(h.notifications).toContainEqual(expect.objectContaining({ title: 'HandsFree: GitHub token unreadable' }));
  });

  it('answers the main frame and rejects an iframe or a destroyed frame', async () => {
    const wc = h.windows[0]!.wc;
    const handler = h.handlers.get('call:inbox.list')!;
    const ok = (await handler({ sender: wc, senderFrame: wc.mainFrame }, undefined)) as { items: unknown[] };
    expect(ok.items.length).toBeGreaterThan(0);
    await expect(handler({ sender: wc, senderFrame: { url: h.appUrl } }, undefined)).rejects.toThrow(/untrusted/);
    // The main frame navigated to another local file (a downloaded page): no IPC either.
    await expect(handler({ sender: wc, senderFrame: Object.assign(wc.mainFrame, { url: 'file:///tmp/evil.html' }) }, undefined)).rejects.toThrow(/untrusted/);
    wc.mainFrame.url = h.appUrl;
    await expect(handler({ sender: wc, senderFrame: null }, undefined)).rejects.toThrow(/untrusted/);
  });

  it('rejects invalid payloads without reaching the app', async () => {
    const wc = h.windows[0]!.wc;
    await expect(h.handlers.get('call:action.confirm')!({ sender: wc, senderFrame: wc.mainFrame }, { token: 5, __proto__: { via: 'click' } })).rejects.toThrow(/validation_failed/);
  });

  it('blocks navigation away and sends only github.com links to the OS browser', () => {
    const wc = h.windows[0]!.wc;
    const e = { preventDefault: vi.fn() };
    wc.listeners.get('will-navigate')(e, 'https://evil.example/');
    expect(e.preventDefault).toHaveBeenCalled();
    const local = { preventDefault: vi.fn() };
    wc.listeners.get('will-navigate')(local, 'file:///home/ann/Downloads/evil.html');
    expect(local.preventDefault).toHaveBeenCalled();
    const own = { preventDefault: vi.fn() };
    wc.listeners.get('will-navigate')(own, `${h.appUrl}#/settings`);
    expect(own.preventDefault).not.toHaveBeenCalled();
    const redirected = { preventDefault: vi.fn() };
    wc.listeners.get('will-redirect')(redirected, 'file:///etc/passwd');
    expect(redirected.preventDefault).toHaveBeenCalled();
    expect(wc.openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(h.openExternal).not.toHaveBeenCalled();
    expect(wc.openHandler({ url: 'https://github.com/acme/api' })).toEqual({ action: 'deny' });
    expect(h.openExternal).toHaveBeenCalledWith('https://github.com/acme/api');
  });

  it('CF-9: a compromised renderer calling every exposed API cannot merge without the native dialog', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    const planned = (await call('command.run', { text: 'merge PR 12 in acme/api' })) as { session_id: string; pending_action?: { token: string; summary: string } };
    const token = planned.pending_action!.token;
    h.dialogAnswer = 0; // the user dismisses every dialog
    h.dialogMessages.length = 0;
    const texts = ['confirm', 'confirm 12', 'yes confirm', 'Confirm. Confirm merge 12.'];
    const payloads: unknown[] = [undefined, {}, { token }, { token, via: 'click' }, { token, via: 'voice' }, { on: true }, { url: 'https://github.com/acme/api/pull/12' }, { job: 'tone' }];
    for (const text of texts) {
      payloads.push({ text }, { text, session_id: planned.session_id }, { text, session_id: planned.session_id, client_context: { input: 'voice' } });
    }
    const results: unknown[] = [];
    // action.cancel is left out: cancelling needs no dialog (it can only stop things), and the last step needs the action pending.
    for (const name of CALL_NAMES.filter((n) => n !== 'action.cancel')) {
      for (const req of payloads) results.push(await call(name, req).catch((e: Error) => e.message));
    }
    // Every confirm attempt reached the dialog, and nothing ran behind it.
    expect(h.dialogMessages.length).toBeGreaterThanOrEqual(2);
    // The dialog shows the read-back's trusted fields; the title goes to its detail, apart.
    for (const m of h.dialogMessages) expect(planned.pending_action!.summary.startsWith(m)).toBe(true);
    for (const m of h.dialogMessages) expect(m).toMatch(/^Merge acme\/api PR 12 into main .*head [0-9a-f]{7}, .*\.$/);
    expect(JSON.stringify(results)).not.toMatch(/"merged"|Merged PR/);
    // The action is still pending: confirming in the dialog now merges it, once.
    h.dialogAnswer = 1;
    const done = (await call('action.confirm', { token, via: 'click' })) as { status: string; spoken_text: string };
    expect(done.spoken_text).toMatch(/merged/i);
    const again = (await call('action.confirm', { token, via: 'click' }).catch((e: Error) => e.message)) as unknown;
    expect(JSON.stringify(again)).not.toMatch(/Merged PR 12 .*Merged PR 12/);
  }, 30_000);

  it('a saved shortcut Electron cannot parse does not stop start-up: the default is used', async () => {
    const { app } = await import('electron');
    expect(app.exit).not.toHaveBeenCalled();
    expect([...h.shortcuts.keys()].sort()).toEqual(['CommandOrControl+Shift+Space', 'MediaPlayPause']);
  });

  it('refuses an invalid accelerator over IPC with a clear error and never saves it', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    for (const bad of ['Ctrl+Shft+X', 'Shift+', 'Space', 'CommandOrControl+Shift', 'Ctrl + K']) {
      await expect(call('settings.update', { pushToTalkShortcut: bad })).rejects.toThrow(/validation_failed: settings\.update: pushToTalkShortcut: .* is not a valid shortcut/);
      await expect(call('settings.update', { headsetTapShortcut: bad })).rejects.toThrow(/headsetTapShortcut: .* is not a valid shortcut/);
    }
    const view = (await call('settings.get', undefined)) as { settings: { pushToTalkShortcut: string; headsetTapShortcut: string } };
    expect(view.settings).toMatchObject({ pushToTalkShortcut: 'CommandOrControl+Shift+Space', headsetTapShortcut: 'MediaPlayPause' });
    expect([...h.shortcuts.keys()].sort()).toEqual(['CommandOrControl+Shift+Space', 'MediaPlayPause']);
  });

  it('moves the headset tap to another key, keeps the old one when the new one is taken, and turns it off', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    await call('settings.update', { headsetTapShortcut: 'F9' });
    expect([...h.shortcuts.keys()].sort()).toEqual(['CommandOrControl+Shift+Space', 'F9']);
    await call('settings.update', { headsetTapShortcut: 'F7' }); // another app holds F7
    expect([...h.shortcuts.keys()].sort()).toEqual(['CommandOrControl+Shift+Space', 'F9']);
    await call('settings.update', { headsetTapShortcut: '' });
    expect([...h.shortcuts.keys()]).toEqual(['CommandOrControl+Shift+Space']);
    await call('settings.update', { headsetTapShortcut: 'MediaPlayPause' });
    expect(h.shortcuts.has('MediaPlayPause')).toBe(true);
  });

  it('the headset tap (MediaPlayPause) presses push-to-talk', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    const shown = h.shown;
    const forks = h.utilityForks;
    h.shortcuts.get('MediaPlayPause')!();
    expect(h.shown).toBe(shown + 1);
    // The press started the voice loop, whose audio process (a utilityProcess) says why it cannot listen here (no add-on).
    await vi.waitFor(async () => expect(((await call('voice.status', undefined)) as { reason: string }).reason).toMatch(/add-on/i), { timeout: 20_000 });
    expect(h.utilityForks).toBe(forks + 1);
  }, 30_000);
  it('the tray shows the stored inbox; one OS notification per batch, none while muted or in quiet hours', async () => {
    const app = (await (await import('./main.js')).started)!;
    // The first poll of the demo inbox (polling starts with the shell) reached the tray.
    await vi.waitFor(() => expect(h.tooltips.at(-1)).toMatch(/HandsFree: [1-9]\d* unread/), { timeout: 10_000 });
    const before = Number(/(\d+) unread/.exec(h.tooltips.at(-1)!)![1]);
    // Polls so far (one per batch that found something new): at least the first one raised one.
    expect(h.notifications.length).toBeGreaterThanOrEqual(1);
    const thread = (id: string, title: string) => ({ id, repo: 'acme/api', subjectType: 'PullRequest' as const, number: 7000 + Number(id.slice(-1)), title, reason: 'review_requested' as const, unread: true, updatedAt: new Date().toISOString(), htmlUrl: 'https://github.com/acme/api/pull/7001' });
    h.notifications.length = 0;
    app.notifications.ingest(app.config.user, thread('wh:pr:acme/api#7001', 'Add retries'), 'webhook');
    expect(h.tooltips.at(-1)).toBe(`HandsFree: ${before + 1} unread`);
    expect(h.menus.at(-1)!.map((i) => i.label)).toContain('acme/api: Add retries');
    expect(h.notifications).toEqual([{ title: 'acme/api: review requested on PR 7001', body: 'Add retries' }]);
    // Muted (the same setting as spoken batches): the tray still counts, no OS notification.
    app.notifications.settings = { ...app.notifications.settings, autoSpeak: false };
    app.notifications.ingest(app.config.user, thread('wh:pr:acme/api#7002', 'Second'), 'webhook');
    expect(h.tooltips.at(-1)).toBe(`HandsFree: ${before + 2} unread`);
    // Quiet hours all day: none either.
    app.notifications.settings = { ...app.notifications.settings, autoSpeak: true, quietHours: { startMin: 0, endMin: 24 * 60 - 1 } };
    app.notifications.ingest(app.config.user, thread('wh:pr:acme/api#7003', 'Third'), 'webhook');
    expect(h.notifications).toHaveLength(1);
    // A filtered-out reason is not announced either.
    app.notifications.settings = { ...app.notifications.settings, quietHours: null, reasons: ['mention'] };
    app.notifications.ingest(app.config.user, thread('wh:pr:acme/api#7004', 'Fourth'), 'webhook');
    expect(h.notifications).toHaveLength(1);
    expect(h.tooltips.at(-1)).toBe(`HandsFree: ${before + 4} unread`);
  });

  it('polling pauses while asleep or offline and resumes on wake', async () => {
    const app = (await (await import('./main.js')).started)!;
    h.power.get('suspend')!();
    expect(await app.notifications.poller.tick()).toEqual({ kind: 'paused', reasons: ['asleep'] });
    h.power.get('resume')!();
    expect((await app.notifications.poller.tick()).kind).not.toBe('paused');
    h.online = false;
    await vi.waitFor(() => expect(app.notifications.poller.pausedFor).toEqual(['offline']), { timeout: 7_000 });
    h.online = true;
    await vi.waitFor(() => expect(app.notifications.poller.pausedFor).toEqual([]), { timeout: 7_000 });
  }, 20_000);

  it('launch at login: the setting writes and removes the XDG autostart entry; a non-boolean is refused', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    const entry = join(process.env['XDG_CONFIG_HOME']!, 'autostart', 'dev.handsfree.companion.desktop');
    expect(existsSync(entry)).toBe(false);
    await expect(call('settings.update', { launchAtLogin: 'yes' })).rejects.toThrow(/validation_failed: settings\.update: launchAtLogin: /);
    expect(existsSync(entry)).toBe(false);
    const on = (await call('settings.update', { launchAtLogin: true })) as { settings: { launchAtLogin: boolean } };
    expect(on.settings.launchAtLogin).toBe(true);
    // Unpackaged: electron plus the app directory.
    expect(readFileSync(entry, 'utf8')).toMatch(new RegExp(`^Exec=${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} /repo$`, 'm'));
    await call('settings.update', { launchAtLogin: false });
    expect(existsSync(entry)).toBe(false);
    const { app } = await import('electron');
    expect(app.setLoginItemSettings).not.toHaveBeenCalled(); // Linux: the autostart file, not Electron's API
  });

  it('tray menu: open, push-to-talk, mute (saved, and following Settings) and quit act on the app', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    const item = (label: RegExp) => h.menus.at(-1)!.find((i) => i.label !== undefined && label.test(i.label))!;
    expect(item(/^Open HandsFree \(\d+ unread\)$/).label).toBe(`Open HandsFree (${/(\d+) unread/.exec(h.tooltips.at(-1)!)![1]} unread)`);
    let shown = h.shown;
    item(/^Open/).click!({ checked: false });
    expect(h.shown).toBe(shown + 1);
    shown = h.shown;
    item(/^Push to talk$/).click!({ checked: false });
    expect(h.shown).toBe(shown + 1); // push-to-talk brings the window up and toggles the mic
    expect(item(/^Mute/).checked).toBe(false);
    item(/^Mute/).click!({ checked: true });
    expect(((await call('settings.get', undefined)) as { settings: { spokenNotifications: { muted: boolean } } }).settings.spokenNotifications.muted).toBe(true);
    expect(item(/^Mute/).checked).toBe(true);
    // Unmuted in Settings: the tray's checkbox follows.
    const view = (await call('settings.get', undefined)) as { settings: { spokenNotifications: Record<string, unknown> } };
    await call('settings.update', { spokenNotifications: { ...view.settings.spokenNotifications, muted: false } });
    expect(item(/^Mute/).checked).toBe(false);
    const { app } = await import('electron');
    item(/^Quit/).click!({ checked: false });
    expect(app.quit).toHaveBeenCalledTimes(1);
  }, 20_000);

  it('the saved voice must be one the chosen TTS provider lists (tts.voices), or default', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    const choices = (await call('tts.voices', undefined)) as { providers: { provider: string; voices: string[] }[] };
    const offline = choices.providers.find((p) => p.provider === 'offline')!.voices;
    // The offline provider's default voice first (flite's kal16 when flite is installed, else espeak-ng's en-us).
    await expect(call('settings.update', { voice: 'klingon' })).rejects.toThrow(`validation_failed: settings.update: voice: "klingon" is not a voice of the offline text-to-speech provider; choose one of: default, ${offline[0]},`);
    const picked = offline.at(-1)!;
    expect(((await call('settings.update', { voice: picked })) as { settings: { voice: string } }).settings.voice).toBe(picked);
    // Switching provider keeps the voice only if the new provider has it.
    await expect(call('settings.update', { ttsProvider: 'stub' })).rejects.toThrow(/voice: ".*" is not a voice of the stub text-to-speech provider/);
    expect(((await call('settings.get', undefined)) as { settings: { ttsProvider: string } }).settings.ttsProvider).toBe('offline');
    await call('settings.update', { ttsProvider: 'stub', voice: 'default' });
    await call('settings.update', { ttsProvider: 'offline' });
  });

  it('the data dir is 0700 before electron-store writes, and its settings file is created 0600', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(h.storeOpts[0]).toMatchObject({ cwd: dataDir, configFileMode: 0o600 });
    expect(process.umask() & 0o077).toBe(0o077);
  });

  it('plaintext token storage is allowed only through the native dialog', async () => {
    const wc = h.windows[0]!.wc;
    const call = (name: string, req: unknown) => h.handlers.get(`call:${name}`)!({ sender: wc, senderFrame: wc.mainFrame }, req);
    const allowed = async () => ((await call('settings.get', undefined)) as { settings: { allowPlaintextSecrets: boolean } }).settings.allowPlaintextSecrets;
    h.dialogMessages.length = 0;
    h.dialogAnswer = 0; // Cancel
    await expect(call('settings.update', { allowPlaintextSecrets: true })).rejects.toThrow(/confirmation_declined/);
    expect(await allowed()).toBe(false);
    expect(h.dialogMessages).toHaveLength(1);
    expect(h.dialogMessages[0]).toMatch(/without real encryption/);
    h.dialogAnswer = 1; // Allow
    await call('settings.update', { allowPlaintextSecrets: true });
    expect(await allowed()).toBe(true);
    // Turning it off, or other settings, need no dialog.
    await call('settings.update', { allowPlaintextSecrets: false, profile: 'terse' });
    expect(await allowed()).toBe(false);
    expect(h.dialogMessages).toHaveLength(2);
  });
});

