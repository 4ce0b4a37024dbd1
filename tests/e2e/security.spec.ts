/** SEC-1/2/3 in browser mode, and the HTTP/WS origin checks. */
import { rmSync } from 'node:fs';
import { authHeaders, authorize, expect, fixturesWithTitle, startApp, test } from './fixtures.js';

test('the renderer has no require, process, module or Buffer', async ({ page, app }) => {
  await page.goto(`${app.url}/`);
  await expect(page.getByTestId('inbox-card').first()).toBeVisible();
  const kinds = await page.evaluate('[typeof require, typeof process, typeof module, typeof globalThis.Buffer]');
  expect(kinds).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
});

test('the page reaches its own event WebSocket under its CSP, and no other localhost port', async ({ page, app }) => {
  const opened = page.waitForEvent('websocket', (ws) => ws.url().endsWith('/v1/ui/events'));
  await page.goto(`${app.url}/`);
  await expect(page.getByTestId('inbox-card').first()).toBeVisible();
  expect((await opened).url()).toBe(`${app.url.replace(/^http/, 'ws')}/v1/ui/events`);
  // connect-src 'self': another loopback port is refused by the page's own policy.
  const other = await page.evaluate(`new Promise((done) => {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
    try { new WebSocket('ws://127.0.0.1:1/x'); } catch (e) { seen.push('threw'); }
    fetch('http://127.0.0.1:1/x').catch(() => undefined);
    setTimeout(() => done(seen), 300);
  })`);
  expect((other as string[]).filter((d) => d.startsWith('connect-src') || d === 'threw').length).toBeGreaterThanOrEqual(2);
});

test('HTML in a PR title renders as text and runs nothing (CSP)', async ({ page }) => {
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const fixtures = fixturesWithTitle('Fix login redirect loop', payload);
  const app = await startApp({ fixturesDir: fixtures });
  try {
    await authorize(page.context(), app);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${app.url}/`);
    const title = page.getByTestId('inbox-title').filter({ hasText: '<img src=x' });
    await expect(title).toBeVisible();
    await expect(title).toContainText('<script>');
    expect(await page.evaluate('document.querySelectorAll("main img, main script").length')).toBe(0);
    // Direct injection probes: CSP blocks inline scripts and handlers even if markup got in.
    const violations = await page.evaluate(`new Promise((done) => {
      let n = 0;
      document.addEventListener('securitypolicyviolation', () => { n += 1; });
      const s = document.createElement('script'); s.textContent = 'window.__pwned = 3'; document.body.appendChild(s);
      const d = document.createElement('div'); d.innerHTML = '<img src=x onerror="window.__pwned=4">'; document.body.appendChild(d);
      const r = document.createElement('script'); r.src = 'data:text/javascript,window.__pwned=5'; document.body.appendChild(r);
      setTimeout(() => done({ n }), 300);
    })`);
    expect((violations as { n: number }).n).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(requests.filter((u) => !u.startsWith(app.url))).toEqual([]);
    await page.screenshot({ path: 'test-results/screenshots/xss-title.png' });
  } finally {
    await app.stop();
    rmSync(fixtures, { recursive: true, force: true });
  }
});

test('the HTTP API and the WebSocket reject a foreign Origin or Host', async ({ app }) => {
  const foreign = await fetch(`${app.url}/v1/ui/call/status.get`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: '{}' });
  expect(foreign.status).toBe(403);
  const same = await fetch(`${app.url}/v1/ui/call/status.get`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: app.url, ...authHeaders(app.url) }, body: '{}' });
  expect(same.status).toBe(200);
  // Same origin but no secret: refused too (issue 13: any local process could call it before).
  const bare = await fetch(`${app.url}/v1/ui/call/status.get`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: app.url }, body: '{}' });
  expect(bare.status).toBe(401);
  const { request } = await import('node:http');
  const port = Number(new URL(app.url).port);
  const raw = (headers: Record<string, string>) =>
    new Promise<number>((done, fail) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/ui/events', headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        done(res.statusCode ?? 0);
      });
      req.on('response', (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      });
      req.on('error', fail);
      req.end();
    });
  expect(await raw({ Origin: 'https://evil.example' })).toBe(403);
  expect(await raw({ Host: 'evil.example' })).toBe(421);
  expect(await raw({ Origin: app.url })).toBe(401);
  expect(await raw({ Origin: app.url, ...authHeaders(app.url) })).toBe(101);
});
