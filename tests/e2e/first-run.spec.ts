/**
 * First run in browser mode with no GitHub token: the welcome panel offers demo (default), sign-in
 * with a code (device flow against a fake GitHub speaking the documented contract), or a token.
 */
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { createFakeDeviceFlow, type FakeDeviceFlow } from '../fakes/github/fakeDeviceFlow.js';
import { authorize, expect, startApp, test } from './fixtures.js';

test('demo is the default answer, and it is remembered', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  const welcome = page.getByTestId('first-run');
  await expect(welcome).toBeVisible();
  await expect(welcome.getByLabel(/The demo account/)).toBeChecked();
  await welcome.getByRole('button', { name: 'Stay in demo mode' }).click();
  await expect(welcome).toHaveCount(0);
  await expect(page.getByTestId('inbox-card').first()).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('inbox-card').first()).toBeVisible();
  await expect(page.getByTestId('first-run')).toHaveCount(0);
});

test.describe('sign in with a code', () => {
  let fake: FakeGitHub;
  let flow: FakeDeviceFlow;
  test.beforeEach(async () => {
    flow = createFakeDeviceFlow({ clientId: 'Iv1.fakeclient0001', interval: 1 });
    fake = await startFakeGitHub({ deviceFlow: flow, token: flow.token, validate: false });
  });
  test.afterEach(async () => {
    await fake.close();
  });

  const liveApp = () =>
    startApp({ env: { HANDSFREE_MODE: 'live', HANDSFREE_GITHUB_API_URL: fake.url, HANDSFREE_GITHUB_CLIENT_ID: 'Iv1.fakeclient0001', HANDSFREE_STT: 'stub', HANDSFREE_TTS: 'stub' } });

  test('the code is shown, the user approves on GitHub, and the live inbox loads without a restart', async ({ page }) => {
    test.setTimeout(90_000);
    const app = await liveApp();
    try {
      await authorize(page.context(), app);
      await page.goto(`${app.url}/`);
      const welcome = page.getByTestId('first-run');
      await welcome.getByLabel(/sign in with a code/).check();
      // Browser mode: no keychain, so the 0600 token file needs the user's consent first.
      await expect(welcome.getByTestId('first-run-consent')).toBeVisible();
      await welcome.getByRole('button', { name: 'Allow a 0600 token file' }).click();
      await welcome.getByRole('button', { name: 'Sign in with GitHub' }).click();
      await expect(welcome.getByTestId('user-code')).toHaveText('WDJB-MJHT');
      await expect(welcome.getByRole('link', { name: `${fake.url}/login/device` })).toHaveCount(0); // http fake: shown, not linked
      await expect(welcome).toContainText(`${fake.url}/login/device`);
      await expect(page.getByTestId('live-region')).toContainText('W, D, J, B, dash, M, J, H, T');
      flow.approve();
      await expect(welcome.getByTestId('first-run-done')).toHaveText('Signed in to GitHub as sam-dev.', { timeout: 15_000 });
      await expect(page.getByTestId('inbox-card').first()).toBeVisible();
      expect(fake.requests.some((r) => r.path === '/notifications' && r.status === 200)).toBe(true);
      await welcome.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByTestId('first-run')).toHaveCount(0);
    } finally {
      await app.stop();
    }
  });

  test('a denied sign-in says "sign-in cancelled" and offers to start again', async ({ page }) => {
    test.setTimeout(60_000);
    const app = await liveApp();
    try {
      await authorize(page.context(), app);
      await page.goto(`${app.url}/`);
      const welcome = page.getByTestId('first-run');
      await welcome.getByLabel(/sign in with a code/).check();
      await welcome.getByRole('button', { name: 'Allow a 0600 token file' }).click();
      flow.script.push('pending', 'denied');
      await welcome.getByRole('button', { name: 'Sign in with GitHub' }).click();
      await expect(welcome.getByTestId('user-code')).toBeVisible();
      await expect(welcome.getByTestId('sign-in-message')).toContainText('Sign-in cancelled', { timeout: 15_000 });
      await expect(welcome.getByRole('button', { name: 'Sign in with GitHub' })).toBeVisible();
      await expect(welcome).toBeVisible();
    } finally {
      await app.stop();
    }
  });
});
