/**
 * Outcome → spoken text + cards. Read-backs are built from GitHub API fields only; untrusted text
 * (titles, logins) passes through sanitizeUntrusted and is quoted as data.
 */
import type { AppErrorCode } from '../../contract/errors.js';
import type { CheckSummary, NotificationReason, NotificationThread, PullRequestDetail } from '../../contract/github.js';
import type { MergeMethod } from '../../contract/intent.js';
import type { NotificationCard, PullRequestCard } from '../../contract/response.js';
import { latestReviewByAuthor } from '../actions/policy.js';
import type { Profile } from '../session/profiles.js';
import { joinNames, plural, quoteTitle, sanitizeUntrusted, shortSha, spokenTitle } from './text.js';

export function checksPhrase(c: CheckSummary): string {
  if (c.total === 0) return 'no checks';
  if (c.failing === 0 && c.pending === 0) return c.total === 1 ? 'its check passing' : `all ${c.total} checks passing`;
  const parts: string[] = [];
  if (c.failing > 0) parts.push(`${c.failing} failing`);
  if (c.pending > 0) parts.push(`${c.pending} running`);
  if (c.passing > 0) parts.push(`${c.passing} passing`);
  return `${plural(c.total, 'check')}: ${parts.join(', ')}`;
}

export function failingCheckNames(c: CheckSummary, max = 3): string[] {
  return c.runs
    .filter((r) => r.conclusion === 'failure' || r.conclusion === 'timed_out' || r.conclusion === 'cancelled' || r.conclusion === 'action_required')
    .slice(0, max)
    .map((r) => sanitizeUntrusted(r.name, 40));
}

export function reviewPhrase(pr: PullRequestDetail): string {
  const latest = latestReviewByAuthor(pr);
  const approvals = latest.filter((s) => s === 'APPROVED').length;
  const changes = latest.filter((s) => s === 'CHANGES_REQUESTED').length;
  if (changes > 0) return `${plural(changes, 'reviewer')} requested changes`;
  if (approvals > 0) return `approved by ${plural(approvals, 'reviewer')}`;
  if (pr.requestedReviewers.length > 0) return `waiting for review from ${joinNames(pr.requestedReviewers.slice(0, 3).map((r) => sanitizeUntrusted(r, 40)))}`;
  return 'no reviews yet';
}

function mergeablePhrase(pr: PullRequestDetail): string {
  if (pr.merged) return 'It is merged.';
  if (pr.state === 'closed') return 'It is closed.';
  if (pr.draft) return 'It is a draft.';
  switch (pr.mergeableState) {
    case 'clean':
    case 'has_hooks':
      return 'Ready to merge.';
    case 'dirty':
      return 'It has merge conflicts.';
    case 'blocked':
      return 'Merging is blocked by branch rules.';
    case 'behind':
      return 'It is behind its base branch.';
    case 'unstable':
      return 'Mergeable, but checks are not all green.';
    default:
      return 'GitHub is still working out whether it can merge.';
  }
}

/** Spoken PR summary, most important first; the caller fits it to the word budget. */
export function prSummary(pr: PullRequestDetail, profile: Profile): string {
  const title = quoteTitle(pr.title, profile.readBack === 'short' ? 50 : 100);
  const author = sanitizeUntrusted(pr.author, 40);
  const head = `PR ${pr.number} in ${pr.repo}, ${title} by ${author}.`;
  const checks = `${capitalize(checksPhrase(pr.checks))}, ${reviewPhrase(pr)}.`;
  const size = `${plural(pr.changedFiles, 'file')} changed, plus ${pr.additions} minus ${pr.deletions}, into ${sanitizeUntrusted(pr.baseRef, 60)}.`;
  const failing = failingCheckNames(pr.checks);
  const failingText = failing.length > 0 ? ` Failing: ${joinNames(failing)}.` : '';
  return `${head} ${checks} ${mergeablePhrase(pr)}${failingText} ${size}`;
}

