/**
 * Policy gates that a mutation run showed unguarded (issue 18): a merge while checks are still
 * running must be refused, and each gate must say why. Assertions are on the verdict and the
 * words that carry the reason, not on whole sentences.
 */
import { describe, expect, it } from 'vitest';
import type { CheckSummary, PullRequestDetail, Review } from '../../contract/github.js';
import type { ActionKind } from '../../contract/response.js';
import { checkMergePolicy, DEFAULT_POLICY, describeKind, isActionAllowed, latestReviewByAuthor, policyFor, type RepoPolicy } from './policy.js';

const checks = (c: Partial<CheckSummary>): CheckSummary => ({ state: 'passing', total: 4, passing: 4, failing: 0, pending: 0, runs: [], ...c });
const pr = (over: Partial<PullRequestDetail> = {}): PullRequestDetail => ({ checks: checks({}), reviews: [], ...over }) as PullRequestDetail;
// Reviewers with a standing in the repo (issue 13: only OWNER/MEMBER/COLLABORATOR reviews count).
const review = (author: string, state: Review['state'], day: number | null): Review => ({ author, state, submittedAt: day === null ? null : `2026-01-0${day}T00:00:00Z`, association: 'MEMBER' });
const green: RepoPolicy = { ...DEFAULT_POLICY.defaults };

describe('merge gate: checks still running', () => {
  it('refuses a merge while any check is pending, even with none failing', () => {
    const v = checkMergePolicy(green, pr({ checks: checks({ state: 'pending', passing: 3, pending: 1 }) }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/1 of 4 checks is still running/);
  });
  it('counts several pending checks in the reason', () => {
    const v = checkMergePolicy(green, pr({ checks: checks({ state: 'pending', passing: 1, pending: 3 }) }));
    expect(v).toMatchObject({ ok: false });
    if (!v.ok) expect(v.reason).toMatch(/3 of 4 checks are still running/);
  });
  it('allows a merge once every check passed', () => {
    expect(checkMergePolicy(green, pr()).ok).toBe(true);
  });
  it('a repo that does not require green checks merges with checks running or failing', () => {
    const relaxed = { ...green, requireGreenChecks: false };
    expect(checkMergePolicy(relaxed, pr({ checks: checks({ pending: 2, passing: 2 }) })).ok).toBe(true);
    expect(checkMergePolicy(relaxed, pr({ checks: checks({ failing: 2, passing: 2 }) })).ok).toBe(true);
  });
  it('names failing checks with the right number agreement', () => {
    const one = checkMergePolicy(green, pr({ checks: checks({ failing: 1, passing: 3 }) }));
    const two = checkMergePolicy(green, pr({ checks: checks({ failing: 2, passing: 2 }) }));
    expect(one.ok || two.ok).toBe(false);
    if (!one.ok) expect(one.reason).toMatch(/1 of 4 checks is failing/);
    if (!two.ok) expect(two.reason).toMatch(/2 of 4 checks are failing/);
  });
});

describe('merge gate: reviews', () => {
  const needOne = { ...green, requiredApprovals: 1 };
  it('refuses when a reviewer requested changes, even with enough approvals', () => {
    const v = checkMergePolicy(needOne, pr({ reviews: [review('a', 'APPROVED', 1), review('b', 'CHANGES_REQUESTED', 2)] }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/requested changes/);
  });
  it('ignores requested changes when the repo requires no approvals', () => {
    expect(checkMergePolicy(green, pr({ reviews: [review('b', 'CHANGES_REQUESTED', 2)] })).ok).toBe(true);
  });
  it('counts approvals against the requirement and says how many', () => {
    const needTwo = { ...green, requiredApprovals: 2 };
    const v = checkMergePolicy(needTwo, pr({ reviews: [review('a', 'APPROVED', 1)] }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/1 of the 2 approvals/);
    expect(checkMergePolicy(needTwo, pr({ reviews: [review('a', 'APPROVED', 1), review('b', 'APPROVED', 2)] })).ok).toBe(true);
  });
  it('only approvals count towards the requirement: a dismissed or change-requesting review does not', () => {
    expect(checkMergePolicy(needOne, pr({ reviews: [review('a', 'DISMISSED', 1)] })).ok).toBe(false);
    expect(checkMergePolicy({ ...needOne, requiredApprovals: 1 }, pr({ reviews: [review('a', 'DISMISSED', 1), review('b', 'APPROVED', 2)] })).ok).toBe(true);
  });
  it('is refused by the allow/deny lists before any other gate', () => {
    const v = checkMergePolicy({ ...green, deny: ['pr.merge'] }, pr());
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/merging/);
  });
});

describe('latestReviewByAuthor', () => {
  it("keeps each reviewer's latest decision in time order; comments do not override it", () => {
    const latest = latestReviewByAuthor(pr({ reviews: [review('a', 'CHANGES_REQUESTED', 3), review('a', 'APPROVED', 1), review('a', 'COMMENTED', 4)] }));
    expect(latest).toEqual(['CHANGES_REQUESTED']);
  });
  it('a dismissal replaces an earlier approval; reviews without a time sort first', () => {
    expect(latestReviewByAuthor(pr({ reviews: [review('a', 'DISMISSED', 2), review('a', 'APPROVED', null)] }))).toEqual(['DISMISSED']);
    expect(latestReviewByAuthor(pr({ reviews: [review('a', 'APPROVED', null), review('a', 'DISMISSED', 2)] }))).toEqual(['DISMISSED']);
    expect(latestReviewByAuthor(pr({ reviews: [review('a', 'DISMISSED', null), review('a', 'APPROVED', 1), review('a', 'CHANGES_REQUESTED', null)] }))).toEqual(['APPROVED']);
    expect(latestReviewByAuthor(pr({ reviews: [review('a', 'APPROVED', 2), review('b', 'APPROVED', 1)] })).sort()).toEqual(['APPROVED', 'APPROVED']);
  });
});

describe('allow / deny lists', () => {
  it('deny wins over allow; an allow list admits only what it names', () => {
    expect(isActionAllowed({ ...green, allow: ['pr.comment'], deny: ['pr.comment'] }, 'pr.comment').ok).toBe(false);
    expect(isActionAllowed({ ...green, allow: ['pr.comment'] }, 'pr.comment').ok).toBe(true);
    const v = isActionAllowed({ ...green, allow: ['pr.comment'] }, 'agent.delegate');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/delegating to the agent/);
  });
  it('describes every action kind in words', () => {
    const kinds: ActionKind[] = ['pr.merge', 'pr.request_review', 'pr.comment', 'agent.delegate', 'notification.unsubscribe'];
    const words = kinds.map(describeKind);
    expect(new Set(words).size).toBe(kinds.length);
    expect(words).toEqual(['merging', 'requesting reviews', 'commenting', 'delegating to the agent', 'unsubscribing']);
  });
  it('finds repo overrides by lower-cased or exact name', () => {
    const cfg = { defaults: green, repos: { 'acme/api': { requiredApprovals: 2 }, 'Acme/Web': { requiredApprovals: 3 } } };
    expect(policyFor(cfg, 'Acme/API').requiredApprovals).toBe(2);
    expect(policyFor(cfg, 'Acme/Web').requiredApprovals).toBe(3);
    expect(policyFor(cfg, 'acme/other')).toEqual(green);
  });
});
