/**
 * A fake GitHub REST API on 127.0.0.1 (node:http, port 0) serving the demo account
 * (fixtures/github) with GitHub's rules for writes (DemoGitHubState), ETag/304, x-ratelimit-*
 * headers, and scriptable faults.
 *
 * Every response body is validated against GitHub's official OpenAPI description before it is sent;
 * a mismatch is recorded in `validationErrors` and answered with 500 instead, so tests fail loudly.
 *
 *   const gh = await startFakeGitHub();
 *   … new OctokitGitHubGateway({ token: 'test', baseUrl: gh.url }) …
 *   gh.mergePuts            // PUT …/merge requests that reached the fake
 *   gh.state.merges.length  // merges that happened
 *   gh.requests             // every request: method, path, query, body, status
 *   await gh.close();
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MergeMethod } from '../../../contract/intent.js';
import type { DemoError, DemoGitHubStateOptions } from '../../../main/github/demo/demoGitHubState.js';
import { DemoGitHubState, GITHUB_MESSAGES } from '../../../main/github/demo/demoGitHubState.js';
import type { DemoFixture } from '../../../main/github/demo/fixtureData.js';
import { loadDemoFixture } from '../../../main/github/demo/fixtureData.js';
import type { FakeDeviceFlow } from './fakeDeviceFlow.js';
import type { ResponseValidator } from './openapiValidator.js';
import { gitHubResponseValidator } from './openapiValidator.js';
import * as shape from './restShapes.js';
import type { ShapeContext } from './restShapes.js';

export interface FakeRequest {
  seq: number;
  method: string;
  /** Path without the query string, as sent (percent-encoding kept). */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Parsed JSON body (undefined when none). */
  body: unknown;
  /** Status sent; null when the connection was reset instead of answered (or still in flight). */
  status: number | null;
  /** Request headers of interest. */
  ifNoneMatch: string | null;
  authorized: boolean;
  /** The OpenAPI operation matched (e.g. "pulls/merge"), or null. */
  operationId: string | null;
  atMs: number;
}

export type FakeFaultAction =
  /** Answer this status instead of handling the request (no state change). */
  | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> }
  /** Destroy the connection without answering and without handling. */
  | { kind: 'reset' }
  /** Wait, then handle normally (state changes after the wait, even if the client gave up). */
  | { kind: 'delay'; ms: number }
  /** Handle normally (state changes), then wait before answering. */
  | { kind: 'delayAfter'; ms: number }
  /** Handle normally (state changes), then answer this status instead (e.g. 502 after merging). */
  | { kind: 'statusAfter'; status: number; message?: string }
  /** Handle normally (state changes), then destroy the connection without answering. */
  | { kind: 'resetAfter' }
  /** Run a state change first (e.g. push to the PR), then handle normally. */
  | { kind: 'before'; run: (state: DemoGitHubState) => void };

export interface FakeFault {
  /** Which requests: method (e.g. 'PUT') and path (substring or RegExp on the path). Default: any. */
  match?: { method?: string; path?: string | RegExp };
  /** How many matching requests it affects (default 1; Infinity for all). */
  times?: number;
  action: FakeFaultAction;
}

export interface FakeFaults {
  add(fault: FakeFault): void;
  clear(): void;
  /** Faults still armed. */
  pending(): number;
  /** Before the next merge of repo#number is handled, someone pushes to it (→ 409 for the read-back SHA). */
  headMovedBeforeMerge(repo: string, number: number): void;
  /** Next merge answers 405 with `message` (default "Pull Request is not mergeable"; see GITHUB_MESSAGES.baseModified). */
  notMergeable(message?: string): void;
  /** Next merge is performed, then answered with `status` (default 502): an ambiguous outcome. */
  failAfterMerge(status?: number): void;
  /** Next merge is performed, then the connection is reset before any answer. */
  resetAfterMerge(): void;
  /** Next `times` requests (matching) answer 429 with retry-after (a secondary rate limit). */
  rateLimited(opts?: { retryAfterS?: number; times?: number; match?: FakeFault['match'] }): void;
  /** Primary rate limit used up: remaining 0 until `resetInS` from now; requests get 403 meanwhile. */
  exhaustRateLimit(resource?: 'core' | 'search', resetInS?: number): void;
  /** Matching requests wait `ms` before being handled. */
  slow(ms: number, opts?: { times?: number; match?: FakeFault['match'] }): void;
  /** Matching requests answer `status` (default 500) without being handled. */
  serverError(status?: number, opts?: { times?: number; match?: FakeFault['match'] }): void;
  /** Matching requests get their connection reset without being handled. */
  resetConnection(opts?: { times?: number; match?: FakeFault['match'] }): void;
}

