/** The review commands' UI twins (issue 15): the PR card's Approve… and Request changes… controls send the spoken commands. */
import type { Page } from '@playwright/test';
import { demoWrites, expect, test } from './fixtures.js';

/** Reviews recorded by the fixture gateway's write journal, by event. */
function reviews(dataDir: string): string[] {
  return demoWrites(dataDir, 'submitReview').map((a) => (a[0] as { event: string }).event);
}

async function showPr(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Command/ }).click();
  const input = page.getByLabel('Say or type a command');
  await input.fill('read PR 12 in acme/api');
  await input.press('Enter');
  await expect(page.getByTestId('pr-card').first()).toBeVisible();
}

test('Approve… on the PR card reads back, and Confirm submits one approval', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await showPr(page);
  await page.getByTestId('pr-card').first().locator('[data-action="pr.approve"]').click();
  const card = page.getByTestId('confirmation-card');
  await expect(card).toHaveAttribute('data-state', 'pending');
  await expect(card.getByTestId('readback')).toContainText('Approve acme/api PR 12');
  expect(reviews(app.dataDir)).toEqual([]);
  await card.getByRole('button', { name: 'Confirm' }).click();
  await expect(card).toHaveAttribute('data-state', 'done');
  await expect(card.getByTestId('outcome')).toContainText('Approved PR 12');
  expect(reviews(app.dataDir)).toEqual(['APPROVE']);
});

test('Request changes… needs the words, then sends them', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await showPr(page);
  const pr = page.getByTestId('pr-card').first();
  await expect(pr.locator('[data-action="pr.request_changes"]')).toBeDisabled();
  await pr.getByLabel('Comment text').fill('please add tests');
  await pr.locator('[data-action="pr.request_changes"]').click();
  const card = page.getByTestId('confirmation-card');
  await expect(card.getByTestId('readback')).toContainText('Request changes on acme/api PR 12');
  await card.getByRole('button', { name: 'Confirm' }).click();
  await expect(card).toHaveAttribute('data-state', 'done');
  expect(reviews(app.dataDir)).toEqual(['REQUEST_CHANGES']);
});
