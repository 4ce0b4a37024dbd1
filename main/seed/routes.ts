/**
 * The seed contract's routes that today's API lacked, mounted through `extraRoutes` (same
 * Host/Origin checks, auth, rate limits, error body and idempotency as every route):
 *
 * - GET /v1/inbox: the one notification store as the seed's attention items.
 * - POST /v1/actions/{request-review,rerun-checks,merge}: policy-gated; a side effect is only
 *   planned here (409 confirmation_required, token and read-back in `details`) and happens on
 *   POST /v1/commands/confirm, like every other side effect.
 * - /v1/repos/subscriptions: repo-scoped subscriptions of the notification store.
 * - POST /v1/dev/audio as JSON {audio_base64 | data_base64, format} → {uri, format, ...}.
 * And the runner for seed-format audio commands (`input.type: audio`).
 */
import { voiceClientContext, type Caller, type CommandRequest } from '../../contract/api.js';
import { AppError } from '../../contract/errors.js';
import type { NotificationReason } from '../../contract/github.js';
import type { CommandResponse } from '../../contract/response.js';
import {
  ActionResultSchema,
  CreateRepoSubscriptionRequestSchema,
  DEV_AUDIO_URI_PREFIX,
  DevAudioJsonRequestSchema,
  DevAudioUploadResponseSchema,
  InboxQuerySchema,
  InboxResponseSchema,
  MAX_DEV_AUDIO_JSON_BYTES,
  MergeActionSchema,
  RepoSubscriptionListSchema,
  RepoSubscriptionSchema,
  RequestReviewActionSchema,
  RerunChecksActionSchema,
  toSeedResponse,
  type AudioInput,
  type InboxItem,
} from '../../contract/seedApi.js';
import type { CommandPipeline } from '../../core/pipeline/commandPipeline.js';
import type { GitHubGateway } from '../../core/ports/github.js';
import type { SpeechToText } from '../../core/ports/speech.js';
import type { NotificationCenter } from '../notifications/notificationCenter.js';
import type { StoredNotification, Subscription } from '../notifications/notificationStore.js';
import { validate } from '../server/body.js';
import { HttpError, httpStatusFor } from '../server/errorStatus.js';
import { callerOf, jsonRoute, plainRoute, queryOf, type RouteContext, type RouteSpec } from '../server/router.js';
import type { AudioCommandRunner } from '../server/v1Routes.js';
import { decodeUpload, readDevAudio, storeDevAudio } from '../speech/routes.js';
import { join } from 'node:path';
import { fetchAudioUrl, type UriFetchDeps } from './audioUri.js';

export interface SeedRouteDeps {
  notifications: NotificationCenter;
  pipeline: Pick<CommandPipeline, 'planAction'>;
  github: Pick<GitHubGateway, 'getPullRequest'>;
  authMode: 'local' | 'dev' | 'api_key' | 'jwt';
  devAudioDir: string;
  nowMs: () => number;
}

/** PRs whose checks the inbox looks up per request (each is one GitHub call). */
const MAX_CHECK_LOOKUPS = 10;

/** 1 = most urgent. Someone waits on the user first, then failures, then their own work, then noise. */
const PRIORITY: Partial<Record<NotificationReason, number>> = {
  review_requested: 1,
  approval_requested: 1,
  mention: 1,
  team_mention: 2,
  security_alert: 1,
  assign: 2,
  ci_activity: 2,
  author: 3,
  comment: 3,
  manual: 3,
  state_change: 4,
  subscribed: 5,
};

function inboxType(n: StoredNotification): InboxItem['type'] {
  if (n.reason === 'mention' || n.reason === 'team_mention') return 'mention';
  if (n.subjectType === 'PullRequest') return 'pr';
  if (n.subjectType === 'CheckSuite' || n.reason === 'ci_activity') return 'check';
  if (n.subjectType === 'Issue') return 'issue';
  return 'other';
}

function inboxItem(n: StoredNotification): InboxItem {
  const what = n.subjectType === 'PullRequest' ? 'PR' : n.subjectType === 'Issue' ? 'Issue' : n.subjectType;
  return {
    id: n.threadId,
    type: inboxType(n),
    title: n.title,
    priority: PRIORITY[n.reason] ?? 4,
    repo: n.repo,
    ...(n.url !== null ? { url: n.url } : {}),
    summary: `${what}${n.number !== null ? ` ${n.number}` : ''} in ${n.repo}: ${n.reason.replace(/_/g, ' ')}${n.unread ? ', unread' : ''}.`,
    reason: n.reason,
    unread: n.unread,
    updated_at: new Date(n.updatedAtMs).toISOString(),
    ...(n.number !== null ? { number: n.number } : {}),
  };
}

function repoSubscriptionView(s: Subscription) {
  return { id: String(s.id), user_id: s.userId, repo_full_name: s.target, installation_id: null, created_at: new Date(s.createdAtMs).toISOString() };
}

