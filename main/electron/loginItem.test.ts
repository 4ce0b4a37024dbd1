import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { applyLaunchAtLogin, AUTOSTART_FILE, autostartDesktopEntry, execArg, launchCommand } from './loginItem.js';

/** Reads an Exec line back the way a desktop session does (string unescape, then argument unquoting). */
function parseExec(line: string): string[] {
  const value = line.replace(/\\\\/g, '\u0000').replace(/\\s/g, ' ').replace(/\u0000/g, '\\');
  const args: string[] = [];
  let cur = '';
  let quoted = false;
  let inArg = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') cur += value[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = inArg = true;
    } else if (c === ' ') {
      if (inArg) args.push(cur);
      cur = '';
      inArg = false;
    } else {
      cur += c;
      inArg = true;
    }
  }
  if (inArg) args.push(cur);
  return args.map((a) => a.replace(/%%/g, '%'));
}

describe('launch at login', () => {
  it('Linux: writes an XDG autostart entry that starts this command, and removes it when turned off', () => {
    const configHome = mkdtempSync(join(tmpdir(), 'hf-xdg-'));
    const api = { setLoginItemSettings: vi.fn() };
    const command = ['/opt/HandsFree Dev Companion/handsfree', '--app=/home/me/My "apps"/$HOME`x`\\50%'];
    expect(applyLaunchAtLogin(true, api, { platform: 'linux', command, configHome })).toBeNull();
    const file = join(configHome, 'autostart', AUTOSTART_FILE);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('[Desktop Entry]\nType=Application\n')).toBe(true);
    const exec = /^Exec=(.*)$/m.exec(text)![1]!;
    expect(parseExec(exec)).toEqual(command);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(api.setLoginItemSettings).not.toHaveBeenCalled();
    // on again (the app moved): one entry, the new path
    expect(applyLaunchAtLogin(true, api, { platform: 'linux', command: ['/usr/bin/handsfree'], configHome })).toBeNull();
    expect(readFileSync(file, 'utf8')).toMatch(/^Exec=\/usr\/bin\/handsfree$/m);
    expect(applyLaunchAtLogin(false, api, { platform: 'linux', command: ['/usr/bin/handsfree'], configHome })).toBeNull();
    expect(existsSync(file)).toBe(false);
    // off when already off is fine
    expect(applyLaunchAtLogin(false, api, { platform: 'linux', command: ['/usr/bin/handsfree'], configHome })).toBeNull();
  });

  it('macOS and Windows: Electron login item settings (Windows gets the command line)', () => {
    const api = { setLoginItemSettings: vi.fn() };
    expect(applyLaunchAtLogin(true, api, { platform: 'darwin', command: ['/Applications/HandsFree.app/Contents/MacOS/HandsFree'], configHome: '/nonexistent' })).toBeNull();
    expect(api.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: true });
    expect(applyLaunchAtLogin(false, api, { platform: 'win32', command: ['C:\\electron.exe', 'C:\\app'], configHome: '' })).toBeNull();
    expect(api.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: false, path: 'C:\\electron.exe', args: ['C:\\app'] });
  });

  it('a failure is a sentence, never a throw', () => {
    const api = {
      setLoginItemSettings: () => {
        throw new Error('denied by policy');
      },
    };
    expect(applyLaunchAtLogin(true, api, { platform: 'darwin', command: ['x'], configHome: '' })).toBe('Could not turn on launch at login: denied by policy');
    // a config home that is a file: mkdir fails
    const notDir = join(mkdtempSync(join(tmpdir(), 'hf-xdg-')), 'file');
    writeFileSync(notDir, '');
    expect(applyLaunchAtLogin(true, api, { platform: 'linux', command: ['/usr/bin/handsfree'], configHome: notDir })).toMatch(/^Could not turn on launch at login: /);
    expect(applyLaunchAtLogin(true, api, { platform: 'linux', command: ['/usr/bin/hands\nfree'], configHome: tmpdir() })).toMatch(/control character/);
  });

  it('quotes only what needs it', () => {
    expect(execArg('/usr/bin/handsfree')).toBe('/usr/bin/handsfree');
    expect(execArg('100%')).toBe('100%%');
    expect(execArg('')).toBe('""');
    expect(() => autostartDesktopEntry([])).toThrow(/no command/);
  });
});

describe('launchCommand', () => {
  it('prefers the AppImage file, then the packaged executable, else electron + the app path', () => {
    expect(launchCommand({ isPackaged: true, execPath: '/tmp/.mount_x/handsfree', appPath: '/tmp/.mount_x/resources/app.asar', appImage: '/home/me/HandsFree.AppImage' })).toEqual(['/home/me/HandsFree.AppImage']);
    expect(launchCommand({ isPackaged: true, execPath: '/opt/HandsFree/handsfree', appPath: '/opt/HandsFree/resources/app.asar' })).toEqual(['/opt/HandsFree/handsfree']);
    expect(launchCommand({ isPackaged: false, execPath: '/repo/node_modules/electron/dist/electron', appPath: '/repo', appImage: '' })).toEqual(['/repo/node_modules/electron/dist/electron', '/repo']);
  });
});
