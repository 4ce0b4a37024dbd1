import { HttpError } from './errorStatus.js';
import type { RouteContext } from './router.js';

/** A path parameter matching `re` (percent-decoded), else 404 "No <what> with that id." */
export function param(ctx: RouteContext, name: string, re: RegExp, what: string): string {
  let v: string;
  try {
    v = decodeURIComponent(ctx.params[name] ?? '');
  } catch {
    throw new HttpError(404, 'not_found', `No ${what} with that id.`);
  }
  if (!re.test(v)) throw new HttpError(404, 'not_found', `No ${what} with that id.`);
  return v;
}