export interface StartFakeGitHubOptions {
  /** Fixture directory/file (default fixtures/github) or an already-parsed fixture. */
  fixture?: string | DemoFixture;
  /** Only this token is accepted (401 "Bad credentials" otherwise). Default: any token; none → 401. */
  token?: string;
  /** Primary rate limits per window (defaults as GitHub: core 5,000/hour, search 30/minute). */
  rateLimit?: { core?: number; search?: number };
  /** X-Poll-Interval for /notifications, seconds (default 60). */
  pollIntervalS?: number;
  /** Validate bodies against the OpenAPI description (default true). */
  validate?: boolean;
  stateOptions?: DemoGitHubStateOptions;
  /** Also serve GitHub's OAuth device-flow endpoints (/login/device/code, /login/oauth/access_token) on this origin. */
  deviceFlow?: FakeDeviceFlow;
}

export interface FakeGitHub {
  /** Base URL for Octokit's `baseUrl`, e.g. http://127.0.0.1:43123 */
  readonly url: string;
  /** The live demo state (mutable; e.g. state.simulatePush). Replaced by reset(). */
  readonly state: DemoGitHubState;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  /** PUT …/pulls/{n}/merge requests that reached the fake (faulted ones included). */
  readonly mergePuts: number;
  /** Responses that did not match GitHub's OpenAPI description (each was answered 500 instead). */
  readonly validationErrors: string[];
  /** Handler crashes (answered 500). */
  readonly serverErrors: string[];
  readonly faults: FakeFaults;
  /** Requests matching method and path (substring or RegExp). */
  count(method: string, path?: string | RegExp): number;
  /** Job-log downloads (the 302's target): whether each carried an Authorization header. */
  readonly logRequests: Array<{ path: string; authorized: boolean }>;
  /** Origin the logs 302 points at (default: this server); e.g. another host to test refusal. */
  setLogBase(base: string | null): void;
  /** Fresh state from the fixture, empty logs (seq restarts at 1), no faults, full rate limits. */
  reset(): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  template: string;
  re: RegExp;
  names: string[];
  handle: (ctx: HandlerContext) => Reply;
}

interface HandlerContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DOCS = 'https://docs.github.com/rest';

