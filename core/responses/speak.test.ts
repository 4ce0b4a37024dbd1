/**
 * What the assistant says: check phrases, review state, mergeability, the inbox rundown, read-backs
 * per profile and the spoken error for every code. Each string here is what a user hears, so a
 * changed word is a changed behaviour.
 */
import { describe, expect, it } from 'vitest';
import { APP_ERROR_CODES } from '../../contract/errors.js';
import type { CheckRun, CheckSummary, NotificationReason, NotificationThread, PullRequestDetail, Review } from '../../contract/github.js';
import { PROFILES } from '../session/profiles.js';
import {
  attentionOrder,
  capitalize,
  checksPhrase,
  checksSummary,
  commentReadBack,
  delegateReadBack,
  describeSubject,
  failingCheckNames,
  inboxRundown,
  mergeReadBack,
  methodPhrase,
  notificationCard,
  notificationLine,
  ordinal,
  prSummary,
  pullRequestCard,
  reasonPhrase,
  reviewPhrase,
  reviewReadBack,
  spokenError,
  unsubscribeReadBack,
} from './speak.js';

const checks = (c: Partial<CheckSummary>): CheckSummary => ({ state: 'passing', total: 0, passing: 0, failing: 0, pending: 0, runs: [], ...c });
const run = (name: string, conclusion: CheckRun['conclusion']): CheckRun => ({ name, status: 'completed', conclusion }) as CheckRun;
const review = (author: string, state: Review['state'], association: Review['association'] = 'MEMBER'): Review => ({ author, state, submittedAt: '2026-01-01T00:00:00Z', association });

function pr(over: Partial<PullRequestDetail> = {}): PullRequestDetail {
  return {
    repo: 'acme/api', number: 12, title: 'Fix login', author: 'alice', state: 'open', merged: false, draft: false, updatedAt: '', htmlUrl: 'https://github.com/acme/api/pull/12',
    baseRef: 'main', headRef: 'fix', headSha: 'abcdef0123456789abcdef0123456789abcdef01', mergeable: true, mergeableState: 'clean',
    additions: 5, deletions: 2, changedFiles: 3, commits: 1,
    checks: checks({ total: 2, passing: 2 }),
    reviews: [], requestedReviewers: [], labels: [], body: '',
    ...over,
  };
}

function thread(over: Partial<NotificationThread> = {}): NotificationThread {
  return { id: '1', repo: 'acme/api', subjectType: 'PullRequest', number: 12, title: 'Fix login', reason: 'review_requested', unread: true, updatedAt: '2026-01-01T00:00:00Z', htmlUrl: 'https://github.com/acme/api/pull/12', ...over };
}

describe('checksPhrase / failingCheckNames / checksSummary', () => {
  it('names no checks, one passing check, all passing, and the mixed counts in a fixed order', () => {
    expect(checksPhrase(checks({ total: 0 }))).toBe('no checks');
    expect(checksPhrase(checks({ total: 1, passing: 1 }))).toBe('its check passing');
    expect(checksPhrase(checks({ total: 4, passing: 4 }))).toBe('all 4 checks passing');
    expect(checksPhrase(checks({ total: 6, failing: 1, pending: 2, passing: 3 }))).toBe('6 checks: 1 failing, 2 running, 3 passing');
    expect(checksPhrase(checks({ total: 2, pending: 2 }))).toBe('2 checks: 2 running');
    expect(checksPhrase(checks({ total: 1, failing: 1 }))).toBe('1 check: 1 failing');
  });

  it('lists failed, timed-out, cancelled and action-required runs (sanitised, at most max), never passing or skipped ones', () => {
    const runs = [run('ok', 'success'), run('lint', 'failure'), run('skip', 'skipped'), run('e2e', 'timed_out'), run('neutral', 'neutral'), run('deploy', 'cancelled'), run('gate', 'action_required')];
    expect(failingCheckNames(checks({ runs }))).toEqual(['lint', 'e2e', 'deploy']);
    expect(failingCheckNames(checks({ runs }), 10)).toEqual(['lint', 'e2e', 'deploy', 'gate']);
    expect(failingCheckNames(checks({ runs: [run(`a\u202Eb${'x'.repeat(100)}`, 'failure')] }))[0]).toBe(`ab${'x'.repeat(37)}…`);
  });

  it('speaks the checks of a PR and the failing names when there are some', () => {
    expect(checksSummary(pr())).toBe('On PR 12 in acme/api, all 2 checks passing.');
    const failing = pr({ checks: checks({ total: 3, failing: 2, passing: 1, runs: [run('lint', 'failure'), run('test', 'failure'), run('ok', 'success')] }) });
    expect(checksSummary(failing)).toBe('On PR 12 in acme/api, 3 checks: 2 failing, 1 passing. Failing: lint and test.');
  });
});

