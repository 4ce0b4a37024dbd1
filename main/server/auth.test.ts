import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord, ApiKeyRepository } from '../../core/ports/store.js';
import { API_KEY_PREFIX, authenticateAdmin, authenticateCaller, constantTimeEqual, generateApiKey, hashApiKey, newApiKeyId, presentedApiKey } from './auth.js';

/** In-memory ApiKeyRepository (the real one is the sql.js store). */
class MemoryApiKeys implements ApiKeyRepository {
  readonly rows = new Map<string, ApiKeyRecord>();
  insert(rec: ApiKeyRecord): void {
    this.rows.set(rec.id, { ...rec });
  }
  findByHash(hash: string): ApiKeyRecord | undefined {
    for (const r of this.rows.values()) if (r.hash === hash) return { ...r };
    return undefined;
  }
  revoke(id: string, atMs: number): boolean {
    const r = this.rows.get(id);
    if (r === undefined || r.revokedAtMs !== null) return false;
    r.revokedAtMs = atMs;
    return true;
  }
  list(): ApiKeyRecord[] {
    return [...this.rows.values()];
  }
}

describe('API keys', () => {
  it('are prefixed, 256-bit, unique, and hashed with SHA-256 hex', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { key, hash } = generateApiKey();
      expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
      expect(Buffer.from(key.slice(API_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
      expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      seen.add(key);
    }
    expect(seen.size).toBe(200);
    expect(newApiKeyId()).toMatch(/^key_[0-9a-f]{24}$/);
    expect(newApiKeyId()).not.toBe(newApiKeyId());
  });

  it('constantTimeEqual compares strings of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('parses Bearer and X-API-Key', () => {
    expect(presentedApiKey({})).toBeUndefined();
    expect(presentedApiKey({ authorization: 'Bearer hfk_x' })).toBe('hfk_x');
    expect(presentedApiKey({ authorization: 'bearer   hfk_x ' })).toBe('hfk_x');
    expect(presentedApiKey({ 'x-api-key': 'hfk_y' })).toBe('hfk_y');
    expect(presentedApiKey({ authorization: 'Bearer hfk_y', 'x-api-key': 'hfk_y' })).toBe('hfk_y');
    expect(() => presentedApiKey({ authorization: 'Basic abc' })).toThrowError(expect.objectContaining({ status: 401 }));
    expect(() => presentedApiKey({ authorization: 'Bearer a b' })).toThrowError(expect.objectContaining({ status: 401 }));
    expect(() => presentedApiKey({ authorization: 'Bearer hfk_a', 'x-api-key': 'hfk_b' })).toThrowError(expect.objectContaining({ status: 401 }));
  });
});

describe('authenticateCaller', () => {
  const repo = new MemoryApiKeys();
  const { key, hash } = generateApiKey();
  repo.insert({ id: 'key_1', name: 'n', userId: 'alice', hash, rateLimitPerMin: 7, createdAtMs: 0, revokedAtMs: null });

  it('dev mode: X-User-ID or "local"', () => {
    expect(authenticateCaller({}, 'dev', repo, 60)).toEqual({
      caller: { userId: 'local', transport: 'http' },
      bucketKey: 'user:local',
      ratePerMin: 60,
      keyId: null,
    });
    expect(authenticateCaller({ 'x-user-id': 'bob@example.com' }, 'dev', repo, 60).caller.userId).toBe('bob@example.com');
    for (const bad of ['', 'a b', 'x'.repeat(65), 'ä', 'a/b', 'a, b']) {
      expect(() => authenticateCaller({ 'x-user-id': bad }, 'dev', repo, 60)).toThrowError(expect.objectContaining({ status: 400 }));
    }
  });

  it('api_key mode: valid, missing, unknown, revoked', () => {
    expect(authenticateCaller({ authorization: `Bearer ${key}` }, 'api_key', repo, 60)).toEqual({
      caller: { userId: 'alice', transport: 'http' },
      bucketKey: 'key:key_1',
      ratePerMin: 7,
      keyId: 'key_1',
    });
    const unauthorized = expect.objectContaining({ status: 401, code: 'unauthorized' });
    expect(() => authenticateCaller({}, 'api_key', repo, 60)).toThrowError(unauthorized);
    expect(() => authenticateCaller({ 'x-user-id': 'alice' }, 'api_key', repo, 60)).toThrowError(unauthorized);
    expect(() => authenticateCaller({ 'x-api-key': `${key}x` }, 'api_key', repo, 60)).toThrowError(unauthorized);
    expect(() => authenticateCaller({ 'x-api-key': hash }, 'api_key', repo, 60)).toThrowError(unauthorized);
    repo.revoke('key_1', 1);
    expect(() => authenticateCaller({ 'x-api-key': key }, 'api_key', repo, 60)).toThrowError(unauthorized);
    expect(hashApiKey(key)).toBe(hash);
  });
});

describe('authenticateAdmin', () => {
  it('is disabled without a token, and compares the header otherwise', () => {
    expect(() => authenticateAdmin({}, undefined)).toThrowError(expect.objectContaining({ status: 403, message: expect.stringMatching(/admin token/) }));
    expect(() => authenticateAdmin({ 'x-admin-token': 'anything' }, undefined)).toThrowError(expect.objectContaining({ status: 403 }));
    expect(() => authenticateAdmin({}, 'a-long-admin-token-123')).toThrowError(expect.objectContaining({ status: 401 }));
    expect(() => authenticateAdmin({ 'x-admin-token': 'a-long-admin-token-12' }, 'a-long-admin-token-123')).toThrowError(
      expect.objectContaining({ status: 401 }),
    );
    expect(() => authenticateAdmin({ 'x-admin-token': 'a-long-admin-token-123' }, 'a-long-admin-token-123')).not.toThrow();
  });
});
