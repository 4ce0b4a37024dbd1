/**
 * DemoGitHubState → GitHub REST response bodies, field for field as api.github.com sends them
 * (every body is checked against GitHub's OpenAPI description before the fake sends it).
 * API URLs point at the fake (`api`), page URLs at https://github.com (`html`).
 */
import type {
  DemoCheckRun,
  DemoComment,
  DemoCommitStatus,
  DemoGitHubState,
  DemoFile,
  DemoIssue,
  DemoJob,
  DemoPull,
  DemoRepo,
  DemoReview,
  DemoReviewComment,
  DemoThread,
  DemoUser,
} from '../../../main/github/demo/demoGitHubState.js';
import { sha1Hex, stableId } from '../../../main/github/demo/demoGitHubState.js';

export interface ShapeContext {
  state: DemoGitHubState;
  /** The fake's base URL, e.g. http://127.0.0.1:43123 */
  api: string;
  /** https://github.com */
  html: string;
}

type Obj = Record<string, unknown>;

const ORGS = new Set(['acme', 'octo-org']);

function nodeId(prefix: string, id: number): string {
  return Buffer.from(`${prefix}${id}`).toString('base64').replace(/=+$/, '');
}

function seg(login: string): string {
  return encodeURIComponent(login);
}

export function simpleUser(c: ShapeContext, u: DemoUser | string): Obj {
  const user = typeof u === 'string' ? c.state.userByLogin(u) : u;
  const base = `${c.api}/users/${seg(user.login)}`;
  const isOrg = ORGS.has(user.login);
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(isOrg ? '012:Organization' : user.type === 'Bot' ? '03:Bot' : '04:User', user.id),
    avatar_url: `https://avatars.githubusercontent.com/${user.type === 'Bot' ? 'in' : 'u'}/${user.id}?v=4`,
    gravatar_id: '',
    url: base,
    html_url: user.type === 'Bot' ? `${c.html}/apps/${seg(user.login.replace(/\[bot\]$/, ''))}` : `${c.html}/${seg(user.login)}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type: isOrg ? 'Organization' : user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** GET /user for the viewer (the private-user shape). */
export function privateUser(c: ShapeContext): Obj {
  const u = c.state.viewer;
  return {
    ...simpleUser(c, u),
    user_view_type: 'private',
    name: u.name,
    company: '@acme',
    blog: '',
    location: 'Lisbon',
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    notification_email: null,
    public_repos: 12,
    public_gists: 3,
    followers: 48,
    following: 31,
    created_at: '2016-04-11T09:21:44Z',
    updated_at: '2026-03-01T08:00:00Z',
    private_gists: 4,
    total_private_repos: 9,
    owned_private_repos: 2,
    disk_usage: 182_044,
    collaborators: 3,
    two_factor_authentication: true,
    plan: { name: 'pro', space: 976_562_499, private_repos: 9999, collaborators: 0 },
  };
}

function repoUrls(c: ShapeContext, r: DemoRepo): Obj {
  const a = `${c.api}/repos/${r.fullName}`;
  return {
    url: a,
    archive_url: `${a}/{archive_format}{/ref}`,
    assignees_url: `${a}/assignees{/user}`,
    blobs_url: `${a}/git/blobs{/sha}`,
    branches_url: `${a}/branches{/branch}`,
    collaborators_url: `${a}/collaborators{/collaborator}`,
    comments_url: `${a}/comments{/number}`,
    commits_url: `${a}/commits{/sha}`,
    compare_url: `${a}/compare/{base}...{head}`,
    contents_url: `${a}/contents/{+path}`,
    contributors_url: `${a}/contributors`,
    deployments_url: `${a}/deployments`,
    downloads_url: `${a}/downloads`,
    events_url: `${a}/events`,
    forks_url: `${a}/forks`,
    git_commits_url: `${a}/git/commits{/sha}`,
    git_refs_url: `${a}/git/refs{/sha}`,
    git_tags_url: `${a}/git/tags{/sha}`,
    hooks_url: `${a}/hooks`,
    issue_comment_url: `${a}/issues/comments{/number}`,
    issue_events_url: `${a}/issues/events{/number}`,
    issues_url: `${a}/issues{/number}`,
    keys_url: `${a}/keys{/key_id}`,
    labels_url: `${a}/labels{/name}`,
    languages_url: `${a}/languages`,
    merges_url: `${a}/merges`,
    milestones_url: `${a}/milestones{/number}`,
    notifications_url: `${a}/notifications{?since,all,participating}`,
    pulls_url: `${a}/pulls{/number}`,
    releases_url: `${a}/releases{/id}`,
    stargazers_url: `${a}/stargazers`,
    statuses_url: `${a}/statuses/{sha}`,
    subscribers_url: `${a}/subscribers`,
    subscription_url: `${a}/subscription`,
    tags_url: `${a}/tags`,
    teams_url: `${a}/teams`,
    trees_url: `${a}/git/trees{/sha}`,
  };
}

export function minimalRepository(c: ShapeContext, r: DemoRepo): Obj {
  return {
    id: r.id,
    node_id: nodeId('010:Repository', r.id),
    name: r.name,
    full_name: r.fullName,
    owner: simpleUser(c, r.owner),
    private: r.private,
    html_url: `${c.html}/${r.fullName}`,
    description: r.description,
    fork: false,
    ...repoUrls(c, r),
  };
}

function openIssueCount(c: ShapeContext, r: DemoRepo): number {
  return [...c.state.pulls(), ...c.state.issues()].filter((x) => x.repo === r.fullName && x.state === 'open').length;
}

/** The "repository" schema (GET /user/repos items, PR head/base repo). */
export function repository(c: ShapeContext, r: DemoRepo): Obj {
  const open = openIssueCount(c, r);
  return {
    ...minimalRepository(c, r),
    clone_url: `${c.html}/${r.fullName}.git`,
    git_url: `git://github.com/${r.fullName}.git`,
    ssh_url: `git@github.com:${r.fullName}.git`,
    svn_url: `${c.html}/${r.fullName}`,
    mirror_url: null,
    homepage: null,
    language: r.language,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 20_480,
    default_branch: r.defaultBranch,
    open_issues: open,
    open_issues_count: open,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: r.fullName.endsWith('/infra'),
    archived: false,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushedAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_rebase_merge: r.mergeMethods.includes('rebase'),
    allow_squash_merge: r.mergeMethods.includes('squash'),
    allow_merge_commit: r.mergeMethods.includes('merge'),
    allow_auto_merge: false,
    delete_branch_on_merge: true,
    allow_forking: false,
    web_commit_signoff_required: false,
    license: null,
  };
}

