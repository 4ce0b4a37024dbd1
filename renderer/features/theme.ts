/**
 * Light/dark theme: follows the OS by default ("system"), or the user's choice in Settings, kept in
 * localStorage (a display preference of this window, not app state owned by main).
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
const KEY = 'hf.theme';

export function loadTheme(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): Theme {
  try {
    const v = storage?.getItem(KEY);
    return (THEMES as readonly string[]).includes(v ?? '') ? (v as Theme) : 'system';
  } catch {
    return 'system';
  }
}

/** Applies `theme` to the document (CSS reads :root[data-theme]) and remembers it. */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
  try {
    storage?.setItem(KEY, theme);
  } catch {
    // Storage disabled: the choice lasts for this window only.
  }
}
