/**
 * Merge gates against the fake GitHub REST server (issue 13): only approvals from people with a
 * standing in the repo count, every check page is read, and every gate is checked again on the
 * same SHA when the user confirms. Each scenario blocks the merge with a spoken reason; 0 merges.
 */
import { describe, expect, it } from 'vitest';
import type { App } from '../../main/app/app.js';
import { liveAppOverFakeGitHub } from '../support/liveAppOverFakeGitHub.js';

const h = liveAppOverFakeGitHub('gates');
const { liveApp } = h;
let app: App;
const caller = { userId: 'sam', transport: 'http' as const };

const say = (text: string) => app.service.runCommand({ text, session_id: 'gates' }, caller);

describe('merge gates (fake GitHub)', () => {
  it("an outsider's approval does not count: blocked with the reason; a collaborator's does", async () => {
    app = await liveApp({ requiredApprovals: 1 });
    const pr = h.fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Tidy the README' });
    h.fake.state.simulateReview('acme/api', pr.number, 'drive-by-approver', 'APPROVED');
    const blocked = await say(`merge PR ${pr.number} in acme/api`);
    expect(blocked.status).toBe('error');
    expect(blocked.error?.code).toBe('policy_denied');
    expect(blocked.spoken_text).toMatch(/0 of the 1 approvals.*outside the repo's collaborators/);
    expect(blocked.pending_action).toBeFalsy();
    expect(h.fake.mergePuts).toBe(0);
    // Control: the same PR with a collaborator's approval plans (the gate is what stopped it).
    h.fake.state.simulateReview('acme/api', pr.number, 'priya-k', 'APPROVED');
    expect((await say(`merge PR ${pr.number} in acme/api`)).status).toBe('needs_confirmation');
    expect(h.fake.mergePuts).toBe(0);
  });

  it('a failing check on page 2 of the check runs blocks the merge', async () => {
    app = await liveApp();
    const pr = h.fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Bump deps' });
    h.fake.state.simulateCheckRuns('acme/api', pr.number, [
      ...Array.from({ length: 149 }, (_, i) => ({ name: `unit-${i + 1}`, conclusion: 'success' as const })),
      { name: 'integration-linux', conclusion: 'failure' as const },
    ]);
    const m = await say(`merge PR ${pr.number} in acme/api`);
    expect(m.status).toBe('error');
    expect(m.error?.code).toBe('policy_denied');
    expect(m.spoken_text).toContain('1 of 150 checks is failing');
    expect(h.fake.requests.filter((r) => r.path.endsWith('/check-runs') && r.query['page'] === '2')).toHaveLength(1);
    expect(h.fake.mergePuts).toBe(0);
  });

  it('a check turning red between plan and confirm blocks at confirm, on the same SHA, naming the gate', async () => {
    app = await liveApp();
    const pr = h.fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Small fix' });
    h.fake.state.simulateCheckRuns('acme/api', pr.number, [{ name: 'build', conclusion: 'success' }]);
    const m = await say(`merge PR ${pr.number} in acme/api`);
    expect(m.status).toBe('needs_confirmation');
    h.fake.state.simulateChecksCompleted('acme/api', pr.number, 'failure');
    const c = await say('confirm');
    expect(c.status).toBe('error');
    expect(c.error?.code).toBe('policy_denied');
    expect(c.spoken_text).toMatch(/^Not merged: PR \d+ no longer passes the checks gate: a check failed since the read-back\. 1 of 1 checks is failing/);
    expect(app.store.repos.pendingActions.get(m.pending_action!.token)).toMatchObject({ state: 'failed', result: { gate: 'checks_failing' } });
    expect(h.fake.mergePuts).toBe(0);
    expect(h.fake.state.merges).toHaveLength(0);
  });

  it('a change request after the read-back blocks at confirm', async () => {
    app = await liveApp({ requiredApprovals: 1 });
    const pr = h.fake.state.simulatePullRequest({ repo: 'acme/api', author: 'sam-dev', title: 'Refactor' });
    h.fake.state.simulateReview('acme/api', pr.number, 'priya-k', 'APPROVED');
    const m = await say(`merge PR ${pr.number} in acme/api`);
    expect(m.status).toBe('needs_confirmation');
    h.fake.state.simulateReview('acme/api', pr.number, 'dana-w', 'CHANGES_REQUESTED');
    const c = await app.service.confirm({ token: m.pending_action!.token }, caller, 'click');
    expect(c.error?.code).toBe('policy_denied');
    expect(c.spoken_text).toMatch(/review gate: changes were requested/);
    expect(h.fake.mergePuts).toBe(0);
  });
});
