/**
 * Notification polling cost, ours vs a naive poller, against the fake GitHub in the same run:
 * - rate-limit points per simulated idle hour (target 0): ours sends If-Modified-Since and honours
 *   X-Poll-Interval, so an unchanged inbox is all 304s; naive polls unconditionally every 60 s and
 *   enriches every notification with one call each.
 * - API calls per inbox summary of 50 notifications (target ≤ 3): ours is one poll (the spoken
 *   batch is built from the list fields); naive is one list call + one call per notification.
 * Time is simulated (an injected clock), so the hour takes seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppEventBus } from '../../main/app/events.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { NotificationCenter } from '../../main/notifications/notificationCenter.js';
import { openStore } from '../../main/store/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

export interface NotificationsBenchResult {
  ours: { idleHourPoints: number; idleHourRequests: number; summaryCalls: number };
  naive: { idleHourPoints: number; idleHourRequests: number; summaryCalls: number };
}

const pointsUsed = (gh: FakeGitHub, fromSeq: number) => gh.requests.filter((r) => r.seq > fromSeq && r.status !== null && r.status !== 304).length;
const requestsSince = (gh: FakeGitHub, fromSeq: number) => gh.requests.filter((r) => r.seq > fromSeq).length;
const lastSeq = (gh: FakeGitHub) => gh.requests.at(-1)?.seq ?? 0;

function fillInbox(gh: FakeGitHub, n: number): void {
  const repos = gh.state.repos().map((r) => r.fullName);
  let i = 0;
  while (gh.state.unreadThreads().length < n) {
    gh.state.simulateNotification({ repo: repos[i % repos.length]!, subjectType: 'Issue', reason: i % 3 === 0 ? 'review_requested' : 'mention', title: `Item ${i}` });
    i++;
  }
}

async function ours(gh: FakeGitHub): Promise<NotificationsBenchResult['ours']> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-notif-'));
  const store = await openStore({ path: join(dir, 'db.sqlite') });
  let now = Date.parse('2026-03-02T10:00:00Z');
  try {
    const github = new OctokitGitHubGateway({ token: 'ghp_bench', baseUrl: gh.url, circuitBreaker: false, readRetries: 0 });
    const c = new NotificationCenter({ store, github, events: new AppEventBus(), userId: 'bench', nowMs: () => now, gate: { isUserSpeaking: () => false, hasPendingConfirmation: () => false } });
    const s0 = lastSeq(gh);
    await c.poller.tick(); // summary of the 50-item inbox: one poll, spoken from the list fields
    const summaryCalls = requestsSince(gh, s0);
    const s1 = lastSeq(gh);
    for (let t = 0; t < 3600; t++) {
      now += 1000;
      await c.poller.tick();
    }
    return { idleHourPoints: pointsUsed(gh, s1), idleHourRequests: requestsSince(gh, s1), summaryCalls };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function naive(gh: FakeGitHub): Promise<NotificationsBenchResult['naive']> {
  const get = async (path: string) => {
    const r = await fetch(new URL(path, gh.url), { headers: { authorization: 'token ghp_bench', accept: 'application/vnd.github+json' } });
    return r.json() as Promise<unknown>;
  };
  const poll = async () => {
    const threads = (await get('/notifications?per_page=50')) as Array<{ subject: { url: string | null } }>;
    for (const t of threads) if (t.subject.url) await get(new URL(t.subject.url).pathname);
  };
  const s0 = lastSeq(gh);
  await poll();
  const summaryCalls = requestsSince(gh, s0);
  const s1 = lastSeq(gh);
  for (let t = 60; t <= 3600; t += 60) await poll(); // unconditional, every 60 s of simulated time
  return { idleHourPoints: pointsUsed(gh, s1), idleHourRequests: requestsSince(gh, s1), summaryCalls };
}

/** Runs both pollers against the same fake inbox of 50 notifications and prints the comparison. */
export async function benchNotifications(log: (line: string) => void = console.log): Promise<NotificationsBenchResult> {
  const gh = await startFakeGitHub({ rateLimit: { core: 1e6, search: 1e6 }, pollIntervalS: 60, validate: false });
  try {
    fillInbox(gh, 50);
    const o = await ours(gh);
    const n = await naive(gh);
    log(
      `notif     idle hour: ${o.idleHourPoints} rate-limit points (${o.idleHourRequests} requests, all 304) (target 0: ${o.idleHourPoints === 0 ? 'met' : 'MISSED'}); ` +
        `naive ${n.idleHourPoints} points (${n.idleHourRequests} requests)`,
    );
    log(`notif     inbox summary of 50: ${o.summaryCalls} API calls (target ≤ 3: ${o.summaryCalls <= 3 ? 'met' : 'MISSED'}); naive ${n.summaryCalls} calls`);
    return { ours: o, naive: n };
  } finally {
    await gh.close();
  }
}
