/**
 * Every screen in light and dark themes: a screenshot each in test-results/screenshots/, and an
 * axe-core audit with 0 serious or critical violations. Plus the inbox's grouping, filters and
 * keyboard, and the conversation panel after a typed command.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures.js';

const SCREENS = ['inbox', 'command', 'status', 'diagnostics', 'tts', 'settings'] as const;

async function audit(page: Page, label: string): Promise<void> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
}

for (const theme of ['light', 'dark'] as const) {
  test(`every screen in the ${theme} theme: screenshot and accessibility audit`, async ({ page, app }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: theme });
    await page.goto(`${app.url}/`);
    await expect(page.getByTestId('inbox-card').first()).toBeVisible();
    for (const screen of SCREENS) {
      await page.locator(`nav button[data-screen="${screen}"]`).click();
      await expect(page.locator(`nav button[data-screen="${screen}"]`)).toHaveAttribute('aria-current', 'page');
      await page.waitForTimeout(150); // let a screen's first load settle before the picture
      await shot(page, `${screen}-${theme}`);
      await audit(page, `${screen} (${theme})`);
    }
  });
}

test('the theme chosen in Settings wins over the OS and persists', async ({ page, app }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${app.url}/`);
  await page.locator('nav button[data-screen="settings"]').click();
  await page.getByTestId('setting-theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(bg);
  expect(bg).not.toBe('rgb(248, 250, 252)'); // the light background
});

test('inbox: grouped by repo with counts, filters that persist, keyboard navigation', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  const groups = page.getByTestId('inbox-group');
  await expect(groups.first()).toBeVisible();
  expect(await groups.count()).toBeGreaterThan(1);
  const api = page.locator('[data-testid=inbox-group][data-repo="acme/api"]');
  const apiCount = Number(await api.getByTestId('group-count').textContent());
  expect(await api.getByTestId('inbox-card').count()).toBe(apiCount);
  // Collapse and expand a group.
  await api.getByRole('button', { expanded: true }).click();
  await expect(api.getByTestId('inbox-card')).toHaveCount(0);
  await api.getByRole('button', { expanded: false }).click();
  await expect(api.getByTestId('inbox-card')).toHaveCount(apiCount);
  // Filter by reason; it survives a reload.
  const total = await page.getByTestId('inbox-card').count();
  await page.getByTestId('inbox-reason').selectOption('review_requested');
  const filtered = await page.getByTestId('inbox-card').count();
  expect(filtered).toBeGreaterThan(0);
  expect(filtered).toBeLessThan(total);
  for (const card of await page.getByTestId('inbox-card').all()) await expect(card).toContainText('review requested');
  await page.reload();
  await expect(page.getByTestId('inbox-reason')).toHaveValue('review_requested');
  await expect(page.getByTestId('inbox-card')).toHaveCount(filtered);
  await page.getByTestId('inbox-reason').selectOption('');
  // "/" focuses the filter; j/k move between cards; Enter reads the focused one aloud.
  await page.getByTestId('inbox-card').first().focus();
  await page.keyboard.press('/');
  await expect(page.getByTestId('inbox-filter')).toBeFocused();
  await page.getByTestId('inbox-card').first().focus();
  await page.keyboard.press('j');
  await expect(page.getByTestId('inbox-card').nth(1)).toBeFocused();
  await page.keyboard.press('k');
  await expect(page.getByTestId('inbox-card').first()).toBeFocused();
  const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/ui/call/command.run')), page.keyboard.press('Enter')]);
  expect(((await resp.json()) as { res: { intent: { name: string } } }).res.intent.name).toBe('inbox.read');
  // One overflow menu per card instead of five buttons.
  const card = page.getByTestId('inbox-card').first();
  await expect(card.getByRole('button')).toHaveCount(2);
  await card.getByRole('button', { name: /More actions/ }).click();
  await expect(card.getByRole('menuitem', { name: 'Mark done' })).toBeVisible();
  await page.keyboard.press('Escape');
  await shot(page, 'inbox-grouped');
});

test('conversation panel: a typed command shows what was said, the reply, the intent and a timing bar', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await page.locator('nav button[data-screen="command"]').click();
  const input = page.getByLabel('Say or type a command');
  await input.fill('read PR 12 in acme/api');
  await input.press('Enter');
  await input.fill('what needs my attention');
  await input.press('Enter');
  const turns = page.getByTestId('turn');
  await expect(turns).toHaveCount(2);
  const newest = turns.first();
  await expect(newest).toHaveAttribute('data-intent', 'inbox.summary');
  await expect(newest).toContainText('what needs my attention');
  await expect(newest.getByTestId('turn-reply')).not.toBeEmpty();
  await expect(newest.getByTestId('turn-timing')).toContainText('GitHub');
  await expect(turns.nth(1)).toHaveAttribute('data-intent', 'pr.summarize');
  await expect(turns.nth(1).getByTestId('pr-card')).toBeVisible();
  await shot(page, 'conversation');
});
