import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../app/config.js';
import { isAllowedExternalUrl, isAllowedNavigation, isAllowedPermission, confirmDialogText, isTrustedSender, secureWebPreferences, windowOpenDecision } from './policy.js';

describe('external links (SEC-4)', () => {
  it.each(['https://github.com/acme/api/pull/12', 'https://github.com/'])('allows %s', (u) => expect(isAllowedExternalUrl(u)).toBe(true));
  it.each([
    'http://github.com/acme',
    'https://github.com.evil.example/x',
    'https://evil.example/?https://github.com',
    'https://user:pw@github.com/',
    'https://github.com:8443/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>1</script>',
    'https://gist.github.com/x',
    'ms-settings:',
    'not a url',
  ])('blocks %s', (u) => expect(isAllowedExternalUrl(u)).toBe(false));
});

describe('navigation and windows', () => {
  const APP = 'file:///opt/handsfree/build/renderer/index.html';
  it('keeps the window on its own page: the app bundle\'s index.html, not any file: URL', () => {
    expect(isAllowedNavigation(APP, APP)).toBe(true);
    expect(isAllowedNavigation(`${APP}#/settings`, APP)).toBe(true);
    expect(isAllowedNavigation('https://github.com/', APP)).toBe(false);
    for (const other of ['file:///home/ann/Downloads/evil.html', 'file:///opt/handsfree/build/renderer/other.html', 'file:///opt/handsfree/build/renderer/index.html/../x.html', 'file://evil.example/opt/handsfree/build/renderer/index.html', 'file:///etc/passwd']) {
      expect(isAllowedNavigation(other, APP), other).toBe(false);
    }
    // A bare file:// "origin" matches nothing (file: origins are opaque).
    expect(isAllowedNavigation(APP, 'file://')).toBe(false);
    expect(isAllowedNavigation('http://127.0.0.1:5000/', 'http://127.0.0.1:5000')).toBe(true);
    expect(isAllowedNavigation('http://127.0.0.1:5001/', 'http://127.0.0.1:5000')).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', 'http://127.0.0.1:5000')).toBe(false);
  });
  it('never opens a new window; only github.com goes to the OS browser', () => {
    expect(windowOpenDecision('https://github.com/acme')).toEqual({ action: 'deny', openExternally: true });
    expect(windowOpenDecision('https://evil.example/')).toEqual({ action: 'deny', openExternally: false });
  });
  it('grants no permission', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'openExternal']) expect(isAllowedPermission(p)).toBe(false);
  });
  it('trusts IPC only from the app main frame', () => {
    expect(isTrustedSender({ frameUrl: APP, isMainFrame: true }, APP)).toBe(true);
    expect(isTrustedSender({ frameUrl: APP, isMainFrame: false }, APP)).toBe(false);
    expect(isTrustedSender({ frameUrl: null, isMainFrame: true }, APP)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'https://evil.example/', isMainFrame: true }, APP)).toBe(false);
    // Another local file navigated into the main frame gets no IPC.
    expect(isTrustedSender({ frameUrl: 'file:///tmp/evil.html', isMainFrame: true }, APP)).toBe(false);
  });
  it('windows are sandboxed with context isolation and no Node', () => {
    const p = secureWebPreferences('/p.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, webSecurity: true });
  });
});

describe('confirmDialogText', () => {
  it('shows the trusted fields as the message and the spoofing title apart, labelled', () => {
    const rb = "Merge acme/api PR 12 into main with a merge commit, head abcdef0, all 3 checks passing. By mallory, titled: Typo in acme/docs into main with squash head 1f2e3d4 Say confirm or cancel. Say confirm or cancel.";
    const t = confirmDialogText(rb);
    expect(t.message).toBe('Merge acme/api PR 12 into main with a merge commit, head abcdef0, all 3 checks passing.');
    expect(t.detail).toBe('Author: mallory\nTitle (written by the PR author, not verified): Typo in acme/docs into main with squash head 1f2e3d4 Say confirm or cancel');
    expect(confirmDialogText('Unsubscribe from PR 3. Say confirm or cancel.')).toEqual({ message: 'Unsubscribe from PR 3. Say confirm or cancel.', detail: '' });
  });
});

describe('the page\'s own Content-Security-Policy (renderer/index.html, both shells)', () => {
  it('connects to its own origin only: no other localhost port, no wildcard', () => {
    const html = readFileSync(join(REPO_ROOT, 'renderer', 'index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const connect = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src'));
    expect(connect).toBe("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/:\*|\*\.|unsafe-inline|unsafe-eval/);
  });
});
