/**
 * The tray's context menu as data (Electron's MenuItemConstructorOptions subset), so what it shows
 * and what each item does is tested without Electron: unread count, the newest threads, push-to-talk,
 * mute (following the saved setting, wherever it was changed), open, quit.
 */
import { isAllowedExternalUrl } from './policy.js';

export interface TrayItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  click?: (item: { checked: boolean }) => void;
}

export interface TrayState {
  unread: number;
  /** Inbox threads, newest first; the first TRAY_THREADS are listed. */
  items: readonly { title: string; repo: string; url: string }[];
  /** Spoken notifications muted (settings.spokenNotifications.muted). */
  muted: boolean;
}

export interface TrayActions {
  open(): void;
  openUrl(url: string): void;
  pushToTalk(): void;
  setMuted(muted: boolean): void;
  quit(): void;
}

/** Threads listed in the tray menu. */
export const TRAY_THREADS = 5;

/** One line for a menu label: no control characters, at most `max` characters. */
const oneLine = (s: string, max: number): string => {
  const flat = s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** The tooltip (and macOS menu-bar title) for `unread` threads. */
export function trayToolTip(unread: number): string {
  return `HandsFree: ${unread} unread`;
}

export function trayMenuTemplate(state: TrayState, act: TrayActions): TrayItem[] {
  return [
    { label: `Open HandsFree (${state.unread} unread)`, click: () => act.open() },
    ...state.items.slice(0, TRAY_THREADS).map((i) => {
      // Only github.com links leave the app (the same policy as the window's links).
      const allowed = isAllowedExternalUrl(i.url);
      return { label: oneLine(`${i.repo}: ${i.title}`, 70), enabled: allowed, click: () => (allowed ? act.openUrl(i.url) : undefined) };
    }),
    { type: 'separator' },
    { label: 'Push to talk', click: () => act.pushToTalk() },
    { label: 'Mute spoken notifications', type: 'checkbox', checked: state.muted, click: (item) => act.setMuted(item.checked) },
    { type: 'separator' },
    { label: 'Quit HandsFree', click: () => act.quit() },
  ];
}
