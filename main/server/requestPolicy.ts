/**
 * Pure request-policy functions for the loopback API (tested directly): which addresses we may
 * bind, which Host headers we answer (DNS-rebinding defence) and which browser origins may call us
 * (CSRF defence). A page on evil.example that rebinds its name to 127.0.0.1 still sends
 * `Host: evil.example:<port>`; a cross-site fetch/form always carries `Origin` (POST) or
 * `Sec-Fetch-Site: cross-site`.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** True for an IP literal in 127.0.0.0/8 or ::1. Names (even "localhost") are refused: they resolve. */
export function isLoopbackAddress(host: string): boolean {
  if (isIPv4(host)) return host.split('.')[0] === '127';
  if (isIPv6(host)) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** The Host header values (lowercase) a client reaching `bindHost:port` may legitimately send. */
export function allowedHostHeaders(bindHost: string, port: number): ReadonlySet<string> {
  // bindHost is a checked loopback literal (isLoopbackAddress), so a colon means IPv6; node:net's
  // isIPv6 would compile its large regex at start-up (~35 ms) just for this.
  const v6 = bindHost.includes(':');
  const names = new Set<string>(['localhost', v6 ? `[${bindHost}]` : bindHost]);
  if (v6) names.add('[::1]');
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n}:${port}`);
    // Browsers and curl omit the default port.
    if (port === 80) out.add(n);
  }
  return out;
}

export function isAllowedHost(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (hostHeader === undefined) return false;
  return allowed.has(hostHeader.trim().toLowerCase());
}

/**
 * Canonical form of a configured allowed origin ("http://127.0.0.1:4123"); throws on anything that
 * is not a plain http(s) origin, so a typo cannot silently widen the allow-list.
 */
export function canonicalOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error(`allowedOrigins: "${origin}" is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.replace(/\/$/, '').toLowerCase()) {
    throw new Error(`allowedOrigins: "${origin}" must be a bare origin like http://127.0.0.1:4123`);
  }
  return url.origin;
}

export type OriginVerdict = { ok: true; corsOrigin: string | null } | { ok: false; reason: string };

/**
 * Browser-origin policy. A request with an `Origin` header passes only when that origin is in the
 * allow-list (it then gets CORS headers). Without `Origin`, a `Sec-Fetch-Site` of cross-site or
 * same-site (another localhost port counts as same-site) is refused too: that is a no-cors
 * subresource load (img/script) from some other page. Non-browser clients send neither header.
 */
export function checkOrigin(
  origin: string | undefined,
  secFetchSite: string | undefined,
  allowedOrigins: ReadonlySet<string>,
): OriginVerdict {
  if (origin !== undefined) {
    const o = origin.trim().toLowerCase();
    if (allowedOrigins.has(o)) return { ok: true, corsOrigin: o };
    return { ok: false, reason: 'requests from browser origins are not accepted' };
  }
  const site = secFetchSite?.trim().toLowerCase();
  if (site === 'cross-site' || site === 'same-site') {
    return { ok: false, reason: 'cross-site browser requests are not accepted' };
  }
  return { ok: true, corsOrigin: null };
}
