import type { PullRequestDetail } from '../../contract/github.js';
import type { MergeMethod } from '../../contract/intent.js';
import type { ActionKind } from '../../contract/response.js';

/** Per-repo gates on side effects. Passed in as data from settings. */
export interface RepoPolicy {
  /** Merge only when every check passed (none failing or pending). */
  requireGreenChecks: boolean;
  /** Merge only with at least this many approvals and no outstanding change requests. */
  requiredApprovals: number;
  /** Actions this repo allows ('all', or a list); `deny` wins over `allow`. */
  allow: 'all' | readonly ActionKind[];
  deny: readonly ActionKind[];
  defaultMergeMethod: MergeMethod;
}

export interface PolicyConfig {
  defaults: RepoPolicy;
  /** Overrides by "owner/name". */
  repos: Readonly<Record<string, Partial<RepoPolicy>>>;
}

export const DEFAULT_POLICY: PolicyConfig = {
  defaults: { requireGreenChecks: true, requiredApprovals: 0, allow: 'all', deny: [], defaultMergeMethod: 'merge' },
  repos: {},
};

export function policyFor(config: PolicyConfig, repo: string): RepoPolicy {
  const o = config.repos[repo.toLowerCase()] ?? config.repos[repo];
  return { ...config.defaults, ...(o ?? {}) };
}

export type PolicyVerdict = { ok: true } | { ok: false; reason: string };

export function isActionAllowed(policy: RepoPolicy, kind: ActionKind): PolicyVerdict {
  if (policy.deny.includes(kind)) return { ok: false, reason: `Your settings do not allow ${describeKind(kind)} in this repo.` };
  if (policy.allow !== 'all' && !policy.allow.includes(kind)) {
    return { ok: false, reason: `Your settings do not allow ${describeKind(kind)} in this repo.` };
  }
  return { ok: true };
}

/** The merge gates, checked against fields read from the API (never against spoken input). */
export function checkMergePolicy(policy: RepoPolicy, pr: PullRequestDetail): PolicyVerdict {
  const allowed = isActionAllowed(policy, 'pr.merge');
  if (!allowed.ok) return allowed;
  if (policy.requireGreenChecks) {
    if (pr.checks.failing > 0) return { ok: false, reason: `${pr.checks.failing} of ${pr.checks.total} checks ${pr.checks.failing === 1 ? 'is' : 'are'} failing, and this repo requires green checks.` };
    if (pr.checks.pending > 0) return { ok: false, reason: `${pr.checks.pending} of ${pr.checks.total} checks ${pr.checks.pending === 1 ? 'is' : 'are'} still running, and this repo requires green checks.` };
  }
  const latest = latestReviewByAuthor(pr);
  const changes = latest.filter((r) => r === 'CHANGES_REQUESTED').length;
  const approvals = latest.filter((r) => r === 'APPROVED').length;
  if (policy.requiredApprovals > 0 && changes > 0) return { ok: false, reason: 'A reviewer requested changes.' };
  if (approvals < policy.requiredApprovals) {
    return { ok: false, reason: `It has ${approvals} of the ${policy.requiredApprovals} approvals this repo requires.` };
  }
  return { ok: true };
}

/** Each reviewer's latest decisive review state (comments do not override a decision). */
export function latestReviewByAuthor(pr: PullRequestDetail): Array<'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED'> {
  const byAuthor = new Map<string, 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED'>();
  const sorted = [...pr.reviews].sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? ''));
  for (const r of sorted) {
    if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED' || r.state === 'DISMISSED') byAuthor.set(r.author, r.state);
  }
  return [...byAuthor.values()];
}

export function describeKind(kind: ActionKind): string {
  switch (kind) {
    case 'pr.merge': return 'merging';
    case 'pr.request_review': return 'requesting reviews';
    case 'pr.comment': return 'commenting';
    case 'agent.delegate': return 'delegating to the agent';
    case 'notification.unsubscribe': return 'unsubscribing';
  }
}
