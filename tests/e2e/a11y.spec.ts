/** Keyboard operation, labels, visible focus and live announcements. */
import { expect, test } from './fixtures.js';

test('keyboard-only: navigate screens, run a command, hear it announced', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await expect(page.getByTestId('inbox-card').first()).toBeVisible();
  const command = page.locator('nav button[data-screen="command"]');
  await command.focus();
  const outline = await command.evaluate('getComputedStyle(document.activeElement).outlineStyle');
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(command).toHaveAttribute('aria-current', 'page');
  await page.getByLabel('Say or type a command').focus();
  await page.keyboard.type('what needs my attention');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('live-region')).not.toHaveText('');
  await expect(page.getByTestId('pipeline-stage')).toContainText('idle');
  // Every button and form control has an accessible name.
  const unnamed = await page.evaluate(`[...document.querySelectorAll('button, input, select')].filter((el) => {
    const name = el.getAttribute('aria-label') || el.textContent.trim() || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest('label');
    return !name;
  }).length`);
  expect(unnamed).toBe(0);
});

test('inbox cards: arrow keys move focus between cards', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  const cards = page.getByTestId('inbox-card');
  await cards.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(cards.nth(1)).toBeFocused();
});
