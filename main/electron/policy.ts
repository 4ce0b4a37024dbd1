/**
 * Electron security policy as pure functions (tested directly in policy.test.ts): window
 * preferences, navigation, new windows, external links, permissions and IPC sender validation.
 */
import { isAllowedExternalUrl, isAllowedNavigation, isAllowedPermission } from '../../contract/linkPolicy.js';

export { isAllowedExternalUrl, isAllowedNavigation, isAllowedPermission };

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    enableWebSQL: false,
    navigateOnDragDrop: false,
  } as const;
}

/** What to do with window.open / target=_blank: never a new window; github.com links go to the OS browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isAllowedExternalUrl(url) };
}

/** IPC is accepted only from the app's own main frame (not iframes, not a navigated or destroyed frame). */
export function isTrustedSender(sender: { frameUrl: string | null; isMainFrame: boolean }, appOrigin: string): boolean {
  if (sender.frameUrl === null || !sender.isMainFrame) return false;
  return isAllowedNavigation(sender.frameUrl, appOrigin);
}

/**
 * The native confirm dialog's text: the read-back's trusted fields as the message, the PR author's
 * title apart in the detail, labelled as unverified, so a title cannot pose as a field.
 */
export function confirmDialogText(readBack: string): { message: string; detail: string } {
  const m = /^(.*?\.) By (\S+), titled: (.*)\. (Say confirm.*)$/.exec(readBack);
  if (m === null) return { message: readBack, detail: '' };
  return { message: m[1]!, detail: `Author: ${m[2]}\nTitle (written by the PR author, not verified): ${m[3]}` };
}