/**
 * A planned action as the seed's actions answer it: needs_confirmation → 409 confirmation_required
 * with the token and read-back in `details`; an error → its status with the spoken explanation.
 */
function actionAnswer(r: CommandResponse): { status: number; json: unknown } {
  if (r.status === 'needs_confirmation' && r.pending_action !== undefined) {
    const p = r.pending_action;
    throw new HttpError(409, 'confirmation_required', `${p.summary} Confirm with POST /v1/commands/confirm and the token in details.`, {}, {
      token: p.token,
      summary: p.summary,
      read_back: r.spoken_text,
      expires_at: p.expires_at,
      pending_action: p,
    });
  }
  if (r.status === 'error') {
    const code = r.error?.code ?? 'internal';
    throw new HttpError(httpStatusFor(code), code, r.error?.message ?? r.spoken_text, {}, { spoken_text: r.spoken_text });
  }
  return { status: 200, json: { ok: true, message: r.spoken_text, response: toSeedResponse(r) } };
}

function repoParam(ctx: RouteContext): string {
  const raw = ctx.params['repo'] !== undefined ? safeDecode(ctx.params['repo']) : `${safeDecode(ctx.params['owner'] ?? '')}/${safeDecode(ctx.params['name'] ?? '')}`;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(raw)) throw new HttpError(404, 'not_found', 'No subscription for that repository.');
  return raw.toLowerCase();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function seedRoutes(deps: SeedRouteDeps): RouteSpec[] {
  const { notifications } = deps;
  const plan = async (ctx: RouteContext, req: Parameters<CommandPipeline['planAction']>[0], sessionId: string | undefined) => {
    const c = callerOf(ctx);
    return actionAnswer(await deps.pipeline.planAction(req, c.userId, sessionId, c.correlationId));
  };
  const deleteRepoSub = async (ctx: RouteContext) => {
    const userId = callerOf(ctx).userId;
    const sub = notifications.subscriptions.find(userId, 'repo', repoParam(ctx));
    if (sub === undefined || sub.state !== 'subscribed' || !notifications.subscriptions.delete(userId, sub.id)) {
      throw new HttpError(404, 'not_found', 'No subscription for that repository.');
    }
    return { status: 204 };
  };
  const actionDoc = { 200: ActionResultSchema };
  return [
    plainRoute({
      method: 'GET',
      path: '/v1/inbox',
      auth: 'caller',
      doc: { summary: 'Attention items from the notification store, most urgent first (priority 1-5)', query: InboxQuerySchema, responses: { 200: InboxResponseSchema } },
      handler: async (ctx) => {
        const q = validate(InboxQuerySchema, queryOf(ctx));
        const stored = notifications.notifications.list(callerOf(ctx).userId, { limit: q.limit ?? 50 });
        const items = stored.map(inboxItem).sort((a, b) => a.priority - b.priority || b.updated_at.localeCompare(a.updated_at));
        // Check counts for the first PRs (one GitHub call each, in parallel); an item whose lookup
        // fails is still listed, without counts.
        const prs = items.filter((i) => i.number !== undefined && stored.find((n) => n.threadId === i.id)?.subjectType === 'PullRequest').slice(0, MAX_CHECK_LOOKUPS);
        await Promise.all(
          prs.map(async (i) => {
            try {
              const pr = await deps.github.getPullRequest(i.repo, i.number as number);
              i.checks_passed = pr.checks.passing;
              i.checks_failed = pr.checks.failing;
              i.checks_pending = pr.checks.pending;
              if (pr.checks.failing > 0 && i.priority > 2) i.priority = 2;
            } catch {
              /* listed without counts */
            }
          }),
        );
        items.sort((a, b) => a.priority - b.priority || b.updated_at.localeCompare(a.updated_at));
        return { status: 200, json: { items } };
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/actions/request-review',
      auth: 'caller',
      schema: RequestReviewActionSchema,
      idempotent: true,
      doc: { summary: 'Plan a review request (policy-gated); 409 confirmation_required with the token', responses: actionDoc },
      handler: async (ctx) => {
        const b = ctx.body;
        const r = await plan(ctx, { kind: 'pr.request_review', repo: b.repo, number: b.pr_number, reviewers: b.reviewers }, b.session_id);
        return r;
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/actions/merge',
      auth: 'caller',
      schema: MergeActionSchema,
      idempotent: true,
      doc: { summary: 'Plan a merge (policy-gated); 409 confirmation_required with the token and read-back', responses: actionDoc },
      handler: async (ctx) => {
        const b = ctx.body;
        return plan(ctx, { kind: 'pr.merge', repo: b.repo, number: b.pr_number, ...(b.merge_method ? { method: b.merge_method } : {}) }, b.session_id);
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/actions/rerun-checks',
      auth: 'caller',
      schema: RerunChecksActionSchema,
      idempotent: true,
      doc: { summary: "Plan a re-run of the PR's failed GitHub Actions jobs (policy-gated); 409 confirmation_required with the token and read-back", responses: actionDoc },
      handler: async (ctx) => {
        const b = ctx.body;
        return plan(ctx, { kind: 'pr.rerun_checks', repo: b.repo, number: b.pr_number }, b.session_id);
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/repos/subscriptions',
      auth: 'caller',
      schema: CreateRepoSubscriptionRequestSchema,
      doc: { summary: 'Subscribe to a repository\'s notifications', responses: { 201: RepoSubscriptionSchema, 200: RepoSubscriptionSchema } },
      handler: async (ctx) => {
        const { sub, created } = notifications.subscriptions.put(callerOf(ctx).userId, 'repo', ctx.body.repo_full_name.toLowerCase(), 'subscribed', deps.nowMs());
        return { status: created ? 201 : 200, json: repoSubscriptionView(sub) };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/repos/subscriptions',
      auth: 'caller',
      doc: { summary: 'The caller\'s repository subscriptions', responses: { 200: RepoSubscriptionListSchema } },
      handler: async (ctx) => ({
        status: 200,
        json: { subscriptions: notifications.subscriptions.list(callerOf(ctx).userId).filter((s) => s.scope === 'repo' && s.state === 'subscribed').map(repoSubscriptionView) },
      }),
    }),
    // owner/name as one URL-encoded segment (the twin's path parameter) or as two segments.
    plainRoute({ method: 'DELETE', path: '/v1/repos/subscriptions/:repo', auth: 'caller', doc: { summary: 'Unsubscribe (owner%2Fname)', responses: { 204: null } }, handler: deleteRepoSub }),
    plainRoute({ method: 'DELETE', path: '/v1/repos/subscriptions/:owner/:name', auth: 'caller', doc: { summary: 'Unsubscribe (owner/name)', responses: { 204: null } }, handler: deleteRepoSub }),
    jsonRoute({
      method: 'POST',
      path: '/v1/dev/audio',
      auth: 'caller',
      schema: DevAudioJsonRequestSchema,
      maxBodyBytes: MAX_DEV_AUDIO_JSON_BYTES,
      doc: { summary: 'Upload test audio as base64 (dev auth mode only); answers a uri for input.type audio', responses: { 201: DevAudioUploadResponseSchema, 200: DevAudioUploadResponseSchema } },
      handler: async (ctx) => {
        // Single-user local modes only (the per-install secret, or dev in tests): never for remote clients.
        if (deps.authMode !== 'dev' && deps.authMode !== 'local') throw new HttpError(403, 'forbidden', 'Test audio uploads are only available in local or dev auth mode.');
        const b64 = (ctx.body.audio_base64 ?? ctx.body.data_base64 ?? '').replace(/\s+/g, '');
        if (!BASE64.test(b64) || b64.length % 4 === 1) throw new HttpError(400, 'validation_failed', 'Invalid request: "audio_base64": not base64.');
        const { view, created } = await storeDevAudio(deps.devAudioDir, Buffer.from(b64, 'base64'), deps.nowMs());
        return { status: created ? 201 : 200, json: { ...view, uri: `${DEV_AUDIO_URI_PREFIX}${view.id}`, format: view.container, user_id: callerOf(ctx).userId } };
      },
    }),
  ];
}

export interface AudioRunnerDeps {
  runCommand(req: CommandRequest, caller: Caller): Promise<CommandResponse>;
  stt(): Promise<SpeechToText>;
  authMode: 'local' | 'dev' | 'api_key' | 'jwt';
  devAudioDir: string;
  fetch?: UriFetchDeps;
}

/** Seed-format audio commands: the bytes named by `uri` (see audioUri.ts) → STT → the pipeline. */
export function audioCommandRunner(deps: AudioRunnerDeps): AudioCommandRunner {
  return async (input: AudioInput, request, caller) => {
    let bytes: Uint8Array;
    if (input.uri.startsWith(DEV_AUDIO_URI_PREFIX)) {
      if (deps.authMode !== 'dev' && deps.authMode !== 'local') throw new AppError('uri_not_allowed', `${DEV_AUDIO_URI_PREFIX} URIs are only served in local or dev auth mode.`);
      const found = readDevAudio(deps.devAudioDir, input.uri.slice(DEV_AUDIO_URI_PREFIX.length));
      if (found === undefined) throw new HttpError(404, 'not_found', 'No uploaded test audio with that uri.');
      bytes = found;
    } else {
      bytes = await fetchAudioUrl(input.uri, deps.fetch);
    }
    const audio = await decodeUpload(bytes);
    const t = await (await deps.stt()).transcribe(audio);
    const text = t.text.trim();
    if (text === '') throw new HttpError(422, 'empty_command', "I didn't catch that: no command was heard in the audio.");
    // The transcript is this server's: a client's own number readings do not apply to it.
    const { number_alternatives: _theirs, ...theirContext } = request.client_context ?? {};
    const response = await deps.runCommand({ ...request, text, client_context: { ...theirContext, ...voiceClientContext(t.confidence, t.numberAlternatives) } }, caller);
    return { response, transcript: text, provider: t.provider };
  };
}

