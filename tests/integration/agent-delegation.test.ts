/**
 * Agent delegation end to end on the fake GitHub (OpenAPI-validated): confirm → exactly one
 * dispatch issue → the agent's PR referencing it → task completed and spoken; an ambiguous
 * dispatch failure never creates a second issue (CF-11); a PR from a non-allow-listed author with a
 * copied marker is not correlated (PI-6). Also the HTTP routes for tasks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTaskView } from '../../contract/api.js';
import type { AppEvents } from '../../contract/events.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { MARKER_RE } from '../../main/agent/agentService.js';
import { DISPATCH_KEY_FILE, hmacDispatchMarker } from '../../main/agent/dispatchMarker.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { signWebhook } from '../../main/github/webhookSignature.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { agentRoutes } from '../../main/agent/routes.js';
import { notificationRoutes } from '../../main/notifications/routes.js';
import { startHttpServer } from '../../main/server/httpServer.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

const SECRET = 'agent-webhook-secret-0123456789';
const AGENT = 'copilot-swe-agent[bot]';
let fake: FakeGitHub;
let dir: string;
let app: App;
let spoken: AppEvents['notification.spoken'][];
let taskEvents: AgentTaskView[];
const caller = { userId: 'local', transport: 'http' as const };

beforeAll(async () => {
  fake = await startFakeGitHub({ rateLimit: { core: 1e6, search: 1e6 } });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'hf-agent-'));
  const github = new OctokitGitHubGateway({ token: 'ghp_agenttest', baseUrl: fake.url, circuitBreaker: false, readRetries: 0, timeouts: { writeMs: 1_500 } });
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live' }), { logger: SILENT_LOGGER, github, webhookSecret: { current: SECRET } });
  spoken = [];
  taskEvents = [];
  app.events.on('notification.spoken', (e) => spoken.push(e));
  app.events.on('agent.task', (e) => taskEvents.push(e));
});
afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  expect(fake.validationErrors.map((e) => e.slice(0, 300))).toEqual([]);
});

const say = (text: string) => app.service.runCommand({ text }, caller);
const dispatchIssues = () => fake.state.issues().filter((i) => i.repo === 'acme/agent-tasks' && MARKER_RE.test(i.body));

async function delegateAndConfirm() {
  const d = await say('ask the agent to fix issue 918 in acme/api');
  expect(d.status).toBe('needs_confirmation');
  return { d, c: await say('confirm') };
}

describe('agent delegation on the fake GitHub', () => {
  it('confirm → one dispatch issue → agent PR referencing it (polled) → task completed and spoken', async () => {
    const { d, c } = await delegateAndConfirm();
    expect(c.status).toBe('ok');
    expect(dispatchIssues()).toHaveLength(1);
    // The public marker is a keyed MAC of the token, not a part of it (issue 13).
    const token = d.pending_action!.token;
    const marker = MARKER_RE.exec(dispatchIssues()[0]!.body)![1]!;
    expect(marker).toMatch(/^[0-9a-f]{32}$/);
    expect(token.includes(marker.slice(0, 8))).toBe(false);
    for (let i = 0; i + 8 <= token.length; i++) expect(dispatchIssues()[0]!.body).not.toContain(token.slice(i, i + 8));
    expect(marker).toBe(hmacDispatchMarker(readFileSync(join(dir, DISPATCH_KEY_FILE), 'utf8').trim())(token));
    expect(fake.count('POST', '/repos/acme/agent-tasks/issues')).toBe(1);
    const dispatch = dispatchIssues()[0]!;
    const [task] = app.agent.tasks.list();
    expect(task).toMatchObject({ state: 'running', repo: 'acme/api', issueNumber: 918, externalId: `acme/agent-tasks#${dispatch.number}` });
    expect((await say('what is the agent doing')).spoken_text).toMatch(/working on issue 918/);

    // Nothing yet: polling finds no PR.
    expect(await app.agent.reconcile()).toEqual({ dispatched: 0, completed: 0 });
    // The agent opens a PR in acme/api that closes the dispatch issue.
    const pr = fake.state.simulatePullRequest({ repo: 'acme/api', author: AGENT, title: 'Fix flaky login', body: `Fixes acme/agent-tasks#${dispatch.number}\n\nWorked on acme/api#918.` });
    expect(await app.agent.reconcile()).toEqual({ dispatched: 0, completed: 1 });
    const done = app.agent.tasks.get(task!.id)!;
    expect(done).toMatchObject({ state: 'completed', prNumber: pr.number });
    expect(spoken.map((s) => s.text)).toContain(`The agent opened PR ${pr.number} for issue 918.`);
    expect(taskEvents.map((t) => t.state)).toEqual(['created', 'running', 'completed']);
    expect((await say('what is the agent doing')).spoken_text).toMatch(new RegExp(`opened PR ${pr.number} for issue 918`));
    // Seen again: no second completion, no second announcement.
    await app.agent.reconcile();
    expect(spoken.filter((s) => s.text.startsWith('The agent opened'))).toHaveLength(1);
  });

  it('an agent PR arriving by webhook with the marker completes the task', async () => {
    await delegateAndConfirm();
    const marker = MARKER_RE.exec(dispatchIssues()[0]!.body)![1]!;
    const payload = {
      action: 'opened',
      repository: { full_name: 'acme/api' },
      pull_request: { number: 57, title: 'Fix it', body: `Done.\n<!-- handsfree-task: ${marker} -->`, user: { login: AGENT }, html_url: 'https://github.com/acme/api/pull/57', updated_at: '2026-03-20T10:00:00Z' },
    };
    const body = JSON.stringify(payload);
    const r = await app.webhooks.receive({ headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'pr-57', 'x-hub-signature-256': await signWebhook(SECRET, body) }, body: Buffer.from(body) });
    expect(r.status).toBe(200);
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'completed', prNumber: 57 });
    expect(spoken.map((s) => s.text)).toContain('The agent opened PR 57 for issue 918.');
  });

  it('CF-11: the dispatch POST succeeds at GitHub but answers 502 → the marker search finds it: one issue, task running', async () => {
    fake.faults.add({ match: { method: 'POST', path: '/repos/acme/agent-tasks/issues' }, action: { kind: 'statusAfter', status: 502 } });
    const { d, c } = await delegateAndConfirm();
    expect(c.status).toBe('ok');
    expect(dispatchIssues()).toHaveLength(1);
    // The public marker is a keyed MAC of the token, not a part of it (issue 13).
    const token = d.pending_action!.token;
    const marker = MARKER_RE.exec(dispatchIssues()[0]!.body)![1]!;
    expect(marker).toMatch(/^[0-9a-f]{32}$/);
    expect(token.includes(marker.slice(0, 8))).toBe(false);
    for (let i = 0; i + 8 <= token.length; i++) expect(dispatchIssues()[0]!.body).not.toContain(token.slice(i, i + 8));
    expect(marker).toBe(hmacDispatchMarker(readFileSync(join(dir, DISPATCH_KEY_FILE), 'utf8').trim())(token));
    expect(fake.count('POST', '/repos/acme/agent-tasks/issues')).toBe(1);
    expect(fake.count('GET', '/search/issues')).toBeGreaterThanOrEqual(1);
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'running' });
  });

  it('CF-11: an ambiguous dispatch the search cannot confirm → outcome unknown; asking again searches first and creates no second issue', async () => {
    fake.faults.add({ match: { method: 'POST', path: '/repos/acme/agent-tasks/issues' }, action: { kind: 'resetAfter' } });
    // The follow-up search fails too (search outage), so the outcome stays unknown.
    fake.faults.add({ match: { method: 'GET', path: '/search/issues' }, action: { kind: 'status', status: 503 } });
    const first = await delegateAndConfirm();
    expect(first.c.status).toBe('error');
    expect(first.c.error?.code).toBe('outcome_unknown');
    expect(dispatchIssues()).toHaveLength(1);
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'created' });
    // The user asks again: the earlier marker is searched before creating, and found.
    const again = await delegateAndConfirm();
    expect(again.c.status).toBe('ok');
    expect(dispatchIssues()).toHaveLength(1);
    expect(fake.count('POST', '/repos/acme/agent-tasks/issues')).toBe(1);
    expect(app.agent.tasks.list({ states: ['running'] })).toHaveLength(1);
  });

  it('PI-6: a PR from a non-allow-listed author with a copied marker or issue link is not correlated', async () => {
    await delegateAndConfirm();
    const d = dispatchIssues()[0]!;
    const marker = MARKER_RE.exec(d.body)![1]!;
    fake.state.simulatePullRequest({ repo: 'acme/api', author: 'mallory', title: 'totally the agent', body: `Fixes acme/agent-tasks#${d.number}\n<!-- handsfree-task: ${marker} -->` });
    fake.state.simulatePullRequest({ repo: 'acme/agent-tasks', author: 'mallory', title: 'x', body: `closes #${d.number}` });
    expect(await app.agent.reconcile()).toEqual({ dispatched: 0, completed: 0 });
    expect(app.agent.onPullRequest({ repo: 'acme/api', number: 99, author: 'Mallory', body: `<!-- handsfree-task: ${marker} -->`, htmlUrl: '' })).toBeNull();
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'running', prNumber: null });
    expect(spoken.filter((s) => s.text.startsWith('The agent opened'))).toHaveLength(0);
  });

  it('HTTP: POST /v1/agent/delegate plans (confirm needed), GET /v1/agent/tasks and /:id list them, errors have the usual shape', async () => {
    const server = await startHttpServer({
      service: app.service,
      apiKeys: app.store.repos.apiKeys,
      authMode: 'dev',
      port: 0,
      logger: SILENT_LOGGER,
      extraRoutes: [...notificationRoutes({ notifications: app.notifications, webhooks: app.webhooks, nowMs: () => Date.now() }), ...agentRoutes({ agent: app.agent, pipeline: app.pipeline })],
    });
    try {
      const post = async (path: string, body: unknown) => {
        const r = await fetch(new URL(path, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: r.status, json: (await r.json()) as Record<string, any> };
      };
      const get = async (path: string) => {
        const r = await fetch(new URL(path, server.url));
        return { status: r.status, json: (await r.json()) as Record<string, any> };
      };
      const bad = await post('/v1/agent/delegate', { repo: 'acme/api', issue: -1 });
      expect(bad.status).toBe(400);
      expect(bad.json['code']).toBe('validation_failed');
      const extra = await post('/v1/agent/delegate', { repo: 'acme/api', issue: 918, sneaky: true });
      expect(extra.status).toBe(400);
      const plan = await post('/v1/agent/delegate', { repo: 'acme/api', issue: 918, instruction: 'add a regression test' });
      expect(plan.status).toBe(200);
      expect(plan.json['status']).toBe('needs_confirmation');
      expect(dispatchIssues()).toHaveLength(0);
      const conf = await post('/v1/commands/confirm', { token: plan.json['pending_action']['token'] });
      expect(conf.json['status']).toBe('ok');
      expect(dispatchIssues()).toHaveLength(1);
      expect(dispatchIssues()[0]!.body).toContain('add a regression test');
      const list = await get('/v1/agent/tasks');
      expect(list.status).toBe(200);
      expect(list.json['items']).toHaveLength(1);
      const id = list.json['items'][0]['id'] as string;
      expect((await get(`/v1/agent/tasks/${id}`)).json).toMatchObject({ id, state: 'running', target: 'acme/api#918' });
      const missing = await get('/v1/agent/tasks/nope');
      expect(missing.status).toBe(404);
      expect(missing.json['code']).toBe('not_found');
      const other = await fetch(new URL(`/v1/agent/tasks/${id}`, server.url), { headers: { 'x-user-id': 'someone-else' } });
      expect(other.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
