/**
 * GitHub Enterprise: the API root (HANDSFREE_GITHUB_API_URL) also sets the one web host, besides
 * github.com, whose links may be opened ("open PR 12 on GitHub", the UI's link policy), and the
 * device-flow host. Every other host stays refused; the API root is validated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { allowedGitHubHost, setAllowedGitHubHost } from '../../contract/linkPolicy.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { appDeviceSignIn } from '../../main/app/deviceSignIn.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { githubViewOf } from '../../main/settings/applySettings.js';
import { FileSecretBackend, openJsonFileBackend, SettingsStore } from '../../main/settings/settingsStore.js';

let dir: string;
let app: App | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-ghe-'));
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  setAllowedGitHubHost(null);
  rmSync(dir, { recursive: true, force: true });
});

async function openPr(apiUrl: string | undefined, htmlBaseUrl: string) {
  const config = loadConfig({ HANDSFREE_DATA_DIR: dir, ...(apiUrl ? { HANDSFREE_GITHUB_API_URL: apiUrl } : {}) });
  app = await createApp(config, { logger: SILENT_LOGGER, github: new FixtureGitHubGateway({ htmlBaseUrl }) });
  const res = await app.service.runCommand({ text: 'open PR 12 in acme/api on GitHub' }, { userId: config.user, transport: 'cli' });
  await app.close();
  app = undefined;
  return res;
}

it('opens links on the configured Enterprise host and refuses them without it', async () => {
  const ghe = await openPr('https://ghe.example.com/api/v3', 'https://ghe.example.com');
  expect(ghe.status).toBe('ok');
  expect(ghe.directives).toEqual([expect.objectContaining({ kind: 'open_url', url: 'https://ghe.example.com/acme/api/pull/12' })]);
  expect(allowedGitHubHost()).toBe('ghe.example.com');
  // Another host's links stay refused even with an Enterprise host configured.
  const other = await openPr('https://ghe.example.com/api/v3', 'https://other.example.com');
  expect(other.status).toBe('error');
  expect(other.error?.code).toBe('policy_denied');
  // Without the setting, the Enterprise host is refused like any other.
  const none = await openPr(undefined, 'https://ghe.example.com');
  expect(none.error?.code).toBe('policy_denied');
  expect(allowedGitHubHost()).toBeNull();
});

it('the UI is told the instance, and device-flow sign-in goes to the Enterprise host', async () => {
  const config = loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_GITHUB_API_URL: 'https://ghe.example.com/api/v3', HANDSFREE_GITHUB_CLIENT_ID: 'Iv1.fakeclient0001' });
  expect(githubViewOf(config)).toEqual({ web_url: 'https://ghe.example.com', enterprise_host: 'ghe.example.com' });
  app = await createApp(config, { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
  const settings = new SettingsStore(openJsonFileBackend(dir), new FileSecretBackend(dir, {}), { github: githubViewOf(config) });
  settings.update({ allowPlaintextSecrets: true });
  expect(settings.view().github.enterprise_host).toBe('ghe.example.com');
  const urls: string[] = [];
  const signIn = appDeviceSignIn(app, settings, {
    fetch: async (input) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ error: 'device_flow_disabled' }), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  await expect(signIn.start()).rejects.toMatchObject({ code: 'not_supported' });
  expect(urls).toEqual(['https://ghe.example.com/login/device/code']);
});

it.each(['http://ghe.example.com/api/v3', 'ftp://ghe.example.com', 'not a url'])('refuses the API root %s', (url) => {
  expect(() => loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_GITHUB_API_URL: url })).toThrow(/HANDSFREE_GITHUB_API_URL/);
});