export async function startFakeGitHub(opts: StartFakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fixture = typeof opts.fixture === 'object' ? opts.fixture : loadDemoFixture(opts.fixture);
  const validator: ResponseValidator | null = opts.validate === false ? null : gitHubResponseValidator();
  const limits = { core: opts.rateLimit?.core ?? 5000, search: opts.rateLimit?.search ?? 30 };
  const windowsS = { core: 3600, search: 60 };
  const pollIntervalS = opts.pollIntervalS ?? 60;

  let state = new DemoGitHubState(fixture, opts.stateOptions);
  const requests: FakeRequest[] = [];
  const validationErrors: string[] = [];
  const serverErrors: string[] = [];
  let faultList: Array<FakeFault & { times: number }> = [];
  let mergePuts = 0;
  let seq = 0;
  const logRequests: Array<{ path: string; authorized: boolean }> = [];
  let logBase: string | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const rate = { core: freshWindow('core'), search: freshWindow('search') };
  const ctx: ShapeContext = { state, api: '', html: 'https://github.com' };

  function freshWindow(r: 'core' | 'search') {
    return { used: 0, resetS: Math.floor(Date.now() / 1000) + windowsS[r], exhausted: false };
  }

  function rateWindow(r: 'core' | 'search') {
    const w = rate[r];
    if (Date.now() / 1000 >= w.resetS) rate[r] = freshWindow(r);
    return rate[r];
  }

  function rateHeaders(r: 'core' | 'search'): Record<string, string> {
    const w = rateWindow(r);
    const remaining = w.exhausted ? 0 : Math.max(0, limits[r] - w.used);
    return {
      'x-ratelimit-limit': String(limits[r]),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(w.resetS),
      'x-ratelimit-used': String(w.exhausted ? limits[r] : w.used),
      'x-ratelimit-resource': r,
    };
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const err = (status: number, message: string, extra: Record<string, unknown> = {}): Reply => ({
    status,
    body: { message, documentation_url: DOCS, status: String(status), ...extra },
  });

  const fromDemo = (e: DemoError): Reply => err(e.status, e.message, e.errors ? { errors: e.errors } : {});

  const repoOf = (p: Record<string, string>) => `${p['owner']}/${p['repo']}`;

  const routes: Route[] = [
    route('GET', '/user', () => ({ status: 200, body: shape.privateUser(ctx) })),
    route('GET', '/user/repos', ({ query }) => ({
      status: 200,
      body: state
        .repos()
        .slice(0, perPage(query, 30))
        .map((r) => shape.repository(ctx, r)),
    })),
    route('GET', '/repos/{owner}/{repo}', ({ params }) => {
      const r = state.repo(repoOf(params));
      return r ? { status: 200, body: shape.fullRepository(ctx, r) } : err(404, GITHUB_MESSAGES.notFound);
    }),
    route('GET', '/notifications', ({ query }) => {
      const all = query['all'] === 'true';
      const list = (all ? state.threads() : state.unreadThreads()).slice(0, perPage(query, 50));
      const newest = state.threads()[0]?.updatedAt;
      const headers: Record<string, string> = { 'x-poll-interval': String(pollIntervalS) };
      if (newest) headers['last-modified'] = new Date(newest).toUTCString();
      return { status: 200, body: list.map((t) => shape.thread(ctx, t)), headers };
    }),
    // Mark all read (issue 15): threads updated after last_read_at stay unread. GitHub answers 205,
    // or 202 when it finishes in the background; the fake answers 202 with GitHub's message.
    route('PUT', '/notifications', ({ body }) => {
      const b = isObject(body) ? body : {};
      if (b['last_read_at'] !== undefined && typeof b['last_read_at'] !== 'string') return err(422, GITHUB_MESSAGES.validationFailed);
      const r = state.markAllRead(typeof b['last_read_at'] === 'string' ? b['last_read_at'] : undefined);
      return r.ok
        ? { status: 202, body: { message: "Unread notifications couldn't be marked in a single request. Notifications are being marked as read in the background." } }
        : fromDemo(r.error);
    }),
    route('DELETE', '/notifications/threads/{thread_id}', ({ params }) => {
      const r = state.markThreadDone(params['thread_id']!);
      return r.ok ? { status: 204 } : fromDemo(r.error);
    }),
    route('DELETE', '/notifications/threads/{thread_id}/subscription', ({ params }) => {
      const r = state.unsubscribeThread(params['thread_id']!);
      return r.ok ? { status: 204 } : fromDemo(r.error);
    }),
    route('GET', '/search/issues', ({ query }) => {
      const phrase = /"([^"]+)"/.exec(query['q'] ?? '')?.[1];
      if (phrase !== undefined) {
        // A quoted phrase (e.g. a dispatch marker) searched in bodies, optionally repo:/is:pr/is:issue.
        const toks = (query['q'] ?? '').replace(/"[^"]*"/, ' ').split(/\s+/);
        const repo = toks.find((t) => t.startsWith('repo:'))?.slice(5);
        const type = toks.includes('is:pr') ? ('pr' as const) : toks.includes('is:issue') ? ('issue' as const) : undefined;
        const items = state.searchText(phrase, { ...(repo ? { repo } : {}), ...(type ? { type } : {}) }).slice(0, perPage(query, 30));
        return { status: 200, body: { total_count: items.length, incomplete_results: false, search_type: 'lexical', items: items.map((p) => shape.searchItem(ctx, p)) } };
      }
      const q = parseSearch(query['q'] ?? '', state.viewer.login);
      if (!q) return err(422, GITHUB_MESSAGES.validationFailed, { errors: [{ resource: 'Search', field: 'q', code: 'missing' }] });
      const items = state.searchPulls(q).slice(0, perPage(query, 30));
      return { status: 200, body: { total_count: items.length, incomplete_results: false, search_type: 'lexical', items: items.map((p) => shape.searchItem(ctx, p)) } };
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', ({ params }) => {
      const p = state.pull(repoOf(params), Number(params['pull_number']));
      return p ? { status: 200, body: shape.pullRequest(ctx, p) } : err(404, GITHUB_MESSAGES.notFound);
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', ({ params, query }) => {
      const p = state.pull(repoOf(params), Number(params['pull_number']));
      if (!p) return err(404, GITHUB_MESSAGES.notFound);
      return { status: 200, body: pageOf(p.reviews, query, 30).map((r) => shape.review(ctx, p, r)) };
    }),
    route('GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs', ({ params, query }) => {
      const r = state.checksFor(repoOf(params), params['ref']!);
      if (!r.ok) return fromDemo(r.error);
      const runs = pageOf(r.value.runs, query, 30);
      return { status: 200, body: { total_count: r.value.runs.length, check_runs: runs.map((x) => shape.checkRun(ctx, state.repo(repoOf(params))!.fullName, x)) } };
    }),
    route('GET', '/repos/{owner}/{repo}/commits/{ref}/status', ({ params, query }) => {
      const r = state.checksFor(repoOf(params), params['ref']!);
      if (!r.ok) return fromDemo(r.error);
      return { status: 200, body: shape.combinedStatus(ctx, state.repo(repoOf(params))!.fullName, r.value.sha, pageOf(r.value.statuses, query, 30), r.value.statuses.length) };
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', ({ params }) => {
      const p = state.pull(repoOf(params), Number(params['pull_number']));
      return p?.merged ? { status: 204 } : err(404, GITHUB_MESSAGES.notFound);
    }),
    route('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', ({ params, body }) => {
      const b = (isObject(body) ? body : {}) as { sha?: unknown; merge_method?: unknown };
      if (b.merge_method !== undefined && !['merge', 'squash', 'rebase'].includes(String(b.merge_method))) {
        return err(422, GITHUB_MESSAGES.validationFailed, { errors: [{ resource: 'PullRequest', field: 'merge_method', code: 'invalid' }] });
      }
      if (b.sha !== undefined && typeof b.sha !== 'string') return err(422, GITHUB_MESSAGES.validationFailed);
      const req: { sha?: string; method?: MergeMethod } = {};
      if (typeof b.sha === 'string') req.sha = b.sha;
      if (b.merge_method !== undefined) req.method = b.merge_method as MergeMethod;
      const r = state.merge(repoOf(params), Number(params['pull_number']), req);
      return r.ok ? { status: 200, body: { sha: r.value.sha, merged: true, message: GITHUB_MESSAGES.merged } } : fromDemo(r.error);
    }),
    route('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', ({ params, body }) => {
      const reviewers = isObject(body) && Array.isArray(body['reviewers']) ? (body['reviewers'] as unknown[]).map(String) : [];
      const r = state.requestReviewers(repoOf(params), Number(params['pull_number']), reviewers);
      return r.ok ? { status: 201, body: shape.pullRequestSimple(ctx, r.value) } : fromDemo(r.error);
    }),
    // Reviews submitted at once (event APPROVE / REQUEST_CHANGES); a pending review (no event) is not modelled.
    route('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', ({ params, body }) => {
      const b = isObject(body) ? body : {};
      if (b['event'] !== 'APPROVE' && b['event'] !== 'REQUEST_CHANGES') {
        return err(422, GITHUB_MESSAGES.validationFailed, { errors: [{ resource: 'PullRequestReview', field: 'event', code: 'invalid' }] });
      }
      const input: { event: 'APPROVE' | 'REQUEST_CHANGES'; body?: string; commitId?: string } = { event: b['event'] };
      if (typeof b['body'] === 'string') input.body = b['body'];
      if (typeof b['commit_id'] === 'string') input.commitId = b['commit_id'];
      const r = state.submitReview(repoOf(params), Number(params['pull_number']), input);
      return r.ok ? { status: 200, body: shape.review(ctx, r.value.pull, r.value.review) } : fromDemo(r.error);
    }),
    route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', ({ params, body }) => {
      const text = isObject(body) && typeof body['body'] === 'string' ? body['body'] : '';
      const r = state.addComment(repoOf(params), Number(params['issue_number']), text);
      return r.ok ? { status: 201, body: shape.issueComment(ctx, r.value.comment, r.value.isPull) } : fromDemo(r.error);
    }),
    route('GET', '/repos/{owner}/{repo}/issues/{issue_number}', ({ params }) => {
      const repo = repoOf(params);
      const n = Number(params['issue_number']);
      const item = state.issue(repo, n) ?? state.pull(repo, n);
      return item ? { status: 200, body: shape.issue(ctx, item) } : err(404, GITHUB_MESSAGES.notFound);
    }),
    // Assigning issues, including to Copilot's coding agent (assignees ["copilot-swe-agent[bot]"]
    // plus optional agent_assignment {target_repo, base_branch, custom_instructions}).
    route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/assignees', ({ params, body }) => {
      const b = isObject(body) ? body : {};
      const logins = Array.isArray(b['assignees']) ? (b['assignees'] as unknown[]).map((a) => (isObject(a) && typeof a['login'] === 'string' ? a['login'] : String(a))) : [];
      const aa = isObject(b['agent_assignment']) ? b['agent_assignment'] : null;
      const agent: { targetRepo?: string; baseBranch?: string; customInstructions?: string } = {};
      if (aa && typeof aa['target_repo'] === 'string') agent.targetRepo = aa['target_repo'];
      if (aa && typeof aa['base_branch'] === 'string') agent.baseBranch = aa['base_branch'];
      if (aa && typeof aa['custom_instructions'] === 'string') agent.customInstructions = aa['custom_instructions'];
      const r = state.addAssignees(repoOf(params), Number(params['issue_number']), logins, aa ? agent : undefined);
      return r.ok ? { status: 201, body: shape.issue(ctx, r.value) } : fromDemo(r.error);
    }),
    // ---- Actions jobs, logs and re-runs; PR files and comments (issue 15)
    route('GET', '/repos/{owner}/{repo}/actions/jobs/{job_id}', ({ params }) => {
      const r = state.job(repoOf(params), Number(params['job_id']));
      return r.ok ? { status: 200, body: shape.job(ctx, r.value) } : fromDemo(r.error);
    }),
    // As GitHub: 302 to a short-lived URL on another host (here: this server's LOG_PATH, answered
    // outside the API routes, recording whether a token came along).
    route('GET', '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', ({ params }) => {
      const r = state.job(repoOf(params), Number(params['job_id']));
      if (!r.ok) return fromDemo(r.error);
      const sig = createHash('sha1').update(`log:${r.value.repo}:${r.value.run.id}`).digest('hex');
      return { status: 302, headers: { location: `${logBase ?? ctx.api}${LOG_PATH}${encodeURIComponent(r.value.repo)}/${r.value.run.id}?sig=${sig}` } };
    }),
    route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', ({ params, query }) => {
      const r = state.workflowRunJobs(repoOf(params), Number(params['run_id']));
      if (!r.ok) return fromDemo(r.error);
      return { status: 200, body: { total_count: r.value.length, jobs: pageOf(r.value, query, 30).map((j) => shape.job(ctx, j)) } };
    }),
    route('POST', '/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', ({ params }) => {
      const r = state.rerunFailedJobs(repoOf(params), Number(params['run_id']));
      return r.ok ? { status: 201, body: {} } : fromDemo(r.error);
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files', ({ params, query }) => {
      const p = state.pull(repoOf(params), Number(params['pull_number']));
      if (!p) return err(404, GITHUB_MESSAGES.notFound);
      return { status: 200, body: pageOf(p.files, query, 30).map((f) => shape.diffEntry(ctx, p, f)) };
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/comments', ({ params, query }) => {
      const p = state.pull(repoOf(params), Number(params['pull_number']));
      if (!p) return err(404, GITHUB_MESSAGES.notFound);
      return { status: 200, body: pageOf(p.reviewComments, query, 30).map((rc) => shape.reviewComment(ctx, p, rc)) };
    }),
    route('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', ({ params, query }) => {
      const n = Number(params['issue_number']);
      const r = state.issueComments(repoOf(params), n);
      if (!r.ok) return fromDemo(r.error);
      const isPull = state.pull(repoOf(params), n) !== undefined;
      return { status: 200, body: pageOf(r.value, query, 30).map((cm) => shape.issueComment(ctx, cm, isPull)) };
    }),
    route('POST', '/repos/{owner}/{repo}/issues', ({ params, body }) => {
      const b = isObject(body) ? body : {};
      const title = typeof b['title'] === 'string' ? b['title'] : '';
      const input: { title: string; body?: string; labels?: string[] } = { title };
      if (typeof b['body'] === 'string') input.body = b['body'];
      if (Array.isArray(b['labels'])) input.labels = (b['labels'] as unknown[]).map(String);
      const r = state.createIssue(repoOf(params), input);
      return r.ok ? { status: 201, body: shape.issue(ctx, r.value) } : fromDemo(r.error);
    }),
  ];

  function route(method: string, template: string, handle: Route['handle']): Route {
    const names: string[] = [];
    const re = new RegExp(
      '^' +
        template.replace(/\{(\w+)\}/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        }) +
        '$',
    );
    if (validator) validator.operationId(method, template); // fail fast on a template the spec lacks
    return { method, template, re, names, handle };
  }

  function takeFaults(method: string, path: string): FakeFaultAction[] {
    const out: FakeFaultAction[] = [];
    for (const f of faultList) {
      if (f.times <= 0) continue;
      if (f.match?.method && f.match.method.toUpperCase() !== method) continue;
      const p = f.match?.path;
      if (p !== undefined && (typeof p === 'string' ? !path.includes(p) : !p.test(path))) continue;
      f.times -= 1;
      out.push(f.action);
    }
    faultList = faultList.filter((f) => f.times > 0);
    return out;
  }

  function send(res: ServerResponse, entry: FakeRequest, method: string, template: string | null, reply: Reply, resource: 'core' | 'search', ifNoneMatch: string | null, ifModifiedSince: string | null): void {
    let { status, body } = reply;
    const headers: Record<string, string> = { 'x-github-api-version-selected': '2022-11-28', 'x-github-request-id': `FAKE:${entry.seq}`, ...reply.headers };
    if (validator && template && !(status === 304)) {
      const problem = validator.validate(method, template, status, body);
      if (problem) {
        validationErrors.push(problem);
        status = 500;
        body = { message: `fake GitHub: response failed OpenAPI validation: ${problem}`, documentation_url: DOCS };
      }
    }
    const json = body === undefined ? '' : JSON.stringify(body);
    if (method === 'GET' && status === 200) {
      const etag = `W/"${createHash('sha1').update(json).digest('hex')}"`;
      headers['etag'] = etag;
      const lastModified = headers['last-modified'];
      const notModified =
        (ifNoneMatch !== null && ifNoneMatch.split(',').some((t) => t.trim() === etag)) ||
        (ifNoneMatch === null && ifModifiedSince !== null && lastModified !== undefined && Date.parse(lastModified) <= Date.parse(ifModifiedSince));
      if (notModified) {
        // 304s are free on GitHub: no rate-limit use.
        Object.assign(headers, rateHeaders(resource));
        entry.status = 304;
        res.writeHead(304, headers);
        res.end();
        return;
      }
    }
    const w = rateWindow(resource);
    if (!w.exhausted) w.used += 1;
    Object.assign(headers, rateHeaders(resource));
    entry.status = status;
    if (json === '') {
      res.writeHead(status, headers);
      res.end();
    } else {
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(json));
      res.writeHead(status, headers);
      res.end(json);
    }
  }

  /** The signed log URL's host: plain text, no API headers; records whether a token came along. */
  function serveLog(req: IncomingMessage, res: ServerResponse, path: string): void {
    logRequests.push({ path, authorized: header(req, 'authorization') !== null });
    const [repo, id] = path.slice(LOG_PATH.length).split('/');
    const r = state.job(decodeURIComponent(repo ?? ''), Number(id));
    if (!r.ok) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('BlobNotFound');
      return;
    }
    const text = state.jobLog(r.value);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const raw = await readBody(req);
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        body = raw;
      }
    }
    if (method === 'GET' && path.startsWith(LOG_PATH)) return serveLog(req, res, path);
    const query = Object.fromEntries(url.searchParams.entries());
    const ifNoneMatch = header(req, 'if-none-match');
    const ifModifiedSince = header(req, 'if-modified-since');
    const auth = header(req, 'authorization');
    const resource: 'core' | 'search' = path.startsWith('/search/') ? 'search' : 'core';

    let matched: Route | undefined;
    let params: Record<string, string> = {};
    for (const r of routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      matched = r;
      params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      break;
    }
    const entry: FakeRequest = {
      seq: ++seq,
      method,
      path,
      query,
      body,
      status: null,
      ifNoneMatch,
      authorized: auth !== null,
      operationId: matched && validator ? validator.operationId(method, matched.template) : null,
      atMs: Date.now(),
    };
    requests.push(entry);
    if (method === 'PUT' && /\/pulls\/\d+\/merge$/.test(path)) mergePuts += 1;
    const template = matched?.template ?? null;
    const reply = (r: Reply) => send(res, entry, method, template, r, resource, ifNoneMatch, ifModifiedSince);

    if (!matched) return reply(err(404, GITHUB_MESSAGES.notFound));
    if (auth === null) return reply(err(401, 'Requires authentication'));
    if (opts.token !== undefined && auth.replace(/^(token|bearer)\s+/i, '') !== opts.token) return reply(err(401, 'Bad credentials'));
    const w = rateWindow(resource);
    if (w.exhausted || w.used >= limits[resource]) {
      w.exhausted = true;
      return reply(err(403, `API rate limit exceeded for user ID ${state.viewer.id}. If you reach out to GitHub Support for help, please include the request ID FAKE:${entry.seq}.`));
    }

    const after: FakeFaultAction[] = [];
    for (const f of takeFaults(method, path)) {
      switch (f.kind) {
        case 'status': {
          const r = err(f.status, f.message ?? defaultMessage(f.status));
          r.headers = { ...f.headers };
          return reply(r);
        }
        case 'reset':
          res.socket?.resetAndDestroy();
          return;
        case 'delay':
          await sleep(f.ms);
          break;
        case 'before':
          f.run(state);
          break;
        default:
          after.push(f);
      }
    }

    let result: Reply;
    try {
      result = matched.handle({ params, query, body });
    } catch (e) {
      serverErrors.push(`${method} ${path}: ${(e as Error).stack ?? String(e)}`);
      result = err(500, 'fake GitHub handler crashed');
    }

    for (const f of after) {
      if (f.kind === 'delayAfter') await sleep(f.ms);
      else if (f.kind === 'statusAfter') result = err(f.status, f.message ?? defaultMessage(f.status));
      else if (f.kind === 'resetAfter') {
        res.socket?.resetAndDestroy();
        return;
      }
    }
    if (res.destroyed) return;
    reply(result);
  }

  const server: Server = createServer((req, res) => {
    (opts.deviceFlow ? opts.deviceFlow.handle(req, res, url) : Promise.resolve(false)).then((done) => (done ? undefined : handle(req, res))).catch((e: unknown) => {
      serverErrors.push(String((e as Error).stack ?? e));
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'fake GitHub crashed' }));
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  ctx.api = url;

  const faults: FakeFaults = {
    add(f) {
      faultList.push({ ...f, times: f.times ?? 1 });
    },
    clear() {
      faultList = [];
    },
    pending() {
      return faultList.length;
    },
    headMovedBeforeMerge(repo, number) {
      faults.add({ match: { method: 'PUT', path: `/repos/${repo}/pulls/${number}/merge` }, action: { kind: 'before', run: (s) => void s.simulatePush(repo, number) } });
    },
    notMergeable(message = GITHUB_MESSAGES.notMergeable) {
      faults.add({ match: MERGE_MATCH, action: { kind: 'status', status: 405, message } });
    },
    failAfterMerge(status = 502) {
      faults.add({ match: MERGE_MATCH, action: { kind: 'statusAfter', status } });
    },
    resetAfterMerge() {
      faults.add({ match: MERGE_MATCH, action: { kind: 'resetAfter' } });
    },
    rateLimited(o = {}) {
      const retryAfterS = o.retryAfterS ?? 60;
      const f: FakeFault = {
        times: o.times ?? 1,
        action: { kind: 'status', status: 429, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': String(retryAfterS) } },
      };
      if (o.match) f.match = o.match;
      faults.add(f);
    },
    exhaustRateLimit(resource = 'core', resetInS = 60) {
      rate[resource] = { used: limits[resource], resetS: Math.floor(Date.now() / 1000) + resetInS, exhausted: true };
    },
    slow(ms, o = {}) {
      const f: FakeFault = { times: o.times ?? 1, action: { kind: 'delay', ms } };
      if (o.match) f.match = o.match;
      faults.add(f);
    },
    serverError(status = 500, o = {}) {
      const f: FakeFault = { times: o.times ?? 1, action: { kind: 'status', status } };
      if (o.match) f.match = o.match;
      faults.add(f);
    },
    resetConnection(o = {}) {
      const f: FakeFault = { times: o.times ?? 1, action: { kind: 'reset' } };
      if (o.match) f.match = o.match;
      faults.add(f);
    },
  };

  return {
    url,
    get state() {
      return state;
    },
    requests,
    get mergePuts() {
      return mergePuts;
    },
    validationErrors,
    serverErrors,
    faults,
    logRequests,
    setLogBase(base) {
      logBase = base;
    },
    count(method, path) {
      const m = method.toUpperCase();
      return requests.filter((r) => r.method === m && (path === undefined || (typeof path === 'string' ? r.path.includes(path) : path.test(r.path)))).length;
    },
    reset() {
      state = new DemoGitHubState(fixture, opts.stateOptions);
      ctx.state = state;
      requests.length = 0;
      validationErrors.length = 0;
      serverErrors.length = 0;
      faultList = [];
      mergePuts = 0;
      seq = 0;
      logRequests.length = 0;
      logBase = null;
      rate.core = freshWindow('core');
      rate.search = freshWindow('search');
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const MERGE_MATCH = { method: 'PUT', path: /\/pulls\/\d+\/merge$/ };
/** Where the logs 302 points (outside GitHub's API paths, like GitHub's separate log host). */
const LOG_PATH = '/_signed-logs/';

function defaultMessage(status: number): string {
  switch (status) {
    case 500:
      return 'Server Error';
    case 502:
      return 'Server Error';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'We couldn’t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.';
    case 404:
      return GITHUB_MESSAGES.notFound;
    default:
      return `HTTP ${status}`;
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/** One page of a list, as GitHub pages it (`per_page` ≤ 100, `page` from 1). */
function pageOf<T>(items: readonly T[], query: Record<string, string>, dflt: number): T[] {
  const size = perPage(query, dflt);
  const n = Number(query['page']);
  const page = Number.isInteger(n) && n > 0 ? n : 1;
  return items.slice((page - 1) * size, page * size);
}

function perPage(query: Record<string, string>, dflt: number): number {
  const n = Number(query['per_page']);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 100) : dflt;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_048_576) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The subset of GitHub's search syntax the app uses: is:pr, is:open/closed, author:, review-requested:. */
function parseSearch(q: string, viewer: string): { author?: string; reviewRequested?: string; state?: 'open' | 'closed'; repo?: string } | null {
  if (q.trim() === '') return null;
  const out: { author?: string; reviewRequested?: string; state?: 'open' | 'closed'; repo?: string } = {};
  for (const tok of q.split(/\s+/)) {
    const [k, v] = tok.split(':', 2) as [string, string | undefined];
    if (v === undefined) continue;
    const who = v === '@me' ? viewer : v;
    if (k === 'author') out.author = who;
    else if (k === 'review-requested') out.reviewRequested = who;
    else if (k === 'repo') out.repo = v;
    else if (k === 'is' && (v === 'open' || v === 'closed')) out.state = v;
    else if (k === 'state' && (v === 'open' || v === 'closed')) out.state = v;
  }
  return out;
}
