/**
 * Issue 15's CI and PR-depth intents as a conversation through the `handsfree` CLI (separate
 * processes over one data dir, the demo account): read a PR, ask why its checks fail, what it
 * changes, its last comment, then re-run the failed checks: read back, confirmed once, and the
 * token refused the second time. Needs the TypeScript build (npm test builds first).
 */
import { describe, expect, it } from 'vitest';
import type { CommandResponse } from '../../contract/response.js';
import { cliOverDemoAccount } from '../support/cliOverDemoAccount.js';

const { cli, demoWrites: writes } = cliOverDemoAccount('ci');

describe('handsfree CLI: CI and PR depth (issue 15)', () => {
  it('read PR 15 → why did the checks fail → what changed → the last comment → rerun the failed checks → confirm, once', () => {
    expect(cli(['ask', 'read PR 15 in acme/api']).out).toMatch(/PR 15 in acme\/api/);
    const why = cli(['ask', 'why did the checks fail']);
    expect(why.code).toBe(0);
    expect(why.out).toMatch(/Failing: integration-tests\. integration-tests failed at step Run integration tests\. Its log ends: .*TestLimiterPerTenant/);
    const changed = cli(['ask', 'what changed in it', '--json']);
    const res = JSON.parse(changed.out) as CommandResponse;
    expect(res.intent.name).toBe('pr.diff_summary');
    expect(res.spoken_text).toMatch(/^PR 15 in acme\/api changes 11 files: 412 lines added, 35 removed\. Most churn: ratelimit\/limiter\.go/);
    expect(cli(['ask', 'read the last comment']).out).toMatch(/^The last comment on PR 15 in acme\/api, of 3: sam-dev, .*: "Not yet, I will add one in a follow-up\."\.$/m);

    const rerun = cli(['ask', 'rerun the failed checks']);
    expect(rerun.code).toBe(0);
    expect(rerun.out).toMatch(/^Rerun the failed jobs of 1 workflow run on acme\/api PR 15, head bc287e9: 1 failed job\. Jobs named: integration-tests\. Say confirm or cancel\.$/m);
    expect(writes()).toEqual([]);
    const token = /handsfree confirm ([0-9a-f]{32})/.exec(rerun.err)![1]!;
    const confirm = cli(['confirm']);
    expect(confirm.code).toBe(0);
    expect(confirm.out.trim()).toBe('Re-running the failed checks on PR 15 in acme/api.');
    const replay = cli(['confirm', token, '--json']);
    expect(replay.code).toBe(1);
    expect((JSON.parse(replay.out) as CommandResponse).error?.code).toBe('token_used');
    expect(writes()).toEqual(['rerunFailedJobs']);
    // The demo account remembers: the job is queued again, nothing is failing now.
    expect(cli(['ask', 'why did the checks fail on it']).out).toMatch(/^Nothing has failed on PR 15 in acme\/api yet: 4 checks: 1 running, 3 passing\.$/m);
  }, 180_000);
});
