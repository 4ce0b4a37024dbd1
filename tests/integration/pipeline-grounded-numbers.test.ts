/**
 * Numbers grounded in what exists (issue 11, item 4): a spoken PR/issue number that the repo does
 * not have is not acted on; the answer says so and offers the nearest known number, and a
 * following "yes" takes the offer — through the normal read-back and confirmation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { voiceClientContext } from '../../contract/api.js';
import { nearestNumber } from '../../core/pipeline/commandPipeline.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { DemoGitHubState } from '../../main/github/demo/demoGitHubState.js';
import { loadDemoFixture } from '../../main/github/demo/fixtureData.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { manualClock } from '../support/memoryRepositories.js';

let dir: string;
let app: App;
let gw: FixtureGitHubGateway;
let clock: ReturnType<typeof manualClock>;
const caller = { userId: 'alice', transport: 'http' as const };
const say = (text: string) => app.service.runCommand({ text, session_id: 'grounded' }, caller);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-grounded-'));
  // acme/api with one pull request, 15: the demo account's mergeable PR 12 renumbered, the others removed.
  const fixture = loadDemoFixture();
  fixture.pulls = fixture.pulls.filter((p) => p.repo !== 'acme/api' || p.number === 12).map((p) => (p.repo === 'acme/api' ? { ...p, number: 15 } : p));
  fixture.notifications = fixture.notifications
    .filter((n) => n.repo !== 'acme/api' || n.type !== 'PullRequest' || n.number === 12)
    .map((n) => (n.repo === 'acme/api' && n.type === 'PullRequest' ? { ...n, number: 15 } : n));
  gw = new FixtureGitHubGateway({ state: new DemoGitHubState(fixture) });
  clock = manualClock();
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw, clock });
});
afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const pendingCount = () => app.pipeline.actions.pendingForSession('grounded', 't').length;

describe('spoken numbers are checked against what exists', () => {
  it('"merge PR 50" where only 15 exists → a question, no pending action; "yes" → PR 15 read back; confirm merges 15', async () => {
    const q = await say('merge PR 50 in acme/api');
    expect(q.status).toBe('error');
    expect(q.error?.code).toBe('pr_not_found');
    expect(q.pending_action).toBeUndefined();
    expect(q.spoken_text).toBe('I heard PR 50; there is no open PR 50 in acme/api. Did you mean 15? Say yes, or say the number again.');
    expect(pendingCount()).toBe(0);
    expect(gw.calls.some((c) => c.method === 'mergePullRequest')).toBe(false);

    const yes = await say('yes');
    expect(yes.status).toBe('needs_confirmation');
    expect(yes.intent).toMatchObject({ name: 'pr.merge', entities: { number: 15, repo: 'acme/api' } });
    expect(yes.spoken_text).toMatch(/^Merge acme\/api PR 15\b/);
    expect(yes.pending_action).toMatchObject({ repo: 'acme/api', number: 15 });
    expect(yes.spoken_text).toMatch(/confirm/i);
    expect(pendingCount()).toBe(1);
    // Planning is not merging: the read-back still needs its confirmation.
    expect(gw.calls.some((c) => c.method === 'mergePullRequest')).toBe(false);
    const done = await say('confirm');
    expect(done.status).toBe('ok');
    expect(gw.calls.filter((c) => c.method === 'mergePullRequest').map((c) => c.args[0])).toMatchObject([{ repo: 'acme/api', number: 15 }]);
  });

  it('reads are grounded too, and the offer is taken only by the very next command', async () => {
    const q = await say('read PR 50 in acme/api');
    expect(q.spoken_text).toContain('Did you mean 15?');
    expect((await say('help')).intent.name).toBe('system.help');
    const late = await say('yes');
    expect(late.intent.name).toBe('unknown');
    expect(pendingCount()).toBe(0);

    await say('read PR 50 in acme/api');
    const yes = await say('yeah');
    expect(yes.intent).toMatchObject({ name: 'pr.summarize', entities: { number: 15 } });
    expect(yes.spoken_text).toContain('PR 15');
  });

  it('an offer expires after a minute', async () => {
    await say('merge PR 50 in acme/api');
    clock.advance(61_000);
    const yes = await say('yes');
    expect(yes.intent.name).toBe('unknown');
    expect(pendingCount()).toBe(0);
  });

  it('an issue number that does not exist offers the nearest issue the user can see', async () => {
    await say('what needs my attention');
    const q = await say('ask the agent to fix issue 919 in acme/api');
    expect(q.error?.code).toBe('issue_not_found');
    expect(q.pending_action).toBeUndefined();
    expect(q.spoken_text).toMatch(/^I heard issue 919; there is no issue 919 in acme\/api\. Did you mean 918\?/);
    const yes = await say('yes');
    expect(yes.status).toBe('needs_confirmation');
    expect(yes.intent).toMatchObject({ name: 'agent.delegate', entities: { issue: 918 } });
  });

  it('with nothing known to offer, it says so and asks to check the number', async () => {
    const q = await say('read PR 7 in acme/agent-tasks');
    expect(q.error?.code).toBe('pr_not_found');
    expect(q.spoken_text).not.toContain('Did you mean');
    expect((await say('yes')).intent.name).toBe('unknown');
  });

  it('numbers the user can see are published as STT hints, refreshed when the inbox changes', async () => {
    const seen: (readonly number[])[] = [];
    app.pipeline.onNumberHints((n) => seen.push(n));
    await say('what needs my attention');
    expect(seen.at(-1)).toEqual(expect.arrayContaining([15, 918]));
    const before = seen.length;
    await say('help');
    expect(seen.length).toBe(before); // unchanged list: no event
  });
});

describe("the recognizer's other readings of a spoken number", () => {
  it('a voice command offers the first other reading that exists, before the teen/ty guess; typed text has none', async () => {
    // acme/api with PRs 15 and 48 (the demo's 12 and 17 renumbered): a guess from "50" alone is 15.
    const fixture = loadDemoFixture();
    const renumber = new Map([[12, 15], [17, 48]]);
    fixture.pulls = fixture.pulls.filter((p) => p.repo !== 'acme/api' || renumber.has(p.number)).map((p) => (p.repo === 'acme/api' ? { ...p, number: renumber.get(p.number)! } : p));
    const d = mkdtempSync(join(tmpdir(), 'hf-grounded-alt-'));
    const a = await createApp(loadConfig({ HANDSFREE_DATA_DIR: d }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway({ state: new DemoGitHubState(fixture) }), clock: manualClock() });
    try {
      const voice = await a.service.runCommand({ text: 'merge PR 50 in acme/api', session_id: 's1', client_context: voiceClientContext(0.8, [60, 48, 15]) }, caller);
      expect(voice.spoken_text).toContain('Did you mean 48?');
      expect((await a.service.runCommand({ text: 'yes', session_id: 's1' }, caller)).intent).toMatchObject({ name: 'pr.merge', entities: { repo: 'acme/api', number: 48 } });
      // None of the readings exists: the guess from the number alone.
      const none = await a.service.runCommand({ text: 'merge PR 50 in acme/api', session_id: 's2', client_context: voiceClientContext(0.8, [60, 70]) }, caller);
      expect(none.spoken_text).toContain('Did you mean 15?');
      const typed = await a.service.runCommand({ text: 'merge PR 50 in acme/api', session_id: 's3', client_context: { input: 'text', number_alternatives: [48] } }, caller);
      expect(typed.spoken_text).toContain('Did you mean 15?');
    } finally {
      await a.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('nearestNumber', () => {
  it('prefers the teen/ty swap, then the numerically nearest (ties: smaller)', () => {
    expect(nearestNumber(50, [15, 40, 49])).toBe(15);
    expect(nearestNumber(15, [12, 50])).toBe(50);
    expect(nearestNumber(51, [15, 40, 62])).toBe(62 - 51 < 51 - 40 ? 62 : 40);
    expect(nearestNumber(20, [18, 22])).toBe(18);
    expect(nearestNumber(7, [])).toBeUndefined();
    expect(nearestNumber(7, [7])).toBeUndefined();
  });
});
