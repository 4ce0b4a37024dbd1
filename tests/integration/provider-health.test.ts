/**
 * Status reports each provider's last failure and when it happened (GitHub from commands and the
 * poller, STT/TTS from the speech providers), kept after the provider works again; answers such as
 * "no such PR" are not failures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';

describe('provider health: last error and when', () => {
  let dir: string;
  let app: App;
  const gw = new FixtureGitHubGateway();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-health-'));
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'stub' }), { logger: SILENT_LOGGER, github: gw });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GitHub: an outage is kept with its time after GitHub answers again; "not found" is not an outage', async () => {
    const before = await app.service.status();
    expect(before.github.last_error).toBeNull();
    expect(before.speech!.stt.last_error).toBeNull();
    expect(before.speech!.tts.last_error).toBeNull();

    gw.injectFault({ method: 'listRepos', error: new AppError('pr_not_found', 'no such PR') });
    await expect(app.github.listRepos()).rejects.toThrow('no such PR');
    expect((await app.service.status()).github.last_error).toBeNull();

    const t0 = Date.now();
    gw.injectFault({ method: 'listRepos', error: new AppError('github_unavailable', 'GitHub answered 503') });
    await expect(app.github.listRepos()).rejects.toThrow('GitHub answered 503');
    expect((await app.github.listRepos()).length).toBeGreaterThan(0); // healthy again
    const after = await app.service.status();
    expect(after.github.ok).toBe(true);
    expect(after.github.last_error!.message).toBe('github_unavailable: GitHub answered 503');
    expect(Date.parse(after.github.last_error!.at)).toBeGreaterThanOrEqual(t0 - 5);
    expect(Date.parse(after.github.last_error!.at)).toBeLessThanOrEqual(Date.now());
  });

  it('TTS (espeak-ng): a failed synthesis is kept with its time', async () => {
    const speech = await app.speech();
    const t0 = Date.now();
    await expect(speech.tts.synthesize('hello', { voice: 'no such voice' })).rejects.toThrow(/unknown voice/);
    const h = (await app.service.status()).speech!.tts;
    expect(h.last_error).toMatchObject({ message: 'unknown voice "no such voice"' });
    expect(Date.parse(h.last_error!.at)).toBeGreaterThanOrEqual(t0 - 5);
  });
});
