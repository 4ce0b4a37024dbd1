/**
 * The built-in /v1 routes. Handlers only translate: validation, auth and rate limiting have
 * already happened in the dispatcher.
 */
import {
  CommandRequestSchema,
  CreateApiKeyRequestSchema,
  TokenRequestSchema,
  type AppService,
} from '../../contract/api.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ApiKeyRepository } from '../../core/ports/store.js';
import { generateApiKey, newApiKeyId } from './auth.js';
import { HttpError } from './errorStatus.js';
import { callerOf, jsonRoute, plainRoute, type RouteContext, type RouteSpec } from './router.js';

export interface V1Deps {
  service: AppService;
  apiKeys: ApiKeyRepository;
  clock: Clock;
  /** Limit given to API keys created without rate_limit_per_min. */
  defaultKeyRatePerMin: number;
}

/** Response body of POST /v1/admin/api-keys. `key` appears here once and is never retrievable again. */
export interface CreateApiKeyResponse {
  id: string;
  key: string;
  name: string;
  user_id: string;
  rate_limit_per_min: number;
  created_at: string;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;


function confirmVia(ctx: RouteContext): 'click' | 'api' {
  const raw = ctx.req.headers['x-confirm-via'];
  if (raw === undefined) return 'api';
  const v = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase();
  if (v === 'click' || v === 'api') return v;
  // 'voice' is reserved for the in-process voice loop; the HTTP API cannot claim it.
  throw new HttpError(400, 'validation_failed', 'X-Confirm-Via header must be "click" or "api".');
}

export function v1Routes(deps: V1Deps): RouteSpec[] {
  const { service, apiKeys, clock } = deps;
  return [
    // 200 with the CommandResponse even when its status is 'error': a well-formed command the
    // pipeline could not carry out (PR not found, no context, ...) still has a spoken explanation
    // the client must play. Only transport failures are 4xx/5xx (see errorStatus.ts).
    jsonRoute({
      method: 'POST',
      path: '/v1/command',
      auth: 'caller',
      schema: CommandRequestSchema,
      handler: async (ctx) => ({ status: 200, json: await service.runCommand(ctx.body, callerOf(ctx)) }),
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/commands/confirm',
      auth: 'caller',
      schema: TokenRequestSchema,
      handler: async (ctx) => {
        const via = confirmVia(ctx);
        return { status: 200, json: await service.confirm(ctx.body, callerOf(ctx), via) };
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/commands/cancel',
      auth: 'caller',
      schema: TokenRequestSchema,
      handler: async (ctx) => ({ status: 200, json: await service.cancel(ctx.body, callerOf(ctx)) }),
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/status',
      auth: 'caller',
      handler: async () => ({ status: 200, json: await service.status() }),
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/metrics',
      auth: 'caller',
      handler: async () => ({ status: 200, json: service.metrics() }),
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/admin/api-keys',
      auth: 'admin',
      schema: CreateApiKeyRequestSchema,
      handler: async (ctx) => {
        const { key, hash } = generateApiKey();
        const createdAtMs = clock.nowMs();
        const rec = {
          id: newApiKeyId(),
          name: ctx.body.name,
          userId: ctx.body.user_id,
          hash,
          rateLimitPerMin: ctx.body.rate_limit_per_min ?? deps.defaultKeyRatePerMin,
          createdAtMs,
          revokedAtMs: null,
        };
        apiKeys.insert(rec);
        ctx.logger.info({ key_id: rec.id, user_id: rec.userId }, 'api key created');
        const json: CreateApiKeyResponse = {
          id: rec.id,
          key,
          name: rec.name,
          user_id: rec.userId,
          rate_limit_per_min: rec.rateLimitPerMin,
          created_at: new Date(createdAtMs).toISOString(),
        };
        return { status: 201, json };
      },
    }),
    plainRoute({
      method: 'DELETE',
      path: '/v1/admin/api-keys/:id',
      auth: 'admin',
      handler: async (ctx) => {
        const id = ctx.params['id'] ?? '';
        if (!KEY_ID_PATTERN.test(id) || !apiKeys.revoke(id, clock.nowMs())) {
          throw new HttpError(404, 'not_found', 'No active API key with that id.');
        }
        ctx.logger.info({ key_id: id }, 'api key revoked');
        return { status: 204 };
      },
    }),
  ];
}
