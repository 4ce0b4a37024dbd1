/**
 * The built-in /v1 routes. Handlers only translate: validation, auth and rate limiting have
 * already happened in the dispatcher.
 */
import { z } from 'zod';
import {
  CreateApiKeyRequestSchema,
  type AppService,
  type Caller,
  type CommandRequest,
  type StatusResponse,
} from '../../contract/api.js';
import type { CommandResponse } from '../../contract/response.js';
import {
  ApiKeyListQuerySchema,
  ApiKeyListSchema,
  CommandResponseSchema,
  CreateApiKeyResponseSchema,
  HttpCommandRequestSchema,
  HttpTokenRequestSchema,
  MetricsResponseSchema,
  normalizeCommand,
  StatusResponseSchema,
  toSeedResponse,
  type AudioInput,
} from '../../contract/seedApi.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ApiKeyRepository } from '../../core/ports/store.js';
import { generateApiKey, newApiKeyId } from './auth.js';
import { validate } from './body.js';
import { HttpError } from './errorStatus.js';
import { callerOf, jsonRoute, plainRoute, queryOf, type RouteContext, type RouteSpec } from './router.js';
import { prometheusText, PROMETHEUS_CONTENT_TYPE, wantsPrometheus } from '../metrics/prometheus.js';

/**
 * Runs a seed-format audio command: fetch the audio named by `input.uri` (see main/seed/audioUri.ts),
 * transcribe it, run the transcript. `transcript`/`provider` feed the response's debug block.
 */
export type AudioCommandRunner = (
  input: AudioInput,
  request: Omit<CommandRequest, 'text'>,
  caller: Caller,
) => Promise<{ response: CommandResponse; transcript: string; provider: string }>;

export interface V1Deps {
  service: AppService;
  apiKeys: ApiKeyRepository;
  clock: Clock;
  /** Limit given to API keys created without rate_limit_per_min. */
  defaultKeyRatePerMin: number;
  authMode: 'local' | 'dev' | 'api_key' | 'jwt';
  audioCommand?: AudioCommandRunner;
  /** The generated OpenAPI document of every mounted route. */
  openapi(): unknown;
}

type SeedStatus = z.infer<typeof StatusResponseSchema>;
const RANK = { ok: 0, degraded: 1, unavailable: 2 } as const;

