/**
 * The focus commands of issue 15 as conversations through the `handsfree` CLI (one process per
 * turn over one data dir, demo account): snooze, mark everything read with its confirm, my pull
 * requests, what do I need to review, use a repo. Needs the TypeScript build (npm test builds first).
 */
import { describe, expect, it } from 'vitest';
import type { CommandResponse } from '../../contract/response.js';
import { cliOverDemoAccount } from '../support/cliOverDemoAccount.js';

const { cli, ask, demoWrites } = cliOverDemoAccount('focus');
const journal = (method: string) => demoWrites().filter((m) => m === method).length;

// Each turn is a process (~1-2 s, more on a loaded machine).
describe('handsfree CLI: focus commands', { timeout: 120_000 }, () => {
  it('read the first one → snooze this for an hour: gone from the next rundown', () => {
    const inbox = ask('what needs my attention');
    const first = inbox.cards.find((c) => c.kind === 'notification');
    expect(first).toBeDefined();
    expect(cli(['ask', 'read the first one']).code).toBe(0);
    const snooze = cli(['ask', 'snooze this for an hour']);
    expect(snooze.code).toBe(0);
    expect(snooze.out).toMatch(/^Snoozed PR 12 in acme\/api for an hour\./m);
    const after = ask('what needs my attention');
    expect(after.cards.filter((c) => c.kind === 'notification').map((c) => (c as { thread_id: string }).thread_id)).not.toContain((first as { thread_id: string }).thread_id);
  });

  it('mark everything as read → confirm: the count read back, one write, an empty inbox', () => {
    const plan = cli(['ask', 'mark everything as read']);
    expect(plan.code).toBe(0);
    // The demo account has 17 unread threads (of 20) in 4 repos.
    expect(plan.out).toMatch(/^Mark 17 unread notifications in 4 repos as read on GitHub\. Say confirm or cancel\.$/m);
    expect(journal('markAllNotificationsRead')).toBe(0);
    const done = cli(['confirm']);
    expect(done.code).toBe(0);
    expect(done.out.trim()).toBe('Marked 17 notifications as read.');
    expect(journal('markAllNotificationsRead')).toBe(1);
    // A second confirm finds nothing waiting and sends nothing.
    expect(cli(['confirm']).code).toBe(1);
    expect(journal('markAllNotificationsRead')).toBe(1);
    expect(ask('what needs my attention').cards.filter((c) => c.kind === 'notification')).toEqual([]);
  });

  it('use acme slash web → read PR 207: the session keeps the repo across processes', () => {
    expect(cli(['ask', 'use acme slash web']).out.trim()).toBe('Using acme slash web. A PR number on its own now means acme slash web.');
    expect(cli(['ask', 'read PR 207']).out).toMatch(/^PR 207 in acme\/web,/m);
    const unknown = cli(['ask', 'switch to the billing repo']);
    expect(unknown.out).toMatch(/I don't know a repo called billing/);
  });

  it('my pull requests, and what do I need to review', () => {
    const mine = ask('my pull requests');
    expect(mine.intent.name).toBe('inbox.my_prs');
    expect(mine.spoken_text).toMatch(/^You have 3 open pull requests\. PR \d+ in [\w-]+\/[\w-]+/);
    expect(mine.cards.filter((c) => c.kind === 'pull_request').length).toBe(3);
    const asked = ask('what do I need to review');
    expect(asked.intent.name).toBe('inbox.review_requests');
    expect(asked.spoken_text).toMatch(/^4 pull requests waiting for your review\. PR \d+ in [\w-]+\/[\w-]+: /);
  });
});
