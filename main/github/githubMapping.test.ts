import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../contract/errors.js';
import {
  normalizeCheckConclusion,
  notificationHtmlUrl,
  parseRepoFullName,
  statusToCheckRun,
  subjectNumber,
  summarizeChecks,
  toNotificationReason,
  toSubjectType,
  trimUntrusted,
} from './githubMapping.js';
import { combineRuns } from './demo/demoProjection.js';

describe('summarizeChecks', () => {
  it('none / passing / pending / failing', () => {
    expect(summarizeChecks([]).state).toBe('none');
    const ok = { name: 'a', status: 'completed', conclusion: 'success' } as const;
    const skipped = { name: 'b', status: 'completed', conclusion: 'skipped' } as const;
    const running = { name: 'c', status: 'in_progress', conclusion: null } as const;
    const failed = { name: 'd', status: 'completed', conclusion: 'timed_out' } as const;
    expect(summarizeChecks([ok, skipped])).toMatchObject({ state: 'passing', total: 2, passing: 2 });
    expect(summarizeChecks([ok, running])).toMatchObject({ state: 'pending', pending: 1, passing: 1 });
    expect(summarizeChecks([ok, running, failed])).toMatchObject({ state: 'failing', failing: 1, pending: 1, passing: 1 });
  });

  it('counts always add up to total', () => {
    const run = fc.record({
      name: fc.string(),
      status: fc.constantFrom('queued' as const, 'in_progress' as const, 'completed' as const),
      conclusion: fc.constantFrom(null, 'success' as const, 'failure' as const, 'neutral' as const, 'cancelled' as const, 'skipped' as const, 'timed_out' as const, 'action_required' as const, 'stale' as const),
    });
    fc.assert(
      fc.property(fc.array(run), (runs) => {
        const s = summarizeChecks(runs);
        return s.passing + s.failing + s.pending === s.total && s.total === runs.length;
      }),
    );
  });

  it('commit statuses and unknown conclusions', () => {
    expect(statusToCheckRun('ci', 'error')).toEqual({ name: 'ci', status: 'completed', conclusion: 'failure' });
    expect(statusToCheckRun('ci', 'pending').status).toBe('in_progress');
    expect(normalizeCheckConclusion('startup_failure')).toBe('failure');
  });

  it('keeps the latest run per name (re-runs), then statuses', () => {
    const runs = combineRuns(
      [
        { id: 1, run: { name: 'build', status: 'completed', conclusion: 'failure' } },
        { id: 3, run: { name: 'build', status: 'completed', conclusion: 'success' } },
        { id: 2, run: { name: 'lint', status: 'completed', conclusion: 'success' } },
      ],
      [{ context: 'vercel', state: 'success' }],
    );
    expect(runs.map((r) => `${r.name}:${String(r.conclusion)}`)).toEqual(['build:success', 'lint:success', 'vercel:success']);
  });
});

describe('parsing and links', () => {
  it('repo names', () => {
    expect(parseRepoFullName('acme/api')).toEqual({ owner: 'acme', name: 'api' });
    for (const bad of ['acme', 'acme/api/x', '../etc', 'acme/..', 'ac me/api', '', 'acme/api?x=1']) {
      expect(() => parseRepoFullName(bad), bad).toThrow(AppError);
    }
  });

  it('subject numbers', () => {
    expect(subjectNumber('https://api.github.com/repos/acme/api/pulls/12')).toBe(12);
    expect(subjectNumber('https://api.github.com/repos/acme/api/issues/918')).toBe(918);
    expect(subjectNumber('https://api.github.com/repos/acme/api/releases/5')).toBeNull();
    expect(subjectNumber(null)).toBeNull();
  });

  it('notification links always point at the html base', () => {
    const h = 'https://github.com';
    expect(notificationHtmlUrl(h, 'acme/api', 'PullRequest', 12, null)).toBe('https://github.com/acme/api/pull/12');
    expect(notificationHtmlUrl(h, 'acme/api', 'Commit', null, 'https://api.github.com/repos/acme/api/commits/05b6afe108b3a704cf0399dec4a4994a8e33b64f')).toBe(
      'https://github.com/acme/api/commit/05b6afe108b3a704cf0399dec4a4994a8e33b64f',
    );
    expect(notificationHtmlUrl(h, 'acme/api', 'CheckSuite', null, null)).toBe('https://github.com/acme/api/actions');
    expect(notificationHtmlUrl(h, 'acme/api', 'Discussion', null, 'javascript:alert(1)')).toBe('https://github.com/acme/api/discussions');
  });

  it('unknown subject types and reasons', () => {
    expect(toSubjectType('WorkflowRun')).toBeNull();
    expect(toNotificationReason('brand_new_reason')).toBe('subscribed');
  });
});

describe('trimUntrusted', () => {
  it('caps at 4,000 chars and never splits a surrogate pair', () => {
    expect(trimUntrusted('x'.repeat(10_000))).toHaveLength(4000);
    const s = 'a'.repeat(3999) + '😀' + 'b';
    const t = trimUntrusted(s);
    expect(t).toHaveLength(3999);
    expect(trimUntrusted(null)).toBe('');
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 5000 }), (str) => trimUntrusted(str).length <= 4000));
  });
});
