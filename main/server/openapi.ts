/**
 * /v1/openapi.json: an OpenAPI 3.1 description generated from the mounted routes themselves (their
 * request zod schemas and the response schemas in RouteSpec.doc), so it cannot drift from what
 * the server validates and answers. zod 4's z.toJSONSchema does the schema conversion.
 */
import { z } from 'zod';
import { ErrorBodySchema } from '../../contract/seedApi.js';
import type { RouteSpec } from './router.js';

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const j = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete j['$schema'];
  return j;
}

/** "/v1/x/:id" → "/v1/x/{id}"; a final "*" → "{path}". */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*$/, '/{path}');
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };

function operation(spec: RouteSpec): Json {
  const doc = spec.doc;
  const params: Json[] = [...spec.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (spec.path.endsWith('/*')) params.push({ name: 'path', in: 'path', required: true, schema: { type: 'string' } });
  if (doc?.query !== undefined) {
    const q = schemaOf(doc.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema });
  }
  const op: Json = { summary: doc?.summary ?? `${spec.method} ${spec.path}`, operationId: `${spec.method.toLowerCase()}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}` };
  if (params.length > 0) op['parameters'] = params;
  if (spec.body.kind === 'json') {
    op['requestBody'] = { required: true, content: { 'application/json': { schema: schemaOf(spec.body.schema, 'input') } } };
  } else if (spec.body.kind === 'raw') {
    op['requestBody'] = { required: true, content: Object.fromEntries(spec.body.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) };
  }
  const responses: Json = {};
  for (const [status, s] of Object.entries(doc?.responses ?? {})) {
    if (s === null) responses[status] = { description: 'No content' };
    else if (s === 'binary') responses[status] = { description: 'Bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
    else responses[status] = { description: 'OK', content: { 'application/json': { schema: schemaOf(s, 'output') } } };
  }
  responses['default'] = { description: 'Error: {error, code, message, details}', content: { 'application/json': { schema: ERROR_REF } } };
  op['responses'] = responses;
  if (spec.auth === 'caller') op['security'] = [{ apiKey: [] }, { devUser: [] }];
  else if (spec.auth === 'admin') op['security'] = [{ adminToken: [] }];
  // The pairing exchange: no credential yet, the body's one-time code is it.
  else if (spec.auth === 'pairing') op['security'] = [];
  else op['security'] = [];
  if (spec.idempotent === true) op['x-idempotent'] = true;
  if (spec.loopbackOnly === true || spec.auth === 'admin') op['x-loopback-only'] = true;
  return op;
}

/** The OpenAPI 3.1 document of `specs` (every /v1 route; others are left out). */
export function buildOpenApi(specs: readonly RouteSpec[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!spec.path.startsWith('/v1/')) continue;
    const p = openApiPath(spec.path);
    const m = spec.method.toLowerCase();
    const item = (paths[p] ??= {});
    const id = `${m} ${p}`;
    if (seen.has(id)) {
      // Same method and path by media type (POST /v1/command as JSON or audio): one operation, both bodies.
      const op = item[m] as { requestBody?: { content: Json }; responses: Json };
      const extra = operation(spec) as { requestBody?: { content: Json }; responses: Json };
      if (op.requestBody && extra.requestBody) op.requestBody.content = { ...op.requestBody.content, ...extra.requestBody.content };
      for (const [k, v] of Object.entries(extra.responses)) {
        if (!(k in op.responses)) op.responses[k] = v;
        else if (k !== 'default') {
          // Two JSON schemas for one status: either may answer.
          const a = (op.responses[k] as { content?: Record<string, { schema: Json }> }).content;
          const b = (v as { content?: Record<string, { schema: Json }> }).content;
          for (const [t, c] of Object.entries(b ?? {})) {
            if (a?.[t]) a[t] = { schema: { anyOf: [a[t].schema, c.schema] } };
            else if (a) a[t] = c;
          }
        }
      }
      continue;
    }
    seen.add(id);
    item[m] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'HandsFree Dev Companion API',
      version: '1',
      description:
        'The seed contract (text or audio commands, confirmations, inbox, actions, subscriptions, admin keys) beside this app\'s own routes. ' +
        'Errors: {error, code, message, details}; `error` and `code` carry the machine code. Routes marked x-idempotent honour idempotency_key ' +
        '(or the Idempotency-Key header) for 24 h per user: a retry answers the first response; the key with another body is a 409 idempotency_conflict. ' +
        'LAN mode (handsfree serve --lan): the same routes over TLS on the LAN address (self-signed; pin the fingerprint from the pairing QR), every request with an API key; ' +
        'a phone gets one by POSTing the one-time pairing code to /v1/pairing. Admin and x-loopback-only routes are not served there.',
    },
    paths,
    components: {
      schemas: { Error: schemaOf(ErrorBodySchema, 'output') },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'auth mode api_key: Authorization: Bearer <key> (or X-API-Key)' },
        devUser: { type: 'apiKey', in: 'header', name: 'X-User-ID', description: 'auth mode dev: the caller names itself' },
        adminToken: { type: 'apiKey', in: 'header', name: 'X-Admin-Token' },
      },
    },
  };
}