/** GET /repos/{owner}/{repo} (full-repository). */
export function fullRepository(c: ShapeContext, r: DemoRepo): Obj {
  const org = simpleUser(c, r.owner);
  return {
    ...repository(c, r),
    network_count: 0,
    subscribers_count: 7,
    organization: org,
  };
}

const LABEL_DESCRIPTIONS: Record<string, string> = {
  bug: "Something isn't working",
  enhancement: 'New feature or request',
  documentation: 'Improvements or additions to documentation',
  docs: 'Improvements or additions to documentation',
  'good first issue': 'Good for newcomers',
  dependencies: 'Pull requests that update a dependency file',
};

function labelObject(c: ShapeContext, repo: string, name: string): Obj {
  const id = stableId(`label:${repo}:${name}`, 1_000_000_000);
  return {
    id,
    node_id: nodeId('05:Label', id),
    url: `${c.api}/repos/${repo}/labels/${encodeURIComponent(name)}`,
    name,
    // pull-request-simple declares description a (non-null) string, so every label has one.
    description: LABEL_DESCRIPTIONS[name] ?? '',
    color: sha1Hex(name).slice(0, 6),
    default: name === 'bug' || name === 'enhancement' || name === 'documentation',
  };
}

function association(c: ShapeContext, repo: string, login: string): string {
  const r = c.state.repo(repo);
  if (login.endsWith('[bot]')) return 'NONE';
  return r?.collaborators.includes(login) ? 'MEMBER' : 'CONTRIBUTOR';
}

