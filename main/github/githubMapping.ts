/**
 * Pure helpers shared by both gateways: check roll-up, untrusted-text trimming, repo-name parsing,
 * notification subject URLs → numbers and https://github.com links.
 */
import type { CheckRun, CheckState, CheckSummary, NotificationReason, NotificationSubjectType, RepoFullName } from '../../contract/github.js';
import { AppError } from '../../contract/errors.js';

/** Untrusted bodies are cut to this many UTF-16 units (contract: at most 4,000 chars). */
export const MAX_UNTRUSTED_BODY_CHARS = 4000;

const REPO_RE = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9_.-]{1,100})$/;

/** Splits "owner/name"; anything else (spaces, extra slashes, "..") → AppError('unknown_repo'), nothing sent. */
export function parseRepoFullName(repo: RepoFullName): { owner: string; name: string } {
  const m = REPO_RE.exec(repo);
  if (!m || m[2] === '.' || m[2] === '..') {
    throw new AppError('unknown_repo', `"${repo.slice(0, 120)}" is not a repository name of the form owner/name.`);
  }
  return { owner: m[1]!, name: m[2]! };
}

export function assertPositiveNumber(n: number, what: 'pr' | 'issue'): void {
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new AppError(what === 'pr' ? 'pr_not_found' : 'issue_not_found', `${String(n)} is not a valid ${what === 'pr' ? 'pull request' : 'issue'} number.`);
  }
}

export function assertThreadId(threadId: string): void {
  if (!/^\d{1,20}$/.test(threadId)) throw new AppError('bad_request', 'A notification thread id is a string of digits.');
}

