import { describe, expect, it } from 'vitest';
import { FixtureGitHubGateway } from './fixtureGitHubGateway.js';

describe('FixtureGitHubGateway: conditional notification polls and text search', () => {
  it('answers 304 while nothing changed and 200 with the new thread after one arrives', async () => {
    const gw = new FixtureGitHubGateway();
    const first = await gw.pollNotifications({ lastModified: null });
    expect(first.status).toBe(200);
    expect(first.pollIntervalS).toBe(60);
    expect(first.threads.length).toBeGreaterThan(0);
    expect(first.lastModified).toMatch(/GMT$/);
    expect(await gw.pollNotifications({ lastModified: first.lastModified })).toMatchObject({ status: 304, threads: [], lastModified: first.lastModified });
    const t = gw.simulateNotification({ repo: 'acme/api', subjectType: 'PullRequest', number: 12, reason: 'review_requested' });
    const next = await gw.pollNotifications({ lastModified: first.lastModified });
    expect(next.status).toBe(200);
    expect(next.threads[0]?.id).toBe(t.id);
    expect(Date.parse(next.lastModified!)).toBeGreaterThan(Date.parse(first.lastModified!));
  });

  it('finds issues and PRs by body text, filtered by repo and type, with their authors', async () => {
    const gw = new FixtureGitHubGateway();
    const issue = await gw.createIssue('acme/agent-tasks', { title: 'Agent task', body: 'x <!-- handsfree-task: abcdef0123456789 -->' });
    const pr = gw.simulatePullRequest({ repo: 'acme/api', author: 'copilot-swe-agent[bot]', title: 'Fix', body: 'handsfree-task: abcdef0123456789' });
    const all = await gw.searchIssuesByText('handsfree-task: abcdef0123456789');
    expect(all.map((h) => `${h.kind}:${h.repo}#${h.number}:${h.author}`).sort()).toEqual([`issue:acme/agent-tasks#${issue.number}:${issue.author}`, `pr:acme/api#${pr.number}:copilot-swe-agent[bot]`].sort());
    expect(await gw.searchIssuesByText('handsfree-task: abcdef0123456789', { repo: 'acme/agent-tasks', type: 'issue' })).toHaveLength(1);
    expect(await gw.searchIssuesByText('handsfree-task: abcdef0123456789', { type: 'pr', repo: 'acme/agent-tasks' })).toHaveLength(0);
    expect(await gw.searchIssuesByText('nothing like this anywhere')).toEqual([]);
  });
});