export function checksSummary(pr: PullRequestDetail): string {
  const failing = failingCheckNames(pr.checks);
  const base = `On PR ${pr.number} in ${pr.repo}, ${checksPhrase(pr.checks)}.`;
  return failing.length > 0 ? `${base} Failing: ${joinNames(failing)}.` : base;
}

/**
 * The exact merge read-back: every field from the API, head SHA included, so "confirm" is bound
 * to what was heard. The trusted fields come first (repo, number, base, method, head, checks);
 * the PR author's free text comes last, announced as a title and flattened (spokenTitle), so it
 * cannot pose as, or reword, the fields before it. Short profiles drop title and author.
 */
export function mergeReadBack(pr: PullRequestDetail, method: MergeMethod, profile: Profile): string {
  const sayConfirm = profile.voiceConfirmNeedsNumber ? `Say confirm ${pr.number} or cancel.` : 'Say confirm or cancel.';
  const trusted = `Merge ${pr.repo} PR ${pr.number} into ${sanitizeUntrusted(pr.baseRef, 40)} ${methodPhrase(method)}, head ${shortSha(pr.headSha)}, ${checksPhrase(pr.checks)}.`;
  if (profile.readBack === 'short') return `${trusted} ${sayConfirm}`;
  return `${trusted} By ${sanitizeUntrusted(pr.author, 40)}, titled: ${spokenTitle(pr.title, 80)}. ${sayConfirm}`;
}

/** How the merge method is read back: the words a user would say. */
export function methodPhrase(method: MergeMethod): string {
  return method === 'squash' ? 'with squash' : method === 'rebase' ? 'with rebase' : 'with a merge commit';
}

export function reviewReadBack(pr: PullRequestDetail, reviewers: readonly string[], profile: Profile): string {
  const sayConfirm = profile.voiceConfirmNeedsNumber ? `Say confirm ${pr.number} or cancel.` : 'Say confirm or cancel.';
  const who = joinNames(reviewers.map((r) => sanitizeUntrusted(r, 40)));
  if (profile.readBack === 'short') return `Request review from ${who} on ${pr.repo} PR ${pr.number}. ${sayConfirm}`;
  return `Request review from ${who} on PR ${pr.number}, ${quoteTitle(pr.title, 80)}, in ${pr.repo}. ${sayConfirm}`;
}

export function commentReadBack(repo: string, number: number, title: string, body: string, profile: Profile): string {
  const sayConfirm = profile.voiceConfirmNeedsNumber ? `Say confirm ${number} or cancel.` : 'Say confirm or cancel.';
  return `Comment on ${repo} PR ${number}${profile.readBack === 'full' ? `, ${quoteTitle(title, 60)}` : ''}: "${sanitizeUntrusted(body, 200)}". ${sayConfirm}`;
}

/** The read-back names the provider: a task issue in the dispatch repo, or assigning the issue to Copilot. */
export function delegateReadBack(repo: string, issue: number, title: string, dispatchRepo: string, instruction: string | undefined, profile: Profile, provider: 'github_issue_dispatch' | 'copilot' = 'github_issue_dispatch'): string {
  const sayConfirm = profile.voiceConfirmNeedsNumber ? `Say confirm ${issue} or cancel.` : 'Say confirm or cancel.';
  const what = instruction ? ` with the instruction "${sanitizeUntrusted(instruction, 120)}"` : '';
  const t = profile.readBack === 'full' ? `, ${quoteTitle(title, 60)},` : '';
  if (provider === 'copilot') return `Ask GitHub Copilot's coding agent to work on issue ${issue}${t} in ${repo}${what}, by assigning the issue to Copilot. ${sayConfirm}`;
  return `Ask the agent to work on issue ${issue}${t} in ${repo}${what}, by opening a task in ${dispatchRepo}. ${sayConfirm}`;
}

