/**
 * Merge gates against the fake GitHub REST server (issue 13): only approvals from people with a
 * standing in the repo count, every check page is read, and every gate is checked again on the
 * same SHA when the user confirms. Each scenario blocks the merge with a spoken reason; 0 merges.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

let fake: FakeGitHub;
let dir: string;
let app: App;
const caller = { userId: 'sam', transport: 'http' as const };

beforeAll(async () => {
  fake = await startFakeGitHub({ rateLimit: { core: 1e6, search: 1e6 } });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());
afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
  expect(fake.validationErrors).toEqual([]);
});

/** The real app over Octokit → fake GitHub, with `policy` in settings.json. */
async function liveApp(policy: Record<string, unknown> = {}): Promise<App> {
  dir = mkdtempSync(join(tmpdir(), 'hf-gates-'));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ policy: { defaults: policy } }));
  const github = new OctokitGitHubGateway({ token: 'ghp_gatetest', baseUrl: fake.url, circuitBreaker: false, readRetries: 0 });
  return createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_MODE: 'live' }), { logger: SILENT_LOGGER, github });
}

const say = (text: string) => app.service.runCommand({ text, session_id: 'gates' }, caller);

describe('merge gates (fake GitHub)', () => {
  it("an outsider's approval does not count: blocked with the reason; a collaborator's does", async () => {
    app = await liveApp({ requiredApprovals: 1 });
    const pr = fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Tidy the README' });
    fake.state.simulateReview('acme/api', pr.number, 'drive-by-approver', 'APPROVED');
    const blocked = await say(`merge PR ${pr.number} in acme/api`);
    expect(blocked.status).toBe('error');
    expect(blocked.error?.code).toBe('policy_denied');
    expect(blocked.spoken_text).toMatch(/0 of the 1 approvals.*outside the repo's collaborators/);
    expect(blocked.pending_action).toBeFalsy();
    expect(fake.mergePuts).toBe(0);
    // Control: the same PR with a collaborator's approval plans (the gate is what stopped it).
    fake.state.simulateReview('acme/api', pr.number, 'priya-k', 'APPROVED');
    expect((await say(`merge PR ${pr.number} in acme/api`)).status).toBe('needs_confirmation');
    expect(fake.mergePuts).toBe(0);
  });

  it('a failing check on page 2 of the check runs blocks the merge', async () => {
    app = await liveApp();
    const pr = fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Bump deps' });
    fake.state.simulateCheckRuns('acme/api', pr.number, [
      ...Array.from({ length: 149 }, (_, i) => ({ name: `unit-${i + 1}`, conclusion: 'success' as const })),
      { name: 'integration-linux', conclusion: 'failure' as const },
    ]);
    const m = await say(`merge PR ${pr.number} in acme/api`);
    expect(m.status).toBe('error');
    expect(m.error?.code).toBe('policy_denied');
    expect(m.spoken_text).toContain('1 of 150 checks is failing');
    expect(fake.requests.filter((r) => r.path.endsWith('/check-runs') && r.query['page'] === '2')).toHaveLength(1);
    expect(fake.mergePuts).toBe(0);
  });

  it('a check turning red between plan and confirm blocks at confirm, on the same SHA, naming the gate', async () => {
    app = await liveApp();
    const pr = fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Small fix' });
    fake.state.simulateCheckRuns('acme/api', pr.number, [{ name: 'build', conclusion: 'success' }]);
    const m = await say(`merge PR ${pr.number} in acme/api`);
    expect(m.status).toBe('needs_confirmation');
    fake.state.simulateChecksCompleted('acme/api', pr.number, 'failure');
    const c = await say('confirm');
    expect(c.status).toBe('error');
    expect(c.error?.code).toBe('policy_denied');
    expect(c.spoken_text).toMatch(/^Not merged: PR \d+ no longer passes the checks gate: a check failed since the read-back\. 1 of 1 checks is failing/);
    expect(app.store.repos.pendingActions.get(m.pending_action!.token)).toMatchObject({ state: 'failed', result: { gate: 'checks_failing' } });
    expect(fake.mergePuts).toBe(0);
    expect(fake.state.merges).toHaveLength(0);
  });

  it('a change request after the read-back blocks at confirm', async () => {
    app = await liveApp({ requiredApprovals: 1 });
    const pr = fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Refactor' });
    fake.state.simulateReview('acme/api', pr.number, 'priya-k', 'APPROVED');
    const m = await say(`merge PR ${pr.number} in acme/api`);
    expect(m.status).toBe('needs_confirmation');
    fake.state.simulateReview('acme/api', pr.number, 'dana-w', 'CHANGES_REQUESTED');
    const c = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    expect(c.error?.code).toBe('policy_denied');
    expect(c.spoken_text).toMatch(/review gate: changes were requested/);
    expect(fake.mergePuts).toBe(0);
  });
});
