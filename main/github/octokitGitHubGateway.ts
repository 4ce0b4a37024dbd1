/**
 * GitHubGateway over GitHub's REST API with @octokit/rest: mode 'live'. The only module that
 * imports @octokit/*.
 *
 * Reliability rules (docs: reliability-tests.md findings 3–4, §7.3 CF, §7.7 NET):
 * - @octokit/rest ships no retry or throttling plugin and none is added: Octokit sends each request
 *   once. Reads (idempotent GETs) are retried here, a little (cockatiel, decorrelated jitter), on
 *   5xx/network errors only, inside one overall deadline. Writes are never retried.
 * - Every call has a deadline (GET 10 s, merge 30 s, other writes 15 s) enforced with AbortSignal.
 * - A write whose outcome is unknown (timeout, 5xx, connection reset after sending) throws
 *   AppError('outcome_unknown'); the caller reconciles with reads (e.g. isMerged). Nothing here
 *   re-sends it.
 * - Rate limits: x-ratelimit-* headers are recorded; after a 403/429 with retry-after or
 *   remaining 0 (or a response with remaining 0) calls fail fast with github_rate_limited and no
 *   request leaves before the allowed time.
 * - GET responses with an ETag are cached ≤ 5 min and revalidated with If-None-Match; a 304 serves
 *   the cached body (and costs no rate limit on GitHub).
 */
import { Octokit } from '@octokit/rest';
import { BrokenCircuitError, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry } from 'cockatiel';
import type { CircuitBreakerPolicy, RetryPolicy } from 'cockatiel';
import type {
  CheckRun,
  CheckSummary,
  CommentResult,
  IssueSummary,
  MergeableState,
  MergeResult,
  NotificationThread,
  PullRequestDetail,
  PullRequestSummary,
  RateLimitInfo,
  RepoFullName,
  Review,
  ReviewState,
  AuthorAssociation,
  Viewer,
} from '../../contract/github.js';
import { AppError, isAppError } from '../../contract/errors.js';
import type { MergeMethod } from '../../contract/intent.js';
import type { Clock, Logger } from '../../core/ports/clock.js';
import type { ActionsJob, ActionsStep, AgentAssignment, CheckRunDetail, GitHubGateway, NotificationPoll, PullRequestComment, PullRequestFile, ReviewResult, SubmitReviewRequest, TextSearchHit } from '../../core/ports/github.js';
import { combineRuns } from './demo/demoProjection.js';
import {
  assertPositiveNumber,
  assertThreadId,
  DEFAULT_HTML_BASE_URL,
  issueHtmlUrl,
  logTail,
  normalizeCheckConclusion,
  normalizeCheckStatus,
  notificationHtmlUrl,
  parseRepoFullName,
  pullHtmlUrl,
  subjectNumber,
  summarizeChecks,
  toNotificationReason,
  toSubjectType,
  trimUntrusted,
} from './githubMapping.js';

