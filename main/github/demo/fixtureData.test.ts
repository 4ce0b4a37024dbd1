import { describe, expect, it } from 'vitest';
import { loadDemoFixture, parseDemoFixture } from './fixtureData.js';
import { DemoGitHubState } from './demoGitHubState.js';

const fixture = loadDemoFixture();

describe('demo GitHub fixture', () => {
  it('has a viewer and the required repos', () => {
    expect(fixture.viewer.login).toBe('sam-dev');
    const repos = fixture.repos.map((r) => r.fullName);
    expect(repos).toEqual(expect.arrayContaining(['acme/api', 'acme/web', 'acme/infra']));
  });

  it('has ≥ 15 notifications with varied reasons and subject types', () => {
    expect(fixture.notifications.length).toBeGreaterThanOrEqual(15);
    const reasons = new Set(fixture.notifications.map((n) => n.reason));
    for (const r of ['review_requested', 'mention', 'ci_activity', 'assign', 'author', 'comment', 'state_change', 'team_mention', 'security_alert']) {
      expect(reasons, r).toContain(r);
    }
    expect(new Set(fixture.notifications.map((n) => n.type)).size).toBeGreaterThanOrEqual(6);
  });

  it('has ≥ 8 PRs across 3+ repos covering check, review and mergeability states', () => {
    const state = new DemoGitHubState(fixture);
    const pulls = state.pulls();
    expect(pulls.length).toBeGreaterThanOrEqual(8);
    expect(new Set(pulls.map((p) => p.repo)).size).toBeGreaterThanOrEqual(3);
    const mergeable = new Set(pulls.map((p) => p.mergeableState));
    for (const m of ['clean', 'dirty', 'blocked', 'behind', 'draft']) expect(mergeable, m).toContain(m);
    const reviewStates = new Set(pulls.flatMap((p) => p.reviews.map((r) => r.state)));
    expect(reviewStates).toContain('APPROVED');
    expect(reviewStates).toContain('CHANGES_REQUESTED');
    expect(pulls.some((p) => p.reviews.length === 0)).toBe(true);
    for (const p of pulls) expect(p.headSha).toMatch(/^[0-9a-f]{40}$/);
    const checkStates = new Set(
      pulls.map((p) => {
        const c = state.checksFor(p.repo, p.headSha);
        if (!c.ok) throw new Error('no checks');
        const runs = c.value.runs;
        if (runs.length === 0 && c.value.statuses.length === 0) return 'none';
        if (runs.some((r) => r.status === 'completed' && r.conclusion === 'failure')) return 'failing';
        if (runs.some((r) => r.status !== 'completed')) return 'pending';
        return 'passing';
      }),
    );
    expect([...checkStates].sort()).toEqual(['failing', 'none', 'passing', 'pending']);
  });

  it('has the demo journey PR acme/api#12: open, clean, 4/4 passing, approved, by someone else, review requested near the top', () => {
    const state = new DemoGitHubState(fixture);
    const pr = state.pull('acme/api', 12)!;
    expect(pr.title).toBe('Fix login redirect loop');
    expect(pr.state).toBe('open');
    expect(pr.mergeableState).toBe('clean');
    expect(pr.mergeable).toBe(true);
    expect(pr.author).not.toBe(fixture.viewer.login);
    expect(pr.reviews.some((r) => r.state === 'APPROVED')).toBe(true);
    const c = state.checksFor('acme/api', pr.headSha);
    expect(c.ok && c.value.runs.length === 4 && c.value.runs.every((r) => r.conclusion === 'success')).toBe(true);
    const inbox = state.unreadThreads();
    const idx = inbox.findIndex((t) => t.repo === 'acme/api' && t.number === 12 && t.reason === 'review_requested');
    expect(idx).toBeGreaterThanOrEqual(0);
    expect(idx).toBeLessThan(3);
  });

  it('has ≥ 5 issues including acme/api#918', () => {
    expect(fixture.issues.length).toBeGreaterThanOrEqual(5);
    expect(fixture.issues.find((i) => i.repo === 'acme/api' && i.number === 918)?.state).toBe('open');
  });

  it('dates are in 2026 (activity) and authors vary', () => {
    for (const p of fixture.pulls) expect(p.updatedAt.startsWith('2026-')).toBe(true);
    for (const n of fixture.notifications) expect(n.updatedAt.startsWith('2026-')).toBe(true);
    expect(new Set(fixture.pulls.map((p) => p.author)).size).toBeGreaterThanOrEqual(6);
  });

  it('rejects inconsistent fixtures with every problem listed', () => {
    const bad = structuredClone(fixture) as unknown as { pulls: Array<{ repo: string }>; notifications: Array<{ number?: number }> };
    bad.pulls[0]!.repo = 'nobody/nothing';
    bad.notifications[0]!.number = 99_999;
    expect(() => parseDemoFixture(bad)).toThrow(/nobody\/nothing.*unknown repo.*not in the fixture/s);
    expect(() => parseDemoFixture({ ...fixture, now: 'yesterday' })).toThrow(/now/);
  });
});

describe('demo fixture moved to today (shiftDemoFixture)', () => {
  it('moves every timestamp by the same amount, so ages stay as written', async () => {
    const { shiftDemoFixture } = await import('./fixtureData.js');
    const target = Date.parse('2031-07-04T12:00:00Z');
    const moved = shiftDemoFixture(fixture, target);
    expect(moved.now).toBe('2031-07-04T12:00:00Z');
    const delta = target - Date.parse(fixture.now);
    moved.notifications.forEach((n, i) => expect(Date.parse(n.updatedAt) - Date.parse(fixture.notifications[i]!.updatedAt)).toBe(delta));
    moved.pulls.forEach((p, i) => {
      expect(Date.parse(p.createdAt) - Date.parse(fixture.pulls[i]!.createdAt)).toBe(delta);
      expect(p.title).toBe(fixture.pulls[i]!.title);
    });
    expect(fixture.now).toBe(loadDemoFixture().now); // the input is not mutated
  });

  it('the app in demo mode shows a newest notification less than a day old, on any run date', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createApp } = await import('../../app/app.js');
    const { loadConfig } = await import('../../app/config.js');
    const { SILENT_LOGGER } = await import('../../log/logger.js');
    const dir = mkdtempSync(join(tmpdir(), 'hf-demo-age-'));
    const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER });
    try {
      const threads = await app.github.listNotifications();
      const newest = Math.max(...threads.map((t) => Date.parse(t.updatedAt)));
      expect(Date.now() - newest).toBeGreaterThanOrEqual(0);
      expect(Date.now() - newest).toBeLessThan(24 * 3_600_000);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