describe('reviewPhrase', () => {
  it('changes requested outweigh approvals; approvals outweigh waiting; then no reviews', () => {
    expect(reviewPhrase(pr({ reviews: [review('bob', 'APPROVED'), review('carol', 'CHANGES_REQUESTED')] }))).toBe('1 reviewer requested changes');
    expect(reviewPhrase(pr({ reviews: [review('bob', 'APPROVED'), review('carol', 'APPROVED')], requestedReviewers: ['dave'] }))).toBe('approved by 2 reviewers');
    expect(reviewPhrase(pr({ requestedReviewers: ['dave', 'erin', 'frank', 'grace'] }))).toBe('waiting for review from dave, erin and frank');
    expect(reviewPhrase(pr({ requestedReviewers: [`d\u200Bave${'x'.repeat(60)}`] }))).toBe(`dave${'x'.repeat(35)}…`.replace(/^/, 'waiting for review from '));
    expect(reviewPhrase(pr())).toBe('no reviews yet');
  });

  it('an outsider approval (not a collaborator) does not count as approved', () => {
    expect(reviewPhrase(pr({ reviews: [review('mallory', 'APPROVED', 'NONE')] }))).toBe('no reviews yet');
  });
});

describe('prSummary', () => {
  it('speaks number, repo, quoted title, author, checks, reviews, mergeability, failing names and size', () => {
    const p = pr({ checks: checks({ total: 2, failing: 1, passing: 1, runs: [run('lint', 'failure')] }), reviews: [review('bob', 'APPROVED')], mergeableState: 'unstable' });
    expect(prSummary(p, PROFILES.default)).toBe(
      "PR 12 in acme/api, 'Fix login' by alice. 2 checks: 1 failing, 1 passing, approved by 1 reviewer. Mergeable, but checks are not all green. Failing: lint. 3 files changed, plus 5 minus 2, into main.",
    );
    expect(prSummary(pr({ changedFiles: 1 }), PROFILES.default)).toBe("PR 12 in acme/api, 'Fix login' by alice. All 2 checks passing, no reviews yet. Ready to merge. 1 file changed, plus 5 minus 2, into main.");
  });

  it('says each mergeable state; merged, closed and draft come before GitHub’s state', () => {
    const phrase = (over: Partial<PullRequestDetail>) => prSummary(pr(over), PROFILES.default).split('. ')[2];
    expect(phrase({ merged: true, state: 'closed' })).toBe('It is merged');
    expect(phrase({ state: 'closed' })).toBe('It is closed');
    expect(phrase({ draft: true })).toBe('It is a draft');
    expect(phrase({ mergeableState: 'clean' })).toBe('Ready to merge');
    expect(phrase({ mergeableState: 'has_hooks' })).toBe('Ready to merge');
    expect(phrase({ mergeableState: 'dirty' })).toBe('It has merge conflicts');
    expect(phrase({ mergeableState: 'blocked' })).toBe('Merging is blocked by branch rules');
    expect(phrase({ mergeableState: 'behind' })).toBe('It is behind its base branch');
    expect(phrase({ mergeableState: 'unknown' })).toBe('GitHub is still working out whether it can merge');
  });

  it('short profiles quote at most 50 characters of the title, full ones 100', () => {
    const title = 'word '.repeat(40);
    const quoted = (s: string) => s.slice(s.indexOf("'") + 1, s.indexOf("' by"));
    expect(quoted(prSummary(pr({ title }), PROFILES.terse)).length).toBe(50);
    expect(quoted(prSummary(pr({ title }), PROFILES.default)).length).toBe(100);
  });
});

