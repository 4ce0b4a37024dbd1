/** Retention is wired into the app: history older than 90 days is pruned when the app starts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createApp } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { manualClock } from '../support/memoryRepositories.js';

it('prunes commands older than 90 days at start, keeps newer ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-retention-'));
  const clock = manualClock();
  const config = loadConfig({ HANDSFREE_DATA_DIR: dir });
  try {
    let app = await createApp(config, { logger: SILENT_LOGGER, clock });
    await app.service.runCommand({ text: 'help' }, { userId: 'u', transport: 'cli' });
    await app.close();
    clock.advance(60 * 86_400_000);
    app = await createApp(config, { logger: SILENT_LOGGER, clock });
    expect(app.store.repos.commands.recent()).toHaveLength(1);
    await app.service.runCommand({ text: 'repeat' }, { userId: 'u', transport: 'cli' });
    await app.close();
    clock.advance(31 * 86_400_000);
    app = await createApp(config, { logger: SILENT_LOGGER, clock });
    expect(app.store.repos.commands.recent().map((c) => c.intent)).toEqual(['system.repeat']);
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
