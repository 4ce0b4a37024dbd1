import { describe, expect, it } from 'vitest';
import type { PullRequestDetail } from '../../contract/github.js';
import { checkMergePolicy, DEFAULT_POLICY, isActionAllowed, policyFor } from './policy.js';

const pr = (over: Partial<PullRequestDetail> = {}): PullRequestDetail =>
  ({
    checks: { state: 'passing', total: 4, passing: 4, failing: 0, pending: 0, runs: [] },
    reviews: [],
    ...over,
  }) as PullRequestDetail;

describe('policy', () => {
  const config = { defaults: DEFAULT_POLICY.defaults, repos: { 'acme/infra': { deny: ['pr.merge' as const] }, 'acme/api': { requiredApprovals: 1 } } };

  it('merges repo overrides over defaults', () => {
    expect(policyFor(config, 'acme/infra').deny).toEqual(['pr.merge']);
    expect(policyFor(config, 'ACME/API').requiredApprovals).toBe(1);
    expect(policyFor(config, 'acme/web').requiredApprovals).toBe(0);
  });

  it('denies listed actions', () => {
    expect(isActionAllowed(policyFor(config, 'acme/infra'), 'pr.merge').ok).toBe(false);
    expect(isActionAllowed(policyFor(config, 'acme/infra'), 'pr.comment').ok).toBe(true);
    expect(isActionAllowed({ ...DEFAULT_POLICY.defaults, allow: ['pr.comment'] }, 'pr.merge').ok).toBe(false);
  });

  it('requires green checks and approvals from API fields', () => {
    const p = policyFor(config, 'acme/api');
    expect(checkMergePolicy(p, pr()).ok).toBe(false); // no approval
    const approved = pr({ reviews: [{ author: 'a', state: 'APPROVED', submittedAt: '2026-01-01T00:00:00Z', association: 'MEMBER' }] });
    expect(checkMergePolicy(p, approved).ok).toBe(true);
    const laterChanges = pr({
      reviews: [
        { author: 'a', state: 'APPROVED', submittedAt: '2026-01-01T00:00:00Z', association: 'MEMBER' },
        { author: 'a', state: 'CHANGES_REQUESTED', submittedAt: '2026-01-02T00:00:00Z', association: 'MEMBER' },
      ],
    });
    expect(checkMergePolicy(p, laterChanges).ok).toBe(false);
    const failing = pr({ checks: { state: 'failing', total: 4, passing: 3, failing: 1, pending: 0, runs: [] }, reviews: approved.reviews });
    expect(checkMergePolicy(p, failing)).toMatchObject({ ok: false, gate: 'checks_failing' });
  });

  it('counts only approvals from owners, members and collaborators, and says why', () => {
    const p = policyFor(config, 'acme/api');
    for (const association of ['CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER', 'NONE', 'MANNEQUIN'] as const) {
      const v = checkMergePolicy(p, pr({ reviews: [{ author: 'stranger', state: 'APPROVED', submittedAt: '2026-01-01T00:00:00Z', association }] }));
      expect(v).toMatchObject({ ok: false, gate: 'approvals', reason: expect.stringMatching(/0 of the 1 .*outside the repo's collaborators/) });
    }
    for (const association of ['OWNER', 'MEMBER', 'COLLABORATOR'] as const) {
      expect(checkMergePolicy(p, pr({ reviews: [{ author: 'x', state: 'APPROVED', submittedAt: '2026-01-01T00:00:00Z', association }] })).ok).toBe(true);
    }
  });
});
