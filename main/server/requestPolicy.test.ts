import { describe, expect, it } from 'vitest';
import { allowedHostHeaders, canonicalOrigin, checkOrigin, isAllowedHost, isLoopbackAddress } from './requestPolicy.js';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1'])('accepts %s', (h) => expect(isLoopbackAddress(h)).toBe(true));
  it.each(['0.0.0.0', '::', 'localhost', '192.168.1.2', '10.0.0.1', '::ffff:127.0.0.1', '', '128.0.0.1', 'example.com'])(
    'refuses %s',
    (h) => expect(isLoopbackAddress(h)).toBe(false),
  );
});

describe('Host header policy', () => {
  const allowed = allowedHostHeaders('127.0.0.1', 4123);
  it.each(['127.0.0.1:4123', 'localhost:4123', 'LOCALHOST:4123', ' localhost:4123 '])('accepts %s', (h) =>
    expect(isAllowedHost(h, allowed)).toBe(true),
  );
  it.each([
    undefined,
    '',
    'evil.example:4123',
    'evil.example',
    '127.0.0.1',
    '127.0.0.1:4124',
    'localhost',
    'localhost.evil.example:4123',
    '[::1]:4123',
    '127.0.0.1:4123@evil.example',
  ])('refuses %s', (h) => expect(isAllowedHost(h, allowed)).toBe(false));

  it('allows the bracketed IPv6 form when bound to ::1', () => {
    expect(isAllowedHost('[::1]:80', allowedHostHeaders('::1', 80))).toBe(true);
    expect(isAllowedHost('[::1]', allowedHostHeaders('::1', 80))).toBe(true);
  });
});

describe('checkOrigin', () => {
  const allow = new Set(['http://127.0.0.1:4123']);
  it('passes non-browser requests (no Origin, no Sec-Fetch-Site)', () => {
    expect(checkOrigin(undefined, undefined, allow)).toEqual({ ok: true, corsOrigin: null });
  });
  it('passes same-origin and user-initiated navigations', () => {
    expect(checkOrigin(undefined, 'same-origin', allow).ok).toBe(true);
    expect(checkOrigin(undefined, 'none', allow).ok).toBe(true);
  });
  it('refuses cross-site and same-site (other localhost port) subresource loads', () => {
    expect(checkOrigin(undefined, 'cross-site', allow).ok).toBe(false);
    expect(checkOrigin(undefined, 'same-site', allow).ok).toBe(false);
  });
  it('refuses every Origin not on the allow-list, including "null"', () => {
    for (const o of ['http://evil.example', 'null', 'http://127.0.0.1:4124', 'https://127.0.0.1:4123', 'http://localhost:4123', '']) {
      expect(checkOrigin(o, undefined, allow).ok).toBe(false);
    }
    expect(checkOrigin('http://evil.example', undefined, new Set()).ok).toBe(false);
  });
  it('echoes an allowed origin for CORS', () => {
    expect(checkOrigin('http://127.0.0.1:4123', 'cross-site', allow)).toEqual({ ok: true, corsOrigin: 'http://127.0.0.1:4123' });
  });
});

describe('canonicalOrigin', () => {
  it('accepts bare origins', () => {
    expect(canonicalOrigin('http://127.0.0.1:4123')).toBe('http://127.0.0.1:4123');
    expect(canonicalOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
  });
  it.each(['*', 'null', 'http://127.0.0.1:4123/app', 'file:///x', 'javascript:alert(1)', 'http://a.example?x=1'])('refuses %s', (o) =>
    expect(() => canonicalOrigin(o)).toThrow(),
  );
});

describe('request policy edges', () => {
  it('accepts the long IPv6 loopback form', () => {
    expect(isLoopbackAddress('0:0:0:0:0:0:0:1')).toBe(true);
    expect(isLoopbackAddress('0:0:0:0:0:0:0:2')).toBe(false);
  });

  it('lists exactly the names a client of the bound address may send', () => {
    expect([...allowedHostHeaders('127.0.0.1', 4123)].sort()).toEqual(['127.0.0.1:4123', 'localhost:4123']);
    expect([...allowedHostHeaders('127.0.0.2', 4123)].sort()).toEqual(['127.0.0.2:4123', 'localhost:4123']);
    expect([...allowedHostHeaders('::1', 4123)].sort()).toEqual(['[::1]:4123', 'localhost:4123']);
    expect([...allowedHostHeaders('0:0:0:0:0:0:0:1', 4123)].sort()).toEqual(['[0:0:0:0:0:0:0:1]:4123', '[::1]:4123', 'localhost:4123']);
    // Port 80 may be left out, as browsers and curl do.
    expect([...allowedHostHeaders('127.0.0.1', 80)].sort()).toEqual(['127.0.0.1', '127.0.0.1:80', 'localhost', 'localhost:80']);
  });

  it('canonicalises origins case-insensitively, https included, and says why one is refused', () => {
    expect(canonicalOrigin('HTTP://LOCALHOST:5173')).toBe('http://localhost:5173');
    expect(canonicalOrigin('https://app.example')).toBe('https://app.example');
    expect(() => canonicalOrigin('not a url')).toThrow('allowedOrigins: "not a url" is not a URL');
    expect(() => canonicalOrigin('ftp://a.example')).toThrow('allowedOrigins: "ftp://a.example" must be a bare origin like http://127.0.0.1:4123');
    expect(() => canonicalOrigin('http://a.example//')).toThrow(/must be a bare origin/);
    expect(() => canonicalOrigin('http://a.example/x/')).toThrow(/must be a bare origin/);
  });

  it('compares Origin and Sec-Fetch-Site case-insensitively, ignoring surrounding spaces', () => {
    const allow = new Set(['http://127.0.0.1:4123']);
    expect(checkOrigin(' HTTP://127.0.0.1:4123 ', undefined, allow)).toEqual({ ok: true, corsOrigin: 'http://127.0.0.1:4123' });
    expect(checkOrigin('http://evil.example', undefined, allow)).toEqual({ ok: false, reason: 'requests from browser origins are not accepted' });
    expect(checkOrigin(undefined, ' Cross-Site ', allow)).toEqual({ ok: false, reason: 'cross-site browser requests are not accepted' });
    expect(checkOrigin(undefined, 'SAME-SITE', allow)).toEqual({ ok: false, reason: 'cross-site browser requests are not accepted' });
  });
});