function pullUrls(c: ShapeContext, p: DemoPull): Obj {
  const a = `${c.api}/repos/${p.repo}`;
  return {
    url: `${a}/pulls/${p.number}`,
    html_url: `${c.html}/${p.repo}/pull/${p.number}`,
    diff_url: `${c.html}/${p.repo}/pull/${p.number}.diff`,
    patch_url: `${c.html}/${p.repo}/pull/${p.number}.patch`,
    issue_url: `${a}/issues/${p.number}`,
    commits_url: `${a}/pulls/${p.number}/commits`,
    review_comments_url: `${a}/pulls/${p.number}/comments`,
    review_comment_url: `${a}/pulls/comments{/number}`,
    comments_url: `${a}/issues/${p.number}/comments`,
    statuses_url: `${a}/statuses/${p.headSha}`,
  };
}

function pullLinks(c: ShapeContext, p: DemoPull): Obj {
  const u = pullUrls(c, p);
  return {
    self: { href: u['url'] },
    html: { href: u['html_url'] },
    issue: { href: u['issue_url'] },
    comments: { href: u['comments_url'] },
    review_comments: { href: u['review_comments_url'] },
    review_comment: { href: u['review_comment_url'] },
    commits: { href: u['commits_url'] },
    statuses: { href: u['statuses_url'] },
  };
}

function branch(c: ShapeContext, r: DemoRepo, ref: string, sha: string): Obj {
  return { label: `${r.owner}:${ref}`, ref, sha, user: simpleUser(c, r.owner), repo: repository(c, r) };
}

