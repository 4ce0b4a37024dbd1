/** The voice runner over the out-of-process audio host (a fake worker): a crash loop turns voice off and says why. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import { createApp } from '../app/app.js';
import { loadConfig } from '../app/config.js';
import { AudioProcessHost } from '../audio/audioProcess.js';
import { SILENT_LOGGER } from '../log/logger.js';
import { VoiceRunner } from './voiceRunner.js';

const FAKE = fileURLToPath(new URL('../audio/testing/fakeAudioWorker.mjs', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  delete process.env['FAKE_WORKER'];
});

describe('VoiceRunner on the audio process', () => {
  it('restarts once quietly; a crash loop makes voice unavailable with the reason, text commands unaffected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-runner-'));
    const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'stub', HANDSFREE_TTS: 'stub' }), { logger: SILENT_LOGGER });
    cleanups.push(async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const events: VoiceStateEvent[] = [];
    app.events.on('voice.state', (e) => events.push(e));
    const runner = await VoiceRunner.start(app, { openAudio: () => AudioProcessHost.start({ workerPath: FAKE, backoffMs: [20, 50] }), loop: { mode: 'ptt' } });
    cleanups.push(() => runner.close());
    expect(runner.status()).toMatchObject({ available: true, state: 'idle' });
    const pid1 = runner.audioStatus()!.pid!;
    process.kill(pid1, 'SIGKILL');
    await vi.waitFor(() => expect(runner.audioStatus()).toMatchObject({ state: 'running', restarts: 1 }), { timeout: 5000 });
    expect(runner.status().available).toBe(true);
    expect(events.some((e) => e.state === 'unavailable')).toBe(false);
    // From now on every new worker dies at once: the next two crashes make three within the minute.
    process.env['FAKE_WORKER'] = 'crash';
    process.kill(runner.audioStatus()!.pid!, 'SIGKILL');
    await vi.waitFor(() => expect(runner.audioStatus()?.state).toBe('failed'), { timeout: 5000 });
    expect(runner.status()).toMatchObject({ available: false, state: 'unavailable', reason: expect.stringMatching(/crashed 3 times within 60 s/) });
    expect(events.at(-1)).toMatchObject({ state: 'unavailable', reason: 'unavailable', message: expect.stringMatching(/voice is off until the app restarts/) });
    expect(runner.pttStart().ok).toBe(false);
    expect((await app.service.runCommand({ text: 'help' }, { userId: app.config.user, transport: 'http' })).status).toBe('ok');
  }, 30_000);
});
