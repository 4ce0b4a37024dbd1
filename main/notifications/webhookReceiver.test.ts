/**
 * WebhookReceiver over a bare sql.js database with the real migrations (no app, no HTTP: those are
 * in tests/integration/webhooks-receiver.test.ts): the order signature → headers → GUID claim →
 * replay check → processing, the rows it leaves, and the thread each handled event becomes.
 */
import { createHash } from 'node:crypto';
import type { Database } from 'sql.js';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationThread } from '../../contract/github.js';
import { signWebhook } from '../github/webhookSignature.js';
import { applyMigrations } from '../store/migrations/apply.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import type { Row, SqlParams, SqlStore, SqlValue } from '../store/sql.js';
import { loadSqlJs } from '../store/sqljs.js';
import { DELIVERY_RETENTION_MS, WebhookReceiver, type WebhookDeps, type WebhookPullRequest } from './webhookReceiver.js';

const SECRET = 'receiver-unit-secret-0123456789';
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const MIN = 60_000;

let SQL: Awaited<ReturnType<typeof loadSqlJs>>;
/** A migrated empty database, copied per test (cheaper than migrating each time). */
let migrated: Uint8Array;
beforeAll(async () => {
  SQL = await loadSqlJs();
  const db = new SQL.Database();
  applyMigrations(db, MIGRATIONS, Number.MAX_SAFE_INTEGER);
  migrated = db.export();
  db.close();
});

function sqlStore(db: Database): SqlStore {
  return {
    run: (sql: string, params?: SqlParams) => db.run(sql, (params ?? []) as SqlValue[]),
    all: (sql: string, params?: SqlParams): Row[] => {
      const st = db.prepare(sql, (params ?? []) as SqlValue[]);
      const out: Row[] = [];
      while (st.step()) out.push(st.getAsObject() as Row);
      st.free();
      return out;
    },
    transaction: <T>(fn: () => T): T => fn(),
  };
}

interface Harness {
  rx: WebhookReceiver;
  db: Database;
  ingested: [string, NotificationThread][];
  prs: WebhookPullRequest[];
  warn: ReturnType<typeof vi.fn>;
  clock: { now: number };
  deps: WebhookDeps;
}

