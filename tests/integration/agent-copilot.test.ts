/**
 * Agent delegation with provider `copilot` end to end on the fake GitHub (responses validated
 * against GitHub's OpenAPI description): "have copilot handle issue 918" → read-back naming Copilot
 * → confirm → one POST …/issues/918/assignees with assignees ["copilot-swe-agent[bot]"] and
 * agent_assignment → Copilot's PR ("Fixes #918") completes the task and is spoken. Exactly once:
 * an issue already showing Copilot is not assigned again; an ambiguous failure is settled by reading
 * the issue's assignees, never by sending again. Also the fixture gateway (offline) and the config.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTaskView } from '../../contract/api.js';
import type { AppEvents } from '../../contract/events.js';
import { MARKER_RE } from '../../main/agent/agentService.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { signWebhook } from '../../main/github/webhookSignature.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

const SECRET = 'copilot-webhook-secret-0123456789';
const ASSIGN = '/repos/acme/api/issues/918/assignees';
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
  dir = mkdtempSync(join(tmpdir(), 'hf-copilot-'));
  const github = new OctokitGitHubGateway({ token: 'ghp_copilottest', baseUrl: fake.url, circuitBreaker: false, readRetries: 0, timeouts: { writeMs: 1_500 } });
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live', HANDSFREE_AGENT_PROVIDER: 'copilot', HANDSFREE_COPILOT_BASE_BRANCH: 'main' }), {
    logger: SILENT_LOGGER,
    github,
    webhookSecret: { current: SECRET },
  });
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
const assignPosts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === ASSIGN);
const issue918 = () => fake.state.issue('acme/api', 918)!;

async function delegateAndConfirm(text = 'have copilot handle issue 918 in acme/api') {
  const d = await say(text);
  expect(d.status).toBe('needs_confirmation');
  return { d, c: await say('confirm') };
}

describe('provider copilot on the fake GitHub', () => {
  it('read-back names Copilot; confirm → one assignment with agent_assignment; Copilot’s PR completes the task and is spoken', async () => {
    const { d, c } = await delegateAndConfirm('have copilot handle issue 918 in acme/api and add a regression test');
    expect(d.spoken_text).toMatch(/^Ask GitHub Copilot's coding agent to work on issue 918.* by assigning the issue to Copilot\. Say confirm/);
    expect(c.status).toBe('ok');
    expect(c.spoken_text).toMatch(/Assigned issue 918 in acme\/api to Copilot's coding agent/);

    // Exactly one write, to the issue itself; no dispatch issue anywhere.
    expect(assignPosts()).toHaveLength(1);
    expect(fake.count('POST', '/repos/acme/agent-tasks/issues')).toBe(0);
    const body = assignPosts()[0]!.body as { assignees: string[]; agent_assignment: { base_branch?: string; custom_instructions?: string } };
    expect(body.assignees).toEqual(['copilot-swe-agent[bot]']);
    expect(body.agent_assignment.base_branch).toBe('main');
    expect(body.agent_assignment.custom_instructions).toContain('Instruction from the user: add a regression test');
    const marker = MARKER_RE.exec(body.agent_assignment.custom_instructions!)![1]!;
    expect(issue918().assignees).toContain('Copilot');
    expect(fake.state.agentAssignments).toHaveLength(1);

    const [task] = app.agent.tasks.list();
    expect(task).toMatchObject({ provider: 'copilot', state: 'running', repo: 'acme/api', issueNumber: 918, externalId: 'acme/api#918', correlationId: marker });
    expect((await say('what is the agent doing')).spoken_text).toMatch(/Copilot is working on issue 918/);

    expect(await app.agent.reconcile()).toEqual({ dispatched: 0, completed: 0 });
    // Copilot opens its PR in the same repo and links the issue.
    const pr = fake.state.simulatePullRequest({ repo: 'acme/api', author: 'Copilot', title: '[WIP] Fix duplicate reset emails', body: 'Deduplicate the reset handler.\n\nFixes #918.' });
    expect(await app.agent.reconcile()).toEqual({ dispatched: 0, completed: 1 });
    expect(app.agent.tasks.get(task!.id)).toMatchObject({ state: 'completed', prNumber: pr.number });
    expect(spoken.map((s) => s.text)).toContain(`Copilot opened PR ${pr.number} for issue 918.`);
    expect(taskEvents.map((t) => [t.provider, t.state])).toEqual([['copilot', 'created'], ['copilot', 'running'], ['copilot', 'completed']]);
    await app.agent.reconcile();
    expect(spoken.filter((s) => s.text.startsWith('Copilot opened'))).toHaveLength(1);
  });

  it('Copilot’s PR arriving by webhook (author "Copilot", body links the issue) completes the task', async () => {
    await delegateAndConfirm();
    const payload = {
      action: 'opened',
      repository: { full_name: 'acme/api' },
      pull_request: { number: 58, title: 'Fix it', body: 'Fixes #918', user: { login: 'Copilot' }, html_url: 'https://github.com/acme/api/pull/58', updated_at: '2026-03-20T10:00:00Z' },
    };
    const text = JSON.stringify(payload);
    const r = await app.webhooks.receive({ headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'copilot-pr-58', 'x-hub-signature-256': await signWebhook(SECRET, text) }, body: Buffer.from(text) });
    expect(r.status).toBe(200);
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'completed', prNumber: 58 });
    expect(spoken.map((s) => s.text)).toContain('Copilot opened PR 58 for issue 918.');
  });

  it('an issue that already shows Copilot is not assigned again (read first), and asking twice sends nothing more', async () => {
    fake.state.addAssignees('acme/api', 918, ['copilot-swe-agent[bot]']);
    const { c } = await delegateAndConfirm();
    expect(c.status).toBe('ok');
    expect(assignPosts()).toHaveLength(0);
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'running', provider: 'copilot' });
    const again = await delegateAndConfirm('ask the agent to fix issue 918 in acme/api');
    expect(again.c.status).toBe('ok');
    expect(assignPosts()).toHaveLength(0);
    expect(app.agent.tasks.list({ states: ['created', 'running'] })).toHaveLength(1);
  });

  it('ambiguous: the assignment lands but GitHub answers 502 → the assignees are read, no second POST, task running', async () => {
    fake.faults.add({ match: { method: 'POST', path: ASSIGN }, action: { kind: 'statusAfter', status: 502 } });
    const { c } = await delegateAndConfirm();
    expect(c.status).toBe('ok');
    expect(assignPosts()).toHaveLength(1);
    expect(fake.state.agentAssignments).toHaveLength(1);
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'running' });
  });

  it('ambiguous: the connection resets before GitHub handled it → not assigned, reported, never re-sent; asking again assigns once', async () => {
    fake.faults.add({ match: { method: 'POST', path: ASSIGN }, action: { kind: 'reset' } });
    const first = await delegateAndConfirm();
    expect(first.c.status).toBe('error');
    expect(assignPosts()).toHaveLength(1);
    expect(issue918().assignees).not.toContain('Copilot');
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'created' });
    expect(app.agent.tasks.list()[0]!.error).toMatch(/^outcome_unknown/);
    expect(await app.agent.reconcile()).toEqual({ dispatched: 0, completed: 0 });
    expect(assignPosts()).toHaveLength(1);
    const again = await delegateAndConfirm();
    expect(again.c.status).toBe('ok');
    expect(assignPosts()).toHaveLength(2);
    expect(fake.state.agentAssignments).toHaveLength(1);
    expect(app.agent.tasks.list({ states: ['running'] })).toHaveLength(1);
  });

  it('Copilot not enabled in the repo: GitHub drops the assignee (201) → a clear failure, task failed, nothing spoken as done', async () => {
    fake.state.disableCopilot('acme/api');
    const { c } = await delegateAndConfirm();
    expect(c.status).toBe('error');
    expect(c.spoken_text).toMatch(/did not assign Copilot to issue 918 in acme\/api: its coding agent is not enabled/);
    expect(assignPosts()).toHaveLength(1);
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'failed', provider: 'copilot' });
  });

  it('only Copilot’s own PR completes a Copilot task: another allow-listed bot or a stranger linking the issue does not', async () => {
    await delegateAndConfirm();
    fake.state.simulatePullRequest({ repo: 'acme/api', author: 'handsfree-agent[bot]', title: 'x', body: 'Fixes #918' });
    fake.state.simulatePullRequest({ repo: 'acme/api', author: 'mallory', title: 'y', body: 'Fixes #918' });
    expect(await app.agent.reconcile()).toEqual({ dispatched: 0, completed: 0 });
    expect(app.agent.tasks.list()[0]).toMatchObject({ state: 'running', prNumber: null });
  });
});

describe('provider copilot offline and in config', () => {
  it('the fixture gateway assigns Copilot (and remembers it across runs through its journal)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'hf-copilot-fx-'));
    const journalPath = join(d, 'journal.jsonl');
    try {
      const gw = new FixtureGitHubGateway({ journalPath });
      const a = await createApp(loadConfig({ HANDSFREE_DATA_DIR: d, HANDSFREE_AGENT_PROVIDER: 'copilot' }), { logger: SILENT_LOGGER, github: gw });
      try {
        await a.service.runCommand({ text: 'have copilot handle issue 918 in acme/api' }, caller);
        const c = await a.service.runCommand({ text: 'confirm' }, caller);
        expect(c.status).toBe('ok');
        expect(gw.callCount('addAssignees')).toBe(1);
        expect(gw.callCount('createIssue')).toBe(0);
        expect((await gw.getIssue('acme/api', 918)).assignees).toContain('Copilot');
        expect(a.agent.tasks.list()[0]).toMatchObject({ provider: 'copilot', state: 'running' });
      } finally {
        await a.close();
      }
      expect((await new FixtureGitHubGateway({ journalPath }).getIssue('acme/api', 918)).assignees).toContain('Copilot');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the provider is validated: env and settings.json; a bad value is a typed configuration error', () => {
    const d = mkdtempSync(join(tmpdir(), 'hf-copilot-cfg-'));
    try {
      expect(loadConfig({ HANDSFREE_DATA_DIR: d }).agent.provider).toBe('github_issue_dispatch');
      expect(() => loadConfig({ HANDSFREE_DATA_DIR: d, HANDSFREE_AGENT_PROVIDER: 'skynet' })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
      expect(() => loadConfig({ HANDSFREE_DATA_DIR: d, HANDSFREE_COPILOT_BASE_BRANCH: '../etc' })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
      writeFileSync(join(d, 'settings.json'), JSON.stringify({ agent: { provider: 'copilot', copilotBaseBranch: 'develop' } }));
      expect(loadConfig({ HANDSFREE_DATA_DIR: d }).agent).toMatchObject({ provider: 'copilot', copilotBaseBranch: 'develop' });
      writeFileSync(join(d, 'settings.json'), JSON.stringify({ agent: { provider: 'robot' } }));
      expect(() => loadConfig({ HANDSFREE_DATA_DIR: d })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
