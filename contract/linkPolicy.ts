/**
 * Navigation and external-link policy as pure functions, used by the Electron shell
 * (will-navigate, setWindowOpenHandler, shell.openExternal) and the renderer's link handler.
 */

/** WHATWG URL: present in Node, browsers and Electron; contract/ has no DOM or Node lib, so declare the slice used. */
interface ParsedUrl { protocol: string; hostname: string; port: string; username: string; password: string; origin: string; pathname: string }
const parseUrl = (input: string): ParsedUrl => new (globalThis as unknown as { URL: new (s: string) => ParsedUrl }).URL(input);

/** Only https://github.com/... (exact host, default port, no credentials) may be opened externally. */
export function isAllowedExternalUrl(raw: string): boolean {
  let u: ParsedUrl;
  try {
    u = parseUrl(raw);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && u.hostname === 'github.com' && u.port === '' && u.username === '' && u.password === '';
}

/**
 * The app window may only stay on its own page: for the file:// bundle, exactly the app's
 * index.html (`appOrigin` is its file URL; any other local file, e.g. a downloaded HTML page, is
 * refused: a file: origin is opaque, so "same origin" would let every local file in); for the
 * loopback UI, its origin.
 */
export function isAllowedNavigation(target: string, appOrigin: string): boolean {
  let u: ParsedUrl;
  let app: ParsedUrl;
  try {
    u = parseUrl(target);
    app = parseUrl(appOrigin);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return u.protocol === 'file:' && u.hostname === '' && app.hostname === '' && app.pathname !== '/' && u.pathname === app.pathname;
  return u.origin === app.origin && u.origin !== 'null';
}

/** Permission requests from the renderer: none are granted (audio goes through the native add-on). */
export function isAllowedPermission(_permission: string): boolean {
  return false;
}
