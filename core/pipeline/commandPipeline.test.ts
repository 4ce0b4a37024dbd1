/**
 * The command pipeline on its own (no HTTP, no store files): over the demo GitHub account and
 * in-memory repositories, so each case runs in milliseconds. What it pins: input validation, the
 * session (owner, default id, profile), the correlation id, repo and PR resolution, the "Did you
 * mean" offer, structured plans, token confirms and cancels, what is persisted and measured, and
 * the spoken-text caps. The end-to-end walk-throughs are in tests/integration/pipeline-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { AgentTaskView } from '../../contract/api.js';
import { AppError } from '../../contract/errors.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { manualClock, memoryRepositories, testRandom } from '../../tests/support/memoryRepositories.js';
import { DEFAULT_POLICY, type PolicyConfig } from '../actions/policy.js';
import type { AgentDispatchConfig } from '../commands/types.js';
import type { Logger } from '../ports/clock.js';
import type { Metrics } from '../ports/metrics.js';
import type { SessionState } from '../ports/store.js';
import { MAX_TTS_CHARS } from '../responses/text.js';
import { CommandPipeline, MAX_TEXT_CHARS, NEEDS_DIALOG, nearestNumber, type CommandInput } from './commandPipeline.js';

function recordingLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const at =
    (level: string) =>
    (obj: Record<string, unknown>, msg?: string): void =>
      void lines.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return { logger, lines };
}

function recordingMetrics() {
  const observed: Array<[string, number]> = [];
  const counters = new Map<string, number>();
  const metrics: Metrics = {
    observe: (stage, ms) => void observed.push([stage, ms]),
    increment: (c, by = 1) => void counters.set(c, (counters.get(c) ?? 0) + by),
  };
  return { metrics, observed, counters };
}

function setup(opts: { policy?: PolicyConfig; gw?: FixtureGitHubGateway; agentTasks?: (userId: string) => readonly AgentTaskView[]; agent?: Partial<AgentDispatchConfig> } = {}) {
  const gw = opts.gw ?? new FixtureGitHubGateway();
  const repos = memoryRepositories();
  const clock = manualClock();
  const { logger, lines } = recordingLogger();
  const { metrics, observed, counters } = recordingMetrics();
  const pipeline = new CommandPipeline({
    github: gw,
    repos,
    clock,
    random: testRandom,
    logger,
    metrics,
    policy: opts.policy ?? DEFAULT_POLICY,
    bootId: 'boot-1',
    agent: { dispatchRepo: 'acme/agent-tasks', label: 'agent-task', ...opts.agent },
    dispatchMarker: () => 'f00dfeedf00dfeed',
    ...(opts.agentTasks ? { agentTasks: opts.agentTasks } : {}),
  });
  const say = (text: string, extra: Partial<CommandInput> = {}) => pipeline.run({ text, userId: 'alice', source: 'cli', ...extra });
  const session = (id = 'alice.default'): SessionState => repos.sessions.get(id)!;
  return { gw, repos, clock, lines, observed, counters, pipeline, say, session };
}

describe('input', () => {
  it('refuses empty, over-long and badly encoded text with typed, spoken errors; 2,000 characters are accepted', async () => {
    const { say } = setup();
    expect((await say('   ')).error).toEqual({ code: 'empty_command', message: 'The command is empty.' });
    const long = await say('x'.repeat(MAX_TEXT_CHARS + 1));
    expect(long.error).toEqual({ code: 'text_too_long', message: 'The command is 2001 characters; the limit is 2000.' });
    expect(long.spoken_text).toBe('That was too long for a command. Try a shorter sentence.');
    expect((await say(`help ${' '.repeat(MAX_TEXT_CHARS - 5)}`)).status).toBe('ok');
    for (const bad of ['help \uD800', 'help \uDC00 me', '\uDBFFx']) expect((await say(bad)).error?.code, JSON.stringify(bad)).toBe('invalid_encoding');
    expect((await say('help \uD83D\uDE00')).status).toBe('ok');
  });

  it('keeps a plain correlation id of at most 64 characters; anything else gets a fresh one', async () => {
    const { say } = setup();
    expect((await say('help', { correlationId: 'req-1.a:B_2' })).debug.correlation_id).toBe('req-1.a:B_2');
    expect((await say('help', { correlationId: 'a'.repeat(64) })).debug.correlation_id).toBe('a'.repeat(64));
    for (const bad of ['a'.repeat(65), 'has space', '', 'x\ny']) {
      const cid = (await say('help', { correlationId: bad })).debug.correlation_id;
      expect(cid).not.toBe(bad);
      expect(cid).toMatch(/^[0-9a-f]{16}$/);
    }
  });
});

describe('sessions', () => {
  it('the default session id is the user id plus ".default", made safe and at most 64 characters', async () => {
    const { say, repos } = setup();
    expect((await say('help')).session_id).toBe('alice.default');
    expect((await say('help', { userId: 'bob smith/ü' })).session_id).toBe('bob_smith__.default');
    const long = await say('help', { userId: 'u'.repeat(70) });
    expect(long.session_id).toBe('u'.repeat(64));
    expect(repos.sessions.get('u'.repeat(64))?.userId).toBe('u'.repeat(70));
  });

  it("another user's session id is refused before anything runs or is recorded", async () => {
    const { say, repos, gw } = setup();
    await say('read PR 12 in acme/api', { sessionId: 's-alice' });
    const before = repos.commands.recent().length;
    const calls = gw.calls.length;
    for (const text of ['repeat', 'merge it', 'read it']) {
      await expect(say(text, { userId: 'mallory', sessionId: 's-alice' })).rejects.toMatchObject({ code: 'forbidden', message: 'That session belongs to another user.' });
    }
    expect(gw.calls.length).toBe(calls);
    expect(repos.sessions.get('s-alice')?.userId).toBe('alice');
    expect(repos.commands.recent().length).toBe(before);
    expect(repos._actions.size).toBe(0);
  });

  it('a per-command profile applies to that command only; "set profile" persists', async () => {
    const { say, session } = setup();
    const terse = await say('read PR 12 in acme/api', { profile: 'terse' });
    const full = await say('read PR 12 in acme/api');
    expect(terse.spoken_text.split(/\s+/).length).toBeLessThanOrEqual(25);
    expect(full.spoken_text.length).toBeGreaterThan(terse.spoken_text.length);
    expect(session().profile).toBe('default');
    await say('switch to workout mode');
    expect(session().profile).toBe('workout');
  });
});

describe('what is recorded and measured', () => {
  it('appends each command (text capped at 500 characters) and stores the session with its update time', async () => {
    const { say, repos, clock, session } = setup();
    clock.advance(5_000);
    await say(`help ${'a'.repeat(600)}`, { correlationId: 'c-1', source: 'voice' });
    const [rec] = repos.commands.recent();
    expect(rec).toMatchObject({ userId: 'alice', sessionId: 'alice.default', correlationId: 'c-1', source: 'voice', intent: 'system.help', status: 'ok', errorCode: null, atMs: clock.nowMs() });
    expect(rec!.text).toHaveLength(500);
    expect(rec!.durationMs).toBe(0);
    expect(session().updatedAtMs).toBe(clock.nowMs());
    await say('merge PR 9999 in acme/api');
    expect(repos.commands.recent()[0]).toMatchObject({ intent: 'pr.merge', status: 'error', errorCode: 'pr_not_found' });
  });

  it('observes intent, handle and command times and counts the status', async () => {
    const { say, observed, counters } = setup();
    await say('help');
    await say('');
    expect(observed.map(([s]) => s)).toEqual(['intent', 'handle', 'command', 'command']);
    expect(counters.get('status.ok')).toBe(1);
    expect(counters.get('status.error')).toBe(1);
  });

  it('a failing history write is logged, and the answer still comes', async () => {
    const { say, repos, lines } = setup();
    repos.commands.append = () => {
      throw new Error('disk full');
    };
    const r = await say('help', { correlationId: 'c-9' });
    expect(r.status).toBe('ok');
    expect(lines).toContainEqual({ level: 'error', obj: { correlationId: 'c-9', err: 'Error: disk full' }, msg: 'could not persist session/command log' });
  });

  it('an unexpected failure is logged with its stack and spoken as internal; a domain error is logged as info', async () => {
    const { say, gw, lines } = setup();
    gw.getPullRequest = () => Promise.reject(new TypeError('boom'));
    const r = await say('read PR 12 in acme/api', { correlationId: 'c-2' });
    expect(r.error).toEqual({ code: 'internal', message: 'Unexpected failure.' });
    expect(r.spoken_text).toBe('Something went wrong on my side. Try again.');
    const err = lines.find((l) => l.level === 'error');
    expect(err?.msg).toBe('command failed');
    expect(err?.obj['correlationId']).toBe('c-2');
    expect(String(err?.obj['err'])).toContain('TypeError: boom');
    await say('merge it', { correlationId: 'c-3' });
    expect(lines).toContainEqual({ level: 'info', obj: { correlationId: 'c-3', code: 'no_context' }, msg: 'command error' });
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });
});

describe('responses', () => {
  it('an unknown command is answered with help; a guess names an example', async () => {
    const { say } = setup();
    const r = await say('flibber the jabberwock');
    expect(r.intent.name).toBe('unknown');
    expect(r.status).toBe('ok');
    expect(r.spoken_text).toMatch(/^Sorry, I didn't catch that\. (Did you mean something like "[^"]+"\? )?You can say "what needs my attention", "read PR 12", or "help"\.$/);
    expect(r.cards[0]).toMatchObject({ kind: 'help' });
  });

  it('"repeat" says the last answer again, not its own', async () => {
    const { say } = setup();
    const read = await say('read PR 12 in acme/api');
    expect((await say('repeat')).spoken_text).toBe(read.spoken_text);
    expect((await say('repeat')).spoken_text).toBe(read.spoken_text);
  });

  it('spoken text is capped at the TTS limit with an ellipsis', async () => {
    const gw = new FixtureGitHubGateway();
    const { say } = setup({ gw });
    gw.getPullRequest = () => Promise.reject(new AppError('github_validation', 'x'.repeat(5_000)));
    const r = await say('read PR 12 in acme/api');
    expect(r.spoken_text).toHaveLength(MAX_TTS_CHARS);
    expect(r.spoken_text.endsWith('x…')).toBe(true);
  });

  it('processing time and confidence are rounded to thousandths', async () => {
    const { say } = setup();
    const r = await say('read PR 12 in acme/api');
    expect(r.intent.confidence).toBe(Math.round(r.intent.confidence * 1000) / 1000);
    expect(r.debug.processing_time_ms).toBe(0);
    expect(r.debug.timings_ms).toEqual({ intent: 0, handle: 0 });
  });

  it('a position past the end of the list is answered as such; "next" past the last item says the list ended', async () => {
    const { say } = setup();
    const summary = await say('what needs my attention');
    const count = /^(\d+) notifications/.exec(summary.spoken_text ?? '')?.[1];
    expect(count).toBeDefined();
    const past = await say('read the thirty fifth one');
    expect(past.status).toBe('ok');
    expect(past.spoken_text).toBe(`There is no item 35: the list has ${count} notifications. Say read the first one, or what needs my attention.`);
    // Nothing moved: "next" still starts at the first item.
    expect((await say('next')).spoken_text).toMatch(/^First: /);
    await say(`read item ${count}`);
    expect((await say('next')).spoken_text).toMatch(/^That's the end of the list/);
  });
});

describe('repo and PR resolution', () => {
  it('a bare number uses the UI repo, then the session repo, then the inbox, then the last PR', async () => {
    const { say } = setup();
    expect((await say('read PR 204', { currentRepo: 'ACME/Web' })).spoken_text).toContain('PR 204 in acme/web');
    await say('use acme slash infra');
    expect((await say('read PR 88')).spoken_text).toContain('PR 88 in acme/infra');
  });

  it('a bare number in the inbox takes its repo; then "it" and the last PR', async () => {
    const { say } = setup();
    await say('what needs my attention');
    expect((await say('read PR 342')).spoken_text).toContain('PR 342 in octo-org/payments');
    expect((await say('read PR 340')).spoken_text).toContain('PR 340 in octo-org/payments');
  });

  it('without any context a bare number asks which repo, naming one as an example', async () => {
    const { say } = setup();
    const r = await say('read PR 12');
    expect(r.error?.code).toBe('no_context');
    expect(r.spoken_text).toBe('Which repo is 12 in? Say, for example, 12 in acme slash api.');
  });

  it('with a single repo, a bare number means that repo', async () => {
    const gw = new FixtureGitHubGateway();
    gw.listRepos = () => Promise.resolve(['acme/api']);
    const { say } = setup({ gw });
    expect((await say('read PR 12')).spoken_text).toContain('PR 12 in acme/api');
  });

  it('"merge it" with no PR in context asks which, and a repo that is not the last PR asks which PR there', async () => {
    const { say } = setup();
    expect((await say('merge it')).error).toEqual({ code: 'no_context', message: 'Which pull request? Say a number, like read PR 12.' });
    await say('read PR 12 in acme/api');
    const m = await say('merge it');
    expect(m.pending_action).toMatchObject({ repo: 'acme/api', number: 12 });
  });

  it('owner/name repos not in the list are lower-cased; an unknown bare name is refused', async () => {
    const gw = new FixtureGitHubGateway();
    const { say } = setup({ gw });
    const r = await say('read PR 5 in Other/Thing');
    expect(gw.calls.filter((c) => c.method === 'getPullRequest').map((c) => c.args[0])).toContain('other/thing');
    expect(r.status).toBe('error');
  });
});

describe('"Did you mean" offers', () => {
  it('an unknown spoken PR number offers the nearest open one; "yes" takes it; nothing is planned before', async () => {
    const { say, repos } = setup();
    expect((await say('read PR 50 in acme/api')).spoken_text).toBe('I heard PR 50; there is no open PR 50 in acme/api. Did you mean 15? Say yes, or say the number again.');
    const q = await say('merge PR 20 in acme/api');
    expect(q.error?.code).toBe('pr_not_found');
    expect(q.spoken_text).toBe('I heard PR 20; there is no open PR 20 in acme/api. Did you mean 19? Say yes, or say the number again.');
    expect(repos._actions.size).toBe(0);
    const yes = await say('Yes.');
    expect(yes.status).toBe('needs_confirmation');
    expect(yes.pending_action).toMatchObject({ repo: 'acme/api', number: 19 });
  });

  it('the offer is for the next command of that session only, and for a minute', async () => {
    const { say, clock } = setup();
    await say('read PR 50 in acme/api');
    await say('help');
    expect((await say('yes')).intent.name).not.toBe('pr.summarize');
    await say('read PR 50 in acme/api');
    clock.advance(60_000);
    expect((await say('yes')).intent.name).toBe('pr.summarize');
    await say('read PR 50 in acme/api');
    clock.advance(60_001);
    expect((await say('yes')).intent.name).not.toBe('pr.summarize');
    await say('read PR 50 in acme/api', { sessionId: 'other' });
    expect((await say('yes')).intent.name).not.toBe('pr.summarize');
  });

  it('an unknown issue number offers the nearest issue the user can see', async () => {
    const { say } = setup();
    await say('what needs my attention');
    const q = await say('ask the agent to fix issue 919 in acme/api');
    expect(q.spoken_text).toBe('I heard issue 919; there is no issue 919 in acme/api. Did you mean 918? Say yes, or say the number again.');
    const yes = await say('yes');
    expect(yes.pending_action).toMatchObject({ kind: 'agent.delegate', number: 918 });
  });

  it('with nothing known, says so without an offer; other GitHub errors pass through', async () => {
    const gw = new FixtureGitHubGateway();
    const { say } = setup({ gw });
    gw.listOpenPullRequests = () => Promise.resolve([]);
    const r = await say('read PR 50 in acme/api');
    expect(r.spoken_text).toBe('I heard PR 50; there is no open PR 50 in acme/api. Check the number and the repo.');
    gw.getPullRequest = () => Promise.reject(new AppError('github_unavailable', 'down'));
    expect((await say('read PR 50 in acme/api')).error?.code).toBe('github_unavailable');
  });

  it('structured plans are not grounded: a wrong number is simply not found', async () => {
    const { pipeline } = setup();
    const r = await pipeline.planAction({ kind: 'pr.merge', repo: 'acme/api', number: 50 }, 'alice');
    expect(r.error?.code).toBe('pr_not_found');
    expect(r.spoken_text).not.toContain('Did you mean');
  });

  it('nearestNumber: teen/ty swaps first, then the nearest, ties to the smaller, never the heard number', () => {
    expect(nearestNumber(50, [15, 49])).toBe(15);
    expect(nearestNumber(15, [14, 50])).toBe(50);
    expect(nearestNumber(13, [30, 12])).toBe(30);
    expect(nearestNumber(19, [90, 18])).toBe(90);
    expect(nearestNumber(90, [19, 89])).toBe(19);
    expect(nearestNumber(30, [13, 29])).toBe(13);
    expect(nearestNumber(12, [20, 11])).toBe(11);
    expect(nearestNumber(20, [12, 21])).toBe(21);
    expect(nearestNumber(100, [10, 99])).toBe(99);
    expect(nearestNumber(35, [3, 34])).toBe(34);
    expect(nearestNumber(10, [8, 12])).toBe(8);
    expect(nearestNumber(10, [12, 8])).toBe(8);
    expect(nearestNumber(10, [10])).toBeUndefined();
    expect(nearestNumber(10, [])).toBeUndefined();
  });
});

describe('structured plans and tokens', () => {
  it('planAction plans a merge, a review request and a rerun with read-back and pending action; labels the history', async () => {
    const { pipeline, repos, gw } = setup();
    const merge = await pipeline.planAction({ kind: 'pr.merge', repo: 'acme/api', number: 12, method: 'squash' }, 'alice', undefined, 'c-m');
    expect(merge.status).toBe('needs_confirmation');
    expect(merge.intent).toMatchObject({ name: 'pr.merge', entities: { repo: 'acme/api', number: 12, method: 'squash' } });
    expect(merge.spoken_text).toContain('with squash');
    expect(merge.debug.correlation_id).toBe('c-m');
    expect(repos.commands.recent()[0]).toMatchObject({ text: '[pr.merge acme/api#12]', source: 'http' });
    const review = await pipeline.planAction({ kind: 'pr.request_review', repo: 'acme/api', number: 12, reviewers: ['dana-w'] }, 'alice');
    expect(review.pending_action).toMatchObject({ kind: 'pr.request_review', number: 12 });
    const rerun = await pipeline.planAction({ kind: 'pr.rerun_checks', repo: 'acme/api', number: 15 }, 'alice');
    expect(rerun.intent.name).toBe('pr.rerun_checks');
    expect(gw.state).toBeDefined();
  });

  it("planAction in another user's session is refused by throwing", async () => {
    const { pipeline, say } = setup();
    await say('help', { sessionId: 's-alice' });
    await expect(pipeline.planAction({ kind: 'pr.merge', repo: 'acme/api', number: 12 }, 'mallory', 's-alice')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('delegate plans an agent task with the instruction', async () => {
    const { pipeline } = setup();
    const r = await pipeline.delegate({ repo: 'acme/api', issue: 918, instruction: 'add a test' }, 'alice');
    expect(r.intent).toMatchObject({ name: 'agent.delegate', entities: { repo: 'acme/api', issue: 918, instruction: 'add a test' } });
    expect(r.pending_action).toMatchObject({ kind: 'agent.delegate', number: 918 });
    const plain = await pipeline.delegate({ repo: 'acme/api', issue: 918 }, 'alice');
    expect(plain.intent.entities).toEqual({ repo: 'acme/api', issue: 918 });
  });

  it("confirmToken runs the action in its owner's session; the outcome is spoken", async () => {
    const { pipeline, say, gw, repos } = setup();
    const plan = await say('merge PR 12 in acme/api', { sessionId: 's-1' });
    const done = await pipeline.confirmToken(plan.pending_action!.token, 'alice', 'click', 'c-c');
    expect(done.status).toBe('ok');
    expect(done.session_id).toBe('s-1');
    expect(done.intent.name).toBe('system.confirm');
    expect(done.cards[0]).toMatchObject({ kind: 'outcome', state: 'done', outcome: 'merged' });
    expect(gw.state).toBeDefined();
    expect(repos.commands.recent()[0]).toMatchObject({ text: '[system.confirm by token]', source: 'http', correlationId: 'c-c' });
    const again = await pipeline.confirmToken(plan.pending_action!.token, 'alice', 'api');
    expect(again.error?.code).toBe('token_used');
  });

  it("another user's token is invalid, and their session is not used", async () => {
    const { pipeline, say } = setup();
    const plan = await say('merge PR 12 in acme/api', { sessionId: 's-1' });
    const r = await pipeline.confirmToken(plan.pending_action!.token, 'mallory', 'click');
    expect(r.error?.code).toBe('token_invalid');
    expect(r.session_id).toBe('mallory.default');
  });

  it('cancelToken cancels; a failed merge is an error with its code; an unknown outcome says so', async () => {
    const { pipeline, say, gw } = setup();
    const a = await say('merge PR 12 in acme/api');
    const c = await pipeline.cancelToken(a.pending_action!.token, 'alice');
    expect(c.status).toBe('ok');
    expect(c.intent.name).toBe('system.cancel');
    expect(c.cards[0]).toMatchObject({ kind: 'outcome', state: 'cancelled' });

    const b = await say('merge PR 19 in acme/api');
    gw.simulatePush('acme/api', 19);
    const moved = await pipeline.confirmToken(b.pending_action!.token, 'alice', 'click');
    expect(moved.status).toBe('error');
    expect(moved.error?.code).toBe('head_moved');

    const d = await say('merge PR 12 in acme/api');
    gw.injectFault({ method: 'mergePullRequest', error: 'github_timeout', when: 'before' });
    gw.injectFault({ method: 'isMerged', error: 'github_unavailable', times: 5 });
    const unknown = await pipeline.confirmToken(d.pending_action!.token, 'alice', 'click');
    expect(unknown.error?.code).toBe('outcome_unknown');
  });

  it('a plan made behind a confirm gate needs the dialog; without one it does not', async () => {
    const { say, repos } = setup();
    const gated = await say('merge PR 12 in acme/api', { confirmGate: () => Promise.resolve(true) });
    expect(repos._actions.get(gated.pending_action!.token)!.params[NEEDS_DIALOG]).toBe(true);
    const plain = await say('merge PR 19 in acme/api');
    expect(repos._actions.get(plain.pending_action!.token)!.params[NEEDS_DIALOG]).toBeUndefined();
  });

  it('reconcile expires overdue actions', async () => {
    const { pipeline, say, clock } = setup();
    await say('merge PR 12 in acme/api');
    clock.advance(61_000);
    expect(await pipeline.reconcile()).toEqual({ expired: 1, reconciled: 0 });
  });
});

describe('number hints', () => {
  it('publishes the numbers the user can see, sorted and once per change; unsubscribe stops them', async () => {
    const { say, pipeline } = setup();
    const seen: number[][] = [];
    const off = pipeline.onNumberHints((n) => seen.push([...n]));
    await say('help');
    expect(seen).toEqual([]);
    await say('read PR 19 in acme/api');
    expect(seen).toEqual([[19]]);
    await say('read PR 19 in acme/api');
    expect(seen).toHaveLength(1);
    await say('what needs my attention');
    const last = seen[seen.length - 1]!;
    expect(last).toEqual([...last].sort((a, b) => a - b));
    expect(last).toEqual(expect.arrayContaining([12, 19, 88, 213, 918]));
    off();
    await say('read PR 204 in acme/web');
    expect(seen[seen.length - 1]).toBe(last);
  });
});

describe('repo lists and their caches', () => {
  it('the repo list is reused for five minutes, then asked again', async () => {
    const { say, gw, clock } = setup();
    const lists = () => gw.calls.filter((c) => c.method === 'listRepos').length;
    await say('help');
    await say('help');
    expect(lists()).toBe(1);
    clock.advance(5 * 60_000 - 1);
    await say('help');
    expect(lists()).toBe(1);
    clock.advance(1);
    await say('help');
    expect(lists()).toBe(2);
  });

  it('a failed repo listing: the cached list is kept; without one, commands still run; no token is an error', async () => {
    const gw = new FixtureGitHubGateway();
    const { say, clock } = setup({ gw });
    const real = gw.listRepos.bind(gw);
    gw.listRepos = () => Promise.reject(new AppError('github_unavailable', 'down'));
    expect((await say('help')).status).toBe('ok');
    gw.listRepos = real;
    await say('help');
    clock.advance(6 * 60_000);
    gw.listRepos = () => Promise.reject(new AppError('github_unavailable', 'down'));
    expect((await say('read PR 12')).spoken_text).toBe('Which repo is 12 in? Say, for example, 12 in acme slash api.');
    const fresh = setup({ gw: Object.assign(new FixtureGitHubGateway(), { listRepos: () => Promise.reject(new AppError('no_token', 'none')) }) });
    expect((await fresh.say('help')).error?.code).toBe('no_token');
    const unauth = setup({ gw: Object.assign(new FixtureGitHubGateway(), { listRepos: () => Promise.reject(new AppError('github_unauthorized', 'bad')) }) });
    expect((await unauth.say('help')).error?.code).toBe('github_unauthorized');
    const empty = setup({ gw: Object.assign(new FixtureGitHubGateway(), { listRepos: () => Promise.reject(new AppError('github_timeout', 'slow')) }) });
    expect((await empty.say('read PR 12')).spoken_text).toBe('Which repo is 12 in? Say, for example, 12 in owner slash name.');
  });

  it('a bare repo name matching several repos asks which', async () => {
    const gw = new FixtureGitHubGateway();
    gw.listRepos = () => Promise.resolve(['acme/api', 'other/api', 'acme/web']);
    const { say } = setup({ gw });
    const r = await say('read PR 12 in api');
    expect(r.error).toEqual({ code: 'no_context', message: 'Which api repo: acme slash api and other slash api?' });
  });

  it('open PR numbers are reused for a minute; a failed listing keeps the last ones', async () => {
    const gw = new FixtureGitHubGateway();
    const { say, clock } = setup({ gw });
    const lists = () => gw.calls.filter((c) => c.method === 'listOpenPullRequests').length;
    await say('read PR 50 in acme/api');
    await say('read PR 50 in acme/api');
    expect(lists()).toBe(1);
    clock.advance(60_000);
    const real = gw.listOpenPullRequests.bind(gw);
    gw.listOpenPullRequests = (repo) => {
      gw.calls.push({ method: 'listOpenPullRequests', args: [repo] });
      return Promise.reject(new AppError('github_unavailable', 'down'));
    };
    expect((await say('read PR 50 in acme/api')).spoken_text).toContain('Did you mean 15?');
    expect(lists()).toBe(2);
    gw.listOpenPullRequests = real;
    expect((await say('read PR 50 in ACME/API')).spoken_text).toContain('Did you mean 15?');
  });

  it('the inbox hides snoozed threads; reading it refreshes the open-PR numbers', async () => {
    const { say, repos, gw } = setup();
    const all = await say('what needs my attention');
    const first = all.cards.find((c) => c.kind === 'notification')!;
    repos.snoozes.put({ userId: 'bob', threadId: (first as { thread_id: string }).thread_id, untilMs: Date.UTC(2030, 0, 1), createdAtMs: 0 } as never);
    const after = await say('what needs my attention');
    expect(after.cards.filter((c) => c.kind === 'notification').map((c) => (c as { thread_id: string }).thread_id)).not.toContain((first as { thread_id: string }).thread_id);
    const lists = () => gw.calls.filter((c) => c.method === 'listOpenPullRequests').length;
    await say('read PR 50 in acme/api');
    await say('what needs my attention');
    await say('read PR 50 in acme/api');
    expect(lists()).toBe(2);
  });
});

describe('pending actions as the user hears them', () => {
  it('several waiting: named with verb, noun, number and repo; "confirm N" picks one', async () => {
    const { say, gw, clock } = setup();
    await say('merge PR 12 in acme/api');
    clock.advance(1_000);
    await say('merge PR 19 in acme/api');
    const which = await say('confirm');
    expect(which.error?.code).toBe('ambiguous_confirmation');
    expect(which.spoken_text).toBe('2 actions waiting: merge PR 19 in acme/api and merge PR 12 in acme/api. Say confirm 19 or confirm 12.');
    const done = await say('confirm 12');
    expect(done.status).toBe('ok');
    expect(gw.state).toBeDefined();
  });

  it('a failed confirm is spoken as an error with a code from its outcome', async () => {
    const { say, gw } = setup();
    await say('merge PR 19 in acme/api');
    gw.injectFault({ method: 'mergePullRequest', error: 'not_mergeable' });
    const r = await say('confirm');
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('not_mergeable');
    expect(r.cards[0]).toMatchObject({ kind: 'outcome', state: 'failed', outcome: 'not_mergeable' });
  });

  it('an ambiguous merge that GitHub shows not merged is reported unavailable, not internal', async () => {
    const { say, gw } = setup();
    await say('merge PR 19 in acme/api');
    gw.injectFault({ method: 'mergePullRequest', error: 'github_timeout' });
    const r = await say('confirm');
    expect(r.cards[0]).toMatchObject({ kind: 'outcome', outcome: 'not_merged' });
    expect(r.error?.code).toBe('github_unavailable');
  });
});

describe('what is spoken and kept', () => {
  it('"stop" says nothing and keeps the last answer for "repeat"', async () => {
    const { say } = setup();
    const read = await say('read PR 12 in acme/api');
    const stop = await say('stop');
    expect(stop.spoken_text).toBe('');
    expect((await say('repeat')).spoken_text).toBe(read.spoken_text);
  });

  it('"open it" carries its directive; other answers have none', async () => {
    const { say } = setup();
    await say('read PR 12 in acme/api');
    const open = await say('open it');
    expect(open.directives).toEqual([{ kind: 'open_url', url: expect.stringContaining('/acme/api/pull/12'), label: expect.any(String) }]);
    expect((await say('help')).directives).toBeUndefined();
    expect((await say('help')).pending_action).toBeUndefined();
    expect((await say('help')).error).toBeUndefined();
  });

  it('answers are fitted to the profile word budget, read-backs are not', async () => {
    const { say } = setup();
    const inbox = await say('what needs my attention', { profile: 'workout' });
    expect(inbox.spoken_text.split(/\s+/).length).toBeLessThanOrEqual(20);
    const merge = await say('merge PR 12 in acme/api', { profile: 'workout' });
    expect(merge.spoken_text).toContain('Say confirm 12 or cancel.');
  });
});

describe('confirmations by voice', () => {
  it('a wrong number names the waiting action; the third wrong one cancels it', async () => {
    const { say, repos } = setup();
    const plan = await say('merge PR 12 in acme/api');
    const wrong = await say('confirm 13');
    expect(wrong.error?.code).toBe('ambiguous_confirmation');
    expect(wrong.spoken_text).toBe("That number doesn't match. The waiting action is for merge PR 12 in acme/api. Say confirm 12 or cancel.");
    await say('confirm 13');
    const third = await say('confirm 13');
    expect(third.error?.code).toBe('action_cancelled');
    expect(repos._actions.get(plan.pending_action!.token)!.state).toBe('cancelled');
  });

  it('a number said for an action that has none (mark all read) is refused, and how to confirm it is said right', async () => {
    const { say } = setup();
    expect((await say('mark all as read')).status).toBe('needs_confirmation');
    const wrong = await say('confirm 13');
    expect(wrong.error?.code).toBe('ambiguous_confirmation');
    expect(wrong.spoken_text).toMatch(/\. Say confirm or cancel\.$/);
  });

  it('a plan made on screen is not confirmed by voice alone; the dialog decides', async () => {
    const { say, pipeline } = setup();
    const plan = await say('merge PR 12 in acme/api', { confirmGate: () => Promise.resolve(true) });
    expect((await say('confirm')).error?.code).toBe('confirmation_declined');
    const asked: string[] = [];
    const no = await say('confirm', { confirmGate: (rb) => (asked.push(rb), Promise.resolve(false)) });
    expect(no.error?.code).toBe('confirmation_declined');
    expect(asked).toEqual([plan.spoken_text]);
    const yes = await say('confirm', { confirmGate: () => Promise.resolve(true) });
    expect(yes.status).toBe('ok');
    expect((await pipeline.confirmToken(plan.pending_action!.token, 'alice', 'click')).error?.code).toBe('token_used');
  });

  it('"mark it done" with no notification read asks which', async () => {
    const { say } = setup();
    const r = await say('mark it done');
    expect(r.error).toEqual({ code: 'no_context', message: 'Which notification? Say what needs my attention, then read the first one.' });
  });
});

describe('measuring and labelling', () => {
  it('times are differences on the monotonic clock in ms, rounded to thousandths, whatever the uptime', async () => {
    const { say, gw, clock, observed, repos } = setup();
    clock.advance(100_000);
    const real = gw.getPullRequest.bind(gw);
    gw.getPullRequest = (repo, n) => {
      clock.advance(12.3456);
      return real(repo, n);
    };
    const r = await say('read PR 12 in acme/api');
    expect(r.debug.processing_time_ms).toBe(12.346);
    expect(r.debug.timings_ms).toEqual({ intent: 0, handle: 12.346 });
    expect(observed.map(([stage]) => stage)).toEqual(['intent', 'handle', 'command']);
    for (const [, ms] of observed.slice(1)) expect(ms).toBeCloseTo(12.3456, 6);
    expect(repos.commands.recent()[0]!.durationMs).toBeCloseTo(12.3456, 6);
  });

  it('a badly encoded command is refused with a message that says why', async () => {
    const { say } = setup();
    expect((await say('help \uD800')).error).toEqual({ code: 'invalid_encoding', message: 'The command contains invalid characters (unpaired surrogates).' });
  });

  it('the history names a structured delegation by repo and issue', async () => {
    const { pipeline, repos } = setup();
    await pipeline.delegate({ repo: 'acme/api', issue: 918 }, 'alice');
    expect(repos.commands.recent()[0]).toMatchObject({ text: '[agent.delegate acme/api#918]', source: 'http', intent: 'agent.delegate' });
  });

  it('an unexpected failure is logged with its full stack; a thrown non-Error is still answered', async () => {
    const { say, gw, lines } = setup();
    const boom = new TypeError('boom');
    gw.getPullRequest = () => Promise.reject(boom);
    await say('read PR 12 in acme/api');
    gw.getPullRequest = () => Promise.reject(undefined);
    const r = await say('read PR 12 in acme/api');
    expect(r.error).toEqual({ code: 'internal', message: 'Unexpected failure.' });
    expect(lines.filter((l) => l.level === 'error').map((l) => l.obj['err'])).toEqual([boom.stack, 'undefined']);
  });
});

describe('the shape of an answer', () => {
  it('a command that is unknown but close names an example of the command it resembles', async () => {
    const { say } = setup();
    const r = await say('open issue 918 in acme/api');
    expect(r.intent).toMatchObject({ name: 'unknown', entities: { guess: 'notification.open' } });
    expect(r.spoken_text).toBe('Sorry, I didn\'t catch that. Did you mean something like "open it"? You can say "what needs my attention", "read PR 12", or "help".');
  });

  it('spoken text of exactly the TTS limit is kept whole', async () => {
    const { say, gw } = setup();
    gw.getPullRequest = () => Promise.reject(new AppError('github_validation', 'x'));
    const short = (await say('read PR 12 in acme/api')).spoken_text;
    const fill = 'x'.repeat(MAX_TTS_CHARS - short.length + 1);
    gw.getPullRequest = () => Promise.reject(new AppError('github_validation', fill));
    const r = await say('read PR 12 in acme/api');
    expect(r.spoken_text).toHaveLength(MAX_TTS_CHARS);
    expect(r.spoken_text).toContain(fill);
    expect(r.spoken_text).not.toContain('…');
  });

  it('an answer carries only the fields it has: no empty pending_action, directives or error', async () => {
    const { say } = setup();
    const base = ['cards', 'debug', 'intent', 'session_id', 'spoken_text', 'status'];
    expect(Object.keys(await say('help')).sort()).toEqual(base);
    expect(Object.keys(await say('read PR 9999 in acme/api')).sort()).toEqual([...base, 'error'].sort());
    expect(Object.keys(await say('merge PR 12 in acme/api')).sort()).toEqual([...base, 'pending_action'].sort());
    expect(Object.keys(await say('open it')).sort()).toEqual([...base, 'directives'].sort());
  });

  it('a plan shows what it is about and then the confirmation itself', async () => {
    const { say } = setup();
    const r = await say('merge PR 12 in acme/api');
    expect(r.cards.map((c) => c.kind)).toEqual(['pull_request', 'confirmation']);
    expect(r.cards[1]).toEqual({ kind: 'confirmation', action: r.pending_action });
  });

  it('a new session starts before its first notification: "next" reads the first one', async () => {
    const { say } = setup();
    expect((await say('next')).spoken_text).toMatch(/^First: review requested on PR 12 in acme\/api/);
  });
});

describe('which numbers a "Did you mean" may offer', () => {
  it('"yes" with stray spaces still takes the offer', async () => {
    const { say } = setup();
    await say('read PR 50 in acme/api');
    const yes = await say('  yes please  ');
    expect(yes.intent).toMatchObject({ name: 'pr.summarize', entities: { repo: 'acme/api', number: 15 } });
  });

  it("for a PR: that repo's PRs in the inbox, not its issues nor other repos' PRs", async () => {
    const { say, gw } = setup();
    gw.listOpenPullRequests = () => Promise.resolve([]);
    await say('what needs my attention');
    // acme/web's inbox: PR 211, issues 213 and 215.
    expect((await say('read PR 214 in acme/web')).spoken_text).toContain('Did you mean 211?');
    // acme/api's inbox PRs are 12 to 19; octo-org/payments has 342.
    expect((await say('read PR 300 in acme/api')).spoken_text).toContain('Did you mean 19?');
  });

  it('for a PR: the last PR and the waiting PR actions; for an issue: the waiting delegations', async () => {
    const { say, gw } = setup();
    gw.listOpenPullRequests = () => Promise.resolve([]);
    await say('merge PR 12 in acme/api');
    await say('ask the agent to fix issue 918 in acme/api');
    await say('read PR 19 in acme/api');
    expect((await say('read PR 11 in acme/api')).spoken_text).toContain('Did you mean 12?');
    expect((await say('read PR 900 in acme/api')).spoken_text).toContain('Did you mean 19?');
    expect((await say('ask the agent to fix issue 917 in acme/api')).spoken_text).toContain('Did you mean 918?');
    expect((await say('ask the agent to fix issue 14 in acme/api')).spoken_text).toContain('Did you mean 918?');
  });

  it('an issue number is never matched to the last PR or open PRs', async () => {
    const { say } = setup();
    await say('read PR 19 in acme/api');
    expect((await say('ask the agent to fix issue 20 in acme/api')).spoken_text).toBe('I heard issue 20; there is no issue 20 in acme/api. Check the number and the repo.');
  });

  it("a listing that also returns another repo's PRs (as a search can after a rename) offers only this repo's", async () => {
    const gw = new FixtureGitHubGateway();
    const real = gw.listOpenPullRequests.bind(gw);
    gw.listOpenPullRequests = async (repo) => [...(await real(repo)), ...(await real('acme/web'))];
    const { say } = setup({ gw });
    expect((await say('read PR 200 in acme/api')).spoken_text).toContain('Did you mean 19?');
  });

  it('open PR numbers are reused for a minute, whatever the uptime', async () => {
    const { say, gw, clock } = setup();
    const lists = () => gw.calls.filter((c) => c.method === 'listOpenPullRequests').length;
    clock.advance(10 * 60_000);
    await say('read PR 50 in acme/api');
    clock.advance(59_999);
    await say('read PR 50 in acme/api');
    expect(lists()).toBe(1);
    clock.advance(1);
    await say('read PR 50 in acme/api');
    expect(lists()).toBe(2);
  });

  it('reading one inbox item keeps the open-PR numbers; only the inbox summary refreshes them', async () => {
    const { say, gw } = setup();
    const lists = () => gw.calls.filter((c) => c.method === 'listOpenPullRequests').length;
    await say('read PR 50 in acme/api');
    expect((await say('read the first one')).status).toBe('ok');
    await say('read PR 50 in acme/api');
    expect(lists()).toBe(1);
  });

  it('a PR taken from context ("read it") is not second-guessed: a miss is plainly not found', async () => {
    const { say, gw } = setup();
    await say('read PR 12 in acme/api');
    gw.getPullRequest = () => Promise.reject(new AppError('pr_not_found', 'There is no pull request acme/api#12.'));
    const r = await say('read it');
    expect(r.error).toEqual({ code: 'pr_not_found', message: 'There is no pull request acme/api#12.' });
    expect(gw.calls.filter((c) => c.method === 'listOpenPullRequests')).toHaveLength(0);
  });

  it('nearestNumber: the input order does not matter; no swap outside 13-19 and 30-90, nor to a number not known', () => {
    expect(nearestNumber(20, [21, 5])).toBe(21);
    expect(nearestNumber(20, [5, 21])).toBe(21);
    expect(nearestNumber(10, [12, 8, 8])).toBe(8);
    expect(nearestNumber(100, [20, 99])).toBe(99);
    expect(nearestNumber(20, [11, 19])).toBe(19);
    expect(nearestNumber(12, [21, 11])).toBe(11);
    expect(nearestNumber(35, [14, 34])).toBe(34);
    expect(nearestNumber(9, [90, 8])).toBe(8);
    expect(nearestNumber(50, [49, 51])).toBe(49);
    expect(nearestNumber(15, [16])).toBe(16);
  });
});

describe('number hints, more', () => {
  it('a listener added later gets the current numbers on the next command', async () => {
    const { say, pipeline } = setup();
    await say('read PR 19 in acme/api');
    const seen: number[][] = [];
    pipeline.onNumberHints((n) => seen.push([...n]));
    await say('help');
    expect(seen).toEqual([[19]]);
  });

  it('a new list is published even when its digits read the same as the last one', async () => {
    const gw = new FixtureGitHubGateway();
    const threads = await gw.listNotifications();
    let numbers = [1, 213];
    gw.listNotifications = () => Promise.resolve(numbers.map((n, i) => ({ ...threads[i]!, number: n })));
    const { say, pipeline } = setup({ gw });
    const seen: number[][] = [];
    pipeline.onNumberHints((n) => seen.push([...n]));
    await say('what needs my attention');
    numbers = [12, 13];
    await say('what needs my attention');
    expect(seen).toEqual([
      [1, 213],
      [12, 13],
    ]);
  });
});

describe('repos named and repos meant', () => {
  it('"merge it in <repo>" means the last PR only when it is in that repo', async () => {
    const { say, repos } = setup();
    await say('read PR 12 in acme/api');
    expect((await say('merge it in acme/web')).error).toEqual({ code: 'no_context', message: 'Which pull request in acme/web? Say a number.' });
    expect(repos._actions.size).toBe(0);
    expect((await say('merge it in acme/api')).pending_action).toMatchObject({ repo: 'acme/api', number: 12 });
  });

  it('a repo is spelled as GitHub lists it, whatever case it was given in', async () => {
    const gw = new FixtureGitHubGateway();
    gw.listRepos = () => Promise.resolve(['acme/api', 'Octo-Org/Payments']);
    const { say } = setup({ gw });
    await say('read PR 342', { currentRepo: 'octo-org/PAYMENTS' });
    expect(gw.calls.find((c) => c.method === 'getPullRequest')?.args).toEqual(['Octo-Org/Payments', 342]);
  });

  it('a UI repo that is not owner/name is refused before GitHub is asked, even a bare name of one known repo', async () => {
    const { say, gw } = setup();
    for (const bad of ['acme/api/pull/12', 'https://github.com/acme/api', 'payments', 'nope']) {
      expect((await say('read PR 12', { currentRepo: bad })).error, bad).toEqual({ code: 'unknown_repo', message: `I don't know a repo called ${bad}.` });
    }
    expect(gw.calls.filter((c) => c.method === 'getPullRequest')).toHaveLength(0);
  });
});

describe('planning, policy and outcomes', () => {
  it('an action the repo settings deny is refused and nothing waits; other repos are unaffected', async () => {
    const { say, repos } = setup({ policy: { ...DEFAULT_POLICY, repos: { 'acme/api': { deny: ['pr.request_review'] } } } });
    const r = await say('request review from dana-w on PR 12 in acme/api');
    expect(r.error?.code).toBe('policy_denied');
    expect(repos._actions.size).toBe(0);
    expect((await say('request review from dana-w on PR 204 in acme/web')).status).toBe('needs_confirmation');
  });

  it('planning an issue action does not make that issue "it"', async () => {
    const { say } = setup();
    await say('ask the agent to fix issue 918 in acme/api');
    expect((await say('merge it')).error?.code).toBe('no_context');
    await say('read PR 12 in acme/api');
    await say('ask the agent to fix issue 918 in acme/api');
    expect((await say('merge it')).pending_action).toMatchObject({ kind: 'pr.merge', number: 12 });
  });

  it('an inbox-wide action is named by its verb alone; a thread without a number by its repo', async () => {
    const { say, session } = setup();
    await say('mark everything as read');
    expect((await say('confirm 5')).spoken_text).toContain('The waiting action is for mark everything as read. ');
    await say('cancel');
    await say('what needs my attention');
    const k = session().inbox.findIndex((r) => r.number === null && r.repo === 'acme/api');
    await say(`read item ${k + 1}`);
    expect((await say('unsubscribe')).status).toBe('needs_confirmation');
    expect((await say('confirm 5')).spoken_text).toContain('The waiting action is for unsubscribe from thread in acme/api. ');
  });

  it('an ambiguous review request that GitHub shows not requested is reported unavailable, not internal', async () => {
    const { say, gw } = setup();
    await say('request review from dana-w on PR 12 in acme/api');
    gw.injectFault({ method: 'requestReviewers', error: 'github_timeout' });
    const r = await say('confirm');
    expect(r.cards[0]).toMatchObject({ kind: 'outcome', outcome: 'not_requested' });
    expect(r.error?.code).toBe('github_unavailable');
  });

  it('a rerun that GitHub shows not re-run after an ambiguous failure is reported unavailable, like a merge', async () => {
    const { pipeline, gw } = setup();
    const plan = await pipeline.planAction({ kind: 'pr.rerun_checks', repo: 'acme/api', number: 15 }, 'alice');
    gw.injectFault({ method: 'rerunFailedJobs', error: 'github_timeout' });
    const r = await pipeline.confirmToken(plan.pending_action!.token, 'alice', 'click');
    expect(r.cards[0]).toMatchObject({ kind: 'outcome', state: 'failed', outcome: 'not_rerun' });
    expect(r.error?.code).toBe('github_unavailable');
  });

  it('a Copilot assignment that GitHub shows not made after an ambiguous failure is reported unavailable too', async () => {
    const { say, gw } = setup({ agent: { provider: 'copilot' } });
    await say('ask the agent to fix issue 918 in acme/api');
    gw.injectFault({ method: 'addAssignees', error: 'github_timeout' });
    const r = await say('confirm');
    expect(r.cards[0]).toMatchObject({ kind: 'outcome', state: 'failed', outcome: 'not_assigned' });
    expect(r.error?.code).toBe('github_unavailable');
  });

  it('with the agent layer, "what is the agent doing" reads the user\'s tasks', async () => {
    const at = new Date(Date.UTC(2026, 10, 23, 11, 50)).toISOString();
    const task: AgentTaskView = { id: 't-1', correlation_id: 'c-1', provider: 'github_issue_dispatch', state: 'running', target: 'acme/api#918', dispatch: null, pull_request: null, instruction: '', error: null, created_at: at, updated_at: at };
    const asked: string[] = [];
    const { say } = setup({ agentTasks: (u) => (asked.push(u), [task]) });
    expect((await say('what is the agent doing')).spoken_text).toContain('it is working on issue 918');
    expect(asked).toEqual(['alice']);
  });
});