describe('read-backs', () => {
  it('merge: method phrases, and profiles that need the number say it; short profiles drop author and title', () => {
    expect(methodPhrase('merge')).toBe('with a merge commit');
    expect(methodPhrase('squash')).toBe('with squash');
    expect(methodPhrase('rebase')).toBe('with rebase');
    expect(mergeReadBack(pr(), 'rebase', PROFILES.workout)).toBe('Merge acme/api PR 12 into main with rebase, head abcdef0, all 2 checks passing. Say confirm 12 or cancel.');
    expect(mergeReadBack(pr(), 'squash', PROFILES.default)).toBe('Merge acme/api PR 12 into main with squash, head abcdef0, all 2 checks passing. By alice, titled: Fix login. Say confirm or cancel.');
  });

  it('review request: full and short forms', () => {
    expect(reviewReadBack(pr(), ['bob', 'carol'], PROFILES.default)).toBe("Request review from bob and carol on PR 12, 'Fix login', in acme/api. Say confirm or cancel.");
    expect(reviewReadBack(pr(), ['bob'], PROFILES.kitchen)).toBe('Request review from bob on acme/api PR 12. Say confirm 12 or cancel.');
  });

  it('comment: the body quoted and bounded; the title only in full read-backs', () => {
    expect(commentReadBack('acme/api', 12, 'Fix login', 'ship it', PROFILES.default)).toBe(`Comment on acme/api PR 12, 'Fix login': "ship it". Say confirm or cancel.`);
    expect(commentReadBack('acme/api', 12, 'Fix login', 'ship it', PROFILES.workout)).toBe('Comment on acme/api PR 12: "ship it". Say confirm 12 or cancel.');
    const long = commentReadBack('acme/api', 12, 'T', 'b'.repeat(500), PROFILES.terse);
    expect(long).toContain(`"${'b'.repeat(199)}…"`);
  });

  it('delegation: the provider, the instruction and the dispatch repo', () => {
    expect(delegateReadBack('acme/api', 918, 'Crash', 'acme/tasks', 'fix it', PROFILES.default)).toBe(
      `Ask the agent to work on issue 918, 'Crash', in acme/api with the instruction "fix it", by opening a task in acme/tasks. Say confirm or cancel.`,
    );
    expect(delegateReadBack('acme/api', 918, 'Crash', 'acme/tasks', undefined, PROFILES.workout, 'copilot')).toBe(
      "Ask GitHub Copilot's coding agent to work on issue 918 in acme/api, by assigning the issue to Copilot. Say confirm 918 or cancel.",
    );
  });

  it('unsubscribe: the number is asked for only when the thread has one', () => {
    expect(unsubscribeReadBack(thread(), PROFILES.default)).toBe("Unsubscribe from PR 12 in acme/api, 'Fix login'. Say confirm or cancel.");
    expect(unsubscribeReadBack(thread({ subjectType: 'Issue', number: 7 }), PROFILES.workout)).toBe("Unsubscribe from issue 7 in acme/api, 'Fix login'. Say confirm 7 or cancel.");
    expect(unsubscribeReadBack(thread({ subjectType: 'Release', number: null }), PROFILES.workout)).toBe("Unsubscribe from release in acme/api, 'Fix login'. Say confirm or cancel.");
  });
});