/** Trims untrusted text to `max` chars without splitting a surrogate pair; null/undefined → ''. */
export function trimUntrusted(text: string | null | undefined, max: number = MAX_UNTRUSTED_BODY_CHARS): string {
  if (!text) return '';
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

const PASSING = new Set<CheckRun['conclusion']>(['success', 'neutral', 'skipped']);

/**
 * Rolls check runs (and commit statuses converted with statusToCheckRun) into one summary.
 * failing if anything failed; otherwise pending if anything is not completed; passing if all passed;
 * none when there is nothing. A completed run with conclusion null counts as pending.
 */
export function summarizeChecks(runs: CheckRun[]): CheckSummary {
  let passing = 0;
  let failing = 0;
  let pending = 0;
  for (const r of runs) {
    if (r.status !== 'completed' || r.conclusion === null) pending += 1;
    else if (PASSING.has(r.conclusion)) passing += 1;
    else failing += 1;
  }
  const state: CheckState = runs.length === 0 ? 'none' : failing > 0 ? 'failing' : pending > 0 ? 'pending' : 'passing';
  return { state, total: runs.length, passing, failing, pending, runs };
}

/** A legacy commit status as a check run (success/failure/error/pending). */
export function statusToCheckRun(context: string, state: string): CheckRun {
  switch (state) {
    case 'success':
      return { name: context, status: 'completed', conclusion: 'success' };
    case 'failure':
    case 'error':
      return { name: context, status: 'completed', conclusion: 'failure' };
    default:
      return { name: context, status: 'in_progress', conclusion: null };
  }
}

/** GitHub check-run status values beyond the three the app knows (waiting, requested, pending) → queued. */
export function normalizeCheckStatus(status: string): CheckRun['status'] {
  return status === 'completed' || status === 'in_progress' ? status : 'queued';
}

export function normalizeCheckConclusion(conclusion: string | null | undefined): CheckRun['conclusion'] {
  switch (conclusion) {
    case null:
    case undefined:
      return null;
    case 'success':
    case 'failure':
    case 'neutral':
    case 'cancelled':
    case 'skipped':
    case 'timed_out':
    case 'action_required':
    case 'stale':
      return conclusion;
    default:
      // e.g. startup_failure: treat unknown conclusions as failures rather than hiding them.
      return 'failure';
  }
}

/** PR or issue number from a notification subject URL (…/pulls/12, …/issues/918); else null. */
export function subjectNumber(url: string | null | undefined): number | null {
  if (!url) return null;
  const m = /\/(?:pulls|issues)\/(\d+)(?:[/?#]|$)/.exec(url);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export const DEFAULT_HTML_BASE_URL = 'https://github.com';

export function pullHtmlUrl(htmlBase: string, repo: RepoFullName, number: number): string {
  return `${htmlBase}/${repo}/pull/${number}`;
}

export function issueHtmlUrl(htmlBase: string, repo: RepoFullName, number: number): string {
  return `${htmlBase}/${repo}/issues/${number}`;
}

/** The page a user would open for a notification; built, never taken from the API response. */
export function notificationHtmlUrl(
  htmlBase: string,
  repo: RepoFullName,
  type: NotificationSubjectType,
  number: number | null,
  subjectUrl: string | null | undefined,
): string {
  const base = `${htmlBase}/${repo}`;
  switch (type) {
    case 'PullRequest':
      return number !== null ? `${base}/pull/${number}` : `${base}/pulls`;
    case 'Issue':
      return number !== null ? `${base}/issues/${number}` : `${base}/issues`;
    case 'Commit': {
      const sha = subjectUrl ? /\/commits\/([0-9a-f]{7,40})$/.exec(subjectUrl)?.[1] : undefined;
      return sha ? `${base}/commit/${sha}` : `${base}/commits`;
    }
    case 'Discussion': {
      const n = subjectUrl ? /\/discussions\/(\d+)$/.exec(subjectUrl)?.[1] : undefined;
      return n ? `${base}/discussions/${n}` : `${base}/discussions`;
    }
    case 'Release':
      return `${base}/releases`;
    case 'CheckSuite':
      return `${base}/actions`;
    case 'RepositoryVulnerabilityAlert':
      return `${base}/security/dependabot`;
    default:
      return base;
  }
}

const SUBJECT_TYPES: ReadonlySet<string> = new Set(['PullRequest', 'Issue', 'CheckSuite', 'Release', 'Discussion', 'Commit', 'RepositoryVulnerabilityAlert']);

/** Subject types outside the contract's union (GitHub adds new ones) → null; the gateway drops those threads and logs it. */
export function toSubjectType(type: string): NotificationSubjectType | null {
  return SUBJECT_TYPES.has(type) ? (type as NotificationSubjectType) : null;
}

const REASONS: ReadonlySet<string> = new Set([
  'approval_requested', 'assign', 'author', 'ci_activity', 'comment', 'invitation', 'manual', 'member_feature_requested',
  'mention', 'review_requested', 'security_advisory_credit', 'security_alert', 'state_change', 'subscribed', 'team_mention',
]);

/** Reasons outside the contract's union are reported as 'subscribed' (the weakest signal). */
export function toNotificationReason(reason: string): NotificationReason {
  return REASONS.has(reason) ? (reason as NotificationReason) : 'subscribed';
}

/** At most this many lines of a job log are kept (the tail; callers pick fewer). */
export const MAX_LOG_TAIL_LINES = 200;
const LOG_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * The last `maxLines` meaningful lines of a GitHub Actions log: timestamps and ANSI colours
 * removed, ##[group]…##[endgroup] blocks (echoed commands, runner set-up) and blank lines dropped,
 * each line cut to 300 chars.
 * Untrusted text (the PR's code prints it).
 */
export function logTail(log: string, maxLines: number): string[] {
  const n = Math.max(0, Math.min(maxLines, MAX_LOG_TAIL_LINES));
  const out: string[] = [];
  const lines = log.split(/\r?\n/);
  // Walking back from the end: inside a ##[group] … ##[endgroup] block (a step's echoed command,
  // the runner's set-up) until its ##[group] line.
  let grouped = false;
  for (let i = lines.length - 1; i >= 0 && out.length < n; i--) {
    const l = lines[i]!.replace(LOG_TIMESTAMP, '').replace(ANSI, '').trimEnd();
    if (/^##\[endgroup\]/.test(l)) grouped = true;
    else if (/^##\[group\]/.test(l)) grouped = false;
    else if (!grouped && l.trim() !== '' && l !== 'Cleaning up orphan processes') out.push(trimUntrusted(l, 300));
  }
  return out.reverse();
}
