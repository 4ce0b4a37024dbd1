/**
 * `handsfree login`: GitHub sign-in with the OAuth device flow from a terminal.
 *
 * When the desktop app runs in browser mode on this data dir, the sign-in runs inside it (its UI
 * calls over loopback HTTP): the code is also spoken through its voice output and the token takes
 * effect there at once. Otherwise this process runs the flow and stores the token in the 0600 file
 * of browser/Node mode, which needs the user's consent (--allow-plaintext, once).
 */
import { isAppError } from '../../contract/errors.js';
import type { DeviceSignInView } from '../../contract/ipc.js';
import { UI_CALL_PATH_PREFIX } from '../../contract/ipc.js';
import { githubWebBaseUrl } from '../../contract/linkPolicy.js';
import type { AppConfig } from '../app/config.js';
import { DeviceSignIn, tokenStorageProblem } from '../auth/deviceSignIn.js';
import { createLogger } from '../log/logger.js';
import { FileSecretBackend, openJsonFileBackend, SettingsStore } from '../settings/settingsStore.js';
import { readServerInfo, requestServer } from './serverClient.js';

export interface LoginOptions {
  allowPlaintext: boolean;
  json: boolean;
  /** How often the running app's sign-in state is read, ms (default 1,000). */
  statusEveryMs?: number;
}

function show(v: DeviceSignInView, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(v)}\n`);
    return;
  }
  if (v.state === 'waiting') {
    process.stdout.write(`Open ${v.verification_uri} and enter the code: ${v.user_code}\n`);
    process.stdout.write(`(scopes asked for: ${v.scopes.join(', ')}; waiting for you to approve… Ctrl+C stops)\n`);
  } else process.stdout.write(`${v.message}\n`);
}

/** Exit codes: 0 signed in, 1 sign-in ended without a token (expired, denied, failed), 2 cannot start. */
export async function runLogin(config: AppConfig, opts: LoginOptions): Promise<number> {
  const server = readServerInfo(config.dataDir);
  if (server) {
    try {
      return await loginThroughApp(config, server, opts);
    } catch (e) {
      // `handsfree serve` has no UI calls (404): sign in here instead.
      if (!(isAppError(e) && e.code === 'not_found')) return fail(e);
    }
  }
  const settings = new SettingsStore(openJsonFileBackend(config.dataDir), new FileSecretBackend(config.dataDir));
  if (opts.allowPlaintext && !settings.get().allowPlaintextSecrets) settings.update({ allowPlaintextSecrets: true });
  const problem = tokenStorageProblem(settings);
  if (problem !== null) {
    process.stderr.write(`handsfree: ${problem}\nRun handsfree login --allow-plaintext to store the token in a file only you can read (mode 0600).\n`);
    return 2;
  }
  const signIn = new DeviceSignIn({
    flow: config.githubClientId !== undefined ? { webBaseUrl: githubWebBaseUrl(config.githubApiUrl), clientId: config.githubClientId } : null,
    storageProblem: () => tokenStorageProblem(settings),
    saveToken: (t) => void settings.setToken(t),
    applyToken: async (t) => {
      let account: string | null = null;
      try {
        const { OctokitGitHubGateway } = await import('../github/octokitGitHubGateway.js');
        account = (await new OctokitGitHubGateway({ token: t, baseUrl: config.githubApiUrl, readRetries: 0 }).viewer()).login;
      } catch {
        // Signed in all the same; `handsfree status` will say what GitHub answers.
      }
      if (settings.get().mode === 'fixture') settings.update({ mode: 'live' });
      return { account, note: process.env['HANDSFREE_MODE'] === 'fixture' ? 'HANDSFREE_MODE=fixture keeps the app in demo mode.' : null };
    },
    say: () => undefined, // shown below; no voice output in a bare terminal
    logger: createLogger({ level: config.logLevel }),
  });
  let view: DeviceSignInView;
  try {
    view = await signIn.start();
  } catch (e) {
    return fail(e);
  }
  show(view, opts.json);
  const stop = () => signIn.cancel();
  process.once('SIGINT', stop);
  try {
    view = await signIn.done!;
  } finally {
    process.off('SIGINT', stop);
  }
  show(view, opts.json);
  return view.state === 'signed_in' ? 0 : 1;
}

async function loginThroughApp(config: AppConfig, server: NonNullable<ReturnType<typeof readServerInfo>>, opts: LoginOptions): Promise<number> {
  const call = async (name: 'auth.deviceStart' | 'auth.deviceStatus' | 'auth.deviceCancel') =>
    ((await requestServer(server, config, `${UI_CALL_PATH_PREFIX}${name}`, {})) as { res: DeviceSignInView }).res;
  // The same consent as below, given to the app's own settings (browser mode has no keychain either).
  if (opts.allowPlaintext) await requestServer(server, config, `${UI_CALL_PATH_PREFIX}settings.update`, { req: { allowPlaintextSecrets: true } });
  let view = await call('auth.deviceStart');
  show(view, opts.json);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  try {
    while (view.state === 'waiting' && !stopped) {
      await new Promise((r) => setTimeout(r, opts.statusEveryMs ?? 1000));
      view = await call('auth.deviceStatus');
    }
    if (stopped && view.state === 'waiting') view = await call('auth.deviceCancel');
  } finally {
    process.off('SIGINT', stop);
  }
  show(view, opts.json);
  return view.state === 'signed_in' ? 0 : 1;
}

function fail(e: unknown): number {
  process.stderr.write(`handsfree: ${isAppError(e) ? e.message : (e as Error)?.message ?? String(e)}\n`);
  return 2;
}
