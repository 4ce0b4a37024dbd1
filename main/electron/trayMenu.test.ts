import { describe, expect, it, vi } from 'vitest';
import { TRAY_THREADS, trayMenuTemplate, trayToolTip, type TrayActions } from './trayMenu.js';

const actions = (): TrayActions & { [K in keyof TrayActions]: ReturnType<typeof vi.fn> } => ({ open: vi.fn(), openUrl: vi.fn(), pushToTalk: vi.fn(), setMuted: vi.fn(), quit: vi.fn() });
const thread = (n: number, url = `https://github.com/acme/api/pull/${n}`) => ({ repo: 'acme/api', title: `PR ${n}`, url });
const byLabel = (menu: ReturnType<typeof trayMenuTemplate>, re: RegExp) => menu.find((i) => i.label !== undefined && re.test(i.label))!;

describe('tray menu', () => {
  it('shows the unread count, the newest threads, push-to-talk, mute and quit, and each item does its action', () => {
    const act = actions();
    const menu = trayMenuTemplate({ unread: 12, items: Array.from({ length: 8 }, (_, i) => thread(i + 1)), muted: false }, act);
    expect(menu.map((i) => i.label ?? i.type)).toEqual(['Open HandsFree (12 unread)', 'acme/api: PR 1', 'acme/api: PR 2', 'acme/api: PR 3', 'acme/api: PR 4', 'acme/api: PR 5', 'separator', 'Push to talk', 'Mute spoken notifications', 'separator', 'Quit HandsFree']);
    expect(menu.filter((i) => i.label?.startsWith('acme/api'))).toHaveLength(TRAY_THREADS);
    byLabel(menu, /^Open/).click!({ checked: false });
    expect(act.open).toHaveBeenCalledTimes(1);
    byLabel(menu, /PR 2$/).click!({ checked: false });
    expect(act.openUrl).toHaveBeenCalledWith('https://github.com/acme/api/pull/2');
    byLabel(menu, /^Push/).click!({ checked: false });
    expect(act.pushToTalk).toHaveBeenCalledTimes(1);
    const mute = byLabel(menu, /^Mute/);
    expect(mute).toMatchObject({ type: 'checkbox', checked: false });
    mute.click!({ checked: true }); // Electron flips the checkbox before calling click
    expect(act.setMuted).toHaveBeenCalledWith(true);
    byLabel(menu, /^Quit/).click!({ checked: false });
    expect(act.quit).toHaveBeenCalledTimes(1);
  });

  it('the mute checkbox follows the setting; a non-GitHub link is shown disabled and never opened', () => {
    const act = actions();
    const menu = trayMenuTemplate({ unread: 0, items: [{ repo: 'evil/x', title: 'phish\nme\tnow', url: 'https://evil.example/' }], muted: true }, act);
    expect(byLabel(menu, /^Mute/).checked).toBe(true);
    const item = byLabel(menu, /^evil/);
    expect(item).toMatchObject({ label: 'evil/x: phish me now', enabled: false });
    item.click!({ checked: false });
    expect(act.openUrl).not.toHaveBeenCalled();
    expect(byLabel(trayMenuTemplate({ unread: 0, items: [thread(1, 'https://github.com/x'), { repo: 'r', title: 'y'.repeat(200), url: 'https://github.com/' }], muted: false }, act), /^r: /).label).toHaveLength(70);
  });

  it('tooltip', () => {
    expect(trayToolTip(3)).toBe('HandsFree: 3 unread');
  });
});
