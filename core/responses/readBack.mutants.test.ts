/**
 * Read-backs speak untrusted titles as data (issue 18): bidi, zero-width, tag and control
 * characters never reach TTS or the native confirm dialog, and a huge title cannot push the
 * fields that are confirmed (head SHA, checks, the confirm phrase) out of the 4,096-char TTS cap.
 * Checked on what is said, not on the sentence layout, which may change.
 */
import { describe, expect, it } from 'vitest';
import type { NotificationThread, PullRequestDetail } from '../../contract/github.js';
import { PROFILES } from '../session/profiles.js';
import { commentReadBack, delegateReadBack, mergeReadBack, notificationLine, prSummary, reviewReadBack, unsubscribeReadBack } from './speak.js';
import { MAX_TTS_CHARS, quoteTitle, sanitizeUntrusted } from './text.js';

// Right-to-left override, isolates, zero-width space/joiner, word joiner, BOM, a Unicode tag
// character (U+E0041, invisible "A"), and C0/C1 controls.
const INVISIBLES = ['\u202E', '\u2066', '\u2069', '\u200B', '\u200D', '\u2060', '\uFEFF', '\uDB40\uDC41', '\u0007', '\u0085', '\u001B'];
const EVIL = `Fix${INVISIBLES.join('')} login\u202E gol\u200Bin\u2067 redirect`;
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]|\uDB40[\uDC00-\uDC7F]/;
const SHA = 'c0ffee1234567890abcdef1234567890abcdef12';

const pr = (title: string): PullRequestDetail =>
  ({
    repo: 'acme/api',
    number: 12,
    title,
    author: 'alice',
    state: 'open',
    draft: false,
    merged: false,
    baseRef: 'main',
    headRef: 'fix',
    headSha: SHA,
    mergeable: true,
    mergeableState: 'clean',
    additions: 3,
    deletions: 1,
    changedFiles: 2,
    commits: 1,
    checks: { state: 'passing', total: 4, passing: 4, failing: 0, pending: 0, runs: [] },
    reviews: [],
    requestedReviewers: [],
    labels: [],
    body: '',
    htmlUrl: 'https://github.com/acme/api/pull/12',
  }) as unknown as PullRequestDetail;

const thread = (title: string): NotificationThread =>
  ({ id: 't1', repo: 'acme/api', subjectType: 'PullRequest', number: 12, title, reason: 'review_requested', unread: true, updatedAt: '2026-01-01T00:00:00Z', htmlUrl: '' }) as NotificationThread;

/** Every spoken text that quotes a title, for a given title. */
function readBacks(title: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const profile of [PROFILES.default, PROFILES.commute]) {
    out[`merge/${profile.name}`] = mergeReadBack(pr(title), 'squash', profile);
    out[`review/${profile.name}`] = reviewReadBack(pr(title), ['bob'], profile);
    out[`comment/${profile.name}`] = commentReadBack('acme/api', 12, title, 'looks good', profile);
    out[`delegate/${profile.name}`] = delegateReadBack('acme/api', 918, title, 'acme/agent-tasks', 'fix it', profile);
    out[`unsubscribe/${profile.name}`] = unsubscribeReadBack(thread(title), profile);
    out[`summary/${profile.name}`] = prSummary(pr(title), profile);
  }
  out['notification'] = notificationLine(thread(title));
  return out;
}

describe('titles in read-backs', () => {
  it('quoteTitle strips bidi, zero-width, tag and control characters', () => {
    const q = quoteTitle(EVIL);
    expect(q).not.toMatch(HIDDEN);
    expect(q).toContain('Fix login');
    expect(q).toContain('redirect');
  });

  it('no read-back or summary carries an invisible or direction-changing character', () => {
    for (const [name, text] of Object.entries(readBacks(EVIL))) {
      expect(text, name).not.toMatch(HIDDEN);
      expect(text, name).toContain('redirect');
    }
  });

  it('a 4,000-character title is cut, so the SHA, the checks and the confirm phrase stay within the TTS cap', () => {
    const huge = `Fix ${'very '.repeat(800)}long title`.slice(0, 4_000);
    const merge = mergeReadBack(pr(huge), 'merge', PROFILES.default);
    expect(merge.length).toBeLessThanOrEqual(MAX_TTS_CHARS);
    // The confirmed fields are inside the part TTS speaks.
    const spoken = merge.slice(0, MAX_TTS_CHARS);
    expect(spoken).toContain(SHA.slice(0, 7));
    expect(spoken).toMatch(/all 4 checks passing/);
    expect(spoken).toMatch(/Say confirm( 12)? or cancel/);
    // The title is quoted in a bounded form: far shorter than what GitHub sent.
    for (const [name, text] of Object.entries(readBacks(huge))) {
      expect(text.length, name).toBeLessThan(1_000);
      expect(text, name).not.toContain('very '.repeat(40));
    }
  });

  it('quoteTitle bounds to its limit with an ellipsis and keeps short titles whole', () => {
    const q = quoteTitle('x'.repeat(500), 60);
    expect(q.length).toBeLessThanOrEqual(62); // two quote marks around at most 60 characters
    expect(q).toMatch(/…'$/);
    expect(quoteTitle('Fix login')).toBe("'Fix login'");
    expect(sanitizeUntrusted('  a \n\t b  ')).toBe('a b');
  });
});
