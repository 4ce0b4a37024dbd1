/** The desktop UI's main journeys in browser mode on the demo fixtures (Debian Chromium). */
import type { Page } from '@playwright/test';
import { authorize, expect, mergeCount, post, shot, startApp, test } from './fixtures.js';

const MERGE_TEXT = 'merge PR 12 in acme/api';

async function askMerge(page: Page): Promise<string> {
  await page.getByRole('button', { name: /^Command/ }).click();
  const input = page.getByLabel('Say or type a command');
  await input.fill(MERGE_TEXT);
  const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/ui/call/command.run')), input.press('Enter')]);
  const body = (await resp.json()) as { res: { pending_action?: { token: string } } };
  const token = body.res.pending_action?.token;
  expect(token, 'the merge asks for confirmation').toBeTruthy();
  return token!;
}

test('inbox cards render with the demo data', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  const cards = page.getByTestId('inbox-card');
  await expect(cards.first()).toBeVisible();
  await expect(page.getByTestId('inbox-title').filter({ hasText: 'Fix login redirect loop' })).toBeVisible();
  // Cards are grouped by repo: the first group is the repo of the most urgent notification.
  await expect(page.getByTestId('inbox-group').first()).toHaveAttribute('data-repo', 'acme/api');
  await expect(cards.first()).toHaveAttribute('aria-label', /acme\/api/);
  expect(await cards.count()).toBeGreaterThan(1);
  await shot(page, 'inbox');
});

test('merge: confirmation with countdown, Confirm merges exactly once and shows the outcome', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await askMerge(page);
  const card = page.getByTestId('confirmation-card');
  await expect(card).toHaveAttribute('data-state', 'pending');
  await expect(card.getByTestId('readback')).toContainText('12');
  const seconds = card.getByTestId('countdown-seconds');
  const first = Number(await seconds.textContent());
  expect(first).toBeGreaterThan(0);
  await expect.poll(async () => Number(await seconds.textContent())).toBeLessThan(first);
  await shot(page, 'confirmation');
  await card.getByRole('button', { name: 'Confirm' }).click();
  await expect(card).toHaveAttribute('data-state', 'done');
  await expect(card.getByTestId('outcome')).toContainText('Merged');
  await expect(card.getByRole('button', { name: 'Confirm' })).toBeDisabled();
  expect(mergeCount(app.dataDir)).toBe(1);
  await shot(page, 'outcome');
});

test('a click and an API confirm at the same moment still merge once', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  const token = await askMerge(page);
  const card = page.getByTestId('confirmation-card');
  await expect(card).toHaveAttribute('data-state', 'pending');
  // The click and the API confirm leave the page in the same JS tick, so both are in flight together.
  const apiStatus = await page.evaluate(`(() => {
    document.querySelector('[data-testid=confirmation-card] [data-action="system.confirm"]').click();
    return fetch('/v1/commands/confirm', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: ${JSON.stringify(token)} }) }).then((r) => r.status);
  })()`);
  const api = { status: apiStatus };
  expect(api.status).toBe(200);
  await expect(card).toHaveAttribute('data-state', /done|failed/);
  await expect.poll(() => mergeCount(app.dataDir)).toBe(1);
  // A late voice/API confirm with the same token cannot merge again.
  await post(app.url, '/v1/commands/confirm', { token });
  expect(mergeCount(app.dataDir)).toBe(1);
});

test('an expired confirmation shows as expired and cannot be confirmed', async ({ page, app }) => {
  await page.clock.install();
  await page.goto(`${app.url}/`);
  const token = await askMerge(page);
  const card = page.getByTestId('confirmation-card');
  await expect(card).toHaveAttribute('data-state', 'pending');
  // Past the 60 s TTL on both clocks: the app's (test-only route) and the page's.
  expect((await post(app.url, '/v1/ui/test/advance-clock', { ms: 61_000 })).status).toBe(200);
  await page.clock.fastForward(61_000);
  await expect(card).toHaveAttribute('data-state', 'expired');
  await expect(card.getByTestId('outcome')).toContainText('Expired');
  await expect(card.getByRole('button', { name: 'Confirm' })).toBeDisabled();
  const api = await post(app.url, '/v1/commands/confirm', { token });
  expect(JSON.stringify(api.json)).toMatch(/expired/);
  expect(mergeCount(app.dataDir)).toBe(0);
  await shot(page, 'expired');
});

test('settings survive a restart', async ({ page }) => {
  const first = await startApp();
  try {
    await authorize(page.context(), first);
    await page.goto(`${first.url}/`);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Profile').selectOption('terse');
    await page.getByLabel('Mute spoken notifications').check();
    // the voice is picked from the offline provider's own list (this machine's espeak-ng voices)
    const voice = page.getByTestId('setting-voice');
    await expect(voice.locator('option[value="en-us+f3"]')).toHaveCount(1);
    await expect(voice.locator('option[value="klingon"]')).toHaveCount(0);
    await voice.selectOption('en-gb');
    // a provider that does not offer the voice puts it back to the provider's default
    await page.getByLabel('Text-to-speech').selectOption('stub');
    await expect(voice).toHaveValue('default');
    await page.getByLabel('Text-to-speech').selectOption('offline');
    await voice.selectOption('en-gb');
    // device pickers offer the devices the add-on lists (at least the system default)
    await expect(page.getByTestId('setting-input-device').locator('option[value="default"]')).toHaveCount(1);
    await expect(page.getByTestId('setting-output-device')).toHaveValue('default');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByTestId('live-region')).toHaveText('Settings saved.');
    // profile and mute apply at once; the voice is picked at start-up, and the page says so
    await expect(page.getByTestId('settings-restart')).toContainText('Voice takes effect when the app restarts');
    await expect(page.getByTestId('secret-status')).toContainText('no OS keychain');
    await shot(page, 'settings');
  } finally {
    await first.stop();
  }
  const second = await startApp({ dataDir: first.dataDir });
  try {
    await authorize(page.context(), second);
    await page.goto(`${second.url}/`);
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByLabel('Profile')).toHaveValue('terse');
    await expect(page.getByLabel('Mute spoken notifications')).toBeChecked();
    await expect(page.getByLabel('Voice')).toHaveValue('en-gb');
    await expect(page.getByTestId('settings-restart')).toHaveCount(0); // started with them: nothing pending
  } finally {
    await second.stop();
  }
});

test('status screen shows mode, account and rate limit', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await page.getByRole('button', { name: 'Status' }).click();
  await expect(page.getByTestId('status')).toContainText('fixture');
  // provider health as the host reports it, not the saved settings
  await expect(page.getByTestId('health-vad')).toContainText('webrtc-vad: ok');
  await expect(page.getByTestId('health-stt')).toContainText(/pocketsphinx|stub/);
  await expect(page.getByTestId('health-tts')).toContainText(/flite|espeak|stub/);
  // each provider's last failure and when (tests/integration/provider-health.test.ts makes one happen)
  for (const k of ['github', 'stt', 'tts']) await expect(page.getByTestId(`health-${k}-last-error`)).toContainText(/none since start|\(.* ago, /);
  // The loop starts with the app: its state, or why it cannot run (or, before it started, when it will).
  await expect(page.getByTestId('status-voice')).toContainText(/idle|unavailable|push-to-talk/);
  await shot(page, 'status');
});