export interface OctokitGitHubGatewayOptions {
  /** Classic PAT or OAuth token. Missing/empty → every call fails with AppError('no_token'), nothing sent. */
  token: string | null | undefined;
  /** REST root: https://api.github.com (default), https://HOST/api/v3 for GitHub Enterprise Server, or a fake. */
  baseUrl?: string;
  /** Root for links shown to the user (default https://github.com). */
  htmlBaseUrl?: string;
  /** Deadlines per call, ms (defaults: read 10,000; merge 30,000; other writes 15,000). */
  timeouts?: { readMs?: number; mergeMs?: number; writeMs?: number };
  /** Extra attempts for idempotent reads on 5xx/network errors (default 2; 0 disables). */
  readRetries?: number;
  /** Backoff for read retries (decorrelated jitter), ms (defaults 200 → max 2,000). */
  retryBackoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Conditional-request cache: max age (≤ 300,000 ms, default 300,000) and entries (default 500). */
  cache?: { ttlMs?: number; maxEntries?: number };
  /** Opens after N consecutive outage failures; calls then fail fast until a half-open probe succeeds. false disables. */
  circuitBreaker?: false | { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** Wall clock for rate-limit windows and cache ages (default Date.now). */
  clock?: Pick<Clock, 'nowMs'>;
  logger?: Logger;
  userAgent?: string;
  /** fetch implementation handed to Octokit (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
}

type Resource = 'core' | 'search';

/** The fields of a GET /notifications thread this gateway reads. */
interface RawThread {
  id: string;
  unread: boolean;
  reason: string;
  updated_at: string;
  subject: { title: string; url: string | null; type: string };
  repository: { full_name: string };
}

interface CallSpec {
  /** Operation name for messages and logs. */
  op: string;
  kind: 'read' | 'write';
  timeoutMs: number;
  resource: Resource;
  /** Reads only: cache key enabling ETag revalidation. */
  cacheKey?: string;
  /** 404 → this error (may look the repo up to tell unknown_repo from pr_not_found). */
  notFound?: () => AppError | Promise<AppError>;
  /** Status-specific errors (e.g. merge's 405/409), given GitHub's message. */
  statusErrors?: Partial<Record<number, (githubMessage: string) => AppError>>;
  /** Extra sentence for 403 (e.g. the fine-grained-token hint for /notifications). */
  forbiddenHint?: string;
}

interface Sent {
  signal: AbortSignal;
  headers: Record<string, string>;
}

interface RawResponse<T> {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: T;
}

interface CacheEntry {
  etag: string;
  data: unknown;
  storedAtMs: number;
}

const MAX_CACHE_TTL_MS = 5 * 60_000;
/** List pages are read PAGE_SIZE at a time (GitHub's maximum), at most MAX_PAGES per list. */
const PAGE_SIZE = 100;
const MAX_PAGES = 10;
const AUTHOR_ASSOCIATIONS: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR', 'CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER', 'MANNEQUIN', 'NONE']);

/**
 * Reads a list with a total_count page by page until every item is read (or MAX_PAGES).
 * @returns the items and how many of total_count stayed unread.
 */
async function readCounted<T>(page: (n: number) => Promise<{ total: number; items: T[] }>): Promise<{ items: T[]; unread: number }> {
  const first = await page(1);
  const items = [...first.items];
  for (let n = 2; items.length < first.total && n <= MAX_PAGES; n++) {
    const next = await page(n);
    if (next.items.length === 0) break;
    items.push(...next.items);
  }
  return { items, unread: Math.max(0, first.total - items.length) };
}
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);
const MERGEABLE_STATES: ReadonlySet<string> = new Set(['clean', 'dirty', 'blocked', 'behind', 'unstable', 'has_hooks', 'draft', 'unknown']);
const REVIEW_STATES: ReadonlySet<string> = new Set(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING']);
const FINE_GRAINED_HINT =
  'The notifications API does not accept fine-grained personal access tokens or GitHub App tokens; use a classic token (or OAuth token) with the notifications or repo scope.';

export class OctokitGitHubGateway implements GitHubGateway {
  readonly mode = 'live' as const;

  private octokit: Octokit | null;
  private readonly makeOctokit: (token: string) => Octokit;
  private readonly htmlBase: string;
  private readonly readMs: number;
  private readonly mergeMs: number;
  private readonly writeMs: number;
  private readonly readRetry: RetryPolicy | null;
  private readonly breaker: CircuitBreakerPolicy | null;
  private readonly cacheTtlMs: number;
  private readonly cacheMax: number;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly now: () => number;
  private readonly log: Logger | undefined;
  private readonly halfOpenAfterMs: number;
  /** Epoch ms before which no request is sent: per resource (primary limit) and for all (secondary). */
  private readonly blockedUntil: Record<Resource | 'all', number> = { core: 0, search: 0, all: 0 };
  private readonly limits: Partial<Record<string, RateLimitInfo>> = {};
  /** For following a job log's redirect (issue 15): the API's origin, and the fetch to use. */
  private readonly apiOrigin: string;
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(opts: OctokitGitHubGatewayOptions) {
    const token = opts.token?.trim();
    this.htmlBase = (opts.htmlBaseUrl ?? DEFAULT_HTML_BASE_URL).replace(/\/+$/, '');
    this.readMs = opts.timeouts?.readMs ?? 10_000;
    this.mergeMs = opts.timeouts?.mergeMs ?? 30_000;
    this.writeMs = opts.timeouts?.writeMs ?? 15_000;
    this.cacheTtlMs = Math.min(opts.cache?.ttlMs ?? MAX_CACHE_TTL_MS, MAX_CACHE_TTL_MS);
    this.cacheMax = opts.cache?.maxEntries ?? 500;
    const clock = opts.clock;
    this.now = clock ? () => clock.nowMs() : () => Date.now();
    this.log = opts.logger?.child({ component: 'github' });

    const retries = opts.readRetries ?? 2;
    this.readRetry =
      retries > 0
        ? retry(
            handleWhen((e) => isAppError(e) && e.details?.['retryable'] === true),
            {
              maxAttempts: retries,
              backoff: new ExponentialBackoff({ initialDelay: opts.retryBackoff?.initialDelayMs ?? 200, maxDelay: opts.retryBackoff?.maxDelayMs ?? 2_000 }),
            },
          )
        : null;
    if (this.readRetry) {
      this.readRetry.onRetry((e) => this.log?.debug({ attempt: e.attempt, delayMs: e.delay }, 'github read retry'));
    }

    const cb = opts.circuitBreaker === false ? null : (opts.circuitBreaker ?? {});
    this.halfOpenAfterMs = cb?.halfOpenAfterMs ?? 30_000;
    this.breaker = cb
      ? circuitBreaker(
          handleWhen((e) => isAppError(e) && (e.code === 'github_unavailable' || e.code === 'github_timeout' || e.code === 'outcome_unknown')),
          { halfOpenAfter: this.halfOpenAfterMs, breaker: new ConsecutiveBreaker(cb.consecutiveFailures ?? 5) },
        )
      : null;

    this.apiOrigin = new URL((opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '')).origin;
    this.fetchImpl = opts.fetch ?? ((...a: Parameters<typeof globalThis.fetch>) => globalThis.fetch(...a));
    const log = this.log;
    this.makeOctokit = (auth) =>
      new Octokit({
        auth,
        baseUrl: (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
        userAgent: opts.userAgent ?? 'handsfree-dev-companion',
        // Octokit's request-log plugin passes request options (with headers) to debug: never forward those.
        // Its error lines repeat what classify() reports, so they go to debug too.
        log: {
          debug: () => undefined,
          info: (m: string) => log?.debug({}, m),
          warn: (m: string) => log?.warn({}, m),
          error: (m: string) => log?.debug({}, m),
        },
        request: opts.fetch ? { fetch: opts.fetch } : {},
      });
    this.octokit = token ? this.makeOctokit(token) : null;
  }

  /**
   * Uses a new token from now on (device-flow sign-in or a pasted token), without a restart.
   * Cached responses belong to the previous account and are dropped.
   */
  setToken(token: string): void {
    const t = token.trim();
    this.octokit = t ? this.makeOctokit(t) : null;
    this.cache.clear();
  }

  // ---------------------------------------------------------------- GitHubGateway

  async viewer(): Promise<Viewer> {
    const data = await this.read('viewer', 'GET /user', {}, (gh, s) => gh.request('GET /user', req(s)));
    return { login: data.login, name: 'name' in data ? (data.name ?? null) : null };
  }

  async listRepos(): Promise<RepoFullName[]> {
    const params = { per_page: 100, sort: 'pushed' as const, affiliation: 'owner,collaborator,organization_member' };
    const data = await this.read('listRepos', 'GET /user/repos', params, (gh, s) => gh.request('GET /user/repos', { ...params, ...req(s) }));
    return data.map((r) => r.full_name);
  }

  async listNotifications(): Promise<NotificationThread[]> {
    const params = { all: false, per_page: 50 };
    const data = await this.read('listNotifications', 'GET /notifications', params, (gh, s) => gh.request('GET /notifications', { ...params, ...req(s) }), {
      forbiddenHint: FINE_GRAINED_HINT,
    });
    return this.mapThreads(data);
  }

  private mapThreads(data: readonly RawThread[]): NotificationThread[] {
    const out: NotificationThread[] = [];
    for (const t of data) {
      const type = toSubjectType(t.subject.type);
      if (type === null) {
        this.log?.debug({ subjectType: t.subject.type }, 'github notification of an unsupported subject type skipped');
        continue;
      }
      const url = (t.subject.url as string | null) ?? null;
      const number = type === 'PullRequest' || type === 'Issue' ? subjectNumber(url) : null;
      const repo = t.repository.full_name;
      out.push({
        id: String(t.id),
        repo,
        subjectType: type,
        title: t.subject.title,
        reason: toNotificationReason(t.reason),
        unread: t.unread,
        updatedAt: t.updated_at,
        number,
        htmlUrl: notificationHtmlUrl(this.htmlBase, repo, type, number, url),
      });
    }
    return out.filter((t) => t.unread).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async pollNotifications(input: { lastModified: string | null }): Promise<NotificationPoll> {
    const params = { all: false, per_page: 50 };
    type Raw = RawThread[];
    // No ETag cache here: the conditional header is If-Modified-Since, and a 304 is answered as such.
    const res = await this.read<{ status: 200 | 304; headers: Record<string, unknown>; data: Raw }>(
      'pollNotifications',
      null,
      params,
      async (gh, s) => {
        const headers = input.lastModified ? { ...s.headers, 'if-modified-since': input.lastModified } : s.headers;
        try {
          const r = await gh.request('GET /notifications', { ...params, ...req({ signal: s.signal, headers }) });
          return { status: 200, headers: r.headers, data: { status: 200 as const, headers: r.headers as Record<string, unknown>, data: r.data as RawThread[] } };
        } catch (e) {
          if (statusOf(e) !== 304) throw e;
          const h = headersOf(e) ?? {};
          return { status: 304, headers: h as Record<string, string>, data: { status: 304 as const, headers: h, data: [] } };
        }
      },
      { forbiddenHint: FINE_GRAINED_HINT },
    );
    const pollIntervalS = Math.max(1, Number(res.headers['x-poll-interval'] ?? 60) || 60);
    const lm = res.headers['last-modified'];
    const lastModified = typeof lm === 'string' ? lm : input.lastModified;
    if (res.status === 304) return { status: 304, lastModified: input.lastModified ?? lastModified, pollIntervalS, threads: [] };
    return { status: 200, lastModified, pollIntervalS, threads: this.mapThreads(res.data) };
  }

  async searchIssuesByText(text: string, opts: { repo?: RepoFullName; type?: 'issue' | 'pr' } = {}): Promise<TextSearchHit[]> {
    const phrase = text.replace(/"/g, '');
    const q = [`"${phrase}"`, 'in:body', opts.repo ? `repo:${opts.repo}` : '', opts.type === 'pr' ? 'is:pr' : opts.type === 'issue' ? 'is:issue' : ''].filter(Boolean).join(' ');
    const params = { q, sort: 'created' as const, order: 'desc' as const, per_page: 30 };
    const data = await this.read('searchIssuesByText', null, params, (gh, s) => gh.request('GET /search/issues', { ...params, ...req(s) }), { resource: 'search' });
    return data.items.map((it) => {
      const repo = /\/repos\/([^/]+\/[^/]+)$/.exec(it.repository_url)?.[1] ?? '';
      const isPr = it.pull_request !== undefined && it.pull_request !== null;
      return {
        kind: isPr ? ('pr' as const) : ('issue' as const),
        repo,
        number: it.number,
        author: it.user?.login ?? 'ghost',
        state: it.state === 'closed' ? ('closed' as const) : ('open' as const),
        title: it.title,
        body: trimUntrusted(it.body),
        htmlUrl: isPr ? pullHtmlUrl(this.htmlBase, repo, it.number) : issueHtmlUrl(this.htmlBase, repo, it.number),
        createdAt: it.created_at,
      };
    });
  }

  async markThreadDone(threadId: string): Promise<void> {
    assertThreadId(threadId);
    await this.write('markThreadDone', this.writeMs, (gh, s) => gh.request('DELETE /notifications/threads/{thread_id}', { thread_id: Number(threadId), ...req(s) }), {
      notFound: () => new AppError('not_found', `Notification thread ${threadId} no longer exists.`),
      forbiddenHint: FINE_GRAINED_HINT,
    });
  }

  async unsubscribeThread(threadId: string): Promise<void> {
    assertThreadId(threadId);
    await this.write(
      'unsubscribeThread',
      this.writeMs,
      (gh, s) => gh.request('DELETE /notifications/threads/{thread_id}/subscription', { thread_id: Number(threadId), ...req(s) }),
      { notFound: () => new AppError('not_found', `Notification thread ${threadId} no longer exists.`), forbiddenHint: FINE_GRAINED_HINT },
    );
  }

  async markAllNotificationsRead(lastReadAt: string): Promise<void> {
    const ms = Date.parse(lastReadAt);
    if (!Number.isFinite(ms)) throw new AppError('validation_failed', `last_read_at must be an ISO 8601 time, not ${JSON.stringify(lastReadAt.slice(0, 40))}.`);
    // GitHub documents YYYY-MM-DDTHH:MM:SSZ (no milliseconds).
    const body = { last_read_at: new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'), read: true };
    await this.write('markAllNotificationsRead', this.writeMs, (gh, s) => gh.request('PUT /notifications', { ...body, ...req(s) }), { forbiddenHint: FINE_GRAINED_HINT });
  }

  listMyPullRequests(): Promise<PullRequestSummary[]> {
    return this.searchPulls('listMyPullRequests', 'is:pr is:open author:@me archived:false');
  }

  listReviewRequests(): Promise<PullRequestSummary[]> {
    return this.searchPulls('listReviewRequests', 'is:pr is:open review-requested:@me archived:false');
  }

  listOpenPullRequests(repo: RepoFullName): Promise<PullRequestSummary[]> {
    parseRepoFullName(repo);
    return this.searchPulls('listOpenPullRequests', `is:pr is:open repo:${repo} archived:false`);
  }

  async getPullRequest(repo: RepoFullName, number: number): Promise<PullRequestDetail> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'pr');
    const params = { owner, repo: name, pull_number: number };
    const pr = await this.read('getPullRequest', 'GET /repos/{owner}/{repo}/pulls/{pull_number}', params, (gh, s) => gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...params, ...req(s) }), {
      notFound: () => this.notFoundIn(repo, new AppError('pr_not_found', `There is no pull request ${repo}#${number}.`)),
    });
    const [reviews, checks] = await Promise.all([this.listAllReviews(params), this.getChecks(repo, pr.head.sha)]);
    const canonicalRepo = pr.base.repo.full_name;
    const requested = [
      ...(pr.requested_reviewers ?? []).map((u) => u.login),
      ...(pr.requested_teams ?? []).map((t) => `${owner}/${t.slug}`),
    ];
    return {
      repo: canonicalRepo,
      number: pr.number,
      title: pr.title,
      author: pr.user.login,
      state: pr.state === 'closed' ? 'closed' : 'open',
      merged: pr.merged,
      draft: pr.draft ?? false,
      updatedAt: pr.updated_at,
      htmlUrl: pullHtmlUrl(this.htmlBase, canonicalRepo, pr.number),
      baseRef: pr.base.ref,
      headRef: pr.head.ref,
      headSha: pr.head.sha,
      mergeable: pr.mergeable,
      mergeableState: (MERGEABLE_STATES.has(pr.mergeable_state) ? pr.mergeable_state : 'unknown') as MergeableState,
      additions: pr.additions,
      deletions: pr.deletions,
      changedFiles: pr.changed_files,
      commits: pr.commits,
      checks,
      reviews: reviews.map(
        (r): Review => ({
          author: r.user?.login ?? 'ghost',
          state: (REVIEW_STATES.has(r.state) ? r.state : 'COMMENTED') as ReviewState,
          submittedAt: r.submitted_at ?? null,
          association: (AUTHOR_ASSOCIATIONS.has(r.author_association) ? r.author_association : 'NONE') as AuthorAssociation,
        }),
      ),
      requestedReviewers: requested,
      labels: pr.labels.map((l) => l.name),
      body: trimUntrusted(pr.body),
    };
  }

  async getChecks(repo: RepoFullName, ref: string): Promise<CheckSummary> {
    const { owner, name } = parseRepoFullName(repo);
    if (ref.length === 0 || ref.length > 255) throw new AppError('github_validation', 'A commit SHA or branch name is needed to read checks.');
    const notFound = () => this.notFoundIn(repo, new AppError('github_validation', `GitHub knows no commit ${ref.slice(0, 40)} in ${repo}.`));
    // Every page up to total_count: a failing check on page 2 must not read as "all passing".
    const runPage = (page: number) => {
      const p = { owner, repo: name, ref, per_page: PAGE_SIZE, page };
      return this.read('listCheckRuns', 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...p, ...req(s) }), { notFound }).then((r) => ({ total: r.total_count, items: r.check_runs }));
    };
    const statusPage = (page: number) => {
      const p = { owner, repo: name, ref, per_page: PAGE_SIZE, page };
      return this.read('getCombinedStatus', 'GET /repos/{owner}/{repo}/commits/{ref}/status', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/commits/{ref}/status', { ...p, ...req(s) }), { notFound }).then((r) => ({ total: r.total_count, items: r.statuses }));
    };
    const [runs, statuses] = await Promise.all([readCounted(runPage), readCounted(statusPage)]);
    const list: CheckRun[] = combineRuns(
      runs.items.map((r) => ({ id: Number(r.id), run: { name: r.name, status: normalizeCheckStatus(r.status), conclusion: r.status === 'completed' ? normalizeCheckConclusion(r.conclusion) : null } })),
      statuses.items.map((s) => ({ context: s.context, state: s.state })),
    );
    // Checks we could not read (beyond MAX_PAGES) count as pending: the gate fails closed.
    const unread = runs.unread + statuses.unread;
    for (let i = 0; i < unread; i++) list.push({ name: `unread check ${i + 1}`, status: 'queued', conclusion: null });
    return summarizeChecks(list);
  }

  /** All reviews of a PR, page by page (the endpoint has no total_count: a short page ends it). */
  private async listAllReviews(params: { owner: string; repo: string; pull_number: number }) {
    const out = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const p = { ...params, per_page: PAGE_SIZE, page };
      const items = await this.read('listReviews', 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...p, ...req(s) }));
      out.push(...items);
      if (items.length < PAGE_SIZE) return out;
    }
    // A change request on an unread page must not be missed: refuse to judge the gates.
    throw new AppError('github_validation', `${params.owner}/${params.repo}#${params.pull_number} has more than ${MAX_PAGES * PAGE_SIZE} reviews; too many to check the merge gates.`);
  }

  async isMerged(repo: RepoFullName, number: number): Promise<boolean> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'pr');
    const params = { owner, repo: name, pull_number: number };
    try {
      await this.read('isMerged', null, params, (gh, s) => gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/merge', { ...params, ...req(s) }), {
        notFound: () => new AppError('pr_not_found', `${repo}#${number} is not merged.`, { status: 404 }),
      });
      return true;
    } catch (e) {
      // Only the 404 mapper above makes pr_not_found here (the number was checked before the call).
      if (isAppError(e) && e.code === 'pr_not_found') return false;
      throw e;
    }
  }

  async mergePullRequest(input: { repo: RepoFullName; number: number; sha: string; method: MergeMethod }): Promise<MergeResult> {
    const { repo, number, sha, method } = input;
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'pr');
    if (!/^[0-9a-f]{40}$/i.test(sha)) throw new AppError('bad_request', 'Merging needs the full 40-character head SHA that was read back.');
    const what = `${repo}#${number}`;
    try {
      const data = await this.write(
        'mergePullRequest',
        this.mergeMs,
        (gh, s) => gh.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', { owner, repo: name, pull_number: number, sha, merge_method: method, ...req(s) }),
        {
          notFound: () => this.notFoundIn(repo, new AppError('pr_not_found', `There is no pull request ${what}.`)),
          statusErrors: {
            409: (m) => new AppError('head_moved', `The branch of ${what} changed since it was read back; nothing was merged.`, { githubMessage: m, status: 409 }),
            405: (m) => new AppError('not_mergeable', `GitHub won't merge ${what}: ${m}`, { githubMessage: m, status: 405 }),
          },
        },
      );
      return { sha: data.sha, reconciled: false };
    } catch (e) {
      // GitHub answers 405 both for "cannot merge" and "already merged": one read tells them apart.
      // This is a definite refusal (nothing merged by this request), not an ambiguous outcome.
      // Only the 405 mapper above makes not_mergeable.
      if (isAppError(e) && e.code === 'not_mergeable') {
        // Stryker disable next-line ArrowFunction: () => undefined is as falsy as false here
        const merged = await this.isMerged(repo, number).catch(() => false);
        if (merged) throw new AppError('already_merged', `${what} is already merged.`, { githubMessage: e.details?.['githubMessage'] }, { cause: e });
      }
      throw e;
    }
  }

  async requestReviewers(repo: RepoFullName, number: number, reviewers: string[]): Promise<void> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'pr');
    if (reviewers.length === 0) throw new AppError('github_validation', 'Name at least one reviewer.');
    await this.write(
      'requestReviewers',
      this.writeMs,
      (gh, s) => gh.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', { owner, repo: name, pull_number: number, reviewers, ...req(s) }),
      { notFound: () => this.notFoundIn(repo, new AppError('pr_not_found', `There is no pull request ${repo}#${number}.`)) },
    );
  }

  async createComment(repo: RepoFullName, number: number, body: string): Promise<CommentResult> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'issue');
    const data = await this.write(
      'createComment',
      this.writeMs,
      (gh, s) => gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo: name, issue_number: number, body, ...req(s) }),
      { notFound: () => this.notFoundIn(repo, new AppError('issue_not_found', `There is no issue or pull request ${repo}#${number}.`)) },
    );
    const fallback = `${issueHtmlUrl(this.htmlBase, repo, number)}#issuecomment-${data.id}`;
    return { id: Number(data.id), htmlUrl: data.html_url.startsWith(`${this.htmlBase}/`) ? data.html_url : fallback };
  }

  async submitReview(r: SubmitReviewRequest): Promise<ReviewResult> {
    const { owner, name } = parseRepoFullName(r.repo);
    assertPositiveNumber(r.number, 'pr');
    const data = await this.write(
      'submitReview',
      this.writeMs,
      (gh, s) =>
        gh.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
          owner,
          repo: name,
          pull_number: r.number,
          commit_id: r.commitId,
          event: r.event,
          ...(r.body !== undefined ? { body: r.body } : {}),
          ...req(s),
        }),
      { notFound: () => this.notFoundIn(r.repo, new AppError('pr_not_found', `There is no pull request ${r.repo}#${r.number}.`)) },
    );
    const fallback = `${this.htmlBase}/${r.repo}/pull/${r.number}#pullrequestreview-${data.id}`;
    return { id: Number(data.id), state: data.state, htmlUrl: data.html_url.startsWith(`${this.htmlBase}/`) ? data.html_url : fallback };
  }

  // ---- CI and PR depth (issue 15)

  async listCheckRuns(repo: RepoFullName, ref: string): Promise<CheckRunDetail[]> {
    const { owner, name } = parseRepoFullName(repo);
    if (ref.length === 0 || ref.length > 255) throw new AppError('github_validation', 'A commit SHA or branch name is needed to read checks.');
    const notFound = () => this.notFoundIn(repo, new AppError('github_validation', `GitHub knows no commit ${ref.slice(0, 40)} in ${repo}.`));
    const runPage = (page: number) => {
      const p = { owner, repo: name, ref, per_page: PAGE_SIZE, page };
      return this.read('listCheckRuns', 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...p, ...req(s) }), { notFound }).then((r) => ({ total: r.total_count, items: r.check_runs }));
    };
    const { items } = await readCounted(runPage);
    return items.map((r) => ({
      id: Number(r.id),
      name: r.name,
      status: normalizeCheckStatus(r.status),
      conclusion: r.status === 'completed' ? normalizeCheckConclusion(r.conclusion) : null,
      actions: r.app?.slug === 'github-actions',
    }));
  }

  async getActionsJob(repo: RepoFullName, jobId: number): Promise<ActionsJob> {
    const { owner, name } = parseRepoFullName(repo);
    assertJobId(jobId);
    const p = { owner, repo: name, job_id: jobId };
    const j = await this.read('getActionsJob', 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}', { ...p, ...req(s) }), {
      notFound: () => this.notFoundIn(repo, new AppError('not_found', `GitHub has no Actions job ${jobId} in ${repo}.`)),
    });
    return this.actionsJob(j);
  }

  async listWorkflowRunJobs(repo: RepoFullName, runId: number): Promise<ActionsJob[]> {
    const { owner, name } = parseRepoFullName(repo);
    assertJobId(runId);
    const page = (n: number) => {
      const p = { owner, repo: name, run_id: runId, filter: 'latest' as const, per_page: PAGE_SIZE, page: n };
      return this.read('listWorkflowRunJobs', 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', { ...p, ...req(s) }), {
        notFound: () => this.notFoundIn(repo, new AppError('not_found', `GitHub has no workflow run ${runId} in ${repo}.`)),
      }).then((r) => ({ total: r.total_count, items: r.jobs }));
    };
    const { items } = await readCounted(page);
    return items.map((j) => this.actionsJob(j));
  }

  /**
   * GitHub answers the logs call with 302 and a short-lived signed URL on another host. Octokit is
   * told not to follow it (fetch would, and the adapter must choose what to send where); the
   * Location is then fetched here: https only (or the API's own origin, for GitHub Enterprise
   * Server and fakes), no user:password, without the token, no further redirects, within the read
   * deadline, reading at most MAX_LOG_BYTES (only the last LOG_WINDOW_BYTES are kept).
   */
  async getActionsJobLogTail(repo: RepoFullName, jobId: number, maxLines: number): Promise<string[]> {
    const { owner, name } = parseRepoFullName(repo);
    assertJobId(jobId);
    const p = { owner, repo: name, job_id: jobId };
    const location = await this.read<string>(
      'getActionsJobLogs',
      null,
      p,
      async (gh, s) => {
        const r = await gh.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
          ...p,
          headers: req(s).headers,
          request: { signal: s.signal, redirect: 'manual', parseSuccessResponseBody: false },
        });
        const status = r.status as number;
        const body = r.data as unknown;
        if (body !== null && typeof body === 'object' && 'cancel' in body && typeof (body as ReadableStream).cancel === 'function') await (body as ReadableStream).cancel().catch(() => undefined);
        const loc = r.headers.location;
        if (status < 300 || status >= 400 || typeof loc !== 'string') throw new AppError('github_validation', `GitHub answered the job log request with ${status} and no log address.`);
        return { status, headers: r.headers, data: loc };
      },
      { notFound: () => this.notFoundIn(repo, new AppError('not_found', `GitHub has no log for Actions job ${jobId} in ${repo} (logs expire after the retention period).`)) },
    );
    const url = this.safeLogUrl(location);
    const text = await this.fetchCapped(url);
    return logTail(text, maxLines);
  }

  async rerunFailedJobs(repo: RepoFullName, runId: number): Promise<void> {
    const { owner, name } = parseRepoFullName(repo);
    assertJobId(runId);
    await this.write(
      'rerunFailedJobs',
      this.writeMs,
      (gh, s) => gh.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', { owner, repo: name, run_id: runId, ...req(s) }),
      { notFound: () => this.notFoundIn(repo, new AppError('not_found', `GitHub has no workflow run ${runId} in ${repo}.`)) },
    );
  }

  async listPullRequestFiles(repo: RepoFullName, number: number): Promise<PullRequestFile[]> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'pr');
    const out: PullRequestFile[] = [];
    // GitHub lists at most 3,000 files; MAX_PAGES pages of 100 are plenty for a spoken summary.
    for (let page = 1; page <= MAX_PAGES; page++) {
      const p = { owner, repo: name, pull_number: number, per_page: PAGE_SIZE, page };
      const items = await this.read('listPullRequestFiles', 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { ...p, ...req(s) }), {
        notFound: () => this.notFoundIn(repo, new AppError('pr_not_found', `There is no pull request ${repo}#${number}.`)),
      });
      for (const f of items) out.push({ filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions });
      if (items.length < PAGE_SIZE) break;
    }
    return out;
  }

  async listPullRequestComments(repo: RepoFullName, number: number): Promise<PullRequestComment[]> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'pr');
    const notFound = () => this.notFoundIn(repo, new AppError('pr_not_found', `There is no pull request ${repo}#${number}.`));
    const issue = async () => {
      const out: PullRequestComment[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const p = { owner, repo: name, issue_number: number, per_page: PAGE_SIZE, page };
        const items = await this.read('listIssueComments', 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...p, ...req(s) }), { notFound });
        for (const c of items) out.push({ id: Number(c.id), kind: 'issue', author: c.user?.login ?? 'ghost', body: trimUntrusted(c.body), createdAt: c.created_at, htmlUrl: c.html_url });
        if (items.length < PAGE_SIZE) break;
      }
      return out;
    };
    const review = async () => {
      const out: PullRequestComment[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const p = { owner, repo: name, pull_number: number, per_page: PAGE_SIZE, page };
        const items = await this.read('listReviewComments', 'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', p, (gh, s) => gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', { ...p, ...req(s) }), { notFound });
        for (const c of items) out.push({ id: Number(c.id), kind: 'review', author: c.user?.login ?? 'ghost', body: trimUntrusted(c.body), createdAt: c.created_at, htmlUrl: c.html_url, path: c.path });
        if (items.length < PAGE_SIZE) break;
      }
      return out;
    };
    const [a, b] = await Promise.all([issue(), review()]);
    return [...a, ...b].sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id - x.id);
  }

  private actionsJob(j: {
    id: number | bigint;
    run_id: number | bigint;
    run_attempt?: number;
    name: string;
    workflow_name: string | null;
    head_sha: string;
    status: string;
    conclusion: string | null;
    html_url: string | null;
    steps?: Array<{ number: number; name: string; status: string; conclusion: string | null }>;
  }): ActionsJob {
    return {
      id: Number(j.id),
      runId: Number(j.run_id),
      runAttempt: j.run_attempt ?? 1,
      name: j.name,
      workflowName: j.workflow_name,
      headSha: j.head_sha,
      status: j.status,
      conclusion: j.conclusion,
      steps: (j.steps ?? []).map((x) => ({ number: x.number, name: x.name, status: x.status as ActionsStep['status'], conclusion: x.conclusion })),
      htmlUrl: j.html_url,
    };
  }

  /** The log redirect's target, if it is safe to fetch (see getActionsJobLogTail). */
  private safeLogUrl(location: string): URL {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw new AppError('github_validation', 'GitHub sent a job log address that is not a URL; nothing was fetched.');
    }
    const sameOrigin = url.origin === this.apiOrigin;
    if ((url.protocol !== 'https:' && !sameOrigin) || url.username !== '' || url.password !== '') {
      throw new AppError('github_validation', `GitHub sent a job log address this app does not fetch (${url.protocol}//${url.host}); nothing was fetched.`);
    }
    return url;
  }

  /** GET `url` without credentials or redirects, within the read deadline, keeping the last LOG_WINDOW_BYTES. */
  private async fetchCapped(url: URL): Promise<string> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error('deadline')), this.readMs);
    try {
      const res = await this.fetchImpl(url.href, { method: 'GET', redirect: 'error', credentials: 'omit', headers: { accept: 'text/plain' }, signal: ctl.signal });
      if (res.status !== 200 || res.body === null) {
        await res.body?.cancel().catch(() => undefined);
        throw new AppError(res.status === 404 || res.status === 410 ? 'not_found' : 'github_unavailable', `The job log could not be read (${res.status}).`);
      }
      const reader = res.body.getReader();
      let window = new Uint8Array(0);
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > MAX_LOG_BYTES) {
          await reader.cancel().catch(() => undefined);
          throw new AppError('github_validation', `The job log is larger than ${MAX_LOG_BYTES / 1_000_000} MB; open it on GitHub.`);
        }
        const merged = new Uint8Array(window.byteLength + value.byteLength);
        merged.set(window);
        merged.set(value, window.byteLength);
        window = merged.byteLength > LOG_WINDOW_BYTES ? merged.slice(merged.byteLength - LOG_WINDOW_BYTES) : merged;
      }
      const text = new TextDecoder('utf-8', { fatal: false }).decode(window);
      // A cut window starts mid-line: drop that partial first line.
      return total > LOG_WINDOW_BYTES ? text.slice(text.indexOf('\n') + 1) : text;
    } catch (e) {
      if (isAppError(e)) throw e;
      if (ctl.signal.aborted) throw new AppError('github_timeout', `The job log did not arrive within ${Math.round(this.readMs / 1000)} s.`);
      throw new AppError('github_unavailable', 'The job log could not be read (network error, or a redirect, which is not followed).');
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- end CI and PR depth

  async getIssue(repo: RepoFullName, number: number): Promise<IssueSummary> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'issue');
    const params = { owner, repo: name, issue_number: number };
    const data = await this.read('getIssue', 'GET /repos/{owner}/{repo}/issues/{issue_number}', params, (gh, s) => gh.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { ...params, ...req(s) }), {
      notFound: () => this.notFoundIn(repo, new AppError('issue_not_found', `There is no issue or pull request ${repo}#${number}.`)),
      statusErrors: { 410: () => new AppError('issue_not_found', `Issue ${repo}#${number} was deleted, or issues are turned off in ${repo}.`) },
    });
    return this.issueSummary(repo, data);
  }

  async createIssue(repo: RepoFullName, issue: { title: string; body: string; labels?: string[] }): Promise<IssueSummary> {
    const { owner, name } = parseRepoFullName(repo);
    const body = { title: issue.title, body: issue.body, ...(issue.labels ? { labels: issue.labels } : {}) };
    const data = await this.write('createIssue', this.writeMs, (gh, s) => gh.request('POST /repos/{owner}/{repo}/issues', { owner, repo: name, ...body, ...req(s) }), {
      notFound: () => this.notFoundIn(repo, new AppError('unknown_repo', `I can't find the repository ${repo}, or the token can't see it.`)),
      statusErrors: { 410: () => new AppError('github_validation', `Issues are turned off in ${repo}.`) },
    });
    return this.issueSummary(repo, data);
  }

  /**
   * POST …/issues/{n}/assignees; `agent` becomes `agent_assignment` {target_repo, base_branch,
   * custom_instructions} (GitHub's Copilot assignment API, REST, since 2025-12; see AgentAssignment).
   * @octokit/openapi does not list agent_assignment yet; the body schema allows extra properties.
   */
  async addAssignees(repo: RepoFullName, number: number, assignees: string[], agent?: AgentAssignment): Promise<IssueSummary> {
    const { owner, name } = parseRepoFullName(repo);
    assertPositiveNumber(number, 'issue');
    const agentAssignment = agent
      ? {
          agent_assignment: {
            ...(agent.targetRepo !== undefined ? { target_repo: agent.targetRepo } : {}),
            ...(agent.baseBranch !== undefined ? { base_branch: agent.baseBranch } : {}),
            ...(agent.customInstructions !== undefined ? { custom_instructions: agent.customInstructions } : {}),
          },
        }
      : {};
    const data = await this.write(
      'addAssignees',
      this.writeMs,
      (gh, s) => gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/assignees', { owner, repo: name, issue_number: number, assignees, ...agentAssignment, ...req(s) }),
      { notFound: () => this.notFoundIn(repo, new AppError('issue_not_found', `There is no issue ${repo}#${number}.`)) },
    );
    return this.issueSummary(repo, data);
  }

  rateLimit(): RateLimitInfo | null {
    const r = this.limits['core'] ?? this.limits['search'];
    return r ? { ...r } : null;
  }

  // ---------------------------------------------------------------- mapping helpers

  private issueSummary(
    repo: RepoFullName,
    data: {
      number: number;
      title: string;
      user: { login: string } | null;
      state: string;
      labels: Array<string | { name?: string }>;
      assignees?: Array<{ login: string }> | null;
      body?: string | null;
      repository_url: string;
      pull_request?: unknown;
    },
  ): IssueSummary {
    const canonical = /\/repos\/([^/]+\/[^/]+)$/.exec(data.repository_url)?.[1] ?? repo;
    return {
      repo: canonical,
      number: data.number,
      title: data.title,
      author: data.user?.login ?? 'ghost',
      state: data.state === 'closed' ? 'closed' : 'open',
      labels: data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((l) => l !== ''),
      assignees: (data.assignees ?? []).map((a) => a.login),
      htmlUrl: data.pull_request ? pullHtmlUrl(this.htmlBase, canonical, data.number) : issueHtmlUrl(this.htmlBase, canonical, data.number),
      body: trimUntrusted(data.body),
    };
  }

  private async searchPulls(op: string, q: string): Promise<PullRequestSummary[]> {
    const params = { q, sort: 'updated' as const, order: 'desc' as const, per_page: 50 };
    const data = await this.read(op, 'GET /search/issues', params, (gh, s) => gh.request('GET /search/issues', { ...params, ...req(s) }), { resource: 'search' });
    return data.items.map((it) => {
      const repo = /\/repos\/([^/]+\/[^/]+)$/.exec(it.repository_url)?.[1] ?? '';
      return {
        repo,
        number: it.number,
        title: it.title,
        author: it.user?.login ?? 'ghost',
        state: it.state === 'closed' ? 'closed' : 'open',
        merged: Boolean(it.pull_request?.merged_at),
        draft: it.draft ?? false,
        updatedAt: it.updated_at,
        htmlUrl: pullHtmlUrl(this.htmlBase, repo, it.number),
      };
    });
  }

  /** After a 404 on something inside `repo`: unknown_repo if the repo itself is invisible, else `inner`. */
  private async notFoundIn(repo: RepoFullName, inner: AppError): Promise<AppError> {
    const { owner, name } = parseRepoFullName(repo);
    const params = { owner, repo: name };
    try {
      await this.read('getRepo', 'GET /repos/{owner}/{repo}', params, (gh, s) => gh.request('GET /repos/{owner}/{repo}', { ...params, ...req(s) }), {
        notFound: () => new AppError('unknown_repo', `I can't find the repository ${repo}, or the token can't see it.`),
      });
      return inner;
    } catch (e) {
      return isAppError(e) && e.code === 'unknown_repo' ? e : inner;
    }
  }

  // ---------------------------------------------------------------- transport

  private read<T>(
    op: string,
    cacheRoute: string | null,
    params: Record<string, unknown>,
    send: (gh: Octokit, s: Sent) => Promise<RawResponse<T>>,
    extra: Partial<Pick<CallSpec, 'notFound' | 'statusErrors' | 'forbiddenHint' | 'resource'>> = {},
  ): Promise<T> {
    const spec: CallSpec = { op, kind: 'read', timeoutMs: this.readMs, resource: extra.resource ?? 'core', ...extra };
    if (cacheRoute !== null) spec.cacheKey = `${cacheRoute} ${stableJson(params)}`;
    return this.call(spec, send);
  }

  private write<T>(
    op: string,
    timeoutMs: number,
    send: (gh: Octokit, s: Sent) => Promise<RawResponse<T>>,
    extra: Partial<Pick<CallSpec, 'notFound' | 'statusErrors' | 'forbiddenHint'>> = {},
  ): Promise<T> {
    return this.call({ op, kind: 'write', timeoutMs, resource: 'core', ...extra }, send);
  }

  private async call<T>(spec: CallSpec, send: (gh: Octokit, s: Sent) => Promise<RawResponse<T>>): Promise<T> {
    const gh = this.octokit;
    if (!gh) {
      throw new AppError('no_token', 'No GitHub token is set, so nothing was sent to GitHub. Add a classic personal access token (scopes: repo, notifications) in Settings.');
    }
    this.assertNotRateLimited(spec);
    const run = () => this.withDeadline(spec, gh, send);
    if (!this.breaker) return run();
    try {
      return await this.breaker.execute(run);
    } catch (e) {
      if (e instanceof BrokenCircuitError) {
        throw new AppError('github_unavailable', `GitHub has failed several times in a row, so I'm pausing requests for up to ${Math.round(this.halfOpenAfterMs / 1000)} s. Nothing was sent.`, {
          op: spec.op,
          notSent: true,
        });
      }
      throw e;
    }
  }

  private async withDeadline<T>(spec: CallSpec, gh: Octokit, send: (gh: Octokit, s: Sent) => Promise<RawResponse<T>>): Promise<T> {
    const ctl = new AbortController();
    let onDeadline: (() => void) | undefined;
    const deadline = new Promise<never>((_, reject) => {
      onDeadline = () => reject(this.timeoutError(spec));
    });
    deadline.catch(() => undefined);
    const timer = setTimeout(() => {
      ctl.abort(new Error('deadline'));
      onDeadline?.();
    }, spec.timeoutMs);
    const started = this.now();
    try {
      const attempt = () => this.attempt(spec, gh, send, ctl.signal);
      const work = spec.kind === 'read' && this.readRetry ? this.readRetry.execute(attempt, ctl.signal) : attempt();
      work.catch(() => undefined);
      // The race makes the deadline exact even while a retry backoff is sleeping.
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
      this.log?.debug({ op: spec.op, ms: this.now() - started }, 'github call');
    }
  }

  private async attempt<T>(spec: CallSpec, gh: Octokit, send: (gh: Octokit, s: Sent) => Promise<RawResponse<T>>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw this.timeoutError(spec);
    this.assertNotRateLimited(spec);
    const cached = spec.cacheKey ? this.cacheGet(spec.cacheKey) : undefined;
    const headers: Record<string, string> = cached ? { 'if-none-match': cached.etag } : {};
    try {
      const res = await send(gh, { signal, headers });
      this.noteRateLimit(res.headers, spec.resource);
      const etag = res.headers['etag'];
      if (spec.cacheKey && typeof etag === 'string' && res.status === 200) this.cacheSet(spec.cacheKey, etag, res.data);
      return res.data;
    } catch (e) {
      const status = statusOf(e);
      if (status === 304 && cached && spec.cacheKey) {
        this.noteRateLimit(headersOf(e), spec.resource);
        cached.storedAtMs = this.now();
        this.cacheSet(spec.cacheKey, cached.etag, cached.data);
        return cached.data as T;
      }
      throw await this.classify(e, spec, signal);
    }
  }

  private timeoutError(spec: CallSpec): AppError {
    const s = Math.round(spec.timeoutMs / 100) / 10;
    return spec.kind === 'write'
      ? new AppError('outcome_unknown', `GitHub did not answer ${spec.op} within ${s} s; it may or may not have happened. It was not sent again.`, { op: spec.op, timeoutMs: spec.timeoutMs })
      : new AppError('github_timeout', `GitHub did not answer within ${s} s.`, { op: spec.op, timeoutMs: spec.timeoutMs });
  }

  private async classify(e: unknown, spec: CallSpec, signal: AbortSignal): Promise<AppError> {
    if (isAppError(e)) return e;
    if (signal.aborted) return this.timeoutError(spec);
    const status = statusOf(e);
    const headers = headersOf(e);
    const hasResponse = headers !== undefined;
    if (status === undefined || !hasResponse) {
      // No HTTP response: network failure (Octokit reports these as status 500 without a response).
      const code = networkCode(e);
      const notSent = code !== undefined && NOT_SENT_CODES.has(code);
      const detail = code ?? (e instanceof Error ? e.message : 'network error');
      if (spec.kind === 'write' && !notSent) {
        return new AppError('outcome_unknown', `The connection to GitHub failed during ${spec.op} (${detail}); it may or may not have happened. It was not sent again.`, { op: spec.op, network: detail });
      }
      return new AppError('github_unavailable', `I can't reach GitHub (${detail}).`, { op: spec.op, network: detail, retryable: spec.kind === 'read', notSent });
    }
    this.noteRateLimit(headers, spec.resource);
    const message = githubMessage(e);
    const mapped = spec.statusErrors?.[status];
    if (mapped) return mapped(message);
    if (status === 401) {
      return new AppError('github_unauthorized', 'GitHub rejected the token (401): it may be revoked or expired. Add a new token in Settings.', { op: spec.op, status });
    }
    if (status === 403 || status === 429) {
      const limited = this.rateLimitError(status, headers, message, spec);
      if (limited) return limited;
      const hint = spec.forbiddenHint ? ` ${spec.forbiddenHint}` : '';
      return new AppError('github_forbidden', `GitHub refused ${spec.op} (403): ${message}.${hint}`, { op: spec.op, status, githubMessage: message });
    }
    if (status === 404) {
      return spec.notFound ? await spec.notFound() : new AppError('not_found', `GitHub found nothing for ${spec.op}.`, { op: spec.op, status });
    }
    if (status >= 500) {
      if (spec.kind === 'write') {
        return new AppError('outcome_unknown', `GitHub answered ${status} to ${spec.op}; it may or may not have happened. It was not sent again.`, { op: spec.op, status });
      }
      return new AppError('github_unavailable', `GitHub is having trouble (${status}).`, { op: spec.op, status, retryable: true });
    }
    return new AppError('github_validation', `GitHub rejected ${spec.op} (${status}): ${message}`, { op: spec.op, status, githubMessage: message, errors: githubErrors(e) });
  }

  // ---------------------------------------------------------------- rate limits

  private assertNotRateLimited(spec: CallSpec): void {
    const until = Math.max(this.blockedUntil.all, this.blockedUntil[spec.resource]);
    const now = this.now();
    if (now < until) throw rateLimitedError(until, now, true);
  }

  /** 403/429 that are rate limits → block further requests until allowed, and the error to throw. */
  private rateLimitError(status: number, headers: Record<string, unknown>, message: string, spec: CallSpec): AppError | null {
    const now = this.now();
    const retryAfter = Number(headers['retry-after']);
    const remaining = headers['x-ratelimit-remaining'];
    const reset = Number(headers['x-ratelimit-reset']);
    let until: number | null = null;
    if (Number.isFinite(retryAfter) && headers['retry-after'] !== undefined) {
      until = now + Math.max(0, retryAfter) * 1000;
      this.blockedUntil.all = Math.max(this.blockedUntil.all, until);
    } else if (String(remaining) === '0' && Number.isFinite(reset)) {
      until = reset * 1000;
      const resource = resourceOf(headers, spec.resource);
      this.blockedUntil[resource] = Math.max(this.blockedUntil[resource], until);
    } else if (status === 429 || /secondary rate limit|abuse/i.test(message)) {
      // GitHub: without retry-after, wait at least one minute after a secondary limit.
      until = now + 60_000;
      this.blockedUntil.all = Math.max(this.blockedUntil.all, until);
    }
    if (until === null) return null;
    this.log?.warn({ op: spec.op, status, retryAtMs: until }, 'github rate limited');
    return rateLimitedError(until, now, false);
  }

  private noteRateLimit(headers: Record<string, unknown> | undefined, fallback: Resource): void {
    if (!headers) return;
    const limit = Number(headers['x-ratelimit-limit']);
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = Number(headers['x-ratelimit-reset']);
    if (headers['x-ratelimit-limit'] === undefined || !Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    const resource = resourceOf(headers, fallback);
    this.limits[resource] = { limit, remaining, resetAtMs: reset * 1000 };
    if (remaining <= 0 && (resource === 'core' || resource === 'search')) {
      this.blockedUntil[resource] = Math.max(this.blockedUntil[resource], reset * 1000);
    }
  }

  // ---------------------------------------------------------------- cache

  private cacheGet(key: string): CacheEntry | undefined {
    const e = this.cache.get(key);
    if (!e) return undefined;
    if (this.now() - e.storedAtMs > this.cacheTtlMs) {
      this.cache.delete(key);
      return undefined;
    }
    return e;
  }

  private cacheSet(key: string, etag: string, data: unknown): void {
    this.cache.delete(key);
    this.cache.set(key, { etag, data, storedAtMs: this.now() });
    while (this.cache.size > this.cacheMax) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

// -------------------------------------------------------------------- helpers

const API_VERSION = '2022-11-28';

/** Job logs: bytes read at most (then refused), and the tail kept for the last lines. */
const MAX_LOG_BYTES = 20_000_000;
const LOG_WINDOW_BYTES = 64 * 1024;

function assertJobId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('bad_request', `${String(id)} is not a GitHub Actions job or run id.`);
}

function req(s: Sent): { headers: Record<string, string>; request: { signal: AbortSignal } } {
  return { headers: { 'x-github-api-version': API_VERSION, ...s.headers }, request: { signal: s.signal } };
}

function rateLimitedError(untilMs: number, nowMs: number, notSent: boolean): AppError {
  const secs = Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
  const at = new Date(untilMs).toISOString().slice(11, 19);
  const wait = secs >= 120 ? `${Math.ceil(secs / 60)} minutes` : `${secs} seconds`;
  return new AppError(
    'github_rate_limited',
    `GitHub's rate limit is reached; try again in ${wait} (at ${at} UTC).${notSent ? ' Nothing was sent.' : ''}`,
    { retryAtMs: untilMs, retryAfterS: secs },
  );
}

function resourceOf(headers: Record<string, unknown>, fallback: Resource): Resource {
  const r = headers['x-ratelimit-resource'];
  return r === 'search' ? 'search' : r === 'core' ? 'core' : fallback;
}

function statusOf(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'status' in e && typeof (e as { status: unknown }).status === 'number') return (e as { status: number }).status;
  return undefined;
}

