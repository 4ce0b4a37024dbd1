/** Calling a running `handsfree serve` for this data dir (found with main/server/serverInfo.ts). */
import { APP_ERROR_CODES, AppError } from '../../contract/errors.js';
import { ErrorBodySchema } from '../../contract/seedApi.js';
import type { AppConfig } from '../app/config.js';
import { readLocalSecret } from '../server/localSecret.js';
import type { ServerInfo } from '../server/serverInfo.js';

export { readServerInfo, type ServerInfo } from '../server/serverInfo.js';

/** Calls the server; a JSON error body becomes an AppError with its code. Timeout 35 s (a merge may take 30 s). */
export async function requestServer(info: ServerInfo, config: AppConfig, path: string, body: unknown): Promise<unknown> {
  const headers: Record<string, string> = {};
  // An API key / JWT from the environment wins; otherwise the per-install secret (mode 'local'),
  // which only this OS user can read. X-User-ID matters only to a server in dev mode (tests).
  const key = process.env['HANDSFREE_API_KEY'] ?? (config.authMode === 'local' ? readLocalSecret(config.dataDir) : null);
  if (key) headers['authorization'] = `Bearer ${key}`;
  if (config.authMode === 'dev') headers['x-user-id'] = config.user;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(new URL(path, info.url), {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(35_000),
    });
  } catch (e) {
    throw new AppError('internal', `Could not reach the running server at ${info.url}: ${(e as Error).message}`);
  }
  const json = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    // The one error body (contract/seedApi.ts errorBody): {error: code, code, message, details}.
    const body = ErrorBodySchema.safeParse(json);
    const code = body.success ? body.data.code : undefined;
    const known = code && (APP_ERROR_CODES as readonly string[]).includes(code) ? (code as AppError['code']) : 'internal';
    throw new AppError(known, body.success ? body.data.message : `Server answered ${res.status}.`, body.success ? body.data.details : undefined);
  }
  return json;
}
