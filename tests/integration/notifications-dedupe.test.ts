/**
 * A change seen by webhook and by the notifications poller (either order) is one stored
 * notification, one UI push and one spoken batch — not two. The two channels name it differently
 * (`wh:pr:acme/api#12` vs GitHub's thread id), so the store correlates by subject and updated_at.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvents } from '../../contract/events.js';
import type { NotificationThread } from '../../contract/github.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { DemoGitHubState } from '../../main/github/demo/demoGitHubState.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { signWebhook } from '../../main/github/webhookSignature.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { CROSS_CHANNEL_SKEW_MS } from '../../main/notifications/notificationStore.js';
import { manualClock } from '../support/memoryRepositories.js';

const SECRET = 'wh-secret-for-dedupe-tests-0123';
const USER = 'local';

let dir: string;
let app: App;
let gw: FixtureGitHubGateway;
let clock: ReturnType<typeof manualClock>;
let pushed: AppEvents['notification.new'][];
let spoken: AppEvents['notification.spoken'][];
let guid = 0;

async function start(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'hf-dedupe-'));
  clock = manualClock();
  // The demo account stamps new activity with the app's (fake) clock, as GitHub would.
  gw = new FixtureGitHubGateway({ state: DemoGitHubState.load(undefined, { clockMs: clock.nowMs }) });
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_USER: USER }), {
    logger: SILENT_LOGGER,
    github: gw,
    clock,
    webhookSecret: { current: SECRET },
    notifications: { localMinutes: () => 12 * 60 },
  });
  await app.notifications.poller.tick(); // the existing inbox
  pushed = [];
  spoken = [];
  app.events.on('notification.new', (e) => pushed.push(e));
  app.events.on('notification.spoken', (e) => spoken.push(e));
}

afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function poll() {
  clock.advance(61_000);
  return app.notifications.poller.tick();
}

/** A signed issue_comment delivery on PR `number` in acme/api, the comment stamped `at`. */
async function commentWebhook(number: number, atMs: number) {
  const text = JSON.stringify({
      action: 'created',
      repository: { full_name: 'acme/api' },
      issue: { number, title: `PR ${number}`, user: { login: 'priya-k' }, html_url: `https://github.com/acme/api/pull/${number}`, updated_at: new Date(atMs).toISOString(), pull_request: {} },
    comment: { user: { login: 'sam-dev' }, updated_at: new Date(atMs).toISOString(), html_url: `https://github.com/acme/api/pull/${number}#issuecomment-${atMs}` },
  });
  guid += 1;
  const res = await app.webhooks.receive({ headers: { 'x-github-event': 'issue_comment', 'x-github-delivery': `dedupe-${guid}`, 'x-hub-signature-256': await signWebhook(SECRET, text) }, body: Buffer.from(text) });
  expect(res.status).toBe(200);
}

// PR numbers 5xx have no thread in the demo inbox yet (its PRs 12, 15, … do).
const rowsFor = (number: number) => app.store.all("SELECT thread_id, announced_at_ms FROM notifications WHERE repo = 'acme/api' AND subject_type = 'PullRequest' AND number = ?", [number]);

