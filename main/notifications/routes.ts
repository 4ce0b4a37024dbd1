/**
 * HTTP routes for notifications, subscriptions and the GitHub webhook, added to the
 * server through `extraRoutes` so they get the same Host/Origin checks, auth, rate limit, body
 * limits and `{error, code, message, details}` (contract/seedApi.ts errorBody) shape as the built-in /v1 routes.
 */
import { CreateSubscriptionRequestSchema, NotificationListQuerySchema, UpdateSubscriptionRequestSchema } from '../../contract/api.js';
import { z } from 'zod';
import { NotificationViewSchema, SubscriptionViewSchema } from '../../contract/seedApi.js';
import { validate } from '../server/body.js';
import { HttpError } from '../server/errorStatus.js';
import { param } from '../server/params.js';
import { callerOf, jsonRoute, plainRoute, queryOf, type RouteContext, type RouteSpec } from '../server/router.js';
import { toSubscriptionView, toView, type NotificationCenter } from './notificationCenter.js';
import { MAX_WEBHOOK_BODY_BYTES, type WebhookReceiver } from './webhookReceiver.js';

export interface NotificationRouteDeps {
  notifications: NotificationCenter;
  webhooks: WebhookReceiver;
  nowMs: () => number;
}

const THREAD_ID = /^[A-Za-z0-9_:#@./-]{1,300}$/;

function subscriptionId(ctx: RouteContext): number {
  const raw = ctx.params['id'] ?? '';
  if (!/^[0-9]{1,12}$/.test(raw)) throw new HttpError(404, 'not_found', 'No subscription with that id.');
  return Number(raw);
}

export function notificationRoutes(deps: NotificationRouteDeps): RouteSpec[] {
  const { notifications, webhooks } = deps;
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
