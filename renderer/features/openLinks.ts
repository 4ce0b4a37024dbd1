/**
 * Carries out a command response's open_url directives ("open it", or the inbox's "Open on GitHub"
 * button, which runs the same command). Pure over injected effects so it is testable without a DOM.
 */
import { isAllowedExternalUrl } from '../../contract/linkPolicy.js';
import type { CommandResponse } from '../../contract/response.js';

export interface LinkOpeners {
  /** The host's shell.openExternal (Electron: policy-checked again in main); false when it cannot. */
  openExternal(url: string): Promise<boolean>;
  /** Fallback when the host cannot (browser mode): the page opens a new tab itself. */
  openWindow(url: string): void;
}

/** Opens each allowed (https://github.com) URL once; returns the URLs opened. Never throws. */
export async function runDirectives(res: Pick<CommandResponse, 'directives'>, openers: LinkOpeners): Promise<string[]> {
  const opened: string[] = [];
  for (const d of res.directives ?? []) {
    // The server builds URLs from API fields, but the renderer applies the policy itself too.
    if (d.kind !== 'open_url' || !isAllowedExternalUrl(d.url) || opened.includes(d.url)) continue;
    const byHost = await openers.openExternal(d.url).catch(() => false);
    if (!byHost) openers.openWindow(d.url);
    opened.push(d.url);
  }
  return opened;
}
