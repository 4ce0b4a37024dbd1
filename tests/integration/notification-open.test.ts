/**
 * "open it": the pipeline answers with an open_url directive whose URL is GitHub's html_url for the
 * current notification / PR / named issue; nothing changes on GitHub and nothing waits for a
 * confirmation. The renderer carries the directive out through the host's link policy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIDE_EFFECT_INTENTS } from '../../contract/intent.js';
import type { CommandResponse } from '../../contract/response.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway, type GatewayMethod } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { runDirectives } from '../../renderer/features/openLinks.js';
import { UI_ACTIONS } from '../../renderer/features/uiActions.js';
import { manualClock } from '../support/memoryRepositories.js';

let dir: string;
let app: App;
let gw: FixtureGitHubGateway;
const caller = { userId: 'alice', transport: 'http' as const };
const WRITES: GatewayMethod[] = ['mergePullRequest', 'requestReviewers', 'createComment', 'createIssue', 'markThreadDone', 'unsubscribeThread'];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-open-'));
  gw = new FixtureGitHubGateway();
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw, clock: manualClock() });
});
afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const say = (text: string) => app.service.runCommand({ text, session_id: 'open-session' }, caller);
const urls = (r: CommandResponse) => (r.directives ?? []).map((d) => d.url);

describe('open it', () => {
  it('opens the current notification: its html_url, no confirmation, no GitHub write', async () => {
    const inbox = await say('what needs my attention');
    const cards = inbox.cards.filter((c) => c.kind === 'notification');
    const issueAt = cards.findIndex((c) => c.subject_type === 'Issue');
    expect(issueAt).toBeGreaterThanOrEqual(0);
    await say(`read item ${issueAt + 1}`);
    const r = await say('open it');
    expect(r.status).toBe('ok');
    expect(r.intent.name).toBe('notification.open');
    expect(SIDE_EFFECT_INTENTS).not.toContain('notification.open');
    expect(r.pending_action).toBeUndefined();
    const card = cards[issueAt]!;
    expect(urls(r)).toEqual([card.url]);
    expect(card.url).toBe(`https://github.com/${card.repo}/issues/${card.number}`);
    expect(r.directives![0]!.label).toBe(`issue ${card.number} in ${card.repo}`);
    expect(r.spoken_text).toBe(`Opening issue ${card.number} in ${card.repo} on GitHub.`);
    expect(WRITES.map((m) => gw.callCount(m))).toEqual(WRITES.map(() => 0));
  });

  it('"it" follows the user to the PR they moved on to; explicit PRs and issues open those', async () => {
    await say('what needs my attention');
    await say('read the first one'); // PR 12 in acme/api
    expect(urls(await say('open that on GitHub'))).toEqual(['https://github.com/acme/api/pull/12']);
    await say('summarize PR 15 in acme/api');
    expect(urls(await say('show it in the browser'))).toEqual(['https://github.com/acme/api/pull/15']);
    expect(urls(await say('open PR 17 in acme/api on GitHub'))).toEqual(['https://github.com/acme/api/pull/17']);
    expect(urls(await say('open issue 918 in acme/api on GitHub'))).toEqual(['https://github.com/acme/api/issues/918']);
  });

  it('with nothing current: a typed no_context error and no directive', async () => {
    const r = await say('open it');
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('no_context');
    expect(r.directives).toBeUndefined();
  });

  it('a link outside https://github.com (e.g. GitHub Enterprise) is refused with policy_denied, not opened', async () => {
    await app.close();
    gw = new FixtureGitHubGateway({ htmlBaseUrl: 'https://ghe.example.com' });
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw, clock: manualClock() });
    await say('what needs my attention');
    await say('read the first one');
    const r = await say('open it');
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('policy_denied');
    expect(r.directives).toBeUndefined();
  });

  it('the inbox button is the voice twin: its utterances produce the same directive', async () => {
    const inbox = await say('what needs my attention');
    const first = inbox.cards.find((c) => c.kind === 'notification')!;
    const action = UI_ACTIONS.find((a) => a.id === 'notification.open')!;
    let last: CommandResponse | undefined;
    for (const step of action.text({ position: 1 })) last = await say(step);
    expect(last!.intent.name).toBe('notification.open');
    expect(urls(last!)).toEqual([first.kind === 'notification' ? first.url : '']);
  });
});

describe('renderer: carrying out open_url directives', () => {
  const res = (...list: string[]): Pick<CommandResponse, 'directives'> => ({ directives: list.map((url) => ({ kind: 'open_url' as const, url, label: 'x' })) });

  it('asks the host first (Electron: shell.openExternal behind the policy); falls back to a tab when it cannot', async () => {
    const host: string[] = [];
    const tabs: string[] = [];
    const opened = await runDirectives(res('https://github.com/acme/api/pull/12'), { openExternal: async (u) => (host.push(u), true), openWindow: (u) => tabs.push(u) });
    expect([opened, host, tabs]).toEqual([['https://github.com/acme/api/pull/12'], ['https://github.com/acme/api/pull/12'], []]);
    await runDirectives(res('https://github.com/acme/api/pull/15'), { openExternal: async () => false, openWindow: (u) => tabs.push(u) });
    await runDirectives(res('https://github.com/acme/api/pull/17'), { openExternal: () => Promise.reject(new Error('ipc down')), openWindow: (u) => tabs.push(u) });
    expect(tabs).toEqual(['https://github.com/acme/api/pull/15', 'https://github.com/acme/api/pull/17']);
  });

  it('never opens anything outside https://github.com', async () => {
    const seen: string[] = [];
    const bad = ['http://github.com/a', 'https://github.com.evil.example/a', 'javascript:alert(1)', 'https://user:pw@github.com/a', 'file:///etc/passwd', ''];
    expect(await runDirectives(res(...bad), { openExternal: async (u) => (seen.push(u), true), openWindow: (u) => seen.push(u) })).toEqual([]);
    expect(seen).toEqual([]);
    expect(await runDirectives({}, { openExternal: async () => true, openWindow: () => undefined })).toEqual([]);
  });
});
