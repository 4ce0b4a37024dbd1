import { describe, expect, it } from 'vitest';
import { Router, plainRoute, type RouteSpec } from './router.js';

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
});
