import { describe, expect, it } from 'vitest';
import { acceleratorProblem, isValidAccelerator } from './accelerator.js';
import { DEFAULT_SETTINGS, SettingsPatchSchema } from './ipc.js';

describe('Electron accelerators', () => {
  it('accepts what Electron registers as a global shortcut', () => {
    for (const a of ['CommandOrControl+Shift+Space', 'MediaPlayPause', 'Alt+F4', 'F9', 'ctrl+shift+k', 'Super+Plus', 'CmdOrCtrl+num5', 'Shift+/', 'VolumeMute', 'Alt+Shift+MediaNextTrack']) {
      expect(acceleratorProblem(a), a).toBeNull();
    }
  });
  it('refuses typos, missing keys, bare typing keys and bad separators, saying why', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['Ctrl+Shft+X', /"shft" is not a modifier/],
      ['Ctrl+Shift', /no key after/],
      ['Shift+', /empty part/],
      ['Ctrl++', /empty part/],
      ['Ctrl + K', /spaces/],
      ['Space', /alone would take/],
      ['K', /alone would take/],
      ['Ctrl+Ctrl+K', /repeats/],
      ['Ctrl+Banana', /"Banana" is not a key/],
      ['Ctrl+K+L', /"k" is not a modifier/],
      ['Ctrl+'.repeat(12) + 'K', /longer than 60/],
    ];
    for (const [a, why] of cases) expect(acceleratorProblem(a), a).toMatch(why);
    expect(isValidAccelerator('Ctrl+Shft+X')).toBe(false);
  });
  it('the settings schema refuses an invalid shortcut with the reason, and defaults are valid', () => {
    const r = SettingsPatchSchema.safeParse({ pushToTalkShortcut: 'Ctrl+Shft+X' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/"Ctrl\+Shft\+X" is not a valid shortcut: "shft" is not a modifier/);
    expect(SettingsPatchSchema.safeParse({ headsetTapShortcut: '' }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ headsetTapShortcut: 'Space' }).success).toBe(false);
    expect(isValidAccelerator(DEFAULT_SETTINGS.pushToTalkShortcut) && isValidAccelerator(DEFAULT_SETTINGS.headsetTapShortcut)).toBe(true);
  });
});
