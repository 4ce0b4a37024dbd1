/**
 * The device-flow sign-in wired to a running app: GitHub's web host from the configured API root
 * (GitHub Enterprise included), the token stored through the settings' secrets path (keychain in
 * Electron, the 0600 file with consent in browser mode), applied without a restart, and every
 * sentence spoken through the app's voice output (the voice loop speaks 'notification.spoken').
 */
import { githubWebBaseUrl } from '../../contract/linkPolicy.js';
import type { DeviceFlowOptions } from '../auth/deviceFlow.js';
import { DeviceSignIn, tokenStorageProblem, type DeviceSignInDeps } from '../auth/deviceSignIn.js';
import type { SettingsStore } from '../settings/settingsStore.js';
import type { App } from './app.js';

export function appDeviceSignIn(app: App, settings: SettingsStore, over: Partial<Pick<DeviceSignInDeps, 'sleep' | 'nowMs' | 'monotonicMs'>> & { fetch?: DeviceFlowOptions['fetch'] } = {}): DeviceSignIn {
  const { config } = app;
  return new DeviceSignIn({
    flow:
      config.githubClientId !== undefined
        ? { webBaseUrl: githubWebBaseUrl(config.githubApiUrl), clientId: config.githubClientId, ...(over.fetch ? { fetch: over.fetch } : {}) }
        : null,
    storageProblem: () => tokenStorageProblem(settings),
    saveToken: (token) => void settings.setToken(token),
    applyToken: async (token) => {
      const r = await app.useGitHubToken(token);
      if (r.live) return { account: r.account, note: null };
      // Signed in from demo mode: the next start is live (unless the environment pins the mode).
      if (settings.get().mode === 'fixture') settings.update({ mode: 'live' });
      return { account: null, note: 'The app is still in demo mode: restart it to use your GitHub account.' };
    },
    say: (text) => app.events.emit('notification.spoken', { user_id: config.user, text, thread_ids: [] }),
    logger: app.logger,
    ...(over.sleep ? { sleep: over.sleep } : {}),
    ...(over.nowMs ? { nowMs: over.nowMs } : {}),
    ...(over.monotonicMs ? { monotonicMs: over.monotonicMs } : {}),
  });
}