function harness(extra: Partial<WebhookDeps> = {}): Harness {
  const db = new SQL.Database(migrated);
  const ingested: [string, NotificationThread][] = [];
  const prs: WebhookPullRequest[] = [];
  const warn = vi.fn();
  const clock = { now: NOW };
  const deps: WebhookDeps = {
    store: sqlStore(db),
    secret: () => ({ current: SECRET }),
    nowMs: () => clock.now,
    userId: 'u1',
    ingest: (u, t) => {
      ingested.push([u, t]);
      return true;
    },
    onPullRequest: (p) => prs.push(p),
    logger: { warn, info: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as WebhookDeps['logger'],
    ...extra,
  };
  return { rx: new WebhookReceiver(deps), db, ingested, prs, warn, clock, deps };
}

let h: Harness;
beforeEach(() => {
  h = harness();
});

async function send(event: string | undefined, guid: string | undefined, payload: unknown, opts: { secret?: string; headers?: Record<string, string | string[]>; raw?: string } = {}) {
  const body = opts.raw ?? JSON.stringify(payload);
  const headers: Record<string, string | string[] | undefined> = { 'x-hub-signature-256': await signWebhook(opts.secret ?? SECRET, body), ...opts.headers };
  if (event !== undefined) headers['x-github-event'] = event;
  if (guid !== undefined) headers['x-github-delivery'] = guid;
  return h.rx.receive({ headers, body: Buffer.from(body) });
}

const rows = (): Row[] => h.deps.store.all('SELECT * FROM webhook_events ORDER BY received_at_ms, delivery_guid');
const row = (guid: string): Row | undefined => h.deps.store.all('SELECT * FROM webhook_events WHERE delivery_guid = ?', [guid])[0];

const PR = {
  action: 'opened',
  repository: { full_name: 'acme/api' },
  pull_request: { number: 77, title: 'Add retries', body: 'the body', user: { login: 'alice' }, html_url: 'https://github.com/acme/api/pull/77', updated_at: '2026-02-28T10:00:00Z' },
};

describe('before anything is written', () => {
  it('answers 503 without a secret, or with an empty one', async () => {
    for (const secret of [() => null, () => ({ current: '' })]) {
      h = harness({ secret });
      const r = await send('pull_request', 'g1', PR);
      expect(r).toEqual({ status: 503, json: expect.objectContaining({ code: 'forbidden', message: 'Webhooks are not set up: set a webhook secret first.' }) });
      expect(rows()).toEqual([]);
    }
  });

  it('answers 401 to a bad, missing or duplicated signature', async () => {
    const body = JSON.stringify(PR);
    const good = await signWebhook(SECRET, body);
    for (const sig of [undefined, await signWebhook('wrong', body), [good, good]]) {
      const r = await h.rx.receive({ headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'g1', 'x-hub-signature-256': sig }, body: Buffer.from(body) });
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('X-Hub-Signature-256') });
    }
    expect(rows()).toEqual([]);
    expect(h.ingested).toEqual([]);
    // One copy of the header in an array is that header.
    const ok = await h.rx.receive({ headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'g1', 'x-hub-signature-256': [good] }, body: Buffer.from(body) });
    expect(ok.status).toBe(200);
  });

  it('accepts a previous secret during a rotation, and only a listed one', async () => {
    h = harness({ secret: () => ({ current: SECRET, previous: ['old-secret-0123456789'] }) });
    expect((await send('pull_request', 'g1', PR, { secret: 'old-secret-0123456789' })).status).toBe(200);
    expect((await send('pull_request', 'g2', PR, { secret: 'other-secret-0123456789' })).status).toBe(401);
  });

  it('refuses a missing or malformed delivery id or event name with 400', async () => {
    const bad = [
      ['pull_request', undefined, /X-GitHub-Delivery/],
      ['pull_request', 'a'.repeat(101), /X-GitHub-Delivery/],
      ['pull_request', 'a b', /X-GitHub-Delivery/],
      ['pull_request', '', /X-GitHub-Delivery/],
      [undefined, 'g1', /X-GitHub-Event/],
      ['Pull_Request', 'g1', /X-GitHub-Event/],
      ['pull-request', 'g1', /X-GitHub-Event/],
      ['p'.repeat(65), 'g1', /X-GitHub-Event/],
      ['', 'g1', /X-GitHub-Event/],
    ] as const;
    for (const [event, guid, msg] of bad) {
      const r = await send(event, guid, PR);
      expect(r.status, `${event} ${guid}`).toBe(400);
      expect(r.json).toMatchObject({ code: 'bad_request', message: expect.stringMatching(msg) });
    }
    expect(rows()).toEqual([]);
    // The longest allowed forms pass.
    expect((await send('p'.repeat(64), `A-_z9${'a'.repeat(95)}`, PR)).status).toBe(202);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const r = await send('pull_request', 'g1', null, { raw: '{not json' });
    expect(r).toEqual({ status: 400, json: expect.objectContaining({ code: 'invalid_json', message: 'The delivery body is not valid JSON.' }) });
    expect(rows()).toEqual([]);
  });
});

