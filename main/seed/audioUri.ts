/**
 * Audio named by URI in a seed-format command (`input: {type: audio, uri}`), fetched safely:
 *
 * - `handsfree-dev-audio:<id>`: a file POST /v1/dev/audio stored (dev auth mode only). Never a path.
 * - `https://host/...`: resolved first; every address must be public (no loopback, private,
 *   link-local, CGNAT, multicast, ULA, ...), then the connection goes to the checked address
 *   (DNS is not asked again, so a rebinding answer cannot swap it), with TLS verified for the host
 *   name. A size cap (streamed), a deadline, and redirects only to https on the same host (each
 *   checked again, at most 3).
 * - anything else (file:, http:, data:, ...) is refused before any I/O.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../contract/errors.js';
import { DEV_AUDIO_URI_PREFIX } from '../../contract/seedApi.js';

/** Largest audio fetched from a URL, bytes. */
export const MAX_URI_AUDIO_BYTES = 10 * 1024 * 1024;
/** Whole fetch (connect, headers, body) must finish within this, ms. */
export const URI_FETCH_DEADLINE_MS = 10_000;
const MAX_REDIRECTS = 3;

// Separate lists: Node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too.
const blocked4 = new BlockList();
const blocked6 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked4.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked6.addSubnet(net, bits, 'ipv6');

/** True for an address a server must not be made to connect to (SSRF). */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    // IPv4-mapped (::ffff:a.b.c.d): judge the IPv4 address.
    const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (m) return isForbiddenAddress(m[1] as string);
    // Other embeddings of IPv4 (::a.b.c.d, ::ffff:hex) are refused outright.
    if (/^::(ffff:)?[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address) || /^::\d+\.\d+\.\d+\.\d+$/.test(address)) return true;
    return blocked6.check(address, 'ipv6');
  }
  return blocked4.check(address, 'ipv4');
}

function refuse(message: string): AppError {
  return new AppError('uri_not_allowed', message);
}

export interface UriFetchDeps {
  /** All addresses of a host name (default: the system resolver). */
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
  /** Connects to `address` for `url` (default: node:https with servername = host). Tests replace it. */
  get?: (url: URL, address: string, family: number, signal: AbortSignal) => Promise<UriResponse>;
  maxBytes?: number;
  deadlineMs?: number;
}

export interface UriResponse {
  status: number;
  location: string | undefined;
  contentLength: number | undefined;
  body: AsyncIterable<Uint8Array>;
  /** Stops the transfer (the rest is not read). */
  abort(): void;
}

/** The default connection: node:https to `address`, TLS verified for the URL's host name. */
export function httpsGet(url: URL, address: string, family: number, signal: AbortSignal): Promise<UriResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        protocol: 'https:',
        host: url.hostname,
        servername: isIP(url.hostname) === 0 ? url.hostname : undefined,
        port: url.port === '' ? 443 : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { 'user-agent': 'handsfree-dev-companion', accept: 'audio/*' },
        // Connect to the address we checked, not to whatever a second DNS answer says.
        // (Node asks with {all: true} when it races address families.)
        lookup: ((_h: string, o: { all?: boolean }, cb: (e: Error | null, a: string | { address: string; family: number }[], f?: number) => void) =>
          o.all === true ? cb(null, [{ address, family }]) : cb(null, address, family)) as never,
        signal,
      },
      (res) => {
        const len = res.headers['content-length'];
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          contentLength: len === undefined ? undefined : Number(len),
          body: res,
          abort: () => res.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function checkedAddress(url: URL, lookup: NonNullable<UriFetchDeps['lookup']>): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '' || /^localhost\.?$/i.test(host) || host.toLowerCase().endsWith('.localhost')) throw refuse(`Audio URL host "${host}" is a local name; only public https hosts are fetched.`);
  let addrs: { address: string; family: number }[];
  if (isIP(host) !== 0) addrs = [{ address: host, family: isIP(host) }];
  else {
    try {
      addrs = await lookup(host);
    } catch {
      throw new AppError('audio_fetch_failed', `Audio URL host "${host}" does not resolve.`);
    }
  }
  if (addrs.length === 0) throw new AppError('audio_fetch_failed', `Audio URL host "${host}" does not resolve.`);
  // Every answer must be public: otherwise the choice of address would be the attacker's.
  const bad = addrs.find((a) => isForbiddenAddress(a.address));
  if (bad !== undefined) throw refuse(`Audio URL host "${host}" resolves to a private, loopback or link-local address (${bad.address}); refused.`);
  return addrs[0] as { address: string; family: number };
}

/** Parses and checks a URI without any I/O: only https:// URLs without credentials. */
export function checkAudioUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw refuse('Audio uri is not a valid URL.');
  }
  if (url.protocol !== 'https:') throw refuse(`Audio uri scheme "${url.protocol}" is not allowed: use an https:// URL or a ${DEV_AUDIO_URI_PREFIX} URI from POST /v1/dev/audio.`);
  if (url.username !== '' || url.password !== '') throw refuse('Audio URL must not carry credentials.');
  return url;
}

/**
 * Fetches audio bytes from an https:// URL under the rules above.
 * @throws AppError uri_not_allowed (refused before connecting) or audio_fetch_failed.
 */
export async function fetchAudioUrl(uri: string, deps: UriFetchDeps = {}): Promise<Uint8Array> {
  const lookup = deps.lookup ?? ((h: string) => dnsLookup(h, { all: true, verbatim: true }));
  const get = deps.get ?? httpsGet;
  const maxBytes = deps.maxBytes ?? MAX_URI_AUDIO_BYTES;
  const signal = AbortSignal.timeout(deps.deadlineMs ?? URI_FETCH_DEADLINE_MS);
  let url = checkAudioUrl(uri);
  const origin = url.host;
  try {
    for (let hop = 0; ; hop++) {
      const { address, family } = await checkedAddress(url, lookup);
      const res = await get(url, address, family, signal);
      if (res.status >= 300 && res.status < 400) {
        res.abort();
        if (res.location === undefined) throw new AppError('audio_fetch_failed', `Audio URL answered ${res.status} without a Location.`);
        if (hop >= MAX_REDIRECTS) throw new AppError('audio_fetch_failed', `Audio URL redirected more than ${MAX_REDIRECTS} times.`);
        const next = checkAudioUrl(new URL(res.location, url).toString());
        if (next.host !== origin) throw refuse(`Audio URL redirected to another host (${next.host}); refused.`);
        url = next;
        continue;
      }
      if (res.status !== 200) {
        res.abort();
        throw new AppError('audio_fetch_failed', `Audio URL answered HTTP ${res.status}.`);
      }
      if (res.contentLength !== undefined && res.contentLength > maxBytes) {
        res.abort();
        throw new AppError('audio_fetch_failed', `Audio at the URL is larger than ${maxBytes} bytes.`);
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const c of res.body) {
        total += c.length;
        if (total > maxBytes) {
          res.abort();
          throw new AppError('audio_fetch_failed', `Audio at the URL is larger than ${maxBytes} bytes.`);
        }
        chunks.push(c);
      }
      return Buffer.concat(chunks);
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (signal.aborted) throw new AppError('audio_fetch_failed', `Fetching the audio URL took longer than ${deps.deadlineMs ?? URI_FETCH_DEADLINE_MS} ms.`);
    throw new AppError('audio_fetch_failed', `Fetching the audio URL failed: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}.`);
  }
}
