/**
 * The app's own housekeeping timers (issue 18: disabling either passed every test):
 * - retention: commands and notifications older than 90 days are pruned daily while the app runs,
 *   not only at start;
 * - webhook delivery GUIDs older than the retention window are pruned on the poll timer.
 * Driven with a manual clock and fake interval timers (only setInterval/clearInterval are faked).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { DELIVERY_RETENTION_MS } from '../../main/notifications/webhookReceiver.js';
import { manualClock } from '../support/memoryRepositories.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let dir: string;
let app: App | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hf-housekeeping-'));
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** Moves both clocks and lets the interval timers due in that span fire. */
async function elapse(clock: ReturnType<typeof manualClock>, ms: number, tickMs: number): Promise<void> {
  clock.advance(ms);
  await vi.advanceTimersByTimeAsync(tickMs);
}

describe('daily retention while running', () => {
  it('prunes history older than 90 days within a day of it becoming old, at most once a day', async () => {
    const clock = manualClock();
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway(), clock, reconcileEveryMs: 60_000 });
    await app.service.runCommand({ text: 'help' }, { userId: 'u', transport: 'cli' });
    expect(app.store.repos.commands.recent()).toHaveLength(1);

    // Day 89: the daily prune runs, but the command is not old yet.
    await elapse(clock, 89 * DAY, 60_000);
    expect(app.store.repos.commands.recent()).toHaveLength(1);
    // 90 days + 1 h: old now, but the last prune was an hour ago → kept until the next daily run.
    await elapse(clock, DAY + HOUR, 60_000);
    const pruneSpy = vi.spyOn(app.store, 'prune');
    await elapse(clock, HOUR, 60_000);
    expect(pruneSpy).not.toHaveBeenCalled();
    // A day after the last prune: gone.
    await elapse(clock, DAY, 60_000);
    expect(app.store.repos.commands.recent()).toHaveLength(0);
  });
});

describe('webhook delivery GUID pruning while running', () => {
  it('drops GUIDs older than the retention window on the poll timer and keeps newer ones', async () => {
    const clock = manualClock();
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway(), clock, startPolling: true, webhookSecret: null });
    const insert = (guid: string, atMs: number) =>
      app!.store.run(
        "INSERT INTO webhook_events (delivery_guid, event, payload_sha256, status, received_at_ms, last_received_at_ms) VALUES (?, 'pull_request', 'h', 'processed', ?, ?)",
        [guid, atMs, atMs],
      );
    const guids = () => app!.store.all('SELECT delivery_guid FROM webhook_events ORDER BY delivery_guid').map((r) => r['delivery_guid']);
    insert('old', clock.nowMs());
    await elapse(clock, DELIVERY_RETENTION_MS - DAY, 0);
    insert('new', clock.nowMs());
    // Not yet past the window: the timer runs and keeps both.
    await elapse(clock, 0, 120_000);
    expect(guids()).toEqual(['new', 'old']);
    // Two days later 'old' is past the window; the next poll tick removes it.
    await elapse(clock, 2 * DAY, 120_000);
    expect(guids()).toEqual(['new']);
  });
});
