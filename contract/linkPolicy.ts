/**
 * Navigation and external-link policy as pure functions, used by the Electron shell
 * (will-navigate, setWindowOpenHandler, shell.openExternal) and the renderer's link handler.
 */

/** WHATWG URL: present in Node, browsers and Electron; contract/ has no DOM or Node lib, so declare the slice used. */
interface ParsedUrl { protocol: string; hostname: string; port: string; username: string; password: string; origin: string; pathname: string }
const parseUrl = (input: string): ParsedUrl => new (globalThis as unknown as { URL: new (s: string) => ParsedUrl }).URL(input);

/** A DNS host name (lowercase, dotted, letters in the last label): no IP literal, no localhost, no port. */
const HOST_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Whether `host` may be configured as the GitHub Enterprise web host. */
export function isValidGitHubHost(host: string): boolean {
  return HOST_RE.test(host) && host !== 'github.com';
}

/**
 * The web root that goes with a REST root: https://api.github.com (or none) → https://github.com;
 * GitHub Enterprise Server https://HOST/api/v3 → https://HOST; GHE.com https://api.SUB.ghe.com →
 * https://SUB.ghe.com; anything else (a test fake) → its origin.
 */
export function githubWebBaseUrl(apiUrl: string | undefined): string {
  if (apiUrl === undefined) return 'https://github.com';
  let u: ParsedUrl;
  try {
    u = parseUrl(apiUrl);
  } catch {
    return 'https://github.com';
  }
  if (u.hostname === 'api.github.com') return 'https://github.com';
  if (u.hostname.startsWith('api.') && u.hostname.endsWith('.ghe.com')) return `${u.protocol}//${u.hostname.slice(4)}${u.port ? `:${u.port}` : ''}`;
  return u.origin;
}

/** The Enterprise web host a REST root implies, when it is an https DNS host other than github.com; else null. */
export function enterpriseHostOf(apiUrl: string | undefined): string | null {
  if (apiUrl === undefined) return null;
  let u: ParsedUrl;
  try {
    u = parseUrl(githubWebBaseUrl(apiUrl));
  } catch {
    return null;
  }
  return u.protocol === 'https:' && u.port === '' && isValidGitHubHost(u.hostname) ? u.hostname : null;
}

/** The configured Enterprise host (process-wide: main sets it from config, the renderer from settings). */
let enterpriseHost: string | null = null;

/**
 * Allows https links to one GitHub Enterprise host besides github.com (null: github.com only).
 * @throws Error when `host` is not a valid DNS host name.
 */
export function setAllowedGitHubHost(host: string | null): void {
  if (host !== null && !isValidGitHubHost(host)) throw new Error(`Not a GitHub Enterprise host name: ${host.slice(0, 80)}`);
  enterpriseHost = host;
}

export function allowedGitHubHost(): string | null {
  return enterpriseHost;
}

/**
 * Only https://github.com/... or https://<the configured Enterprise host>/... (exact host, default
 * port, no credentials) may be opened externally.
 */
export function isAllowedExternalUrl(raw: string, extraHost: string | null = enterpriseHost): boolean {
  let u: ParsedUrl;
  try {
    u = parseUrl(raw);
  } catch {
    return false;
  }
  const hostOk = u.hostname === 'github.com' || (extraHost !== null && u.hostname === extraHost);
  return u.protocol === 'https:' && hostOk && u.port === '' && u.username === '' && u.password === '';
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
