/**
 * The focus commands of issue 15 end to end, through the real app (real sql.js store on disk):
 * - notification.snooze: hides the thread, survives restarts, fires once when due (a manual clock:
 *   no real waiting) and is announced then;
 * - inbox.mark_all_read: read-back with the count, one PUT /notifications bound to the newest
 *   thread read back, exactly once under a confirm race, never resent after an ambiguous failure;
 * - inbox.my_prs / inbox.review_requests: review and check state from the API;
 * - session.use_repo: bare PR numbers mean the chosen repo, kept in the stored session.
 * GitHub is the demo account (snooze) or the OpenAPI-validated fake REST server over Octokit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubGateway } from '../../core/ports/github.js';
import type { NotificationCard } from '../../contract/response.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';
import { manualClock } from '../support/memoryRepositories.js';

const caller = { userId: 'sam', transport: 'http' as const };
const MINUTE = 60_000;
let dir: string;
let app: App | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const say = (text: string) => app!.service.runCommand({ text, session_id: 'focus' }, caller);
const threadIds = (cards: readonly { kind: string }[]) => cards.filter((c): c is NotificationCard => c.kind === 'notification').map((c) => c.thread_id);

describe('notification.snooze (demo account, store on disk, restarts)', () => {
  it('hides the thread, keeps it hidden across a restart, brings it back once when due and announces it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-snooze-'));
    const clock = manualClock();
    const open = async () => createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'fixture' }), { logger: SILENT_LOGGER, clock });
    app = await open();
    const inbox = await say('what needs my attention');
    const first = threadIds(inbox.cards)[0]!;
    expect((await say('read the first one')).status).toBe('ok');
    const snoozed = await say('snooze this for an hour');
    expect(snoozed.status).toBe('ok');
    expect(snoozed.intent.name).toBe('notification.snooze');
    expect(snoozed.spoken_text).toMatch(/^Snoozed PR \d+ in [\w-]+\/[\w-]+ for an hour\./);
    // Gone from the spoken rundown, the Inbox screen and the unread count.
    expect(threadIds((await say('what needs my attention')).cards)).not.toContain(first);
    expect(app.notifications.inboxCards().map((c) => c.thread_id)).not.toContain(first);
    await app.close();

    clock.advance(30 * MINUTE);
    app = await open();
    expect(app.notifications.fireDueSnoozes()).toEqual([]);
    expect(threadIds((await say('what needs my attention')).cards)).not.toContain(first);
    await app.close();

    clock.advance(31 * MINUTE);
    app = await open();
    const spoken: string[] = [];
    app.events.on('notification.spoken', (e) => spoken.push(e.text));
    // Other spoken batches (new notifications seen by the poll) are not under test here.
    const backs = () => spoken.filter((t) => /snooze/i.test(t));
    const fired = app.notifications.fireDueSnoozes();
    expect(fired.map((s) => s.threadId)).toEqual([first]);
    expect(backs()).toHaveLength(1);
    expect(backs()[0]).toMatch(/^Back from snooze: PR \d+ in [\w-]+\/[\w-]+\.$/);
    expect(app.notifications.fireDueSnoozes()).toEqual([]);
    expect(threadIds((await say('what needs my attention')).cards)).toContain(first);
    expect(backs()).toHaveLength(1);
    await app.close();

    // Fired once, ever: another restart does not fire (or announce) it again.
    clock.advance(5 * MINUTE);
    app = await open();
    const again: string[] = [];
    app.events.on('notification.spoken', (e) => again.push(e.text));
    expect(app.notifications.fireDueSnoozes()).toEqual([]);
    expect(threadIds((await say('what needs my attention')).cards)).toContain(first);
    expect(again.filter((t) => /snooze/i.test(t))).toEqual([]);
  });

  it('the poller loop brings a due snooze back without anyone reading the inbox (desktop and serve hosts)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-snooze-'));
    const clock = manualClock();
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'fixture' }), { logger: SILENT_LOGGER, clock });
    app.store.repos.snoozes.put({ userId: 'sam', threadId: '9001', repo: 'acme/api', number: 12, subjectType: 'PullRequest', untilMs: clock.nowMs() + MINUTE, createdAtMs: clock.nowMs() });
    expect(app.store.repos.snoozes.hiddenIds()).toEqual(['9001']);
    app.notifications.poller.start(60_000);
    expect(app.store.repos.snoozes.hiddenIds()).toEqual(['9001']);
    app.notifications.poller.stop();
    clock.advance(MINUTE);
    app.notifications.poller.start(60_000); // the loop's first check runs at once
    expect(app.store.repos.snoozes.hiddenIds()).toEqual([]);
    app.notifications.poller.stop();
  });

  it('"remind me tomorrow" needs a current thread and says so without one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-snooze-'));
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'fixture' }), { logger: SILENT_LOGGER, clock: manualClock() });
    const r = await say('remind me tomorrow');
    expect(r.intent.name).toBe('notification.snooze');
    expect(r.error?.code).toBe('no_context');
    expect(app.store.repos.snoozes.hiddenIds()).toEqual([]);
  });
});

describe('session.use_repo (demo account, store on disk)', () => {
  it('a bare PR number then means the chosen repo, also after a restart; an unknown repo is refused, keeping the choice', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-use-repo-'));
    const open = async () => createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'fixture' }), { logger: SILENT_LOGGER, clock: manualClock() });
    app = await open();
    const use = await say('use acme slash web');
    expect(use.intent).toMatchObject({ name: 'session.use_repo', entities: { repo: 'acme/web' } });
    expect(use.spoken_text).toBe('Using acme slash web. A PR number on its own now means acme slash web.');
    expect((await say('read PR 207')).spoken_text).toMatch(/^PR 207 in acme\/web,/);
    const unknown = await say('switch to the billing repo');
    expect(unknown.intent.name).toBe('session.use_repo');
    expect(unknown.error?.code).toBe('unknown_repo');
    expect(unknown.spoken_text).toMatch(/I don't know a repo called billing among your repos, so I kept acme slash web\./);
    await app.close();
    app = await open();
    expect((await say('read PR 211')).spoken_text).toMatch(/^PR 211 in acme\/web,/);
    expect((await say('use the api repo')).status).toBe('ok');
    expect((await say('read PR 12')).spoken_text).toMatch(/^PR 12 in acme\/api,/);
  });
});

describe('fake GitHub (Octokit)', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub({ rateLimit: { core: 1e6, search: 1e6 } });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());
  afterEach(() => {
    expect(fake.validationErrors).toEqual([]);
  });

  async function liveApp(policy: Record<string, unknown> = {}): Promise<App> {
    dir = mkdtempSync(join(tmpdir(), 'hf-focus-'));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ policy: { defaults: policy } }));
    const github = new OctokitGitHubGateway({ token: 'ghp_focustest', baseUrl: fake.url, circuitBreaker: false, readRetries: 0 });
    return createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live' }), { logger: SILENT_LOGGER, github });
  }
  const puts = () => fake.requests.filter((r) => r.method === 'PUT' && r.path.split('?')[0] === '/notifications').length;

  describe('inbox.mark_all_read', () => {
    it('reads back the count, sends one PUT under a confirm race, and leaves a thread newer than the read-back unread', async () => {
      app = await liveApp();
      const unread = fake.state.unreadThreads().length;
      expect(unread).toBeGreaterThan(3);
      const planned = await say('mark everything as read');
      expect(planned.intent.name).toBe('inbox.mark_all_read');
      expect(planned.status).toBe('needs_confirmation');
      const repos = new Set(fake.state.unreadThreads().map((t) => t.repo)).size;
      expect(planned.spoken_text).toBe(`Mark ${unread} unread notifications in ${repos} repos as read on GitHub. Say confirm or cancel.`);
      expect(puts()).toBe(0);
      // Arrives after the read-back: not what the user confirmed.
      const late = fake.state.simulateNotification({ repo: 'acme/api', subjectType: 'Issue', reason: 'mention', title: 'late' });
      const token = planned.pending_action!.token;
      const results = await Promise.allSettled([
        app.service.confirm({ token }, caller, 'click'),
        app.service.confirm({ token }, caller, 'click'),
        app.service.confirm({ token }, caller, 'voice'),
        say('confirm'),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled' && r.value.status === 'ok');
      expect(ok).toHaveLength(1);
      expect((ok[0] as PromiseFulfilledResult<{ spoken_text: string }>).value.spoken_text).toBe(`Marked ${unread} notifications as read.`);
      expect(puts()).toBe(1);
      const body = fake.requests.find((r) => r.method === 'PUT' && r.path.split('?')[0] === '/notifications')!.body as { last_read_at: string; read: boolean };
      expect(body.read).toBe(true);
      expect(body.last_read_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(fake.state.unreadThreads().map((t) => t.id)).toEqual([late.id]);
      // The local inbox follows at once (the newer thread arrives with the next poll).
      expect(app.notifications.inboxCards()).toEqual([]);
    });

    it('an ambiguous failure is reported and never resent; nothing unread → nothing planned; policy can deny it', async () => {
      app = await liveApp();
      expect((await say('mark all as read')).status).toBe('needs_confirmation');
      fake.faults.serverError(502, { times: Infinity, match: { method: 'PUT', path: /^\/notifications$/ } });
      const unclear = await say('confirm');
      expect(unclear.status).toBe('error');
      expect(unclear.spoken_text).toMatch(/did not send it again/);
      expect(puts()).toBe(1);
      expect((await say('confirm')).error?.code).toBe('no_pending_action');
      expect(puts()).toBe(1);
      await app.close();
      rmSync(dir, { recursive: true, force: true });

      fake.reset();
      for (const t of fake.state.unreadThreads()) fake.state.markThreadDone(t.id);
      app = await liveApp();
      const none = await say('mark everything as read');
      expect(none.error?.code).toBe('no_context');
      expect(none.pending_action).toBeFalsy();
      await app.close();
      rmSync(dir, { recursive: true, force: true });

      fake.reset();
      app = await liveApp({ deny: ['inbox.mark_all_read'] });
      const denied = await say('mark everything as read');
      expect(denied.error?.code).toBe('policy_denied');
      expect(denied.spoken_text).toMatch(/do not allow marking everything as read/);
      expect(puts()).toBe(0);
    });
  });

  it('mark all read: exactly one PUT /notifications in 200 generated interleavings of voice, click and API confirms', async () => {
    // As tests/integration/confirm-race.test.ts does for merges: fast-check orders the confirmations,
    // the write in flight and each confirmation's check → compare-and-set window.
    let scheduler: fc.Scheduler | null = null;
    const octokit = new OctokitGitHubGateway({ token: 'ghp_focusrace', baseUrl: fake.url, circuitBreaker: false });
    const github: GitHubGateway = Object.create(octokit, {
      markAllNotificationsRead: {
        writable: true,
        configurable: true,
        value: async (at: string) => {
          if (scheduler) await scheduler.schedule(Promise.resolve(), 'mark all in flight');
          return octokit.markAllNotificationsRead(at);
        },
      },
    }) as GitHubGateway;
    dir = mkdtempSync(join(tmpdir(), 'hf-focus-race-'));
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), {
      logger: SILENT_LOGGER,
      github,
      interleave: async (point) => {
        if (scheduler) await scheduler.schedule(Promise.resolve(), point);
      },
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.constantFrom('voice', 'click', 'api'), { minLength: 2, maxLength: 5 }), async (s, sources) => {
        fake.reset();
        run++;
        const sessionId = `race-${run}`;
        const newest = fake.state.unreadThreads()[0]!.updatedAt;
        const action = app!.pipeline.actions.create({
          kind: 'inbox.mark_all_read',
          sessionId,
          userId: caller.userId,
          repo: '',
          number: null,
          headSha: null,
          params: { lastReadAt: newest, count: fake.state.unreadThreads().length },
          readBack: 'Mark all …',
          ttlMs: 60_000,
          correlationId: sessionId,
        });
        const fire = (src: string) =>
          src === 'voice' ? app!.service.runCommand({ text: 'confirm', session_id: sessionId }, caller) : app!.service.confirm({ token: action.token }, caller, src === 'api' ? 'api' : 'click');
        scheduler = s;
        const results = await s.waitFor(Promise.all(sources.map((src) => s.schedule(Promise.resolve(src), src).then(fire))));
        scheduler = null;
        expect(puts()).toBe(1);
        expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
        for (const r of results) if (r.status !== 'ok') expect(['token_used', 'no_pending_action']).toContain(r.error?.code);
        expect(fake.state.unreadThreads()).toEqual([]);
      }),
      { numRuns: 200, endOnFailure: true },
    );
  }, 300_000);

  describe('inbox.my_prs / inbox.review_requests', () => {
    it('my pull requests: one search, then review and check state of each from the API', async () => {
      app = await liveApp();
      const mine = fake.state.searchPulls({ author: fake.state.viewer.login, state: 'open' });
      expect(mine.length).toBeGreaterThan(1);
      const top = mine[0]!;
      fake.state.simulateReview(top.repo, top.number, 'priya-k', 'APPROVED');
      fake.state.simulatePush(top.repo, top.number, { checks: 'failing' });
      const r = await say("what's the state of my PRs");
      expect(r.intent.name).toBe('inbox.my_prs');
      expect(r.status).toBe('ok');
      expect(r.spoken_text).toMatch(new RegExp(`^You have ${mine.length} open pull requests\\. PR ${top.number} in ${top.repo}[,:] `));
      expect(r.spoken_text).toMatch(new RegExp(`PR ${top.number} in ${top.repo}(, a draft)?: approved by 1 reviewer, \\d+ checks: 1 failing, \\d+ passing, titled '`));
      expect(fake.count('GET', /^\/search\/issues/)).toBe(1);
      expect(r.cards.filter((c) => c.kind === 'pull_request').map((c) => (c as { number: number }).number)).toContain(top.number);
    });

    it('what do I need to review: the review-requested search, and an empty answer', async () => {
      app = await liveApp();
      const asked = fake.state.searchPulls({ reviewRequested: fake.state.viewer.login, state: 'open' });
      expect(asked.length).toBeGreaterThan(0);
      const r = await say('what do I need to review');
      expect(r.intent.name).toBe('inbox.review_requests');
      expect(r.spoken_text).toMatch(new RegExp(`^${asked.length} pull requests? waiting for your review\\. PR ${asked[0]!.number} in ${asked[0]!.repo}`));
      const q = fake.requests.find((x) => x.path.startsWith('/search/issues'))!;
      expect(q.query['q']).toMatch(/is:pr is:open review-requested:@me/);
      // The requests are withdrawn (the demo state's PRs are live objects).
      for (const p of asked) p.requestedReviewers = p.requestedReviewers.filter((l) => l !== fake.state.viewer.login);
      const none = await say('what do I need to review');
      expect(none.spoken_text).toBe('Nothing is waiting for your review.');
    });
  });
});