describe('the delivery record', () => {
  it('records a processed delivery with its event, action, hook, repo, body hash and times', async () => {
    const body = JSON.stringify(PR);
    const r = await send('pull_request', 'g1', PR, { headers: { 'x-github-hook-id': '12345' } });
    expect(r).toEqual({ status: 200, json: { delivery: 'g1', status: 'processed' } });
    expect(rows()).toEqual([
      {
        delivery_guid: 'g1',
        event: 'pull_request',
        action: 'opened',
        hook_id: '12345',
        repo: 'acme/api',
        payload_sha256: createHash('sha256').update(body).digest('hex'),
        status: 'processed',
        attempts: 1,
        error: null,
        received_at_ms: NOW,
        last_received_at_ms: NOW,
        processed_at_ms: NOW,
      },
    ]);
  });

  it('cuts long action, repo and hook id, and stores null for missing ones', async () => {
    const payload = { action: 'x'.repeat(100), repository: { full_name: 'r'.repeat(300) } };
    await send('ping', 'g1', payload, { headers: { 'x-github-hook-id': 'h'.repeat(100) } });
    expect(row('g1')).toMatchObject({ action: 'x'.repeat(64), repo: 'r'.repeat(200), hook_id: 'h'.repeat(64), status: 'ignored' });
    for (const [guid, p] of [
      ['g2', { zen: 1 }],
      ['g3', { action: 7, repository: { full_name: '' } }],
      ['g4', [1, 2]],
      ['g5', 'text'],
      ['g6', null],
    ] as const) {
      await send('ping', guid, p);
      expect(row(guid)).toMatchObject({ action: null, repo: null, hook_id: null });
    }
  });

  it('marks a delivery of an unhandled event or an unexpected shape ignored (202)', async () => {
    expect(await send('ping', 'g1', { zen: 'hi' })).toEqual({ status: 202, json: { delivery: 'g1', status: 'ignored' } });
    expect(await send('pull_request', 'g2', { action: 'opened', repository: { full_name: 'acme/api' } })).toEqual({ status: 202, json: { delivery: 'g2', status: 'ignored' } });
    expect(row('g1')).toMatchObject({ status: 'ignored', processed_at_ms: NOW, error: null });
    expect(h.ingested).toEqual([]);
    expect(h.prs).toEqual([]);
  });

  it('stamps processed_at with the time processing ended', async () => {
    let calls = 0;
    h = harness({ nowMs: () => NOW + 1000 * calls++ });
    await send('pull_request', 'g1', PR);
    expect(row('g1')).toMatchObject({ received_at_ms: NOW, processed_at_ms: NOW + 2000 });
  });

  it('prunes records older than the retention period and counts them', async () => {
    await send('ping', 'old', { n: 1 });
    h.clock.now = NOW + 1;
    await send('ping', 'edge', { n: 2 });
    h.clock.now = NOW + 10;
    await send('ping', 'new', { n: 3 });
    expect(h.rx.prune(NOW + 1 + DELIVERY_RETENTION_MS)).toBe(1);
    expect(rows().map((r) => r['delivery_guid'])).toEqual(['edge', 'new']);
    expect(h.rx.prune(NOW + 1 + DELIVERY_RETENTION_MS)).toBe(0);
    expect(h.rx.prune(NOW + 11 + DELIVERY_RETENTION_MS)).toBe(2);
    expect(rows()).toEqual([]);
    // About 30 days, above GitHub's redelivery window.
    expect(DELIVERY_RETENTION_MS).toBe(30 * 86_400_000);
  });
});

