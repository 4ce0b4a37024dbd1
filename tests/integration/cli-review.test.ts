/**
 * Reviewing from the `handsfree` CLI (issue 15's approve / request changes as a conversation):
 * separate processes over one data dir, the demo account. Nothing is sent before "confirm"; a
 * confirmed review is sent once; a cancelled one never.
 */
import { describe, expect, it } from 'vitest';
import { cliOverDemoAccount } from '../support/cliOverDemoAccount.js';

const { cli, demoWrites } = cliOverDemoAccount('review');

describe('handsfree CLI: approve and request changes (issue 15)', () => {
  it('read PR 12 → approve it → confirm, once; request changes on it → cancel: nothing sent', () => {
    expect(cli(['ask', 'read PR 12 in acme/api']).out).toMatch(/PR 12 in acme\/api/);
    const approve = cli(['ask', 'approve it']);
    expect(approve.code).toBe(0);
    expect(approve.out).toMatch(/^Approve acme\/api PR 12, head [0-9a-f]{7}, .*Say confirm or cancel\.$/m);
    expect(demoWrites()).toEqual([]);
    const token = /handsfree confirm ([0-9a-f]{32})/.exec(approve.err)![1]!;
    const confirmed = cli(['confirm']);
    expect(confirmed.code).toBe(0);
    expect(confirmed.out).toMatch(/PR 12/);
    expect(cli(['confirm', token]).code).toBe(1); // used: nothing is sent twice
    expect(demoWrites()).toEqual(['submitReview']);

    const changes = cli(['ask', 'request changes on it saying please add tests']);
    expect(changes.code).toBe(0);
    expect(changes.out).toMatch(/PR 12.*Say confirm or cancel\.$/m);
    expect(cli(['cancel']).code).toBe(0);
    expect(cli(['confirm']).code).not.toBe(0); // nothing is waiting any more
    expect(demoWrites()).toEqual(['submitReview']);
  }, 180_000);
});