/** pull-request-simple: the common part of PR shapes (request-reviewers response, lists). */
export function pullRequestSimple(c: ShapeContext, p: DemoPull): Obj {
  const r = c.state.repo(p.repo)!;
  return {
    ...pullUrls(c, p),
    id: p.id,
    node_id: nodeId('011:PullRequest', p.id),
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: simpleUser(c, p.author),
    body: p.body === '' ? null : p.body,
    labels: p.labels.map((l) => labelObject(c, p.repo, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: p.assignees[0] !== undefined ? simpleUser(c, p.assignees[0]) : null,
    assignees: p.assignees.map((a) => simpleUser(c, a)),
    requested_reviewers: p.requestedReviewers.map((x) => simpleUser(c, x)),
    requested_teams: [],
    head: branch(c, r, p.headRef, p.headSha),
    base: branch(c, r, p.baseRef, p.baseSha),
    _links: pullLinks(c, p),
    author_association: association(c, p.repo, p.author),
    auto_merge: null,
    draft: p.draft,
  };
}

/** GET /repos/{o}/{r}/pulls/{n} (pull-request). */
export function pullRequest(c: ShapeContext, p: DemoPull): Obj {
  return {
    ...pullRequestSimple(c, p),
    merged: p.merged,
    mergeable: p.mergeable,
    rebaseable: p.mergeable,
    mergeable_state: p.mergeableState,
    merged_by: p.mergedBy ? simpleUser(c, p.mergedBy) : null,
    comments: p.commentCount,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: p.commits,
    additions: p.additions,
    deletions: p.deletions,
    changed_files: p.changedFiles,
  };
}

export function review(c: ShapeContext, p: DemoPull, r: DemoReview): Obj {
  const html = `${c.html}/${p.repo}/pull/${p.number}#pullrequestreview-${r.id}`;
  const prUrl = `${c.api}/repos/${p.repo}/pulls/${p.number}`;
  return {
    id: r.id,
    node_id: nodeId('017:PullRequestReview', r.id),
    user: simpleUser(c, r.author),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: prUrl,
    _links: { html: { href: html }, pull_request: { href: prUrl } },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: association(c, p.repo, r.author),
  };
}

const ACTIONS_APP_ID = 15368;

function actionsApp(c: ShapeContext): Obj {
  return {
    id: ACTIONS_APP_ID,
    slug: 'github-actions',
    node_id: 'MDM6QXBwMTUzNjg=',
    client_id: 'Iv1.05c79e9ad1f6bdfa',
    owner: simpleUser(c, 'github'),
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: 'https://help.github.com/en/actions',
    html_url: `${c.html}/apps/github-actions`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2024-04-10T20:33:16Z',
    permissions: { actions: 'write', checks: 'write', contents: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write' },
    events: ['check_run', 'check_suite', 'pull_request', 'push', 'workflow_dispatch'],
  };
}

export function checkRun(c: ShapeContext, repo: string, run: DemoCheckRun): Obj {
  const a = `${c.api}/repos/${repo}`;
  const pulls = c.state
    .pulls()
    .filter((p) => p.repo === repo && p.headSha === run.headSha && p.state === 'open')
    .map((p) => ({
      id: p.id,
      number: p.number,
      url: `${a}/pulls/${p.number}`,
      head: { ref: p.headRef, sha: p.headSha, repo: { id: c.state.repo(repo)!.id, url: a, name: c.state.repo(repo)!.name } },
      base: { ref: p.baseRef, sha: p.baseSha, repo: { id: c.state.repo(repo)!.id, url: a, name: c.state.repo(repo)!.name } },
    }));
  const suiteId = stableId(`suite:${repo}@${run.headSha}`, 20_000_000_000);
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('08:CheckRun', run.id),
    external_id: '',
    url: `${a}/check-runs/${run.id}`,
    html_url: `${c.html}/${repo}/actions/runs/${suiteId}/job/${run.id}`,
    details_url: `${c.html}/${repo}/actions/runs/${suiteId}/job/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${a}/check-runs/${run.id}/annotations` },
    name: run.name,
    check_suite: { id: suiteId },
    app: actionsApp(c),
    pull_requests: pulls,
  };
}

/** `statuses` is the page shown; `total` counts every status (GitHub's total_count). */
export function combinedStatus(c: ShapeContext, repo: string, sha: string, statuses: DemoCommitStatus[], total: number = statuses.length): Obj {
  const r = c.state.repo(repo)!;
  const a = `${c.api}/repos/${repo}`;
  const state = statuses.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : statuses.length > 0 && statuses.every((s) => s.state === 'success') ? 'success' : 'pending';
  return {
    state,
    statuses: statuses.map((s) => ({
      url: `${a}/statuses/${sha}`,
      avatar_url: null,
      id: s.id,
      node_id: nodeId('013:StatusContext', s.id),
      state: s.state,
      description: s.description,
      target_url: null,
      context: s.context,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
    })),
    sha,
    total_count: total,
    repository: minimalRepository(c, r),
    commit_url: `${a}/commits/${sha}`,
    url: `${a}/commits/${sha}/status`,
  };
}

function issueUrls(c: ShapeContext, repo: string, number: number, isPull: boolean): Obj {
  const a = `${c.api}/repos/${repo}`;
  return {
    url: `${a}/issues/${number}`,
    repository_url: a,
    labels_url: `${a}/issues/${number}/labels{/name}`,
    comments_url: `${a}/issues/${number}/comments`,
    events_url: `${a}/issues/${number}/events`,
    html_url: `${c.html}/${repo}/${isPull ? 'pull' : 'issues'}/${number}`,
  };
}

function reactions(url: string): Obj {
  return { url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 };
}

/** The issue view of an issue or a PR (GET …/issues/{n}, POST …/issues). */
export function issue(c: ShapeContext, item: DemoIssue | DemoPull): Obj {
  const isPull = 'headSha' in item;
  const urls = issueUrls(c, item.repo, item.number, isPull);
  const out: Obj = {
    ...urls,
    id: item.id,
    node_id: nodeId(isPull ? '011:PullRequest' : '05:Issue', item.id),
    number: item.number,
    title: item.title,
    user: simpleUser(c, item.author),
    labels: item.labels.map((l) => labelObject(c, item.repo, l)),
    state: item.state,
    locked: false,
    assignee: item.assignees[0] !== undefined ? simpleUser(c, item.assignees[0]) : null,
    assignees: item.assignees.map((a) => simpleUser(c, a)),
    milestone: null,
    comments: item.commentCount,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    closed_at: item.closedAt,
    author_association: association(c, item.repo, item.author),
    active_lock_reason: null,
    body: item.body === '' ? null : item.body,
    closed_by: null,
    reactions: reactions(urls['url'] as string),
    timeline_url: `${urls['url'] as string}/timeline`,
    state_reason: item.state === 'closed' ? 'completed' : null,
  };
  if (isPull) {
    const p = item;
    out['draft'] = p.draft;
    out['pull_request'] = {
      url: `${c.api}/repos/${p.repo}/pulls/${p.number}`,
      html_url: `${c.html}/${p.repo}/pull/${p.number}`,
      diff_url: `${c.html}/${p.repo}/pull/${p.number}.diff`,
      patch_url: `${c.html}/${p.repo}/pull/${p.number}.patch`,
      merged_at: p.mergedAt,
    };
  }
  return out;
}

/** GET /search/issues item for a PR. */
export function searchItem(c: ShapeContext, p: DemoPull | DemoIssue): Obj {
  const full = issue(c, p);
  delete full['closed_by'];
  delete full['state_reason'];
  return { ...full, score: 1 };
}

export function issueComment(c: ShapeContext, cm: DemoComment, isPull: boolean): Obj {
  const a = `${c.api}/repos/${cm.repo}`;
  const url = `${a}/issues/comments/${cm.id}`;
  return {
    id: cm.id,
    node_id: nodeId('012:IssueComment', cm.id),
    url,
    html_url: `${c.html}/${cm.repo}/${isPull ? 'pull' : 'issues'}/${cm.number}#issuecomment-${cm.id}`,
    body: cm.body,
    user: simpleUser(c, cm.author),
    created_at: cm.createdAt,
    updated_at: cm.createdAt,
    issue_url: `${a}/issues/${cm.number}`,
    author_association: association(c, cm.repo, cm.author),
    reactions: reactions(url),
  };
}

/** API URL of a notification's subject, as GitHub builds it (strings for every type, per the spec). */
function subjectUrl(c: ShapeContext, t: DemoThread): string {
  const a = `${c.api}/repos/${t.repo}`;
  switch (t.subjectType) {
    case 'PullRequest':
      return `${a}/pulls/${t.number ?? 0}`;
    case 'Issue':
      return `${a}/issues/${t.number ?? 0}`;
    case 'Commit':
      return `${a}/commits/${t.ref ?? ''}`;
    case 'Release':
      return `${a}/releases/${t.ref ?? '0'}`;
    case 'Discussion':
      return t.ref ? `${a}/discussions/${t.ref}` : `${a}/discussions`;
    case 'CheckSuite':
      return `${a}/check-suites/${stableId(`suite:${t.id}`, 20_000_000_000)}`;
    case 'RepositoryVulnerabilityAlert':
      return `${a}/dependabot/alerts`;
  }
}

export function thread(c: ShapeContext, t: DemoThread): Obj {
  const r = c.state.repo(t.repo)!;
  const url = subjectUrl(c, t);
  return {
    id: t.id,
    repository: minimalRepository(c, r),
    subject: { title: t.title, url, latest_comment_url: url, type: t.subjectType },
    reason: t.reason,
    unread: t.unread,
    updated_at: t.updatedAt,
    last_read_at: t.lastReadAt,
    url: `${c.api}/notifications/threads/${t.id}`,
    subscription_url: `${c.api}/notifications/threads/${t.id}/subscription`,
  };
}

// ---- Actions jobs, PR files and review comments (issue 15)

/** GET …/actions/jobs/{job_id} (schema `job`). */
export function job(c: ShapeContext, j: DemoJob): Obj {
  const a = `${c.api}/repos/${j.repo}`;
  const pull = c.state.pulls().find((p) => p.repo === j.repo && p.headSha === j.run.headSha);
  return {
    id: j.run.id,
    run_id: j.runId,
    run_url: `${a}/actions/runs/${j.runId}`,
    run_attempt: j.run.runAttempt,
    node_id: nodeId('08:CheckRun', j.run.id),
    head_sha: j.run.headSha,
    url: `${a}/actions/jobs/${j.run.id}`,
    html_url: `${c.html}/${j.repo}/actions/runs/${j.runId}/job/${j.run.id}`,
    status: j.run.status,
    conclusion: j.run.conclusion,
    created_at: j.run.startedAt ?? c.state.nowIso(),
    started_at: j.run.startedAt ?? c.state.nowIso(),
    completed_at: j.run.completedAt,
    name: j.run.name,
    steps: j.steps.map((s) => ({ name: s.name, status: s.status, conclusion: s.conclusion, number: s.number, started_at: s.startedAt, completed_at: s.completedAt })),
    check_run_url: `${a}/check-runs/${j.run.id}`,
    labels: ['ubuntu-latest'],
    runner_id: j.run.status === 'queued' ? null : 1,
    runner_name: j.run.status === 'queued' ? null : 'GitHub Actions 1',
    runner_group_id: j.run.status === 'queued' ? null : 2,
    runner_group_name: j.run.status === 'queued' ? null : 'GitHub Actions',
    workflow_name: 'CI',
    head_branch: pull?.headRef ?? null,
  };
}

/** GET …/pulls/{n}/files (schema `diff-entry`). */
export function diffEntry(c: ShapeContext, p: DemoPull, f: DemoFile): Obj {
  const sha = sha1Hex(`blob:${p.repo}#${p.number}:${f.filename}`);
  const path = f.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${c.html}/${p.repo}/blob/${p.headSha}/${path}`,
    raw_url: `${c.html}/${p.repo}/raw/${p.headSha}/${path}`,
    contents_url: `${c.api}/repos/${p.repo}/contents/${path}?ref=${p.headSha}`,
    patch: '@@ -1 +1 @@',
  };
}

/** GET …/pulls/{n}/comments (schema `pull-request-review-comment`). */
export function reviewComment(c: ShapeContext, p: DemoPull, rc: DemoReviewComment): Obj {
  const a = `${c.api}/repos/${p.repo}`;
  const url = `${a}/pulls/comments/${rc.id}`;
  const html = `${c.html}/${p.repo}/pull/${p.number}#discussion_r${rc.id}`;
  const prUrl = `${a}/pulls/${p.number}`;
  return {
    url,
    id: rc.id,
    node_id: nodeId('024:PullRequestReviewComment', rc.id),
    pull_request_review_id: null,
    diff_hunk: '@@ -1 +1 @@',
    path: rc.path,
    position: 1,
    original_position: 1,
    commit_id: rc.commitId,
    original_commit_id: rc.commitId,
    user: simpleUser(c, rc.author),
    body: rc.body,
    created_at: rc.createdAt,
    updated_at: rc.createdAt,
    html_url: html,
    pull_request_url: prUrl,
    author_association: association(c, p.repo, rc.author),
    _links: { self: { href: url }, html: { href: html }, pull_request: { href: prUrl } },
    reactions: reactions(url),
  };
}