export function unsubscribeReadBack(n: NotificationThread, profile: Profile): string {
  const sayConfirm = profile.voiceConfirmNeedsNumber && n.number !== null ? `Say confirm ${n.number} or cancel.` : 'Say confirm or cancel.';
  return `Unsubscribe from ${describeSubject(n)} in ${n.repo}, ${quoteTitle(n.title, 60)}. ${sayConfirm}`;
}

export function describeSubject(n: Pick<NotificationThread, 'subjectType' | 'number'>): string {
  const kind = n.subjectType === 'PullRequest' ? 'PR' : n.subjectType === 'Issue' ? 'issue' : n.subjectType === 'CheckSuite' ? 'check suite' : n.subjectType.toLowerCase();
  return n.number !== null ? `${kind} ${n.number}` : kind;
}

const REASON_RANK: Partial<Record<NotificationReason, number>> = {
  review_requested: 0,
  approval_requested: 0,
  ci_activity: 1,
  security_alert: 1,
  mention: 2,
  team_mention: 2,
  assign: 3,
  author: 4,
  comment: 5,
  state_change: 6,
};

/** Attention order: review requests, failing CI and security, mentions, assignments, the rest; newest first within a rank. */
export function attentionOrder(items: readonly NotificationThread[]): NotificationThread[] {
  return [...items].sort((a, b) => (REASON_RANK[a.reason] ?? 9) - (REASON_RANK[b.reason] ?? 9) || b.updatedAt.localeCompare(a.updatedAt));
}

export function reasonPhrase(reason: NotificationReason): string {
  switch (reason) {
    case 'review_requested': return 'review requested';
    case 'approval_requested': return 'approval requested';
    case 'ci_activity': return 'CI activity';
    case 'security_alert': return 'security alert';
    case 'mention': return 'you were mentioned';
    case 'team_mention': return 'your team was mentioned';
    case 'assign': return 'assigned to you';
    case 'author': return 'activity on your';
    case 'comment': return 'new comment';
    case 'state_change': return 'state changed';
    default: return reason.replace(/_/g, ' ');
  }
}

/** "review requested on PR 12 in acme/api, 'Fix login'" (lower case: it follows an ordinal). */
export function notificationLine(n: NotificationThread): string {
  const what = `${describeSubject(n)} in ${n.repo}, ${quoteTitle(n.title, 70)}`;
  switch (n.reason) {
    case 'author':
      return `activity on your ${what}`;
    case 'review_requested':
    case 'approval_requested':
    case 'comment':
      return `${reasonPhrase(n.reason)} on ${what}`;
    case 'ci_activity':
    case 'state_change':
      return `${reasonPhrase(n.reason)} on ${what}`;
    case 'assign':
      return `assigned to you: ${what}`;
    case 'mention':
    case 'team_mention':
      return `${reasonPhrase(n.reason)} in ${what}`;
    default:
      return `${reasonPhrase(n.reason)}: ${what}`;
  }
}

/** The spoken inbox rundown: counts by reason first, then the first items. */
export function inboxRundown(items: readonly NotificationThread[], profile: Profile): { text: string; tail: string } {
  if (items.length === 0) return { text: 'Nothing needs your attention. Your inbox is empty.', tail: '' };
  const counts = new Map<string, number>();
  for (const n of items) counts.set(groupOf(n.reason), (counts.get(groupOf(n.reason)) ?? 0) + 1);
  const groups = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([g, c]) => `${c} ${c === 1 ? g : pluralGroup(g)}`);
  const head = `${plural(items.length, 'notification')}: ${joinNames(groups)}.`;
  const lines = items.slice(0, profile.inboxItems).map((n, i) => `${ordinal(i + 1)}, ${notificationLine(n)}.`);
  return { text: [head, ...lines].join(' '), tail: 'Say read the first one, or next.' };
}

function groupOf(reason: NotificationReason): string {
  switch (reason) {
    case 'review_requested':
    case 'approval_requested':
      return 'review request';
    case 'ci_activity':
      return 'CI update';
    case 'mention':
    case 'team_mention':
      return 'mention';
    case 'assign':
      return 'assignment';
    case 'security_alert':
      return 'security alert';
    default:
      return 'update';
  }
}

