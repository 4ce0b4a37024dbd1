/**
 * The `handsfree` command as a user runs it: separate processes over one data dir, the demo
 * journey, JSON output, exit codes, and sharing a session with a running `handsfree serve`.
 * Needs the TypeScript build (npm test builds first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandResponse } from '../../contract/response.js';
import { REPO_ROOT } from '../../main/app/config.js';

const BIN = join(REPO_ROOT, 'bin', 'handsfree.js');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'fixture', HANDSFREE_LOG_LEVEL: 'error', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('handsfree CLI', () => {
  it('ask --json prints a real response with cards, no keys or network', () => {
    const r = cli(['ask', 'what needs my attention', '--json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as CommandResponse;
    expect(res.status).toBe('ok');
    expect(res.intent.name).toBe('inbox.summary');
    expect(res.cards.filter((c) => c.kind === 'notification').length).toBeGreaterThanOrEqual(15);
    expect(res.debug.correlation_id).toMatch(/^[0-9a-f]+$/);
  });

  it('show my inbox → read the first one → merge it → confirm, across processes', () => {
    expect(cli(['ask', 'show my inbox']).out).toMatch(/notifications/);
    expect(cli(['ask', 'read the first one']).out).toMatch(/PR 12 in acme\/api/);
    const merge = cli(['ask', 'merge it']);
    expect(merge.code).toBe(0);
    expect(merge.out).toMatch(/^Merge acme\/api PR 12 into main .*head [0-9a-f]{7}.*titled: Fix login redirect loop\. Say confirm or cancel\.$/m);
    expect(merge.err).toMatch(/handsfree confirm [0-9a-f]{32}/);
    const confirm = cli(['confirm']);
    expect(confirm.code).toBe(0);
    expect(confirm.out.trim()).toBe('Merged PR 12 in acme/api.');
    // The demo account remembers the merge, and the token cannot be used again.
    expect(cli(['ask', 'read it again']).out).toMatch(/merged/);
    const token = /handsfree confirm ([0-9a-f]{32})/.exec(merge.err)![1]!;
    const replay = cli(['confirm', token, '--json']);
    expect(replay.code).toBe(1);
    expect((JSON.parse(replay.out) as CommandResponse).error?.code).toBe('token_used');
  });

  it('exit codes and messages for bad input', () => {
    const empty = cli(['ask', '']);
    expect(empty.code).toBe(1);
    expect(empty.out).toMatch(/didn't hear a command/);
    const forged = cli(['confirm', 'f'.repeat(32)]);
    expect(forged.code).toBe(1);
    expect(forged.out).toMatch(/isn't valid/);
    const usage = cli(['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/unknown command/);
    expect(cli(['ask', 'help', '--profile', 'sleepy']).code).toBe(2);
    const live = cli(['ask', 'what needs my attention'], { HANDSFREE_MODE: 'live', HANDSFREE_GITHUB_TOKEN: '', GITHUB_TOKEN: '' });
    expect(live.code).toBe(2); // empty token variables are a configuration error, named
    const liveNoToken = spawnSync(process.execPath, [BIN, 'ask', 'what needs my attention'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live', HANDSFREE_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(liveNoToken.status).toBe(1);
    expect(liveNoToken.stdout).toMatch(/GitHub token/);
  });

  it('status names the mode and the store', () => {
    const r = cli(['status', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ mode: 'fixture', github: { ok: true, account: 'sam-dev' }, store: { ok: true } });
  });

  it('a CLI call and HTTP calls continue one session, with and without a running server', async () => {
    // Without a server: the CLI writes the session to the store…
    expect(cli(['ask', 'read PR 12 in acme/api', '--session', 'shared']).code).toBe(0);
    // …and a server started afterwards continues it.
    const server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: { ...process.env, HANDSFREE_DATA_DIR: dir, HANDSFREE_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buf = '';
        server.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
          if (m) resolve(m[1]!);
        });
        server.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
      });
      const post = async (path: string, body: unknown) => {
        // The per-install secret the server created (0600, like the CLI reads it).
        const secret = readFileSync(join(dir, 'api-secret'), 'utf8').trim();
        const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify(body) });
        return (await res.json()) as CommandResponse;
      };
      const merge = await post('/v1/command', { text: 'merge it', session_id: 'shared' });
      expect(merge.status).toBe('needs_confirmation');
      expect(merge.pending_action).toMatchObject({ repo: 'acme/api', number: 12 });
      // The CLI now forwards to the running server (it holds the store) and confirms in the same session.
      const confirm = cli(['confirm', '--session', 'shared']);
      expect(confirm.out.trim()).toBe('Merged PR 12 in acme/api.');
      // With the server's discovery file gone, the CLI cannot take the store: a clear error, not corruption.
      unlinkSync(join(dir, 'server.json'));
      const locked = cli(['ask', 'help']);
      expect(locked.code).toBe(2);
      expect(locked.err).toMatch(/lock|another|in use|running/i);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
    // After the server stopped, the CLI opens the store again and sees the session's last PR.
    expect(cli(['ask', 'read it again', '--session', 'shared']).out).toMatch(/PR 12 in acme\/api.*merged/s);
  }, 60_000);
});