function headersOf(e: unknown): Record<string, unknown> | undefined {
  const res = typeof e === 'object' && e !== null && 'response' in e ? (e as { response?: { headers?: Record<string, unknown> } }).response : undefined;
  return res?.headers;
}

function dataOf(e: unknown): unknown {
  const res = typeof e === 'object' && e !== null && 'response' in e ? (e as { response?: { data?: unknown } }).response : undefined;
  return res?.data;
}

/** GitHub's `message`, trimmed (it is shown to the user). */
function githubMessage(e: unknown): string {
  const data = dataOf(e);
  if (typeof data === 'object' && data !== null && 'message' in data && typeof (data as { message: unknown }).message === 'string') {
    return trimUntrusted((data as { message: string }).message, 300);
  }
  return typeof data === 'string' && data.length > 0 ? trimUntrusted(data, 300) : 'no message';
}

function githubErrors(e: unknown): unknown {
  const data = dataOf(e);
  if (typeof data === 'object' && data !== null && 'errors' in data && Array.isArray((data as { errors: unknown }).errors)) {
    return (data as { errors: unknown[] }).errors.slice(0, 5);
  }
  return undefined;
}

/** The errno-style code of a fetch failure (e.g. ECONNRESET), looking through `cause` chains. */
function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && typeof cur === 'object' && cur !== null; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function stableJson(v: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(v).sort().map((k) => [k, v[k]]));
}
