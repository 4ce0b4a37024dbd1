/**
 * DemoGitHubState → the app's domain types, and DemoError → AppError. Used by FixtureGitHubGateway;
 * the Octokit gateway reaches the same results from GitHub's REST shapes.
 */
import type { CheckRun, CheckSummary, IssueSummary, NotificationThread, PullRequestDetail, PullRequestSummary } from '../../../contract/github.js';
import { AppError } from '../../../contract/errors.js';
import type { ActionsJob } from '../../../core/ports/github.js';
import type { DemoCheckRun, DemoCommitStatus, DemoError, DemoIssue, DemoJob, DemoPull, DemoThread } from './demoGitHubState.js';
import { issueHtmlUrl, notificationHtmlUrl, pullHtmlUrl, statusToCheckRun, summarizeChecks, trimUntrusted } from '../githubMapping.js';

export function checkSummaryOf(runs: readonly DemoCheckRun[], statuses: readonly DemoCommitStatus[]): CheckSummary {
  return summarizeChecks(combineRuns(runs.map((r) => ({ id: r.id, run: { name: r.name, status: r.status, conclusion: r.conclusion } })), statuses.map((s) => ({ context: s.context, state: s.state }))));
}

/**
 * Latest check run per name (re-runs keep the name; the highest id wins), in first-seen order,
 * then one entry per commit-status context (the combined status already keeps the latest).
 */
export function combineRuns(runs: ReadonlyArray<{ id: number; run: CheckRun }>, statuses: ReadonlyArray<{ context: string; state: string }>): CheckRun[] {
  const byName = new Map<string, { id: number; run: CheckRun }>();
  for (const r of runs) {
    const prev = byName.get(r.run.name);
    if (!prev || r.id > prev.id) byName.set(r.run.name, r);
  }
  const order: string[] = [];
  for (const r of runs) if (!order.includes(r.run.name)) order.push(r.run.name);
  const out = order.map((n) => byName.get(n)!.run);
  const seen = new Set<string>();
  for (const s of statuses) {
    if (seen.has(s.context)) continue;
    seen.add(s.context);
    out.push(statusToCheckRun(s.context, s.state));
  }
  return out;
}

export function pullSummaryOf(p: DemoPull, htmlBase: string): PullRequestSummary {
  return {
    repo: p.repo,
    number: p.number,
    title: p.title,
    author: p.author,
    state: p.state,
    merged: p.merged,
    draft: p.draft,
    updatedAt: p.updatedAt,
    htmlUrl: pullHtmlUrl(htmlBase, p.repo, p.number),
  };
}

/**
 * `collaborators` of the PR's repo decide each review's author_association (as the fake REST
 * server reports it): a collaborator is MEMBER, anyone else CONTRIBUTOR, bots NONE.
 */
export function pullDetailOf(p: DemoPull, checks: CheckSummary, htmlBase: string, collaborators: readonly string[] = []): PullRequestDetail {
  return {
    ...pullSummaryOf(p, htmlBase),
    baseRef: p.baseRef,
    headRef: p.headRef,
    headSha: p.headSha,
    mergeable: p.mergeable,
    mergeableState: p.mergeableState,
    additions: p.additions,
    deletions: p.deletions,
    changedFiles: p.changedFiles,
    commits: p.commits,
    checks,
    reviews: p.reviews.map((r) => ({ author: r.author, state: r.state, submittedAt: r.submittedAt, association: demoAssociation(collaborators, r.author) })),
    requestedReviewers: [...p.requestedReviewers],
    labels: [...p.labels],
    body: trimUntrusted(p.body),
  };
}

/** The author_association the demo account gives a login (the fake REST server uses the same rule). */
export function demoAssociation(collaborators: readonly string[], login: string): 'MEMBER' | 'CONTRIBUTOR' | 'NONE' {
  if (login.endsWith('[bot]')) return 'NONE';
  return collaborators.includes(login) ? 'MEMBER' : 'CONTRIBUTOR';
}

export function issueSummaryOf(i: DemoIssue | DemoPull, htmlBase: string): IssueSummary {
  const isPull = 'headSha' in i;
  return {
    repo: i.repo,
    number: i.number,
    title: i.title,
    author: i.author,
    state: i.state,
    labels: [...i.labels],
    assignees: [...i.assignees],
    htmlUrl: isPull ? pullHtmlUrl(htmlBase, i.repo, i.number) : issueHtmlUrl(htmlBase, i.repo, i.number),
    body: trimUntrusted(i.body),
  };
}

export function threadOf(t: DemoThread, htmlBase: string): NotificationThread {
  const number = t.subjectType === 'PullRequest' || t.subjectType === 'Issue' ? t.number : null;
  const subjectUrl = !t.ref ? null : t.subjectType === 'Commit' ? `/commits/${t.ref}` : t.subjectType === 'Discussion' ? `/discussions/${t.ref}` : null;
  return {
    id: t.id,
    repo: t.repo,
    subjectType: t.subjectType,
    title: t.title,
    reason: t.reason,
    unread: t.unread,
    updatedAt: t.updatedAt,
    number,
    htmlUrl: notificationHtmlUrl(htmlBase, t.repo, t.subjectType, number, subjectUrl),
  };
}

/** The AppError a gateway reports for GitHub's refusal, identical in both adapters. */
export function appErrorFromDemo(err: DemoError, ctx: { repo: string; number?: number; threadId?: string }): AppError {
  const what = ctx.number !== undefined ? `${ctx.repo}#${ctx.number}` : ctx.repo;
  switch (err.kind) {
    case 'repo_not_found':
      return new AppError('unknown_repo', `I can't find the repository ${ctx.repo}, or the token can't see it.`);
    case 'pr_not_found':
      return new AppError('pr_not_found', `There is no pull request ${what}.`);
    case 'issue_not_found':
      return new AppError('issue_not_found', `There is no issue or pull request ${what}.`);
    case 'thread_not_found':
      return new AppError('not_found', `Notification thread ${ctx.threadId ?? ''} no longer exists.`);
    case 'head_moved':
      return new AppError('head_moved', `The branch of ${what} changed since it was read back; nothing was merged.`, { githubMessage: err.message });
    case 'already_merged':
      return new AppError('already_merged', `${what} is already merged.`, { githubMessage: err.message });
    case 'not_mergeable':
    case 'method_not_allowed':
      return new AppError('not_mergeable', `GitHub won't merge ${what}: ${err.message}`, { githubMessage: err.message });
    case 'validation':
      return new AppError('github_validation', `GitHub rejected the request: ${err.message}`, { githubMessage: err.message });
    case 'not_found':
      return new AppError('not_found', `GitHub has no such workflow run or job in ${ctx.repo}.`);
    case 'forbidden':
      return new AppError('github_forbidden', `GitHub refused: ${err.message}.`, { githubMessage: err.message });
  }
}

/** A demo check run as the Actions job GET …/actions/jobs/{id} describes (issue 15). */
export function actionsJobOf(j: DemoJob, htmlBase: string): ActionsJob {
  return {
    id: j.run.id,
    runId: j.runId,
    runAttempt: j.run.runAttempt,
    name: j.run.name,
    workflowName: 'CI',
    headSha: j.run.headSha,
    status: j.run.status,
    conclusion: j.run.conclusion,
    steps: j.steps.map((s) => ({ number: s.number, name: s.name, status: s.status, conclusion: s.conclusion })),
    htmlUrl: `${htmlBase}/${j.repo}/actions/runs/${j.runId}/job/${j.run.id}`,
  };
}
