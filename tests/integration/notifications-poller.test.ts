/**
 * Notification polling against the fake GitHub (OpenAPI-validated): If-Modified-Since → 304 costs
 * no rate limit, X-Poll-Interval is honoured, an idle hour costs 0 points, a new notification is
 * one row + one UI push + one spoken batch, errors back off, a fine-grained token stops polling
 * with a clear message (NET-4, NET-6).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvents } from '../../contract/events.js';
import { AppEventBus } from '../../main/app/events.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { NotificationCenter } from '../../main/notifications/notificationCenter.js';
import { openStore, type Store } from '../../main/store/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

let fake: FakeGitHub;
let dir: string;
let store: Store;
let now: number;
let events: AppEventBus;
let pushed: AppEvents['notification.new'][];
let spoken: AppEvents['notification.spoken'][];
let status: AppEvents['notification.poller'][];

beforeAll(async () => {
  fake = await startFakeGitHub({ pollIntervalS: 120 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'hf-poll-'));
  store = await openStore({ path: join(dir, 'db.sqlite') });
  now = Date.parse('2026-03-02T10:00:00Z');
  events = new AppEventBus();
  pushed = [];
  spoken = [];
  status = [];
  events.on('notification.new', (e) => pushed.push(e));
  events.on('notification.spoken', (e) => spoken.push(e));
  events.on('notification.poller', (e) => status.push(e));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  expect(fake.validationErrors).toEqual([]);
});

function center(token = 'ghp_polltest') {
  const github = new OctokitGitHubGateway({ token, baseUrl: fake.url, circuitBreaker: false, readRetries: 0, clock: { nowMs: () => Date.now() } });
  const c = new NotificationCenter({ store, github, events, userId: 'sam', nowMs: () => now, gate: { isUserSpeaking: () => false, hasPendingConfirmation: () => false } });
  return { c, github };
}

const polls = () => fake.requests.filter((r) => r.path === '/notifications');

/** Advances the fake clock in 1 s steps for `seconds`, ticking the poller at each step. */
async function idle(c: NotificationCenter, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    now += 1000;
    await c.poller.tick();
  }
}

describe('notification poller on the fake GitHub', () => {
  it('first poll stores every unread thread once; an idle hour is all 304s at X-Poll-Interval and costs 0 rate-limit points', async () => {
    const { c, github } = center();
    const first = await c.poller.tick();
    expect(first.kind).toBe('changed');
    const unread = fake.state.unreadThreads().length;
    expect(unread).toBeGreaterThan(0);
    expect(store.all('SELECT COUNT(*) AS n FROM notifications')[0]?.['n']).toBe(unread);
    expect(pushed).toHaveLength(unread);
    expect(spoken).toHaveLength(1);
    const remainingAfterFirst = github.rateLimit()!.remaining;

    await idle(c, 3600);
    const idlePolls = polls().slice(1);
    // X-Poll-Interval: 120 → exactly one poll per 120 s, never sooner.
    expect(idlePolls).toHaveLength(30);
    expect(idlePolls.every((r) => r.status === 304)).toBe(true);
    expect(github.rateLimit()!.remaining).toBe(remainingAfterFirst);
    expect(pushed).toHaveLength(unread);
    expect(spoken).toHaveLength(1);
    expect(store.all('SELECT COUNT(*) AS n FROM notifications')[0]?.['n']).toBe(unread);
  });

  it('a new notification becomes exactly one row, one UI push and one spoken batch', async () => {
    const { c } = center();
    await c.poller.tick();
    const rows = Number(store.all('SELECT COUNT(*) AS n FROM notifications')[0]?.['n']);
    pushed = [];
    spoken = [];
    const t = fake.state.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 12, reason: 'review_requested' });
    await idle(c, 600);
    expect(store.all('SELECT COUNT(*) AS n FROM notifications')[0]?.['n']).toBe(rows + 1);
    expect(pushed.map((p) => p.item.thread_id)).toEqual([t.id]);
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.text).toMatch(/review request on PR 12 in acme\/api/);
    expect(spoken[0]!.thread_ids).toEqual([t.id]);
    // Only the poll right after the change was a 200.
    expect(polls().filter((r) => r.status === 200)).toHaveLength(2);
  });

  it('restarting keeps Last-Modified: the first poll after a restart is a 304 and nothing is re-announced', async () => {
    const a = center();
    await a.c.poller.tick();
    pushed = [];
    spoken = [];
    const b = center();
    now += 121_000;
    expect((await b.c.poller.tick()).kind).toBe('not_modified');
    expect(pushed).toEqual([]);
    expect(spoken).toEqual([]);
  });

  it('backs off on 5xx and honours a secondary rate limit (no request before retry-after)', async () => {
    const { c } = center();
    await c.poller.tick();
    fake.faults.serverError(502, { times: 1, match: { path: '/notifications' } });
    await idle(c, 120);
    const failedAt = now;
    expect(polls().at(-1)!.status).toBe(502);
    const n = polls().length;
    await idle(c, 239);
    expect(polls().length).toBe(n); // back-off: 2 × 120 s
    await idle(c, 2);
    expect(polls().length).toBe(n + 1);
    expect(now - failedAt).toBeGreaterThanOrEqual(240_000);

    fake.faults.rateLimited({ retryAfterS: 900, times: 1, match: { path: '/notifications' } });
    await idle(c, 130);
    const limitedAt = polls().length;
    expect(polls().at(-1)!.status).toBe(429);
    await idle(c, 880);
    expect(polls().length).toBe(limitedAt);
  });

  it('a fine-grained token (403) stops polling and says a classic or OAuth token is needed, once', async () => {
    const { c } = center('github_pat_finegrained');
    fake.faults.add({ match: { path: '/notifications' }, times: Infinity, action: { kind: 'status', status: 403, message: 'Resource not accessible by personal access token' } });
    const r = await c.poller.tick();
    expect(r).toMatchObject({ kind: 'failed', code: 'github_forbidden' });
    expect(status.at(-1)?.state).toBe('stopped');
    expect(status.at(-1)?.message).toMatch(/classic token/);
    expect(status.at(-1)?.message).toMatch(/fine-grained/);
    await idle(c, 600);
    expect(polls()).toHaveLength(1);
    expect(status.filter((s) => s.state === 'stopped')).toHaveLength(1);
  });
});
