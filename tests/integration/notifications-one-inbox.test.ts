/**
 * One inbox (issue 12): the spoken rundown, inbox.list, the tray's inbox.changed and
 * GET /v1/notifications read the same store, fed by polls and webhooks; every change is pushed,
 * and one OS alert per batch honours the spoken batch's filters, quiet hours and mute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvents } from '../../contract/events.js';
import type { NotificationThread } from '../../contract/github.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { manualClock } from '../support/memoryRepositories.js';

let dir: string;
let app: App;
let gw: FixtureGitHubGateway;
let clock: ReturnType<typeof manualClock>;
let minutes = 12 * 60;
let changed: AppEvents['inbox.changed'][];
let alerts: AppEvents['notification.alert'][];

async function start() {
  dir = mkdtempSync(join(tmpdir(), 'hf-one-inbox-'));
  gw = new FixtureGitHubGateway();
  clock = manualClock();
  minutes = 12 * 60;
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw, clock, notifications: { localMinutes: () => minutes } });
  changed = [];
  alerts = [];
  app.events.on('inbox.changed', (e) => changed.push(e));
  app.events.on('notification.alert', (e) => alerts.push(e));
}

afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const webhookThread = (n: number, title: string): NotificationThread => ({
  id: `wh:pr:acme/api#${n}`,
  repo: 'acme/api',
  subjectType: 'PullRequest',
  number: n,
  title,
  reason: 'review_requested',
  unread: true,
  updatedAt: new Date(clock.nowMs()).toISOString(),
  htmlUrl: `https://github.com/acme/api/pull/${n}`,
});

const caller = { userId: 'local', transport: 'http' as const };

describe('one inbox', () => {
  it('a webhook-only notification is in the spoken rundown, inbox.list and GET /v1/notifications alike, and survives the next poll', async () => {
    await start();
    const first = await app.service.runCommand({ text: 'what needs my attention', session_id: 's1' }, caller);
    const before = first.cards.filter((c) => c.kind === 'notification').length;
    expect(before).toBeGreaterThan(0);
    changed = [];
    alerts = [];
    app.notifications.ingest('local', webhookThread(4242, 'Webhook only'), 'webhook');
    // Pushed at once, with the count.
    expect(changed.at(-1)!.items.map((c) => c.title)).toContain('Webhook only');
    expect(changed.at(-1)!.unread).toBe(before + 1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ title: 'acme/api: review requested on PR 4242', body: 'Webhook only', count: 1 });
    clock.advance(61_000);
    await app.notifications.poller.tick(); // GitHub's list lacks the webhook's row: it stays unread
    const again = await app.service.runCommand({ text: 'what needs my attention', session_id: 's2' }, caller);
    expect(again.cards.filter((c) => c.kind === 'notification').map((c) => (c.kind === 'notification' ? c.title : ''))).toContain('Webhook only');
    expect(app.notifications.inboxCards().map((c) => c.title)).toContain('Webhook only');
    expect(app.notifications.notifications.list('local', { unreadOnly: true }).map((n) => n.title)).toContain('Webhook only');
  });

  it('"mark done" on a webhook-only thread clears it locally without calling GitHub, and pushes the inbox', async () => {
    await start();
    await app.github.listNotifications();
    app.notifications.ingest('local', webhookThread(4243, 'Done locally'), 'webhook');
    const calls: string[] = [];
    const orig = gw.markThreadDone.bind(gw);
    gw.markThreadDone = (id: string) => {
      calls.push(id);
      return orig(id);
    };
    changed = [];
    await app.github.markThreadDone('wh:pr:acme/api#4243');
    expect(calls).toEqual([]);
    expect(changed.at(-1)!.items.map((c) => c.title)).not.toContain('Done locally');
    expect((await app.github.listNotifications()).map((t) => t.title)).not.toContain('Done locally');
  });

  it('a polled batch is one alert; muted or in quiet hours none, and the inbox is still pushed', async () => {
    await start();
    await app.notifications.poller.tick();
    alerts = [];
    changed = [];
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 12, reason: 'review_requested', title: 'One' });
    gw.simulateNotification({ repo: 'acme/web', subjectType: 'Issue', number: 918, reason: 'mention', title: 'Two' });
    clock.advance(61_000);
    await app.notifications.poller.tick();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.count).toBe(2);
    expect(changed).toHaveLength(1);
    app.notifications.settings = { ...app.notifications.settings, autoSpeak: false };
    app.notifications.ingest('local', webhookThread(5001, 'Muted'), 'webhook');
    app.notifications.settings = { ...app.notifications.settings, autoSpeak: true, quietHours: { startMin: 11 * 60, endMin: 13 * 60 } };
    app.notifications.ingest('local', webhookThread(5002, 'Quiet'), 'webhook');
    expect(alerts).toHaveLength(1);
    expect(changed.at(-1)!.items.map((c) => c.title)).toEqual(expect.arrayContaining(['Muted', 'Quiet']));
  });

  it('before any poll succeeded, a failing GitHub is reported, not an empty inbox', async () => {
    await start();
    gw.pollNotifications = () => Promise.reject(Object.assign(new Error('down'), { code: 'github_unavailable' }));
    await expect(app.github.listNotifications()).rejects.toThrow('down');
  });

  it('while paused (offline / asleep) nothing is polled; resuming polls at once', async () => {
    await start();
    await app.notifications.poller.tick();
    app.notifications.poller.pause('offline', true);
    clock.advance(120_000);
    expect(await app.notifications.poller.tick()).toEqual({ kind: 'paused', reasons: ['offline'] });
    app.notifications.poller.pause('offline', false);
    expect((await app.notifications.poller.tick()).kind).not.toBe('not_due');
  });
});
