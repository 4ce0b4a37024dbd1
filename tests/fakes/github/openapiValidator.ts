/**
 * Validates response bodies against GitHub's official OpenAPI description
 * (@octokit/openapi generated/api.github.com.json, OpenAPI 3.0.3).
 *
 * The spec is read once per process (a slimmed copy is cached in the OS temp dir); validators are
 * compiled lazily per operation + status and cached. OpenAPI 3.0 specifics: `nullable: true` is rewritten to
 * `anyOf: [{type: 'null'}, …]` (ajv's own `nullable` support rejects it without `type`, which the
 * spec has ~130 times); `discriminator`, `example` and other annotations are ignored (strict off).
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, JsonObject> }>>;
  components: { schemas: Record<string, Json>; responses: Record<string, JsonObject> };
}

export interface ResponseValidator {
  /**
   * Checks a response the fake is about to send. `pathTemplate` is the spec's path key
   * (e.g. "/repos/{owner}/{repo}/pulls/{pull_number}"). Returns null when valid, else a description.
   */
  validate(method: string, pathTemplate: string, status: number, body: unknown): string | null;
  /** The operationId for a method + path template (throws if the spec has no such operation). */
  operationId(method: string, pathTemplate: string): string;
}

let singleton: ResponseValidator | null = null;

/** The process-wide validator (spec loaded on first use). */
export function gitHubResponseValidator(): ResponseValidator {
  singleton ??= createValidator();
  return singleton;
}

export function gitHubOpenApiPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
}

/**
 * The parts the validator needs (every operation's responses, components.schemas/responses) with
 * `nullable` already rewritten: ~5 MB instead of 13 MB. Cached in the OS temp dir, keyed by the
 * spec file's size and mtime, so later test processes skip most of the parse.
 */
function loadSpecSubset(): OpenApiDoc {
  const specPath = gitHubOpenApiPath();
  const st = statSync(specPath);
  const cachePath = join(tmpdir(), `handsfree-github-openapi-${st.size}-${Math.round(st.mtimeMs)}.json`);
  try {
    return JSON.parse(readFileSync(cachePath, 'utf8')) as OpenApiDoc;
  } catch {
    // no cache yet (or unreadable): build it
  }
  const full = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApiDoc;
  if (!full.openapi.startsWith('3.0')) throw new Error(`expected an OpenAPI 3.0 document, got ${full.openapi}`);
  const paths: OpenApiDoc['paths'] = {};
  for (const [p, ops] of Object.entries(full.paths)) {
    paths[p] = {};
    for (const [m, op] of Object.entries(ops)) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      const slim: { operationId?: string; responses?: Record<string, JsonObject> } = {
        responses: rewriteNullable((op.responses ?? {}) as Json) as Record<string, JsonObject>,
      };
      if (op.operationId !== undefined) slim.operationId = op.operationId;
      paths[p][m] = slim;
    }
  }
  const subset: OpenApiDoc = {
    openapi: full.openapi,
    paths,
    components: {
      schemas: rewriteNullable(full.components.schemas as Json, true) as Record<string, Json>,
      responses: rewriteNullable(full.components.responses as Json, true) as Record<string, JsonObject>,
    },
  };
  try {
    const tmp = `${cachePath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(subset));
    renameSync(tmp, cachePath);
  } catch {
    // caching is an optimisation only
  }
  return subset;
}

function createValidator(): ResponseValidator {
  const doc = loadSpecSubset();
  const schemas = doc.components.schemas;

  // ajv-formats is CJS; under NodeNext its default export is the module object or the function.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: false, logger: false, inlineRefs: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'gh', components: { schemas } } as unknown as Record<string, unknown>);

  const cache = new Map<string, ValidateFunction | 'no-content'>();

  function operation(method: string, pathTemplate: string) {
    const op = doc.paths[pathTemplate]?.[method.toLowerCase()];
    if (!op) throw new Error(`GitHub's OpenAPI description has no operation ${method.toUpperCase()} ${pathTemplate}`);
    return op;
  }

  function responseSchema(method: string, pathTemplate: string, status: number): Json | 'no-content' | 'undocumented' {
    const responses = operation(method, pathTemplate).responses ?? {};
    let r: JsonObject | undefined = responses[String(status)] ?? responses['default'];
    if (r && typeof r['$ref'] === 'string') {
      const name = r['$ref'].replace('#/components/responses/', '');
      r = doc.components.responses[name];
    }
    if (!r) return 'undocumented';
    const content = r['content'] as JsonObject | undefined;
    const media = content?.['application/json'] as JsonObject | undefined;
    return media?.['schema'] ?? 'no-content';
  }

  function compiled(method: string, pathTemplate: string, status: number): ValidateFunction | 'no-content' {
    const key = `${method.toUpperCase()} ${pathTemplate} ${status}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let schema = responseSchema(method, pathTemplate, status);
    if (schema === 'undocumented' || (schema === 'no-content' && status >= 400)) {
      if (status < 400) throw new Error(`${key}: status ${status} is not documented for this operation`);
      // Error statuses the operation does not list (or lists without a body): GitHub sends basic-error.
      schema = status === 422 ? { $ref: '#/components/schemas/validation-error' } : { $ref: '#/components/schemas/basic-error' };
    }
    const fn = schema === 'no-content' ? 'no-content' : ajv.compile(rebaseRefs(schema) as Record<string, unknown>);
    cache.set(key, fn);
    return fn;
  }

  return {
    operationId(method, pathTemplate) {
      return operation(method, pathTemplate).operationId ?? `${method} ${pathTemplate}`;
    },
    validate(method, pathTemplate, status, body) {
      let v: ValidateFunction | 'no-content';
      try {
        v = compiled(method, pathTemplate, status);
      } catch (e) {
        return (e as Error).message;
      }
      if (v === 'no-content') {
        return body === undefined ? null : `${method.toUpperCase()} ${pathTemplate} ${status}: the spec documents no body, but one was sent`;
      }
      if (body === undefined) return `${method.toUpperCase()} ${pathTemplate} ${status}: the spec documents a JSON body, but none was sent`;
      if (v(body)) return null;
      const errs = (v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${e.params ? JSON.stringify(e.params) : ''}`.trim());
      return `${method.toUpperCase()} ${pathTemplate} ${status} does not match GitHub's OpenAPI schema: ${errs.join('; ')}`;
    },
  };
}

/** OpenAPI 3.0 `nullable: true` → JSON Schema `anyOf: [{type: 'null'}, schema]`, recursively. */
function rewriteNullable(node: Json, isNameMap = false): Json {
  if (Array.isArray(node)) return node.map((n) => rewriteNullable(n));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (isNameMap) {
      // Keys of `properties` (and of the schemas map) are names, not keywords.
      out[k] = rewriteNullable(v);
      continue;
    }
    if (k === 'example' || k === 'examples') continue;
    out[k] = rewriteNullable(v, k === 'properties' || k === 'patternProperties');
  }
  if (isNameMap) return out;
  if (out['nullable'] === true) {
    delete out['nullable'];
    return { anyOf: [{ type: 'null' }, out] };
  }
  if (out['nullable'] === false) delete out['nullable'];
  return out;
}

/** "#/components/…" → "gh#/components/…" so operation schemas resolve into the registered document. */
function rebaseRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(rebaseRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `gh${v}` : rebaseRefs(v);
  }
  return out;
}