describe('webhook and poll see the same change', () => {
  it('webhook first, then the poll: one row (with GitHub’s thread id), one push, one spoken batch', async () => {
    await start();
    clock.advance(5_000);
    const at = clock.nowMs();
    await commentWebhook(501, at);
    expect(pushed).toHaveLength(1);
    expect(spoken).toHaveLength(1);
    expect(rowsFor(501).map((r) => r['thread_id'])).toEqual(['wh:pr:acme/api#501']);

    const thread: NotificationThread = gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 501, reason: 'comment' });
    await poll();
    expect(pushed).toHaveLength(1);
    expect(spoken).toHaveLength(1);
    // The row now carries GitHub's id, so "mark it done" / unsubscribe reach the real thread.
    expect(rowsFor(501).map((r) => r['thread_id'])).toEqual([thread.id]);
    await poll(); // and a repeat poll changes nothing
    expect([pushed.length, spoken.length, rowsFor(501).length]).toEqual([1, 1, 1]);
  });

  it('poll first, then the webhook: one row, one push, one spoken batch', async () => {
    await start();
    clock.advance(5_000);
    const thread = gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 502, reason: 'comment' });
    await poll();
    expect([pushed.length, spoken.length]).toEqual([1, 1]);
    // The webhook's timestamp (the comment) is a little before the thread's.
    await commentWebhook(502, Date.parse(thread.updatedAt) - 3_000);
    expect([pushed.length, spoken.length]).toEqual([1, 1]);
    expect(rowsFor(502).map((r) => r['thread_id'])).toEqual([thread.id]);
    await poll();
    expect([pushed.length, spoken.length, rowsFor(502).length]).toEqual([1, 1, 1]);
  });

  it('later activity on the same subject is still new (once), whichever channel brings it first', async () => {
    await start();
    clock.advance(5_000);
    const first = gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 503, reason: 'comment' });
    await poll();
    expect([pushed.length, spoken.length]).toEqual([1, 1]);
    clock.advance(CROSS_CHANNEL_SKEW_MS + 10 * 60_000);
    await commentWebhook(503, clock.nowMs()); // new comment, webhook first
    expect([pushed.length, spoken.length]).toEqual([2, 2]);
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 503, reason: 'comment', id: first.id }); // then polled
    await poll();
    expect([pushed.length, spoken.length]).toEqual([2, 2]);
    expect(rowsFor(503).map((r) => r['thread_id'])).toEqual([first.id]);
  });

  it('a webhook item held while the user talks is spoken once after the poll adopted its row', async () => {
    await start();
    clock.advance(5_000);
    app.speechGate.setUserSpeaking(true);
    await commentWebhook(504, clock.nowMs());
    expect([pushed.length, spoken.length]).toEqual([1, 0]);
    const thread = gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 504, reason: 'comment' });
    await poll();
    expect([pushed.length, spoken.length]).toEqual([1, 0]);
    app.speechGate.setUserSpeaking(false);
    app.notifications.flush();
    app.notifications.flush();
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.text).toMatch(/^New: comment on PR 504 in acme\/api/);
    const rows = rowsFor(504);
    expect(rows.map((r) => r['thread_id'])).toEqual([thread.id]);
    expect(rows[0]!['announced_at_ms']).not.toBeNull();
  });

  it('CI: a failed check suite by webhook and its polled thread (no number there) are one notification', async () => {
    await start();
    clock.advance(5_000);
    const sha = 'c'.repeat(40);
    const text = JSON.stringify({
      action: 'completed',
      repository: { full_name: 'acme/web' },
      check_suite: { head_sha: sha, conclusion: 'failure', head_branch: 'fix-login', updated_at: new Date(clock.nowMs()).toISOString(), pull_requests: [{ number: 204 }] },
    });
    const res = await app.webhooks.receive({ headers: { 'x-github-event': 'check_suite', 'x-github-delivery': 'dedupe-ci', 'x-hub-signature-256': await signWebhook(SECRET, text) }, body: Buffer.from(text) });
    expect(res.status).toBe(200);
    expect([pushed.length, spoken.length]).toEqual([1, 1]);
    const thread = gw.simulateNotification({ repo: 'acme/web', subjectType: 'CheckSuite', reason: 'ci_activity', title: 'CI workflow run failed for fix-login branch' });
    await poll();
    expect([pushed.length, spoken.length]).toEqual([1, 1]);
    const ids = app.store.all("SELECT thread_id FROM notifications WHERE repo = 'acme/web' AND subject_type = 'CheckSuite' AND updated_at_ms > ?", [clock.nowMs() - 3_600_000]).map((r) => r['thread_id']);
    expect(ids).toEqual([thread.id]);
  });

  it('different subjects are never merged', async () => {
    await start();
    clock.advance(5_000);
    await commentWebhook(501, clock.nowMs());
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 502, reason: 'comment' });
    gw.simulateNotification({ repo: 'acme/api', subjectType: 'Issue', number: 501, reason: 'comment' });
    await poll();
    expect(pushed).toHaveLength(3);
    expect(rowsFor(501)).toHaveLength(1);
    expect(rowsFor(502)).toHaveLength(1);
  });
});
