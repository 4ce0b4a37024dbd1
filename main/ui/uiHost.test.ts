import { describe, expect, it } from 'vitest';
import type { NotificationThread } from '../../contract/github.js';
import { FixtureGitHubGateway } from '../github/fixtureGitHubGateway.js';
import { createCallHandlers, INBOX_PREFETCH_MAX_AGE_MS, type UiHostDeps } from './uiHost.js';

const caller = { userId: 'local', transport: 'ipc' as const };

/** A fixture gateway whose listNotifications calls are counted (and can be made to fail). */
function countingApp(opts: { failFirst?: boolean } = {}) {
  const gh = new FixtureGitHubGateway();
  let calls = 0;
  const github = {
    listNotifications: async (): Promise<NotificationThread[]> => {
      calls++;
      if (opts.failFirst && calls === 1) throw new Error('GitHub down');
      return gh.listNotifications();
    },
  };
  return { app: { github } as unknown as UiHostDeps['app'], calls: () => calls };
}

function handlers(app: UiHostDeps['app'], extra: Partial<UiHostDeps>) {
  return createCallHandlers({ app, tts: {} as never, settings: {} as never, diagnostics: {} as never, openExternal: async () => false, ...extra });
}

describe('inbox prefetch for the first render', () => {
  it('fetches once at start; the first inbox.list takes that result, later ones ask again', async () => {
    const { app, calls } = countingApp();
    const h = handlers(app, { prefetchInbox: true });
    expect(calls()).toBe(1);
    const first = await h['inbox.list'](undefined, caller);
    expect(first.items.length).toBeGreaterThan(0);
    expect(calls()).toBe(1);
    await h['inbox.list'](undefined, caller);
    expect(calls()).toBe(2);
  });

  it('ignores a stale or failed prefetch', async () => {
    let now = 1_000;
    const stale = countingApp();
    const h = handlers(stale.app, { prefetchInbox: true, nowMs: () => now });
    now += INBOX_PREFETCH_MAX_AGE_MS + 1;
    await h['inbox.list'](undefined, caller);
    expect(stale.calls()).toBe(2);

    const failing = countingApp({ failFirst: true });
    const h2 = handlers(failing.app, { prefetchInbox: true });
    expect((await h2['inbox.list'](undefined, caller)).items.length).toBeGreaterThan(0);
    expect(failing.calls()).toBe(2);
  });

  it('does nothing without prefetchInbox', async () => {
    const { app, calls } = countingApp();
    const h = handlers(app, {});
    expect(calls()).toBe(0);
    await h['inbox.list'](undefined, caller);
    expect(calls()).toBe(1);
  });
});
