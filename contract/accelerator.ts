/**
 * Electron accelerator strings ("CommandOrControl+Shift+Space", "MediaPlayPause"), checked before
 * they are saved: Electron's globalShortcut.register throws on a string it cannot parse, and a
 * saved one used to throw at every launch. Grammar from Electron's accelerator docs: modifiers
 * joined by "+", then exactly one key code; case-insensitive, as Electron parses it.
 */

const MODIFIERS = new Set(['command', 'cmd', 'control', 'ctrl', 'commandorcontrol', 'cmdorctrl', 'alt', 'option', 'altgr', 'shift', 'super', 'meta']);

/** Keys that make sense alone as a global shortcut: they do not type text. */
const STANDALONE_KEYS = new Set([
  ...Array.from({ length: 24 }, (_, i) => `f${i + 1}`),
  'volumeup',
  'volumedown',
  'volumemute',
  'medianexttrack',
  'mediaprevioustrack',
  'mediastop',
  'mediaplaypause',
  'printscreen',
]);

const NAMED_KEYS = new Set([
  ...STANDALONE_KEYS,
  'plus',
  'space',
  'tab',
  'capslock',
  'numlock',
  'scrolllock',
  'backspace',
  'delete',
  'insert',
  'return',
  'enter',
  'up',
  'down',
  'left',
  'right',
  'home',
  'end',
  'pageup',
  'pagedown',
  'escape',
  'esc',
  ...Array.from({ length: 10 }, (_, i) => `num${i}`),
  'numdec',
  'numadd',
  'numsub',
  'nummult',
  'numdiv',
]);

/** Single characters Electron accepts as key codes ("+" only as "Plus"). */
const CHAR_KEY = /^[a-z0-9)!@#$%^&*(:;=<,_\->.?/~`{}[\]|\\'"]$/;

export const MAX_ACCELERATOR_LENGTH = 60;

/**
 * Why `accel` is not a usable global shortcut, or null when it is. A letter, digit or other typing
 * key needs a modifier (alone it would take that key from every other app); function, media and
 * volume keys may stand alone.
 */
export function acceleratorProblem(accel: string): string | null {
  if (accel.length === 0) return 'it is empty';
  if (accel.length > MAX_ACCELERATOR_LENGTH) return `it is longer than ${MAX_ACCELERATOR_LENGTH} characters`;
  if (/\s/.test(accel)) return 'it contains spaces (write Space for the space bar, and join keys with +)';
  const parts = accel.split('+');
  if (parts.some((p) => p === '')) return 'it has an empty part (write Plus for the + key)';
  const key = (parts[parts.length - 1] as string).toLowerCase();
  const mods = parts.slice(0, -1).map((p) => p.toLowerCase());
  for (const m of mods) {
    if (!MODIFIERS.has(m)) return `"${m}" is not a modifier (use CommandOrControl, Alt, Shift, Super …), or the key is not last`;
  }
  if (new Set(mods).size !== mods.length) return 'it repeats a modifier';
  if (MODIFIERS.has(key)) return 'it has no key after the modifiers';
  if (!NAMED_KEYS.has(key) && !CHAR_KEY.test(key)) return `"${parts[parts.length - 1] as string}" is not a key Electron knows`;
  if (mods.length === 0 && !STANDALONE_KEYS.has(key)) return `"${parts[0] as string}" alone would take that key from every app: add a modifier such as CommandOrControl+`;
  return null;
}

/** True when `accel` is a valid Electron accelerator for a global shortcut. */
export function isValidAccelerator(accel: string): boolean {
  return acceleratorProblem(accel) === null;
}