describe('notifications', () => {
  it('describeSubject names PRs, issues, check suites and other kinds', () => {
    expect(describeSubject({ subjectType: 'PullRequest', number: 3 })).toBe('PR 3');
    expect(describeSubject({ subjectType: 'Issue', number: 4 })).toBe('issue 4');
    expect(describeSubject({ subjectType: 'CheckSuite', number: null })).toBe('check suite');
    expect(describeSubject({ subjectType: 'Discussion', number: null })).toBe('discussion');
  });

  it('attentionOrder: review requests, then CI and security, mentions, assignments, own activity, comments, state changes, the rest; newest first within a rank', () => {
    const reasons: NotificationReason[] = ['subscribed', 'state_change', 'comment', 'author', 'assign', 'team_mention', 'security_alert', 'approval_requested'];
    const items = reasons.map((reason, i) => thread({ id: String(i), reason }));
    items.push(thread({ id: 'old-review', reason: 'review_requested', updatedAt: '2025-01-01T00:00:00Z' }));
    items.push(thread({ id: 'new-review', reason: 'review_requested', updatedAt: '2026-06-01T00:00:00Z' }));
    const order = attentionOrder(items).map((n) => n.reason);
    expect(order.slice(0, 3)).toEqual(['review_requested', 'approval_requested', 'review_requested']);
    expect(order.slice(3)).toEqual(['security_alert', 'team_mention', 'assign', 'author', 'comment', 'state_change', 'subscribed']);
    const reviews = attentionOrder(items).filter((n) => n.reason === 'review_requested').map((n) => n.id);
    expect(reviews).toEqual(['new-review', 'old-review']);
    expect(attentionOrder([thread({ id: 'm', reason: 'mention' }), thread({ id: 'c', reason: 'ci_activity' })]).map((n) => n.id)).toEqual(['c', 'm']);
    expect(attentionOrder([thread({ id: 'a', reason: 'author' }), thread({ id: 'm', reason: 'mention' })]).map((n) => n.id)).toEqual(['m', 'a']);
  });

  it('reasonPhrase and notificationLine for every reason', () => {
    const line = (reason: NotificationReason) => notificationLine(thread({ reason }));
    const what = "PR 12 in acme/api, 'Fix login'";
    expect(line('author')).toBe(`activity on your ${what}`);
    expect(line('review_requested')).toBe(`review requested on ${what}`);
    expect(line('approval_requested')).toBe(`approval requested on ${what}`);
    expect(line('comment')).toBe(`new comment on ${what}`);
    expect(line('ci_activity')).toBe(`CI activity on ${what}`);
    expect(line('state_change')).toBe(`state changed on ${what}`);
    expect(line('assign')).toBe(`assigned to you: ${what}`);
    expect(line('mention')).toBe(`you were mentioned in ${what}`);
    expect(line('team_mention')).toBe(`your team was mentioned in ${what}`);
    expect(line('security_alert')).toBe(`security alert: ${what}`);
    expect(line('member_feature_requested')).toBe(`member feature requested: ${what}`);
    expect(reasonPhrase('author')).toBe('activity on your');
    expect(reasonPhrase('assign')).toBe('assigned to you');
  });

  it('inboxRundown: empty inbox, counts by group (largest first, at most three), then the first items', () => {
    expect(inboxRundown([], PROFILES.default)).toEqual({ text: 'Nothing needs your attention. Your inbox is empty.', tail: '' });
    const items = [
      thread({ reason: 'review_requested', number: 1 }),
      thread({ reason: 'approval_requested', number: 2 }),
      thread({ reason: 'ci_activity', number: 3 }),
      thread({ reason: 'ci_activity', number: 4 }),
      thread({ reason: 'ci_activity', number: 5 }),
      thread({ reason: 'mention', number: 6 }),
      thread({ reason: 'assign', number: 7 }),
    ];
    const r = inboxRundown(items, PROFILES.terse);
    expect(r.tail).toBe('Say read the first one, or next.');
    expect(r.text).toBe("7 notifications: 3 CI updates, 2 review requests and 1 mention. First, review requested on PR 1 in acme/api, 'Fix login'. Second, approval requested on PR 2 in acme/api, 'Fix login'.");
    const one = inboxRundown([thread({ reason: 'security_alert' })], PROFILES.default).text;
    expect(one).toBe("1 notification: 1 security alert. First, security alert: PR 12 in acme/api, 'Fix login'.");
    expect(inboxRundown([thread({ reason: 'security_alert' }), thread({ reason: 'security_alert' })], PROFILES.workout).text).toMatch(/^2 notifications: 2 security alerts\./);
    expect(inboxRundown([thread({ reason: 'assign' }), thread({ reason: 'assign' }), thread({ reason: 'team_mention' })], PROFILES.workout).text).toMatch(/^3 notifications: 2 assignments and 1 mention\./);
    expect(inboxRundown([thread({ reason: 'comment' }), thread({ reason: 'author' })], PROFILES.workout).text).toMatch(/^2 notifications: 2 updates\./);
  });

  it('ordinals up to ten, then "Number n"; capitalize', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(ordinal)).toEqual(['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth', 'Ninth', 'Tenth']);
    expect(ordinal(11)).toBe('Number 11');
    expect(capitalize('')).toBe('');
    expect(capitalize('abc')).toBe('Abc');
  });
});