describe('exactly once per delivery id (WH-5, WH-6)', () => {
  it('answers a processed delivery id again as a duplicate, without processing', async () => {
    await send('pull_request', 'g1', PR);
    h.clock.now += 60 * MIN;
    expect(await send('pull_request', 'g1', PR)).toEqual({ status: 200, json: { delivery: 'g1', status: 'duplicate' } });
    expect(await send('pull_request', 'g1', { ...PR, action: 'closed' })).toEqual({ status: 200, json: { delivery: 'g1', status: 'duplicate' } });
    expect(h.ingested).toHaveLength(1);
    expect(row('g1')).toMatchObject({ attempts: 1, last_received_at_ms: NOW });
  });

  it('answers an ignored delivery id again as a duplicate', async () => {
    await send('ping', 'g1', { zen: 1 });
    expect((await send('ping', 'g1', { zen: 1 })).json).toMatchObject({ status: 'duplicate' });
  });

  it('marks a failed processing, reports 500, and processes the redelivery once', async () => {
    let fail = true;
    h = harness({
      ingest: (u, t) => {
        if (fail) throw new Error(`disk hiccup ${'!'.repeat(600)}`);
        h.ingested.push([u, t]);
        return true;
      },
    });
    const r = await send('pull_request', 'g1', PR);
    expect(r).toEqual({ status: 500, json: expect.objectContaining({ code: 'internal', message: 'Processing the delivery failed; redeliver it to try again.' }) });
    expect(row('g1')).toMatchObject({ status: 'failed', attempts: 1, processed_at_ms: null });
    expect(row('g1')?.['error']).toBe(`disk hiccup ${'!'.repeat(600)}`.slice(0, 500));
    expect(h.warn).toHaveBeenCalledWith(expect.objectContaining({ delivery: 'g1', event: 'pull_request' }), expect.stringContaining('failed'));
    fail = false;
    h.clock.now += MIN;
    expect(await send('pull_request', 'g1', PR)).toEqual({ status: 200, json: { delivery: 'g1', status: 'processed' } });
    expect(row('g1')).toMatchObject({ status: 'processed', attempts: 2, error: null, received_at_ms: NOW, last_received_at_ms: NOW + MIN, processed_at_ms: NOW + MIN });
    expect(h.ingested).toHaveLength(1);
    expect((await send('pull_request', 'g1', PR)).json).toMatchObject({ status: 'duplicate' });
  });

  it('records a non-Error failure with a generic message', async () => {
    h = harness({
      ingest: () => {
        throw 'boom' as unknown as Error;
      },
    });
    expect((await send('pull_request', 'g1', PR)).status).toBe(500);
    expect(row('g1')).toMatchObject({ status: 'failed', error: 'processing failed' });
  });

  it('treats a delivery still "processing" after 5 minutes as failed (the app died), not before', async () => {
    // The app died mid-processing: the row stays 'processing'.
    h.deps.store.run(
      "INSERT INTO webhook_events (delivery_guid, event, payload_sha256, status, received_at_ms, last_received_at_ms) VALUES ('g1', 'pull_request', 'x', 'processing', ?, ?)",
      [NOW, NOW],
    );
    h.clock.now = NOW + 5 * MIN;
    expect((await send('pull_request', 'g1', PR)).json).toMatchObject({ status: 'duplicate' });
    h.clock.now = NOW + 5 * MIN + 1;
    expect((await send('pull_request', 'g1', PR)).json).toMatchObject({ status: 'processed' });
    expect(row('g1')).toMatchObject({ status: 'processed', attempts: 2, last_received_at_ms: NOW + 5 * MIN + 1 });
    expect(h.ingested).toHaveLength(1);
  });
});

describe('a body replayed under another delivery id', () => {
  it('is recorded as ignored and not processed when its body was processed before', async () => {
    await send('pull_request', 'orig', PR, { headers: { 'x-github-hook-id': '9' } });
    h.clock.now += MIN;
    const r = await send('pull_request', 'copy', PR, { headers: { 'x-github-hook-id': '9' } });
    expect(r).toEqual({ status: 200, json: { delivery: 'copy', status: 'replay' } });
    expect(row('copy')).toEqual({
      delivery_guid: 'copy',
      event: 'pull_request',
      action: 'opened',
      hook_id: '9',
      repo: 'acme/api',
      payload_sha256: row('orig')?.['payload_sha256'],
      status: 'ignored',
      attempts: 1,
      error: 'replay of delivery orig',
      received_at_ms: NOW + MIN,
      last_received_at_ms: NOW + MIN,
      processed_at_ms: NOW + MIN,
    });
    expect(h.ingested).toHaveLength(1);
    expect(h.warn).toHaveBeenCalledWith({ delivery: 'copy', replayOf: 'orig', event: 'pull_request' }, expect.stringContaining('replayed'));
    // A replay record is not itself a source of replays; the original stays the reference.
    expect((await send('pull_request', 'copy2', PR)).json).toMatchObject({ status: 'replay' });
    expect(row('copy2')?.['error']).toBe('replay of delivery orig');
    // Another body is processed as usual.
    expect((await send('pull_request', 'other', { ...PR, action: 'closed' })).json).toMatchObject({ status: 'processed' });
  });

  it('counts a body that processing ignored, but not one that only replay records hold', async () => {
    await send('ping', 'p1', { zen: 1 });
    expect((await send('ping', 'p2', { zen: 1 })).json).toMatchObject({ status: 'replay' });
    // Only replay records (ignored with an error) left: the body is new again.
    h.deps.store.run("DELETE FROM webhook_events WHERE delivery_guid = 'p1'");
    expect((await send('ping', 'p3', { zen: 1 })).json).toMatchObject({ status: 'ignored' });
  });

  it('counts a body being processed right now, but not one left processing by a dead app', async () => {
    const sha = createHash('sha256').update(JSON.stringify(PR)).digest('hex');
    h.deps.store.run(
      "INSERT INTO webhook_events (delivery_guid, event, payload_sha256, status, received_at_ms, last_received_at_ms) VALUES ('busy', 'pull_request', ?, 'processing', ?, ?)",
      [sha, NOW, NOW],
    );
    h.clock.now = NOW + 5 * MIN;
    expect((await send('pull_request', 'g1', PR)).json).toMatchObject({ status: 'replay' });
    h.clock.now = NOW + 5 * MIN + 1;
    expect((await send('pull_request', 'g2', PR)).json).toMatchObject({ status: 'processed' });
  });

  it('does not count a body whose delivery failed: it is processed once, by whichever id brings it again', async () => {
    let fail = true;
    h = harness({
      ingest: (u, t) => {
        if (fail) {
          fail = false;
          throw new Error('disk hiccup');
        }
        h.ingested.push([u, t]);
        return true;
      },
    });
    expect((await send('pull_request', 'f1', PR)).status).toBe(500);
    h.clock.now += MIN;
    expect((await send('pull_request', 'f2', PR)).json).toMatchObject({ status: 'processed' });
    h.clock.now += MIN;
    // The failed id comes back: a replay of f2 now, recorded on its existing row.
    expect(await send('pull_request', 'f1', PR)).toEqual({ status: 200, json: { delivery: 'f1', status: 'replay' } });
    expect(row('f1')).toMatchObject({ status: 'ignored', attempts: 2, error: 'replay of delivery f2', received_at_ms: NOW, last_received_at_ms: NOW + 2 * MIN, processed_at_ms: NOW + 2 * MIN });
    expect((await send('pull_request', 'f1', PR)).json).toMatchObject({ status: 'duplicate' });
    expect(h.ingested).toHaveLength(1);
  });
});

