/**
 * HTTP routes for notifications, subscriptions, agent tasks and the GitHub webhook, added to the
 * server through `extraRoutes` so they get the same Host/Origin checks, auth, rate limit, body
 * limits and `{error, code, message, details}` (contract/seedApi.ts errorBody) shape as the built-in /v1 routes.
 */
import {
  CreateSubscriptionRequestSchema,
  DelegateRequestSchema,
  NotificationListQuerySchema,
  UpdateSubscriptionRequestSchema,
} from '../../contract/api.js';
import { z } from 'zod';
import { AgentTaskViewSchema, CommandResponseSchema, NotificationViewSchema, SubscriptionViewSchema, toSeedResponse } from '../../contract/seedApi.js';
import type { AgentService } from '../agent/agentService.js';
import type { App } from '../app/app.js';
import { toTaskView } from '../agent/agentTaskStore.js';
import type { CommandPipeline } from '../../core/pipeline/commandPipeline.js';
import { validate } from '../server/body.js';
import { HttpError } from '../server/errorStatus.js';
import { callerOf, jsonRoute, plainRoute, queryOf, type RouteContext, type RouteSpec } from '../server/router.js';
import { toSubscriptionView, toView, type NotificationCenter } from './notificationCenter.js';
import { MAX_WEBHOOK_BODY_BYTES, type WebhookReceiver } from './webhookReceiver.js';

export interface NotificationRouteDeps {
  notifications: NotificationCenter;
  agent: AgentService;
  webhooks: WebhookReceiver;
  pipeline: Pick<CommandPipeline, 'delegate'>;
  nowMs: () => number;
}

