/**
 * The speech providers start no helper process until replies are about to be spoken: a status
 * check or a one-off synthesis must not leave a flite waiting on its pipe (one was left per
 * status call before speech was first used).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app/app.js';
import { loadConfig } from '../app/config.js';
import { SILENT_LOGGER } from '../log/logger.js';
import { fliteAvailable } from './flite.js';
import { createSpeechProviders } from './providers.js';

/** flite processes started by this process. */
function fliteChildren(): number {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', 'flite'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}
const settle = () => new Promise((r) => setTimeout(r, 300));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!fliteAvailable())('speech providers: helper processes', () => {
  it("no flite until warmUp(); warmUp() loads the default voice's; close() ends it", async () => {
    const p = createSpeechProviders({ stt: 'stub', tts: 'offline' });
    cleanups.push(() => p.close());
    await settle();
    expect(fliteChildren()).toBe(0);
    p.warmUp();
    await vi.waitFor(() => expect(fliteChildren()).toBe(1), { timeout: 5000, interval: 50 });
    p.close();
    await vi.waitFor(() => expect(fliteChildren()).toBe(0), { timeout: 5000, interval: 50 });
  });

  it('a status check before speech is used leaves no process behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-providers-'));
    const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'stub', HANDSFREE_TTS: 'offline' }), { logger: SILENT_LOGGER });
    cleanups.push(async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const status = await app.service.status();
    expect(status.speech?.tts.provider).toMatch(/offline/);
    await settle();
    expect(fliteChildren()).toBe(0);
  });
});
