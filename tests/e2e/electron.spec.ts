/** The same journey in the Electron shell (`_electron.launch`); skipped where the binary is absent. */
import { _electron as electron } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, REPO, test } from './fixtures.js';

function electronBinary(): string | null {
  const pathTxt = join(REPO, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = join(REPO, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const binary = electronBinary();

test.describe('Electron shell', () => {
  test.skip(binary === null, 'Electron binary not installed (node_modules/electron/dist missing: it cannot be downloaded on this machine); the same renderer is covered in browser mode');

  test('inbox, merge confirmation and outcome in the Electron window', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(REPO, 'build', 'main', 'electron', 'main.js')],
      env: { ...process.env, HANDSFREE_DATA_DIR: mkdtempSync(join(tmpdir(), 'hf-electron-e2e-')) },
    });
    try {
      const page = await app.firstWindow();
      expect(await page.evaluate('[typeof require, typeof process]')).toEqual(['undefined', 'undefined']);
      await expect(page.getByTestId('inbox-card').first()).toBeVisible();
      await page.getByRole('button', { name: /^Command/ }).click();
      await page.getByLabel('Say or type a command').fill('merge PR 12 in acme/api');
      await page.getByLabel('Say or type a command').press('Enter');
      const card = page.getByTestId('confirmation-card');
      await expect(card.getByTestId('countdown')).toBeVisible();
      // CF-9: the click opens a native dialog (not scriptable from the page); answer it from the main process.
      await app.evaluate(({ dialog }) => {
        (dialog as { showMessageBox: unknown }).showMessageBox = async () => ({ response: 1, checkboxChecked: false });
      });
      await card.getByRole('button', { name: 'Confirm' }).click();
      await expect(card).toHaveAttribute('data-state', 'done');
    } finally {
      await app.close();
    }
  });
});
