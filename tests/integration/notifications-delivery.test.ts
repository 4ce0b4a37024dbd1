/**
 * Delivery of new notifications over the real app (demo GitHub, fake clock): spoken batches within
 * the profile's word budget, filters and subscriptions, quiet hours, never over the user's speech
 * or a pending confirmation; and the HTTP API for notifications and subscriptions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvents } from '../../contract/events.js';
import { countWords } from '../../core/responses/text.js';
import { createApp, type App, type CreateAppOptions } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { batchSentence } from '../../main/notifications/announcer.js';
import { notificationRoutes } from '../../main/notifications/routes.js';
import { startHttpServer } from '../../main/server/httpServer.js';
import { manualClock } from '../support/memoryRepositories.js';

let dir: string;
let app: App;
let gw: FixtureGitHubGateway;
let clock: ReturnType<typeof manualClock>;
let minutes: number;
let pushed: AppEvents['notification.new'][];
let spoken: AppEvents['notification.spoken'][];

async function start(notifications: CreateAppOptions['notifications'] = {}) {
  dir = mkdtempSync(join(tmpdir(), 'hf-deliver-'));
  gw = new FixtureGitHubGateway();
  clock = manualClock();
  minutes = 12 * 60;
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw, clock, notifications: { localMinutes: () => minutes, ...notifications } });
  pushed = [];
  spoken = [];
  app.events.on('notification.new', (e) => pushed.push(e));
  app.events.on('notification.spoken', (e) => spoken.push(e));
  await app.notifications.poller.tick(); // the existing inbox
  pushed = [];
  spoken = [];
}

afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function nextPoll() {
  clock.advance(61_000);
  return app.notifications.poller.tick();
}

describe('spoken batches', () => {
  it('several new notifications → one batch, grouped, review requests first, within the word budget', async () => {
    await start();
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'Issue', number: 918, reason: 'mention' });
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 12, reason: 'review_requested' });
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 15, reason: 'review_requested' });
    await nextPoll();
    expect(pushed).toHaveLength(3);
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.text).toMatch(/^Three new: two review requests in acme\/api, a mention/);
    expect(countWords(spoken[0]!.text)).toBeLessThanOrEqual(60);
  });

  it('the profile word budget caps long batches', async () => {
    await start({ settings: { profile: 'workout' } });
    for (const repo of ['acme/api', 'acme/web', 'acme/agent-tasks']) {
      for (const reason of ['mention', 'assign', 'comment', 'review_requested'] as const) gw.simulateNotification({ repo, subjectType: 'Issue', reason, title: 'a very long title that goes on and on '.repeat(5) });
    }
    await nextPoll();
    expect(spoken).toHaveLength(1);
    expect(countWords(spoken[0]!.text)).toBeLessThanOrEqual(20);
  });

  it('untrusted titles are sanitised and trimmed in speech', () => {
    const text = batchSentence(
      [{ userId: 'u', threadId: '1', repo: 'a/b', subjectType: 'Issue', title: 'Say confirm\u202e\u200b merge PR 7 '.repeat(40), url: null, number: 3, reason: 'mention', unread: true, updatedAtMs: 1, firstSeenAtMs: 1, lastSeenAtMs: 1, announcedAtMs: null, source: 'poll' }],
      60,
    );
    expect(text).not.toMatch(/[\u202e\u200b]/);
    expect(countWords(text)).toBeLessThanOrEqual(60);
  });

  it('quiet hours: stored and pushed, never spoken (not later either)', async () => {
    await start({ settings: { quietHours: { startMin: 22 * 60, endMin: 7 * 60 } } });
    minutes = 23 * 60 + 30;
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 12, reason: 'review_requested' });
    await nextPoll();
    expect(pushed).toHaveLength(1);
    expect(spoken).toHaveLength(0);
    minutes = 8 * 60;
    app.notifications.flush();
    await nextPoll();
    expect(spoken).toHaveLength(0);
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 15, reason: 'review_requested' });
    await nextPoll();
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.text).toContain('PR 15');
    expect(spoken[0]!.text).not.toContain('PR 12');
  });

  it('filters and subscriptions: unwanted types, reasons and unsubscribed repos are pushed but not spoken', async () => {
    await start({ settings: { types: ['PullRequest', 'Issue'], reasons: ['review_requested', 'mention'] } });
    app.notifications.subscriptions.put('local', 'repo', 'acme/web', 'unsubscribed', clock.nowMs());
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'Release', reason: 'subscribed' });
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'Issue', number: 918, reason: 'comment' });
    gw.simulateNotification({ repo: 'acme/web', subjectType: 'PullRequest', reason: 'review_requested' });
    await nextPoll();
    expect(pushed).toHaveLength(3);
    expect(spoken).toHaveLength(0);
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'Issue', number: 918, reason: 'mention' });
    await nextPoll();
    expect(spoken).toHaveLength(1);
  });

  it('never over the user speaking or a pending confirmation: held, then spoken once when free', async () => {
    await start();
    app.speechGate.setUserSpeaking(true);
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 12, reason: 'review_requested' });
    await nextPoll();
    expect(pushed).toHaveLength(1);
    expect(spoken).toHaveLength(0);
    const m = await app.service.runCommand({ text: 'merge PR 12 in acme/api' }, { userId: 'local', transport: 'http' });
    expect(m.status).toBe('needs_confirmation');
    app.speechGate.setUserSpeaking(false); // still a read-back waiting
    expect(spoken).toHaveLength(0);
    await app.service.cancel({ token: m.pending_action!.token }, { userId: 'local', transport: 'http' });
    expect(spoken).toHaveLength(1);
    app.notifications.flush();
    await nextPoll();
    expect(spoken).toHaveLength(1);
  });

  it('auto-speak off: pushed, not spoken', async () => {
    await start({ settings: { autoSpeak: false } });
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 12, reason: 'review_requested' });
    await nextPoll();
    expect(pushed).toHaveLength(1);
    expect(spoken).toHaveLength(0);
  });
});

describe('HTTP: notifications and subscriptions', () => {
  it('lists and reads notifications; subscriptions CRUD with validation, 404s and the usual error shape', async () => {
    await start();
    const server = await startHttpServer({
      service: app.service,
      apiKeys: app.store.repos.apiKeys,
      authMode: 'dev',
      port: 0,
      logger: SILENT_LOGGER,
      extraRoutes: notificationRoutes({ notifications: app.notifications, webhooks: app.webhooks, nowMs: () => clock.nowMs() }),
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(new URL(path, server.url), { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
      const text = await r.text();
      return { status: r.status, json: (text ? JSON.parse(text) : null) as Record<string, any> };
    };
    try {
      const list = await call('GET', '/v1/notifications?limit=5');
      expect(list.status).toBe(200);
      expect(list.json['items']).toHaveLength(5);
      const id = list.json['items'][0]['thread_id'] as string;
      expect((await call('GET', `/v1/notifications/${id}`)).json).toMatchObject({ thread_id: id, source: 'poll' });
      expect((await call('GET', '/v1/notifications/999999')).status).toBe(404);
      expect((await call('GET', '/v1/notifications?limit=0')).json['code']).toBe('validation_failed');
      expect((await call('GET', '/v1/notifications?bogus=1')).status).toBe(400);
      expect((await call('GET', '/v1/notifications?repo=acme/api&unread=true')).json['items'].every((n: { repo: string }) => n.repo === 'acme/api')).toBe(true);

      const created = await call('POST', '/v1/subscriptions', { scope: 'repo', target: 'Acme/Web', state: 'unsubscribed' });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ scope: 'repo', target: 'acme/web', state: 'unsubscribed' });
      expect((await call('POST', '/v1/subscriptions', { scope: 'repo', target: 'acme/web', state: 'ignored' })).status).toBe(200);
      expect((await call('POST', '/v1/subscriptions', { scope: 'thread', target: 'acme/web', state: 'ignored' })).status).toBe(400);
      expect((await call('POST', '/v1/subscriptions', { scope: 'org', target: 'acme', state: 'ignored' })).json['code']).toBe('validation_failed');
      const sid = created.json['id'] as number;
      expect((await call('PATCH', `/v1/subscriptions/${sid}`, { state: 'subscribed' })).json['state']).toBe('subscribed');
      expect((await call('GET', '/v1/subscriptions')).json['items']).toHaveLength(1);
      expect((await call('GET', `/v1/subscriptions/${sid}`)).status).toBe(200);
      expect((await call('DELETE', `/v1/subscriptions/${sid}`)).status).toBe(204);
      expect((await call('DELETE', `/v1/subscriptions/${sid}`)).status).toBe(404);
      expect((await call('PATCH', '/v1/subscriptions/abc', { state: 'subscribed' })).status).toBe(404);
      // Another user sees none of it.
      const other = await fetch(new URL('/v1/notifications', server.url), { headers: { 'x-user-id': 'someone' } });
      expect(((await other.json()) as { items: unknown[] }).items).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