function pluralGroup(g: string): string {
  return g.endsWith('s') ? g : `${g}s`;
}

const ORDINALS = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth', 'Ninth', 'Tenth'];
export function ordinal(n: number): string {
  return ORDINALS[n - 1] ?? `Number ${n}`;
}

export function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

export function notificationCard(n: NotificationThread, position: number): NotificationCard {
  return {
    kind: 'notification',
    position,
    thread_id: n.id,
    repo: n.repo,
    subject_type: n.subjectType,
    title: sanitizeUntrusted(n.title, 300),
    reason: n.reason,
    number: n.number,
    updated_at: n.updatedAt,
    unread: n.unread,
    url: n.htmlUrl,
  };
}

export function pullRequestCard(pr: PullRequestDetail): PullRequestCard {
  const latest = latestReviewByAuthor(pr);
  return {
    kind: 'pull_request',
    repo: pr.repo,
    number: pr.number,
    title: sanitizeUntrusted(pr.title, 300),
    author: sanitizeUntrusted(pr.author, 60),
    base: pr.baseRef,
    head: pr.headRef,
    head_sha: pr.headSha,
    state: pr.merged ? 'merged' : pr.state,
    draft: pr.draft,
    mergeable_state: pr.mergeableState,
    checks: { state: pr.checks.state, total: pr.checks.total, passing: pr.checks.passing, failing: pr.checks.failing, pending: pr.checks.pending },
    reviews: {
      approved: latest.filter((s) => s === 'APPROVED').length,
      changes_requested: latest.filter((s) => s === 'CHANGES_REQUESTED').length,
      requested: pr.requestedReviewers,
    },
    size: { additions: pr.additions, deletions: pr.deletions, changed_files: pr.changedFiles, commits: pr.commits },
    url: pr.htmlUrl,
  };
}

/** One spoken sentence per error: what happened and what to do next. */
export function spokenError(code: AppErrorCode, message: string): string {
  switch (code) {
    case 'empty_command': return "I didn't hear a command. Say help to hear what I can do.";
    case 'text_too_long': return 'That was too long for a command. Try a shorter sentence.';
    case 'invalid_encoding': return "I couldn't read that text. Try again.";
    case 'unknown_repo': return `${message} Say the repo as owner slash name.`;
    case 'pr_not_found':
    case 'issue_not_found': return message.includes('Did you mean') ? message : `${message} Check the number and the repo.`;
    case 'no_context': return message;
    case 'no_pending_action': return 'Nothing is waiting for confirmation.';
    case 'ambiguous_confirmation': return message;
    case 'token_invalid': return "That confirmation isn't valid. Nothing was done.";
    case 'token_expired': return 'That confirmation expired, so nothing was done. Ask again if you still want it.';
    case 'token_used': return `${message} Nothing more was done.`;
    case 'action_cancelled': return 'That was cancelled, so nothing was done.';
    case 'confirmation_declined': return 'Not confirmed, so nothing was done yet. Say confirm if you still want it.';
    case 'policy_denied': return `I won't do that: ${message}`;
    case 'not_mergeable': return `${message}`;
    case 'already_merged': return message;
    case 'no_token': return 'I need a GitHub token for live mode. Add one in settings, or switch to demo mode.';
    case 'github_unauthorized': return 'GitHub rejected the token. Check it in settings.';
    case 'github_forbidden': return `GitHub refused that. ${message}`;
    case 'github_rate_limited': return `GitHub's rate limit is used up. ${message}`;
    case 'github_unavailable': return "GitHub isn't answering right now. Try again in a minute.";
    case 'github_timeout': return 'GitHub took too long to answer. Try again in a minute.';
    case 'github_validation': return `GitHub rejected the request: ${message}`;
    case 'store_failed': return "I couldn't save that, so I didn't do it. Check the disk and try again.";
    default: return 'Something went wrong on my side. Try again.';
  }
}
