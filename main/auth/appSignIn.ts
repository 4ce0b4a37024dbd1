/**
 * The device-flow sign-in wired to a running app: GitHub's web host from the configured API root
 * (GitHub Enterprise included), the token stored through the settings' secrets path (keychain in
 * Electron, the 0600 file with consent in browser mode), applied without a restart, and every
 * sentence spoken through the app's voice output (the voice loop speaks 'notification.spoken').
 */
import { githubWebBaseUrl } from '../../contract/linkPolicy.js';
import type { App } from '../app/app.js';
import type { SettingsStore } from '../settings/settingsStore.js';
import type { DeviceFlowOptions } from './deviceFlow.js';
import { DeviceSignIn, type DeviceSignInDeps } from './deviceSignIn.js';

/** Why a token could not be stored through `settings`, said so the user knows what to do; null when it can. */
export function tokenStorageProblem(settings: SettingsStore): string | null {
  const secret = settings.view().secret;
  if (secret.source === 'env') return 'The GitHub token comes from the HANDSFREE_GITHUB_TOKEN environment variable: unset it to sign in here.';
  return secret.canSave ? null : secret.description;
}

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
