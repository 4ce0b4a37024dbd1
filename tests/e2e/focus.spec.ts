/**
 * The focus commands' UI twins (issue 15) in browser mode on the demo account: each control sends
 * the spoken command. Snooze 1 h (card menu), Mark all read… (read-back, one write on Confirm),
 * My pull requests and Review requests (Inbox toolbar), Use this repo (Inbox group).
 */
import type { Page } from '@playwright/test';
import { demoWrites as writes, expect, post, test } from './fixtures.js';

async function toCommandScreen(page: Page): Promise<void> {
  await page.locator('nav button[data-screen="command"]').click();
}

test('Snooze 1 h hides the card; when due, it comes back with the next rundown', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  const cards = page.getByTestId('inbox-card');
  await expect(cards.first()).toBeVisible();
  const first = cards.first();
  const thread = await first.getAttribute('data-thread');
  await first.getByRole('button', { name: /More actions/ }).click();
  await first.locator('[data-action="notification.snooze"]').click();
  await expect(page.locator(`[data-testid="inbox-card"][data-thread="${thread}"]`)).toHaveCount(0);
  // An hour and a minute later on the app's clock (test-only route); the rundown brings it back.
  expect((await post(app.url, '/v1/ui/test/advance-clock', { ms: 61 * 60_000 })).status).toBe(200);
  await page.locator('[data-action="inbox.refresh"]').click();
  await expect(page.locator(`[data-testid="inbox-card"][data-thread="${thread}"]`)).toHaveCount(1);
});

test('Mark all read… reads back the count; Confirm sends one mark-all and empties the inbox', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await expect(page.getByTestId('inbox-card').first()).toBeVisible();
  await page.locator('[data-action="inbox.mark_all_read"]').click();
  await toCommandScreen(page);
  const card = page.getByTestId('confirmation-card');
  await expect(card).toHaveAttribute('data-state', 'pending');
  await expect(card.getByTestId('readback')).toContainText(/Mark \d+ unread notifications in \d+ repos as read on GitHub/);
  expect(writes(app.dataDir, 'markAllNotificationsRead')).toEqual([]);
  await card.getByRole('button', { name: 'Confirm' }).click();
  await expect(card).toHaveAttribute('data-state', 'done');
  await expect(card.getByTestId('outcome')).toContainText(/Marked \d+ notifications as read/);
  expect(writes(app.dataDir, 'markAllNotificationsRead')).toHaveLength(1);
  await page.locator('nav button[data-screen="inbox"]').click();
  await expect(page.getByTestId('inbox-counts')).toContainText('0 unread');
});

test('My pull requests and Review requests answer with PR cards', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await page.locator('[data-action="inbox.my_prs"]').click();
  await page.locator('[data-action="inbox.review_requests"]').click();
  await toCommandScreen(page);
  const mine = page.locator('[data-testid="turn"][data-intent="inbox.my_prs"]');
  await expect(mine.getByTestId('turn-reply')).toContainText(/^You have \d+ open pull requests?\./);
  await expect(mine.getByTestId('pr-card').first()).toBeVisible();
  const asked = page.locator('[data-testid="turn"][data-intent="inbox.review_requests"]');
  await expect(asked.getByTestId('turn-reply')).toContainText(/waiting for your review/);
  await expect(asked.getByTestId('pr-card').first()).toBeVisible();
});

test('Use this repo on an Inbox group sets the session repo; a bare PR number then means it', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  const group = page.locator('[data-testid="inbox-group"][data-repo="acme/web"]');
  await group.locator('[data-action="session.use_repo"]').click();
  await toCommandScreen(page);
  const used = page.locator('[data-testid="turn"][data-intent="session.use_repo"]');
  await expect(used.getByTestId('turn-reply')).toHaveText('Using acme slash web. A PR number on its own now means acme slash web.');
  const input = page.getByLabel('Say or type a command');
  await input.fill('read PR 211');
  await input.press('Enter');
  await expect(page.locator('[data-testid="turn"][data-intent="pr.summarize"]').getByTestId('turn-reply')).toContainText('PR 211 in acme/web');
});
