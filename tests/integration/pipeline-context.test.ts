/**
 * Context walk-throughs: the pipeline over the demo account (FixtureGitHubGateway) and the real
 * store — "it", "next", "the second one", "repeat", profiles and word budgets, several pending
 * actions, and the typed errors with spoken explanations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandResponse } from '../../contract/response.js';
import { countWords } from '../../core/responses/text.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { manualClock } from '../support/memoryRepositories.js';

let dir: string;
let app: App;
let gw: FixtureGitHubGateway;
let clock: ReturnType<typeof manualClock>;
const caller = { userId: 'alice', transport: 'http' as const };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hf-ctx-'));
  gw = new FixtureGitHubGateway();
  clock = manualClock();
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: gw, clock });
});
afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const say = (text: string, extra: Partial<Parameters<App['service']['runCommand']>[0]> = {}) => app.service.runCommand({ text, ...extra }, caller);

describe('inbox walk-through', () => {
  it('summary → read the first one → next → the second one → repeat', async () => {
    const inbox = await say('what needs my attention');
    expect(inbox.status).toBe('ok');
    expect(inbox.intent.name).toBe('inbox.summary');
    const cards = inbox.cards.filter((c) => c.kind === 'notification');
    expect(cards.length).toBeGreaterThanOrEqual(15);
    // Review requests lead.
    expect(cards[0]).toMatchObject({ reason: 'review_requested', repo: 'acme/api', number: 12 });
    expect(inbox.spoken_text).toMatch(/^\d+ notifications/);

    const first = await say('read the first one');
    expect(first.intent).toMatchObject({ name: 'inbox.read', entities: { position: 1 } });
    expect(first.spoken_text).toContain('PR 12 in acme/api');
    expect(first.cards.some((c) => c.kind === 'pull_request' && c.number === 12)).toBe(true);

    const next = await say('next');
    expect(next.spoken_text).toMatch(/^Second:/);
    const secondCard = cards[1]!;
    expect(next.spoken_text).toContain(`${secondCard.number}`);

    const again = await say('the second one');
    expect(again.spoken_text).toBe(next.spoken_text);

    const repeat = await say('repeat');
    expect(repeat.spoken_text).toBe(again.spoken_text);
    expect((await say('say that again')).spoken_text).toBe(again.spoken_text);
  });

  it('"merge it" after reading the first one targets that PR with its head SHA', async () => {
    await say('show my inbox');
    await say('read the first one');
    const merge = await say('merge it');
    expect(merge.status).toBe('needs_confirmation');
    const pr = await gw.getPullRequest('acme/api', 12);
    expect(merge.pending_action).toMatchObject({ repo: 'acme/api', number: 12, head_sha: pr.headSha, kind: 'pr.merge' });
    expect(merge.spoken_text).toContain(pr.headSha.slice(0, 7));
    expect(merge.spoken_text).toContain('titled: Fix login redirect loop.');
    expect(merge.spoken_text).toContain('Say confirm or cancel.');
    const done = await say('confirm');
    expect(done.status).toBe('ok');
    expect(done.cards[0]).toMatchObject({ kind: 'outcome', outcome: 'merged', state: 'done' });
    expect(gw.state.merges).toHaveLength(1);
    expect(gw.state.merges[0]).toMatchObject({ repo: 'acme/api', number: 12 });
  });

  it('mark it done removes the current notification and moves on', async () => {
    await say('what needs my attention');
    const first = await say('read the first one');
    expect(first.status).toBe('ok');
    const before = (await gw.listNotifications()).length;
    const done = await say('mark it done');
    expect(done.intent.name).toBe('notification.done');
    expect(done.status).toBe('ok');
    expect((await gw.listNotifications()).length).toBe(before - 1);
    const next = await say('next');
    expect(next.spoken_text).toMatch(/^First:/);
  });

  it('unsubscribe is confirmed before it happens', async () => {
    await say('what needs my attention');
    await say('read the first one');
    const r = await say('unsubscribe from this');
    expect(r.status).toBe('needs_confirmation');
    expect(gw.callCount('unsubscribeThread')).toBe(0);
    const c = await say('confirm');
    expect(c.cards[0]).toMatchObject({ outcome: 'unsubscribed' });
    expect(gw.callCount('unsubscribeThread')).toBe(1);
  });
});

describe('PR context', () => {
  it('"read it again" and "checks on it" follow the last PR', async () => {
    const r = await say('read PR 19 in acme/api');
    expect(r.status).toBe('ok');
    expect(r.spoken_text).toContain('PR 19 in acme/api');
    expect((await say('read it again')).spoken_text).toContain('PR 19 in acme/api');
    const checks = await say('are the checks passing on it');
    expect(checks.intent.name).toBe('pr.checks');
    expect(checks.spoken_text).toContain('PR 19');
  });

  it('a bare number resolves through the inbox, the current repo, or asks', async () => {
    const ask = await say('read PR 12');
    expect(ask.status).toBe('error');
    expect(ask.error?.code).toBe('no_context');
    expect(ask.spoken_text).toMatch(/Which repo/);
    await say('what needs my attention');
    expect((await say('read PR 12')).spoken_text).toContain('PR 12 in acme/api');
    expect((await say('read PR 204', { client_context: { current_repo: 'acme/web' } })).spoken_text).toContain('PR 204 in acme/web');
  });

  it('"merge it" with no PR in context asks which, and does nothing', async () => {
    const r = await say('merge it');
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('no_context');
    expect(r.pending_action).toBeUndefined();
  });
});

describe('profiles and budgets', () => {
  const words = (r: CommandResponse) => countWords(r.spoken_text);

  it('terse and workout speak less; read-backs keep target and head', async () => {
    await say('switch to terse mode');
    const inbox = await say('what needs my attention');
    expect(words(inbox)).toBeLessThanOrEqual(25);
    const pr = await say('read PR 12 in acme/api');
    expect(words(pr)).toBeLessThanOrEqual(25);
    await say('switch to workout mode');
    expect(words(await say('read PR 12 in acme/api'))).toBeLessThanOrEqual(20);
    const merge = await say('merge it');
    expect(merge.status).toBe('needs_confirmation');
    expect(merge.spoken_text).toContain('acme/api PR 12');
    expect(merge.spoken_text).toContain('confirm 12');
    // Workout requires the number.
    const bare = await say('confirm');
    expect(bare.error?.code).toBe('ambiguous_confirmation');
    const ok = await say('confirm 12');
    expect(ok.cards[0]).toMatchObject({ outcome: 'merged' });
  });

  it('a per-request profile applies to that command only', async () => {
    const terse = await say('read PR 12 in acme/api', { profile: 'terse' });
    const normal = await say('read PR 12 in acme/api');
    expect(words(terse)).toBeLessThan(words(normal));
  });
});

describe('confirmations', () => {
  it('several pending: asks which, then "confirm N" picks one; cancel cancels the rest', async () => {
    const a = await say('merge PR 12 in acme/api');
    const b = await say('comment on PR 19 in acme/api saying ship it');
    expect(a.status).toBe('needs_confirmation');
    expect(b.status).toBe('needs_confirmation');
    const which = await say('confirm');
    expect(which.error?.code).toBe('ambiguous_confirmation');
    expect(which.spoken_text).toMatch(/confirm 12|confirm 19/);
    const c = await say('confirm 19');
    expect(c.cards[0]).toMatchObject({ outcome: 'commented' });
    expect(gw.state.merges).toHaveLength(0);
    const cancel = await say('cancel');
    expect(cancel.spoken_text).toMatch(/Cancelled/);
    const after = await app.service.confirm({ token: a.pending_action!.token }, caller, 'click');
    expect(after.error?.code).toBe('action_cancelled');
    expect(gw.state.merges).toHaveLength(0);
  });

  it('expires after the profile TTL on the monotonic clock; a wall-clock jump changes nothing', async () => {
    const m = await say('merge PR 12 in acme/api');
    clock.jumpWall(-2 * 3_600_000);
    clock.advance(60_001);
    const late = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    expect(late.status).toBe('error');
    expect(late.error?.code).toBe('token_expired');
    expect(late.spoken_text).toMatch(/expired/);
    expect(gw.state.merges).toHaveLength(0);
  });

  it('another user cannot confirm, and the read-back comes from API fields only', async () => {
    const m = await say('merge PR 12 in acme/api');
    const other = await app.service.confirm({ token: m.pending_action!.token }, { userId: 'mallory', transport: 'http' }, 'click');
    expect(other.error?.code).toBe('token_invalid');
    const pr = await gw.getPullRequest('acme/api', 12);
    expect(m.spoken_text).toBe(
      `Merge acme/api PR 12 into ${pr.baseRef} with a merge commit, head ${pr.headSha.slice(0, 7)}, all ${pr.checks.total} checks passing. By ${pr.author}, titled: ${pr.title}. Say confirm or cancel.`,
    );
  });

  it('policy gates: failing checks, conflicts, drafts, blocked and merged PRs are refused with reasons', async () => {
    const cases: Array<[string, string]> = [
      ['merge PR 15 in acme/api', 'policy_denied'],
      ['merge PR 204 in acme/web', 'not_mergeable'],
      ['merge PR 207 in acme/web', 'not_mergeable'],
      ['merge PR 88 in acme/infra', 'not_mergeable'],
      ['merge PR 10 in acme/api', 'already_merged'],
    ];
    for (const [text, code] of cases) {
      const r = await say(text);
      expect(r.status, text).toBe('error');
      expect(r.error?.code, text).toBe(code);
      expect(r.spoken_text.length, text).toBeGreaterThan(10);
      expect(r.pending_action, text).toBeUndefined();
    }
  });

  it('delegation reads back the issue and creates one dispatch issue on confirm', async () => {
    const d = await say('ask the agent to fix issue 918 in acme/api');
    expect(d.status).toBe('needs_confirmation');
    expect(d.spoken_text).toContain('issue 918');
    expect(d.spoken_text).toContain('acme/agent-tasks');
    const c = await say('confirm');
    expect(c.cards[0]).toMatchObject({ outcome: 'dispatched' });
    expect(gw.callCount('createIssue')).toBe(1);
    expect((await say('what is the agent doing')).spoken_text).toMatch(/1 task/);
  });
});

describe('bad input', () => {
  it('answers with a typed error and a spoken explanation, and persists nothing wrong', async () => {
    const cases: Array<[string, string]> = [
      ['', 'empty_command'],
      ['   ', 'empty_command'],
      ['x'.repeat(500_000), 'text_too_long'],
      ['bad \uD800 surrogate', 'invalid_encoding'],
      ['read PR 5 in nosuch/repo', 'unknown_repo'],
      ['read PR 999 in acme/api', 'pr_not_found'],
      ['ask the agent to fix issue 4040 in acme/api', 'issue_not_found'],
    ];
    for (const [text, code] of cases) {
      const r = await say(text);
      expect(r.status, code).toBe('error');
      expect(r.error?.code, code).toBe(code);
      expect(r.spoken_text, code).not.toBe('');
    }
    expect(app.store.integrityCheck()).toBe('ok');
  });

  it('unknown commands get help with examples, never an action', async () => {
    const r = await say('what is the weather like on mars');
    expect(r.intent.name).toBe('unknown');
    expect(r.status).toBe('ok');
    expect(r.cards[0]).toMatchObject({ kind: 'help' });
    expect(r.pending_action).toBeUndefined();
  });

  it('GitHub down: a clear spoken error', async () => {
    gw.injectFault({ method: 'getPullRequest', error: 'github_unavailable', times: 1 });
    const r = await say('read PR 12 in acme/api');
    expect(r.error?.code).toBe('github_unavailable');
    expect(r.spoken_text).toMatch(/GitHub isn't answering/);
  });
});