const THREAD_ID = /^[A-Za-z0-9_:#@./-]{1,300}$/;
const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;



function param(ctx: RouteContext, name: string, re: RegExp, what: string): string {
  let v: string;
  try {
    v = decodeURIComponent(ctx.params[name] ?? '');
  } catch {
    throw new HttpError(404, 'not_found', `No ${what} with that id.`);
  }
  if (!re.test(v)) throw new HttpError(404, 'not_found', `No ${what} with that id.`);
  return v;
}

function subscriptionId(ctx: RouteContext): number {
  const raw = ctx.params['id'] ?? '';
  if (!/^[0-9]{1,12}$/.test(raw)) throw new HttpError(404, 'not_found', 'No subscription with that id.');
  return Number(raw);
}

/** The notification, webhook and agent routes of a running app: every transport that serves the API mounts these. */
export function appNotificationRoutes(app: App): RouteSpec[] {
  return notificationRoutes({ notifications: app.notifications, agent: app.agent, webhooks: app.webhooks, pipeline: app.pipeline, nowMs: () => Date.now() });
}

export function notificationRoutes(deps: NotificationRouteDeps): RouteSpec[] {
  const { notifications, agent, webhooks } = deps;
  return [
    plainRoute({
      method: 'GET',
      path: '/v1/notifications',
      auth: 'caller',
      doc: { summary: 'Stored notifications', query: NotificationListQuerySchema, responses: { 200: z.strictObject({ items: z.array(NotificationViewSchema) }) } },
      handler: async (ctx) => {
        const q = validate(NotificationListQuerySchema, queryOf(ctx));
        const items = notifications.notifications.list(callerOf(ctx).userId, {
          unreadOnly: q.unread === 'true',
          ...(q.repo ? { repo: q.repo } : {}),
          limit: q.limit ?? 50,
        });
        return { status: 200, json: { items: items.map(toView) } };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/notifications/:id',
      auth: 'caller',
      doc: { summary: 'One notification', responses: { 200: NotificationViewSchema } },
      handler: async (ctx) => {
        const id = param(ctx, 'id', THREAD_ID, 'notification');
        const n = notifications.notifications.get(callerOf(ctx).userId, id);
        if (!n) throw new HttpError(404, 'not_found', 'No notification with that id.');
        return { status: 200, json: toView(n) };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/subscriptions',
      auth: 'caller',
      doc: { summary: 'Thread and repo subscriptions', responses: { 200: z.strictObject({ items: z.array(SubscriptionViewSchema) }) } },
      handler: async (ctx) => ({ status: 200, json: { items: notifications.subscriptions.list(callerOf(ctx).userId).map(toSubscriptionView) } }),
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/subscriptions',
      auth: 'caller',
      doc: { summary: 'Create or update a subscription', responses: { 201: SubscriptionViewSchema, 200: SubscriptionViewSchema } },
      schema: CreateSubscriptionRequestSchema,
      handler: async (ctx) => {
        const target = ctx.body.scope === 'repo' ? ctx.body.target.toLowerCase() : ctx.body.target;
        const { sub, created } = notifications.subscriptions.put(callerOf(ctx).userId, ctx.body.scope, target, ctx.body.state, deps.nowMs());
        return { status: created ? 201 : 200, json: toSubscriptionView(sub) };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/subscriptions/:id',
      auth: 'caller',
      doc: { summary: 'One subscription', responses: { 200: SubscriptionViewSchema } },
      handler: async (ctx) => {
        const s = notifications.subscriptions.get(callerOf(ctx).userId, subscriptionId(ctx));
        if (!s) throw new HttpError(404, 'not_found', 'No subscription with that id.');
        return { status: 200, json: toSubscriptionView(s) };
      },
    }),
    jsonRoute({
      method: 'PATCH',
      path: '/v1/subscriptions/:id',
      auth: 'caller',
      doc: { summary: 'Change a subscription state', responses: { 200: SubscriptionViewSchema } },
      schema: UpdateSubscriptionRequestSchema,
      handler: async (ctx) => {
        const s = notifications.subscriptions.update(callerOf(ctx).userId, subscriptionId(ctx), ctx.body.state, deps.nowMs());
        if (!s) throw new HttpError(404, 'not_found', 'No subscription with that id.');
        return { status: 200, json: toSubscriptionView(s) };
      },
    }),
    plainRoute({
      method: 'DELETE',
      path: '/v1/subscriptions/:id',
      auth: 'caller',
      doc: { summary: 'Delete a subscription', responses: { 204: null } },
      handler: async (ctx) => {
        if (!notifications.subscriptions.delete(callerOf(ctx).userId, subscriptionId(ctx))) throw new HttpError(404, 'not_found', 'No subscription with that id.');
        return { status: 204 };
      },
    }),
    // Plans the delegation (read-back + pending action); confirm with POST /v1/commands/confirm.
    jsonRoute({
      method: 'POST',
      path: '/v1/agent/delegate',
      auth: 'caller',
      doc: { summary: 'Plan a delegation to an agent (confirm with /v1/commands/confirm)', responses: { 200: CommandResponseSchema } },
      schema: DelegateRequestSchema,
      handler: async (ctx) => {
        const c = callerOf(ctx);
        const req = { repo: ctx.body.repo, issue: ctx.body.issue, ...(ctx.body.instruction ? { instruction: ctx.body.instruction } : {}) };
        return { status: 200, json: toSeedResponse(await deps.pipeline.delegate(req, c.userId, ctx.body.session_id, c.correlationId)) };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/agent/tasks',
      auth: 'caller',
      doc: { summary: 'The caller\'s agent tasks', responses: { 200: z.strictObject({ items: z.array(AgentTaskViewSchema) }) } },
      handler: async (ctx) => ({ status: 200, json: { items: agent.tasks.list({ userId: callerOf(ctx).userId, limit: 100 }).map(toTaskView) } }),
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/agent/tasks/:id',
      auth: 'caller',
      doc: { summary: 'One agent task', responses: { 200: AgentTaskViewSchema } },
      handler: async (ctx) => {
        const id = param(ctx, 'id', TASK_ID, 'agent task');
        const t = agent.tasks.get(id);
        if (!t || t.userId !== callerOf(ctx).userId) throw new HttpError(404, 'not_found', 'No agent task with that id.');
        return { status: 200, json: toTaskView(t) };
      },
    }),
    // Authenticated by its HMAC signature, not by API key: GitHub (or a relay) cannot send ours.
    {
      method: 'POST',
      path: '/webhooks/github',
      auth: 'none',
      doc: { summary: 'GitHub webhook (HMAC-signed)', responses: { 200: z.looseObject({}), 202: z.looseObject({}) } },
      body: { kind: 'raw', contentTypes: ['application/json'] },
      maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
      handler: async (ctx) => {
        const r = await webhooks.receive({ headers: ctx.req.headers, body: Buffer.from(ctx.body as Uint8Array) });
        return { status: r.status, json: r.json };
      },
    },
  ];
}
