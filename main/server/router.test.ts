import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Router, jsonRoute, mediaTypeOf, plainRoute, type RouteSpec } from './router.js';

const ok = async () => ({ status: 200, json: {} });
const r = (method: RouteSpec['method'], path: string): RouteSpec => plainRoute({ method, path, auth: 'none', handler: ok });

describe('Router', () => {
  const router = new Router([r('GET', '/v1/status'), r('POST', '/v1/command'), r('DELETE', '/v1/keys/:id'), r('GET', '/app/*')]);

  it('matches exact paths and params', () => {
    expect(router.match('GET', '/v1/status')).toMatchObject({ kind: 'found' });
    expect(router.match('DELETE', '/v1/keys/abc')).toMatchObject({ kind: 'found', params: { id: 'abc' } });
    expect(router.match('GET', '/app/a/b.js')).toMatchObject({ kind: 'found', params: { '*': 'a/b.js' } });
  });
  it('serves HEAD with the GET route', () => {
    expect(router.match('HEAD', '/v1/status')).toMatchObject({ kind: 'found' });
  });
  it('reports 405 with the allowed methods', () => {
    expect(router.match('GET', '/v1/command')).toEqual({ kind: 'method_not_allowed', allow: ['POST', 'OPTIONS'] });
    expect(router.match('POST', '/v1/status')).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'HEAD', 'OPTIONS'] });
  });
  it('does not match near misses', () => {
    for (const p of ['/v1/status/', '/v1/Status', '/v1', '/v1/keys/', '/v1/keys/a/b', '//v1/status', '/']) {
      expect(router.match('GET', p).kind === 'found' && p !== '/app/').toBe(false);
    }
  });
  it('refuses duplicate routes and bad patterns', () => {
    expect(() => new Router([r('GET', '/a'), r('GET', '/a')])).toThrow(/duplicate/);
    expect(() => new Router([r('GET', 'a')])).toThrow();
    expect(() => new Router([r('GET', '/*/a')])).toThrow();
  });
  it('lists methods for OPTIONS', () => {
    expect(router.methodsAt('/v1/keys/x')).toEqual(['DELETE', 'OPTIONS']);
    expect(router.methodsAt('/nope')).toBeNull();
  });

  describe('content-type dispatch', () => {
    const json = jsonRoute({ method: 'POST', path: '/v1/command', auth: 'caller', schema: z.strictObject({ text: z.string() }), handler: ok });
    const audio: RouteSpec = { method: 'POST', path: '/v1/command', auth: 'caller', body: { kind: 'raw', contentTypes: ['audio/wav', 'audio/mpeg'] }, maxBodyBytes: 10, handler: ok };
    const both = new Router([json, audio, r('GET', '/v1/status')]);

    it('picks the route whose body takes the Content-Type (parameters and case ignored)', () => {
      expect(both.match('POST', '/v1/command', 'application/json; charset=utf-8')).toMatchObject({ kind: 'found', spec: json });
      expect(both.match('POST', '/v1/command', 'Audio/WAV')).toMatchObject({ kind: 'found', spec: audio });
      expect(both.match('POST', '/v1/command', 'audio/mpeg; foo=bar')).toMatchObject({ kind: 'found', spec: audio });
    });
    it('reports every accepted type when none matches, with the first route for auth', () => {
      const m = both.match('POST', '/v1/command', 'text/plain');
      expect(m).toMatchObject({ kind: 'unsupported_media_type', accepted: ['application/json', 'audio/wav', 'audio/mpeg'], spec: json });
      expect(both.match('POST', '/v1/command')).toMatchObject({ kind: 'unsupported_media_type' });
    });
    it('still answers 405 and OPTIONS once for the shared path', () => {
      expect(both.match('GET', '/v1/command')).toEqual({ kind: 'method_not_allowed', allow: ['POST', 'OPTIONS'] });
      expect(both.methodsAt('/v1/command')).toEqual(['POST', 'OPTIONS']);
    });
    it('refuses overlapping media types and body-less twins as duplicates', () => {
      const json2 = jsonRoute({ method: 'POST', path: '/v1/command', auth: 'caller', schema: z.unknown(), handler: ok });
      expect(() => new Router([json, json2])).toThrow(/duplicate/);
      const wav2: RouteSpec = { ...audio, body: { kind: 'raw', contentTypes: ['audio/wav'] } };
      expect(() => new Router([audio, wav2])).toThrow(/duplicate/);
      expect(() => new Router([audio, r('POST', '/v1/command')])).toThrow(/duplicate/);
    });
    it('mediaTypeOf strips parameters and lowercases', () => {
      expect(mediaTypeOf(' Audio/Ogg ; codecs=opus')).toBe('audio/ogg');
      expect(mediaTypeOf(undefined)).toBe('');
    });
  });
});
