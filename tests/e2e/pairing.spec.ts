/**
 * Settings → Pair a phone in the desktop UI (browser mode) with the LAN listener on: the code and
 * QR appear, a "phone" (an HTTPS client here) pairs with the code shown, the panel lists it, and
 * Unpair revokes it. The LAN listener binds 127.0.0.2 (no real LAN in CI).
 */
import AxeBuilder from '@axe-core/playwright';
import { request } from 'node:https';
import { rmSync } from 'node:fs';
import { authorize, expect, shot, startApp, test } from './fixtures.js';

function lanPost(url: string, path: string, body: unknown): Promise<{ status: number; json: any; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: 'POST', rejectUnauthorized: false, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const fp = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null, fingerprint256: fp }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('a phone pairs with the code the Settings screen shows, and is unpaired from there', async ({ page, context }) => {
  test.setTimeout(90_000);
  const app = await startApp({ env: { HANDSFREE_LAN: '1', HANDSFREE_LAN_HOST: '127.0.0.2', HANDSFREE_LAN_PORT: '0' } });
  try {
    await authorize(context, app);
    await page.goto(`${app.url}/`);
    await page.locator('nav button[data-screen="settings"]').click();
    await page.getByTestId('pairing-show').click();
    await expect(page.getByTestId('pairing-qr')).toBeVisible();
    const code = (await page.getByTestId('pairing-code').textContent())!.trim();
    expect(code).toMatch(/^\d{8}$/);
    const fingerprint = (await page.getByTestId('pairing-fingerprint').textContent())!.trim();
    await shot(page, 'settings-pair-phone');
    const axe = await new AxeBuilder({ page }).include('[data-testid=pair-phone]').withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    const lanUrl = /https:\/\/127\.0\.0\.2:\d+/.exec((await page.getByTestId('pair-phone').textContent()) ?? '')![0];
    const paired = await lanPost(lanUrl, '/v1/pairing', { code, device_name: 'Test phone' });
    expect(paired.status).toBe(201);
    expect(paired.fingerprint256).toBe(fingerprint);

    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('paired-phones')).toContainText('Test phone');
    await page.getByRole('button', { name: 'Unpair Test phone' }).click();
    await expect(page.getByTestId('paired-phones')).toHaveCount(0);
  } finally {
    await app.stop();
    rmSync(app.dataDir, { recursive: true, force: true });
  }
});
