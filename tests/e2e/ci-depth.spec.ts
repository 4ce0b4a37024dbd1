/**
 * The UI twins of issue 15's CI and PR-depth intents: the PR card's What changed, Comments, Why
 * failing and Rerun failed… controls send the spoken commands; the re-run is read back and sent
 * once on Confirm.
 */
import type { Page } from '@playwright/test';
import { demoWrites, expect, test } from './fixtures.js';

/** Re-runs recorded by the fixture gateway's write journal (their [repo, runId] args). */
const reruns = (dataDir: string) => demoWrites(dataDir, 'rerunFailedJobs');

async function showPr15(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Command/ }).click();
  const input = page.getByLabel('Say or type a command');
  await input.fill('read PR 15 in acme/api');
  await input.press('Enter');
  await expect(page.getByTestId('pr-card').first()).toBeVisible();
}

test('What changed, Comments and Why failing on the PR card answer from GitHub', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await showPr15(page);
  const spoken = page.getByTestId('spoken-text');
  await page.getByTestId('pr-card').first().locator('[data-action="pr.diff_summary"]').click();
  await expect(spoken).toContainText('PR 15 in acme/api changes 11 files: 412 lines added, 35 removed.');
  await page.getByTestId('pr-card').first().locator('[data-action="pr.comments"]').click();
  await expect(spoken).toContainText('3 comments on PR 15 in acme/api, newest first.');
  await page.getByTestId('pr-card').first().locator('[data-action="pr.checks_failure"]').click();
  await expect(spoken).toContainText('integration-tests failed at step Run integration tests.');
  // Reads only: nothing written to GitHub.
  for (const m of ['rerunFailedJobs', 'createComment', 'submitReview', 'mergePullRequest']) expect(demoWrites(app.dataDir, m)).toEqual([]);
});

test('Rerun failed… reads back, and Confirm re-runs the failed jobs once', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await showPr15(page);
  await page.getByTestId('pr-card').first().locator('[data-action="pr.rerun_checks"]').click();
  const card = page.getByTestId('confirmation-card');
  await expect(card).toHaveAttribute('data-state', 'pending');
  await expect(card.getByTestId('readback')).toContainText('Rerun the failed jobs of 1 workflow run on acme/api PR 15');
  expect(reruns(app.dataDir)).toEqual([]);
  await card.getByRole('button', { name: 'Confirm' }).click();
  await expect(card).toHaveAttribute('data-state', 'done');
  await expect(card.getByTestId('outcome')).toContainText('Re-running the failed checks on PR 15 in acme/api.');
  expect(reruns(app.dataDir)).toHaveLength(1);
});
