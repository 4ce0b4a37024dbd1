import { describe, expect, it, vi } from 'vitest';
import { ShortcutBinder, type GlobalShortcutApi } from './shortcuts.js';

function fakeApi(taken: string[] = []): GlobalShortcutApi & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    register: vi.fn((a: string) => {
      if (a === 'Boom+X') throw new TypeError('conversion failure');
      if (taken.includes(a)) return false;
      held.add(a);
      return true;
    }),
    unregister: vi.fn((a: string) => void held.delete(a)),
  };
}

describe('ShortcutBinder', () => {
  it('binds both shortcuts to the same press and swaps one without touching the other', () => {
    const api = fakeApi();
    const press = vi.fn();
    const b = new ShortcutBinder(api, press);
    expect(b.apply({ pushToTalkShortcut: 'Ctrl+Shift+Space', headsetTapShortcut: 'MediaPlayPause' })).toEqual([]);
    expect([...api.held].sort()).toEqual(['Ctrl+Shift+Space', 'MediaPlayPause']);
    expect(b.apply({ pushToTalkShortcut: 'Ctrl+Shift+Space', headsetTapShortcut: 'F9' })).toEqual([]);
    expect([...api.held].sort()).toEqual(['Ctrl+Shift+Space', 'F9']);
    expect(api.register).toHaveBeenCalledTimes(3);
  });
  it('reports an invalid, taken or throwing shortcut and keeps the previous binding', () => {
    const api = fakeApi(['F7']);
    const b = new ShortcutBinder(api, () => {});
    b.apply({ pushToTalkShortcut: 'Ctrl+Shift+Space', headsetTapShortcut: 'MediaPlayPause' });
    const bad = b.apply({ pushToTalkShortcut: 'Ctrl+Shft+K', headsetTapShortcut: 'F7' });
    expect(bad.map((p) => p.message)).toEqual([
      expect.stringMatching(/Push-to-talk shortcut "Ctrl\+Shft\+K" is not valid .*keeping Ctrl\+Shift\+Space/),
      expect.stringMatching(/Headset tap shortcut "F7" is taken .*keeping MediaPlayPause/),
    ]);
    expect([...api.held].sort()).toEqual(['Ctrl+Shift+Space', 'MediaPlayPause']);
    const thrown = new ShortcutBinder(fakeApi(), () => {}).apply({ pushToTalkShortcut: 'Ctrl+Space', headsetTapShortcut: 'Ctrl+Space' });
    expect(thrown).toHaveLength(1);
    expect(thrown[0]!.message).toMatch(/already used/);
  });
  it('never throws when Electron throws, and an empty headset shortcut turns it off', () => {
    const api = fakeApi();
    api.register = vi.fn(() => {
      throw new TypeError('conversion failure');
    });
    const b = new ShortcutBinder(api, () => {});
    const problems = b.apply({ pushToTalkShortcut: 'Ctrl+K', headsetTapShortcut: '' });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/could not be registered: conversion failure/);
    expect(b.current.size).toBe(0);
  });
});