/** Today's status plus the seed's overall `status`, `timestamp` and `dependencies[]`. */
export function seedStatus(s: StatusResponse, nowMs: number): SeedStatus {
  const deps: SeedStatus['dependencies'] = [
    { name: 'store', status: s.store.ok ? 'ok' : 'degraded', ...(s.store.message !== null ? { message: s.store.message } : {}) },
    { name: 'github', status: s.github.ok ? 'ok' : 'unavailable', ...(s.github.error !== null ? { message: s.github.error } : {}) },
  ];
  if (s.speech !== undefined) {
    for (const [name, h] of Object.entries(s.speech)) {
      if (h !== undefined) deps.push({ name: `speech.${name}`, status: h.ok ? 'ok' : 'degraded', ...(h.message !== null ? { message: h.message } : {}) });
    }
  }
  // The app still answers (commands explain what is wrong) when a dependency is down: degraded, not unavailable.
  const worst = deps.reduce((w, d) => Math.max(w, RANK[d.status]), 0);
  return { status: worst === 0 ? 'ok' : 'degraded', timestamp: new Date(nowMs).toISOString(), dependencies: deps, ...s };
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


export function v1Routes(deps: V1Deps): RouteSpec[] {
  const { service, apiKeys, clock } = deps;
  const commandDoc = { 200: CommandResponseSchema };
  return [
    // 200 with the CommandResponse even when its status is 'error': a well-formed command the
    // pipeline could not carry out (PR not found, no context, ...) still has a spoken explanation
    // the client must play. Only transport failures are 4xx/5xx (see errorStatus.ts).
    jsonRoute({
      method: 'POST',
      path: '/v1/command',
      auth: 'caller',
      schema: HttpCommandRequestSchema,
      idempotent: true,
      doc: { summary: 'Run a command: the seed\'s {input, profile, client_context} or today\'s {text}', responses: commandDoc },
      handler: async (ctx) => {
        const n = normalizeCommand(ctx.body);
        const caller = callerOf(ctx);
        if (n.kind === 'text') {
          const r = await service.runCommand(n.request, caller);
          return { status: 200, json: toSeedResponse(r, { privacy: n.privacy, debug: n.debug, transcript: n.request.text }) };
        }
        if (deps.audioCommand === undefined) throw new HttpError(501, 'not_supported', 'Audio input is not available on this server.');
        const a = await deps.audioCommand(n.input, n.request, caller);
        return { status: 200, json: toSeedResponse(a.response, { privacy: n.privacy, debug: n.debug, transcript: a.transcript, provider: a.provider }) };
      },
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/commands/confirm',
      auth: 'caller',
      schema: HttpTokenRequestSchema,
      idempotent: true,
      doc: { summary: 'Confirm a pending action by its token', responses: commandDoc },
      // The channel label comes from the transport: a confirm over this API is 'api'. Clicks arrive
      // through the UI transport (IPC or /v1/ui/call) and voice through the voice loop; no header
      // can claim either.
      handler: async (ctx) => ({ status: 200, json: toSeedResponse(await service.confirm({ token: ctx.body.token }, callerOf(ctx), 'api')) }),
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/commands/cancel',
      auth: 'caller',
      schema: HttpTokenRequestSchema,
      idempotent: true,
      doc: { summary: 'Cancel a pending action by its token', responses: commandDoc },
      handler: async (ctx) => ({ status: 200, json: toSeedResponse(await service.cancel({ token: ctx.body.token }, callerOf(ctx))) }),
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/status',
      auth: 'caller',
      doc: { summary: 'Service status: overall status, timestamp and dependencies, with details', responses: { 200: StatusResponseSchema } },
      handler: async () => ({ status: 200, json: seedStatus(await service.status(), clock.nowMs()) }),
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/metrics',
      auth: 'caller',
      doc: { summary: 'Latency per stage and counters (JSON; Prometheus text with Accept: text/plain or ?format=prometheus)', responses: { 200: MetricsResponseSchema } },
      handler: async (ctx) => {
        if (!wantsPrometheus(queryOf(ctx), ctx.req.headers.accept)) return { status: 200, json: service.metrics() };
        return { status: 200, raw: { body: await prometheusText(service.metrics()), contentType: PROMETHEUS_CONTENT_TYPE } };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/openapi.json',
      // Like every /v1 route, behind the auth policy (issue 13): the loopback API answers nothing
      // to a client without the local secret.
      auth: 'caller',
      doc: { summary: 'This description (OpenAPI 3.1), generated from the zod schemas', responses: { 200: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }) } },
      handler: async () => ({ status: 200, json: deps.openapi() }),
    }),
    jsonRoute({
      method: 'POST',
      path: '/v1/admin/api-keys',
      auth: 'admin',
      schema: CreateApiKeyRequestSchema,
      doc: { summary: 'Create an API key (shown once)', responses: { 201: CreateApiKeyResponseSchema } },
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
      method: 'GET',
      path: '/v1/admin/api-keys',
      auth: 'admin',
      doc: { summary: 'List API keys (never the keys or their hashes)', query: ApiKeyListQuerySchema, responses: { 200: ApiKeyListSchema } },
      handler: async (ctx) => {
        const q = validate(ApiKeyListQuerySchema, queryOf(ctx));
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        const api_keys = apiKeys
          .list()
          .filter((k) => q.include_revoked === 'true' || k.revokedAtMs === null)
          .map((k) => ({ id: k.id, user_id: k.userId, name: k.name, label: k.name, rate_limit_per_min: k.rateLimitPerMin, created_at: iso(k.createdAtMs) as string, revoked_at: iso(k.revokedAtMs) }));
        return { status: 200, json: { api_keys } };
      },
    }),
    plainRoute({
      method: 'DELETE',
      path: '/v1/admin/api-keys/:id',
      auth: 'admin',
      doc: { summary: 'Revoke an API key', responses: { 204: null } },
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
