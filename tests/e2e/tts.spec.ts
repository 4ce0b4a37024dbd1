/** TTS test screen in browser mode: synthesize typed text, play it in the page, see time to first audio. */
import { fliteAvailable } from '../../main/speech/flite.js';
import { expect, shot, test } from './fixtures.js';

test('TTS test: text → audio element with a source and the time to first audio; a repeat is cached', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await page.getByRole('button', { name: 'TTS test' }).click();
  await expect(page.getByLabel('Provider')).toHaveValue('offline');
  // The offline provider's default voice: flite's kal16 when flite is installed, else espeak-ng's en-us.
  await expect(page.getByLabel('Voice')).toHaveValue(fliteAvailable() ? 'flite-kal16' : 'en-us');
  await page.getByLabel('Text to speak').fill('Checks are passing on PR 12 in acme api.');
  await page.getByLabel('Format').selectOption('wav');
  const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/ui/call/tts.synthesize')), page.getByRole('button', { name: 'Play' }).click()]);
  expect(resp.status()).toBe(200);
  const ttfa = page.getByTestId('tts-ttfa');
  await expect(ttfa).toHaveText(/^\d+ ms$/);
  const audio = page.getByTestId('tts-audio');
  await expect(audio).toHaveAttribute('src', /^blob:/);
  // The page can decode what it got: the element learns a real duration from the blob.
  await expect.poll(() => audio.evaluate((el) => {
    const d = (el as unknown as { duration: number }).duration;
    return Number.isFinite(d) ? d : 0;
  }), { timeout: 15_000 }).toBeGreaterThan(1);
  await shot(page, 'tts');

  // The same request again comes from the cache.
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(ttfa).toHaveText(/\(cached\)$/);

  // Another format and voice are a new synthesis.
  await page.getByLabel('Voice').selectOption('en-us+f3');
  await page.getByLabel('Format').selectOption('opus');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(ttfa).toHaveText(/^\d+ ms$/);
  await expect(page.getByTestId('tts-result')).toContainText('opus');
});
