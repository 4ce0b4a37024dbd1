/**
 * Launch at login. macOS and Windows: Electron's app.setLoginItemSettings. Linux: an XDG autostart
 * entry (`$XDG_CONFIG_HOME/autostart/<id>.desktop`, the Desktop Application Autostart spec), which
 * every freedesktop session (GNOME, KDE, XFCE, …) runs at login. Never throws: a failure comes back
 * as a sentence for the user, and start-up goes on.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The slice of Electron's `app` used on macOS and Windows. */
export interface LoginItemApi {
  setLoginItemSettings(s: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export interface LoginItemHost {
  platform: NodeJS.Platform;
  /** The command that starts this app: the executable, then its arguments (the app path when unpacked). */
  command: readonly string[];
  /** `$XDG_CONFIG_HOME`, or `~/.config` (Linux). */
  configHome: string;
}

/** The autostart file's name: the builder's appId, so a packaged and a dev run share one entry. */
export const AUTOSTART_FILE = 'dev.handsfree.companion.desktop';

/** Characters the Desktop Entry spec reserves in an Exec argument (they force quoting). */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * One Exec argument, quoted per the Desktop Entry spec (`"`, `` ` ``, `$`, `\` backslash-escaped
 * inside double quotes; `%` doubled, since Exec expands field codes). The value is a desktop-file
 * string, so each backslash is escaped once more.
 * @throws Error on a control character (a newline would end the Exec line).
 */
export function execArg(arg: string): string {
  if (/[\x00-\x1f\x7f]/.test(arg)) throw new Error(`cannot put a control character in an autostart command: ${JSON.stringify(arg.slice(0, 80))}`);
  const pct = arg.replace(/%/g, '%%');
  if (pct !== '' && !RESERVED.test(pct)) return pct;
  return `"${pct.replace(/(["`$\\])/g, '\\$1')}"`.replace(/\\/g, '\\\\');
}

/** The autostart entry for `command` (executable then arguments). */
export function autostartDesktopEntry(command: readonly string[]): string {
  if (command.length === 0) throw new Error('no command to start at login');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=HandsFree Dev Companion',
    'Comment=Voice assistant for GitHub, started at login',
    `Exec=${command.map(execArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Turns launch at login on or off.
 * @returns null when done, else why not (for a warning to the user).
 */
export function applyLaunchAtLogin(enabled: boolean, api: LoginItemApi, host: LoginItemHost): string | null {
  try {
    if (host.platform === 'darwin' || host.platform === 'win32') {
      const [path, ...args] = host.command;
      // Windows registers a command line: an unpackaged run needs electron + the app path.
      api.setLoginItemSettings(host.platform === 'win32' && path !== undefined ? { openAtLogin: enabled, path, args } : { openAtLogin: enabled });
      return null;
    }
    const dir = join(host.configHome, 'autostart');
    const file = join(dir, AUTOSTART_FILE);
    if (enabled) {
      const entry = autostartDesktopEntry(host.command);
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, entry, { mode: 0o644 });
    } else {
      rmSync(file, { force: true });
    }
    return null;
  } catch (e) {
    return `Could not ${enabled ? 'turn on' : 'turn off'} launch at login: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * The command a login session should run: the AppImage file when run from one (its mount point
 * changes every launch), the executable when packaged, else electron plus the app directory.
 */
export function launchCommand(p: { isPackaged: boolean; execPath: string; appPath: string; appImage?: string | undefined }): string[] {
  if (p.appImage) return [p.appImage];
  return p.isPackaged ? [p.execPath] : [p.execPath, p.appPath];
}
