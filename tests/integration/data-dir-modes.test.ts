/**
 * Issue 13: the data dir is 0700 and every file in it 0600 from the first write (store journal
 * and snapshots, audit, settings, API secret, token file), whatever the process umask is.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../main/app/config.js';
import { LOCAL_SECRET_FILE } from '../../main/server/localSecret.js';
import { startBrowserMode } from '../../main/ui/start.js';

const root = mkdtempSync(join(tmpdir(), 'hf-modes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every path under `dir` whose mode lets group or others in, with its mode. */
function loose(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if ((statSync(d).mode & 0o077) !== 0) out.push(`${d} ${(statSync(d).mode & 0o777).toString(8)}`);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if ((statSync(p).mode & 0o077) !== 0) out.push(`${p} ${(statSync(p).mode & 0o777).toString(8)}`);
    }
  };
  walk(dir);
  return out;
}

it.skipIf(process.platform === 'win32')('a fresh data dir is 0700 and every file the app writes is 0600', async () => {
  const old = process.umask(0o022); // the usual umask: modes must not depend on it
  const dir = join(root, 'fresh', 'data');
  try {
    const ui = await startBrowserMode(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_LOG_LEVEL: 'silent' }), { port: 0, env: {} });
    try {
      const auth = { authorization: `Bearer ${readFileSync(join(dir, LOCAL_SECRET_FILE), 'utf8').trim()}`, 'content-type': 'application/json' };
      const call = (name: string, req: unknown) => fetch(`${ui.url}/v1/ui/call/${name}`, { method: 'POST', headers: auth, body: JSON.stringify({ req }) });
      // Settings, a plaintext token (opted in), a planned and a cancelled action (journal, audit).
      expect((await call('settings.update', { profile: 'terse', allowPlaintextSecrets: true })).status).toBe(200);
      expect((await call('secret.setToken', { token: 'ghp_modecheck' })).status).toBe(200);
      const planned = (await (await call('command.run', { text: 'merge PR 12 in acme/api' })).json()) as { res: { pending_action: { token: string } } };
      expect((await call('action.cancel', { token: planned.res.pending_action.token })).status).toBe(200);
    } finally {
      await ui.close();
    }
    expect(readdirSync(dir).length).toBeGreaterThanOrEqual(4);
    expect(loose(dir)).toEqual([]);
  } finally {
    process.umask(old);
  }
}, 60_000);

it.skipIf(process.platform === 'win32')('an existing data dir others can read is narrowed to 0700 at start', async () => {
  const dir = join(root, 'old');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const ui = await startBrowserMode(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_LOG_LEVEL: 'silent' }), { port: 0, env: {} });
  await ui.close();
  expect(statSync(dir).mode & 0o777).toBe(0o700);
}, 60_000);