describe('events → notification threads', () => {
  const thread = async (event: string, payload: unknown): Promise<NotificationThread | undefined> => {
    h.ingested.length = 0;
    const r = await send(event, `g-${Math.random().toString(36).slice(2)}`, payload);
    expect(r.status).toBeLessThan(300);
    expect(h.ingested.length).toBeLessThanOrEqual(1);
    if (h.ingested[0]) expect(h.ingested[0][0]).toBe('u1');
    return h.ingested[0]?.[1];
  };

  it('pull_request: state changes and review requests; the PR also goes to agent correlation', async () => {
    expect(await thread('pull_request', PR)).toEqual({
      id: 'wh:pr:acme/api#77',
      repo: 'acme/api',
      subjectType: 'PullRequest',
      number: 77,
      title: 'Add retries',
      reason: 'state_change',
      unread: true,
      updatedAt: '2026-02-28T10:00:00Z',
      htmlUrl: 'https://github.com/acme/api/pull/77',
    });
    expect(h.prs).toEqual([{ action: 'opened', repo: 'acme/api', number: 77, author: 'alice', title: 'Add retries', body: 'the body', htmlUrl: 'https://github.com/acme/api/pull/77' }]);
    for (const action of ['reopened', 'closed', 'ready_for_review']) expect((await thread('pull_request', { ...PR, action }))?.reason).toBe('state_change');
    expect((await thread('pull_request', { ...PR, action: 'review_requested', requested_reviewer: { login: 'me' } }))?.reason).toBe('review_requested');
    h.prs.length = 0;
    expect(await thread('pull_request', { ...PR, action: 'edited' })).toBeUndefined();
    expect(h.prs.map((p) => p.action)).toEqual(['edited']);
    expect((await send('pull_request', 'edited-2', { ...PR, action: 'synchronize' })).json).toMatchObject({ status: 'ignored' });
  });

  it('pull_request without a user or body: ghost and empty, for correlation', async () => {
    await thread('pull_request', { ...PR, pull_request: { ...PR.pull_request, user: null, body: null } });
    expect(h.prs[0]).toMatchObject({ author: 'ghost', body: '' });
  });

  it('a review request naming a malformed reviewer is an unexpected shape', async () => {
    expect((await send('pull_request', 'rr', { ...PR, action: 'review_requested', requested_reviewer: { login: 7 } })).json).toMatchObject({ status: 'ignored' });
    expect(h.ingested).toEqual([]);
  });

  it('works without a logger, through the replay and failure paths', async () => {
    let fail = true;
    h = harness({
      logger: undefined,
      ingest: () => {
        if (fail) {
          fail = false;
          throw new Error('x');
        }
        return true;
      },
    });
    expect((await send('pull_request', 'a', PR)).status).toBe(500);
    expect((await send('pull_request', 'b', PR)).json).toMatchObject({ status: 'processed' });
    expect((await send('pull_request', 'c', PR)).json).toMatchObject({ status: 'replay' });
  });

  it('works without an agent-correlation hook', async () => {
    h = harness({ onPullRequest: undefined });
    expect((await send('pull_request', 'g1', PR)).json).toMatchObject({ status: 'processed' });
    expect(h.ingested).toHaveLength(1);
  });

  it('cuts long titles, replaces a missing or bad time with now, and drops non-https links', async () => {
    const t = await thread('pull_request', { ...PR, pull_request: { ...PR.pull_request, title: 't'.repeat(400), updated_at: 'yesterday', html_url: 'javascript:alert(1)' } });
    expect(t).toMatchObject({ title: 't'.repeat(300), updatedAt: new Date(NOW).toISOString(), htmlUrl: '' });
    const u = await thread('pull_request', { ...PR, pull_request: { ...PR.pull_request, updated_at: null, html_url: 'http://github.com/acme/api/pull/77' } });
    expect(u).toMatchObject({ updatedAt: new Date(NOW).toISOString(), htmlUrl: '' });
    const v = await thread('pull_request', { ...PR, pull_request: { ...PR.pull_request, updated_at: '', html_url: 'see https://github.com/' } });
    expect(v).toMatchObject({ updatedAt: new Date(NOW).toISOString(), htmlUrl: '' });
  });

  it('pull_request_review: a submitted review notifies the author, at its submission time', async () => {
    const review = { action: 'submitted', repository: PR.repository, pull_request: PR.pull_request, review: { state: 'approved', user: { login: 'bob' }, submitted_at: '2026-02-28T11:00:00Z' } };
    expect(await thread('pull_request_review', review)).toEqual({
      id: 'wh:pr:acme/api#77',
      repo: 'acme/api',
      subjectType: 'PullRequest',
      number: 77,
      title: 'Add retries',
      reason: 'author',
      unread: true,
      updatedAt: '2026-02-28T11:00:00Z',
      htmlUrl: 'https://github.com/acme/api/pull/77',
    });
    expect((await thread('pull_request_review', { ...review, review: { ...review.review, submitted_at: null } }))?.updatedAt).toBe('2026-02-28T10:00:00Z');
    expect(await thread('pull_request_review', { ...review, action: 'dismissed' })).toBeUndefined();
    expect(h.prs).toEqual([]);
  });

  const suite = (conclusion: string | null, extra: Record<string, unknown> = {}) => ({
    action: 'completed',
    repository: PR.repository,
    check_suite: { head_sha: 'abcdef0123456789', conclusion, head_branch: 'feat/x', updated_at: '2026-02-28T12:00:00Z', pull_requests: [{ number: 77 }, { number: 78 }], ...extra },
  });

  it('check_suite: a failed suite notifies with the PR checks link, or the commit when no PR', async () => {
    expect(await thread('check_suite', suite('failure'))).toEqual({
      id: 'wh:ci:acme/api@abcdef0123456789',
      repo: 'acme/api',
      subjectType: 'CheckSuite',
      number: 77,
      title: 'CI failed on feat/x',
      reason: 'ci_activity',
      unread: true,
      updatedAt: '2026-02-28T12:00:00Z',
      htmlUrl: 'https://github.com/acme/api/pull/77/checks',
    });
    expect(await thread('check_suite', suite('timed_out', { head_branch: null, pull_requests: [] }))).toMatchObject({
      number: null,
      title: 'CI failed on abcdef0',
      htmlUrl: 'https://github.com/acme/api/commit/abcdef0123456789',
    });
    expect(await thread('check_suite', suite('action_required', { pull_requests: undefined }))).toMatchObject({ number: null });
    for (const c of ['success', 'neutral', 'cancelled', 'skipped', null]) expect(await thread('check_suite', suite(c)), String(c)).toBeUndefined();
    expect(await thread('check_suite', { ...suite('failure'), action: 'requested' })).toBeUndefined();
  });

  it('check_run: a failed run names the check, at its completion time', async () => {
    const run = {
      action: 'completed',
      repository: PR.repository,
      check_run: { name: 'lint', head_sha: 'abcdef0123456789', conclusion: 'failure', completed_at: '2026-02-28T13:00:00Z', pull_requests: [{ number: 5 }], html_url: 'https://github.com/acme/api/runs/1' },
    };
    expect(await thread('check_run', run)).toEqual({
      id: 'wh:ci:acme/api@abcdef0123456789',
      repo: 'acme/api',
      subjectType: 'CheckSuite',
      number: 5,
      title: 'CI failed: lint',
      reason: 'ci_activity',
      unread: true,
      updatedAt: '2026-02-28T13:00:00Z',
      htmlUrl: 'https://github.com/acme/api/pull/5/checks',
    });
    expect(await thread('check_run', { ...run, check_run: { ...run.check_run, conclusion: undefined } })).toBeUndefined();
    expect(await thread('check_run', { ...run, action: 'created' })).toBeUndefined();
  });

  const comment = (isPr: boolean, action = 'created') => ({
    action,
    repository: PR.repository,
    issue: { number: 9, title: 'Crash on start', user: { login: 'carol' }, html_url: 'https://github.com/acme/api/issues/9', updated_at: '2026-02-27T00:00:00Z', ...(isPr ? { pull_request: { url: 'x' } } : {}) },
    comment: { user: { login: 'dave' }, updated_at: '2026-02-28T14:00:00Z', html_url: 'https://github.com/acme/api/issues/9#issuecomment-1' },
  });

  it('issue_comment: a new comment on an issue or a PR', async () => {
    expect(await thread('issue_comment', comment(false))).toEqual({
      id: 'wh:issue:acme/api#9',
      repo: 'acme/api',
      subjectType: 'Issue',
      number: 9,
      title: 'Crash on start',
      reason: 'comment',
      unread: true,
      updatedAt: '2026-02-28T14:00:00Z',
      htmlUrl: 'https://github.com/acme/api/issues/9#issuecomment-1',
    });
    expect(await thread('issue_comment', comment(true))).toMatchObject({ id: 'wh:pr:acme/api#9', subjectType: 'PullRequest' });
    expect(await thread('issue_comment', comment(false, 'edited'))).toBeUndefined();
  });

  it('issues: assignment and state changes', async () => {
    const issue = { action: 'assigned', repository: PR.repository, issue: comment(false).issue };
    expect(await thread('issues', issue)).toEqual({
      id: 'wh:issue:acme/api#9',
      repo: 'acme/api',
      subjectType: 'Issue',
      number: 9,
      title: 'Crash on start',
      reason: 'assign',
      unread: true,
      updatedAt: '2026-02-27T00:00:00Z',
      htmlUrl: 'https://github.com/acme/api/issues/9',
    });
    for (const action of ['opened', 'closed', 'reopened']) expect((await thread('issues', { ...issue, action }))?.reason).toBe('state_change');
    expect(await thread('issues', { ...issue, action: 'labeled' })).toBeUndefined();
  });

  it.each([
    ['pull_request', { ...PR, repository: { full_name: 'ab' } }],
    ['pull_request', { ...PR, pull_request: { ...PR.pull_request, number: 0 } }],
    ['pull_request_review', { action: 'submitted', repository: PR.repository, pull_request: PR.pull_request }],
    ['check_suite', { action: 'completed', repository: PR.repository, check_suite: { conclusion: 'failure' } }],
    ['check_run', { action: 'completed', repository: PR.repository, check_run: { head_sha: 'abc', conclusion: 'failure' } }],
    ['issue_comment', { action: 'created', repository: PR.repository, issue: { number: 1, title: 't', html_url: 'https://x' } }],
    ['issues', { action: 'opened', repository: PR.repository, issue: { number: 1, title: 't' } }],
  ])('ignores a %s payload missing what it needs', async (event, payload) => {
    expect((await send(event, 'bad', payload)).json).toMatchObject({ status: 'ignored' });
    expect(h.ingested).toEqual([]);
    expect(h.prs).toEqual([]);
  });
});