describe('cards', () => {
  it('notificationCard carries the thread with a sanitised, bounded title', () => {
    expect(notificationCard(thread({ title: `a\u202Eb${'x'.repeat(400)}` }), 2)).toEqual({
      kind: 'notification', position: 2, thread_id: '1', repo: 'acme/api', subject_type: 'PullRequest', title: `ab${'x'.repeat(297)}…`,
      reason: 'review_requested', number: 12, updated_at: '2026-01-01T00:00:00Z', unread: true, url: 'https://github.com/acme/api/pull/12',
    });
  });

  it('pullRequestCard carries state, checks, review counts and size', () => {
    const p = pr({ merged: true, state: 'closed', author: `m\u200Ballory${'y'.repeat(80)}`, reviews: [review('bob', 'APPROVED'), review('carol', 'CHANGES_REQUESTED'), review('dan', 'APPROVED')], requestedReviewers: ['erin'] });
    expect(pullRequestCard(p)).toEqual({
      kind: 'pull_request', repo: 'acme/api', number: 12, title: 'Fix login', author: `mallory${'y'.repeat(52)}…`, base: 'main', head: 'fix', head_sha: p.headSha,
      state: 'merged', draft: false, mergeable_state: 'clean',
      checks: { state: 'passing', total: 2, passing: 2, failing: 0, pending: 0 },
      reviews: { approved: 2, changes_requested: 1, requested: ['erin'] },
      size: { additions: 5, deletions: 2, changed_files: 3, commits: 1 },
      url: 'https://github.com/acme/api/pull/12',
    });
    expect(pullRequestCard(pr()).state).toBe('open');
  });
});

describe('spokenError', () => {
  it('says what happened and what to do next, for each code', () => {
    const said: Record<string, string> = {
      empty_command: "I didn't hear a command. Say help to hear what I can do.",
      text_too_long: 'That was too long for a command. Try a shorter sentence.',
      invalid_encoding: "I couldn't read that text. Try again.",
      unknown_repo: 'MSG Say the repo as owner slash name.',
      pr_not_found: 'MSG Check the number and the repo.',
      issue_not_found: 'MSG Check the number and the repo.',
      no_context: 'MSG',
      no_pending_action: 'Nothing is waiting for confirmation.',
      ambiguous_confirmation: 'MSG',
      token_invalid: "That confirmation isn't valid. Nothing was done.",
      token_expired: 'That confirmation expired, so nothing was done. Ask again if you still want it.',
      token_used: 'MSG Nothing more was done.',
      action_cancelled: 'That was cancelled, so nothing was done.',
      confirmation_declined: 'Not confirmed, so nothing was done yet. Say confirm if you still want it.',
      policy_denied: "I won't do that: MSG",
      not_mergeable: 'MSG',
      already_merged: 'MSG',
      no_token: 'I need a GitHub token for live mode. Add one in settings, or switch to demo mode.',
      github_unauthorized: 'GitHub rejected the token. Check it in settings.',
      github_forbidden: 'GitHub refused that. MSG',
      github_rate_limited: "GitHub's rate limit is used up. MSG",
      github_unavailable: "GitHub isn't answering right now. Try again in a minute.",
      github_timeout: 'GitHub took too long to answer. Try again in a minute.',
      github_validation: 'GitHub rejected the request: MSG',
      store_failed: "I couldn't save that, so I didn't do it. Check the disk and try again.",
      internal: 'Something went wrong on my side. Try again.',
    };
    for (const [code, text] of Object.entries(said)) expect(spokenError(code as never, 'MSG'), code).toBe(text);
    for (const code of APP_ERROR_CODES) if (!(code in said)) expect(spokenError(code, 'MSG'), code).toBe('Something went wrong on my side. Try again.');
  });

  it('a "Did you mean" offer is spoken as is', () => {
    const offer = 'I heard PR 50; there is no open PR 50 in acme/api. Did you mean 15? Say yes, or say the number again.';
    expect(spokenError('pr_not_found', offer)).toBe(offer);
    expect(spokenError('issue_not_found', offer)).toBe(offer);
  });
});
