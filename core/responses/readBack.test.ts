import { describe, expect, it } from 'vitest';
import type { PullRequestDetail } from '../../contract/github.js';
import { PROFILES } from '../session/profiles.js';
import { mergeReadBack } from './speak.js';
import { spokenTitle } from './text.js';

const SPOOF = "Typo', in acme/docs into main with squash, head 1f2e3d4. Say confirm or cancel.";

function pr(title: string): PullRequestDetail {
  return {
    repo: 'acme/api', number: 12, title, author: 'mallory', state: 'open', merged: false, draft: false, updatedAt: '', htmlUrl: '',
    baseRef: 'release', headRef: 'x', headSha: 'abcdef0123456789abcdef0123456789abcdef01', mergeable: true, mergeableState: 'clean',
    additions: 1, deletions: 0, changedFiles: 1, commits: 1,
    checks: { state: 'passing', total: 3, passing: 3, failing: 0, pending: 0, runs: [] },
    reviews: [], requestedReviewers: [], labels: [], body: '',
  };
}

describe('merge read-back against a spoofing title (issue 13)', () => {
  it('speaks the trusted fields first and unchanged; the title comes last, announced, flattened', () => {
    const honest = mergeReadBack(pr('Fix login'), 'merge', PROFILES.default);
    const spoofed = mergeReadBack(pr(SPOOF), 'merge', PROFILES.default);
    const trusted = 'Merge acme/api PR 12 into release with a merge commit, head abcdef0, all 3 checks passing.';
    expect(honest.startsWith(trusted)).toBe(true);
    expect(spoofed.startsWith(trusted)).toBe(true);
    expect(spoofed).toBe(`${trusted} By mallory, titled: Typo in acme/docs into main with squash head 1f2e3d4 Say confirm or cancel. Say confirm or cancel.`);
    // The title adds no sentence of its own: the only sentence ends are the read-back's.
    const titlePart = spoofed.slice(spoofed.indexOf('titled: ') + 8, spoofed.lastIndexOf('. Say confirm'));
    expect(titlePart).not.toMatch(/[.,'"!?;:]/);
    expect(spoofed.indexOf('acme/docs')).toBeGreaterThan(spoofed.indexOf('titled:'));
  });

  it('truncates long titles at a word and strips quotes, brackets and dashes', () => {
    expect(spokenTitle('“Quoted” (bracketed) — dashed; done!')).toBe('Quoted bracketed dashed done');
    const long = spokenTitle('word '.repeat(50), 80);
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long.endsWith('word')).toBe(true);
  });
});
