import type { PullRequestDetail } from '../../contract/github.js';
import type { MergeMethod } from '../../contract/intent.js';
import { COMMAND_TABLE } from '../../contract/commands.js';
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

/** Which merge gate refused: said in the outcome so the user knows what to fix. */
export type MergeGate = 'settings' | 'checks_failing' | 'checks_pending' | 'changes_requested' | 'approvals';
export type PolicyVerdict = { ok: true } | { ok: false; reason: string; gate?: MergeGate };

/** Associations whose reviews count: people with a standing in the repo, not any GitHub account. */
export const TRUSTED_REVIEWER_ASSOCIATIONS: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

export function isActionAllowed(policy: RepoPolicy, kind: ActionKind): PolicyVerdict {
  if (policy.deny.includes(kind)) return { ok: false, gate: 'settings', reason: `Your settings do not allow ${describeKind(kind)} in this repo.` };
  if (policy.allow !== 'all' && !policy.allow.includes(kind)) {
    return { ok: false, gate: 'settings', reason: `Your settings do not allow ${describeKind(kind)} in this repo.` };
  }
  return { ok: true };
}

/** The merge gates, checked against fields read from the API (never against spoken input). */
export function checkMergePolicy(policy: RepoPolicy, pr: PullRequestDetail): PolicyVerdict {
  const allowed = isActionAllowed(policy, 'pr.merge');
  if (!allowed.ok) return allowed;
  if (policy.requireGreenChecks) {
    if (pr.checks.failing > 0) return { ok: false, gate: 'checks_failing', reason: `${pr.checks.failing} of ${pr.checks.total} checks ${pr.checks.failing === 1 ? 'is' : 'are'} failing, and this repo requires green checks.` };
    if (pr.checks.pending > 0) return { ok: false, gate: 'checks_pending', reason: `${pr.checks.pending} of ${pr.checks.total} checks ${pr.checks.pending === 1 ? 'is' : 'are'} still running, and this repo requires green checks.` };
  }
  const latest = latestReviewByAuthor(pr);
  const changes = latest.filter((r) => r === 'CHANGES_REQUESTED').length;
  const approvals = latest.filter((r) => r === 'APPROVED').length;
  if (policy.requiredApprovals > 0 && changes > 0) return { ok: false, gate: 'changes_requested', reason: 'A reviewer requested changes.' };
  if (approvals < policy.requiredApprovals) {
    const outsiders = latestReviewByAuthor(pr, { trustedOnly: false }).filter((r) => r === 'APPROVED').length - approvals;
    const note = outsiders > 0 ? ` ${outsiders === 1 ? 'One approval comes' : `${outsiders} approvals come`} from outside the repo's collaborators and ${outsiders === 1 ? "doesn't" : "don't"} count.` : '';
    return { ok: false, gate: 'approvals', reason: `It has ${approvals} of the ${policy.requiredApprovals} approvals this repo requires.${note}` };
  }
  return { ok: true };
}

/**
 * Each reviewer's latest decisive review state (comments do not override a decision). By default
 * only reviewers with a standing in the repo (owner, member, collaborator) count, as for GitHub's
 * own required reviews: anyone may approve a public PR.
 */
export function latestReviewByAuthor(pr: PullRequestDetail, opts: { trustedOnly?: boolean } = {}): Array<'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED'> {
  const byAuthor = new Map<string, 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED'>();
  const counted = opts.trustedOnly === false ? pr.reviews : pr.reviews.filter((r) => TRUSTED_REVIEWER_ASSOCIATIONS.has(r.association));
  const sorted = [...counted].sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? ''));
  for (const r of sorted) {
    if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED' || r.state === 'DISMISSED') byAuthor.set(r.author, r.state);
  }
  return [...byAuthor.values()];
}

/** The action as the policy gate names it ("merging"), from contract/commands.ts. */
export function describeKind(kind: ActionKind): string {
  return COMMAND_TABLE[kind].doing ?? kind;
}
