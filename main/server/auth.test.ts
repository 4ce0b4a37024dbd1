import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord, ApiKeyRepository } from '../../core/ports/store.js';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { API_KEY_PREFIX, authenticateAdmin, authenticateCaller, constantTimeEqual, generateApiKey, hashApiKey, JwtVerifier, LocalCredentials, newApiKeyId, presentedApiKey, sessionCookieName, type AuthPolicy } from './auth.js';

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
  const policy = (mode: AuthPolicy['mode'], extra: Partial<AuthPolicy> = {}): AuthPolicy => ({ mode, apiKeys: repo, defaultRatePerMin: 60, ...extra });
  const unauthorized = expect.objectContaining({ status: 401, code: 'unauthorized' });

  it('dev mode: X-User-ID or "local"', async () => {
    expect(await authenticateCaller({}, policy('dev'))).toEqual({
      caller: { userId: 'local', transport: 'http', principal: 'dev:local' },
      bucketKey: 'dev-peer:local',
      ratePerMin: 60,
      keyId: null,
    });
    expect((await authenticateCaller({ 'x-user-id': 'bob@example.com' }, policy('dev'))).caller.userId).toBe('bob@example.com');
    // The rate-limit bucket is the peer, not the self-chosen id.
    expect((await authenticateCaller({ 'x-user-id': 'mallory-1' }, policy('dev'), 0, '127.0.0.1')).bucketKey).toBe('dev-peer:127.0.0.1');
    expect((await authenticateCaller({ 'x-user-id': 'mallory-2' }, policy('dev'), 0, '127.0.0.1')).bucketKey).toBe('dev-peer:127.0.0.1');
    for (const bad of ['', 'a b', 'x'.repeat(65), 'ä', 'a/b', 'a, b']) {
      await expect(authenticateCaller({ 'x-user-id': bad }, policy('dev'))).rejects.toMatchObject({ status: 400 });
    }
  });

  it('local mode: the secret as a bearer or a browser-session cookie minted from it; X-User-ID is ignored', async () => {
    const secret = 'S'.repeat(43);
    const local = new LocalCredentials(secret, 'sam');
    const p = policy('local', { local });
    expect((await authenticateCaller({ authorization: `Bearer ${secret}`, 'x-user-id': 'mallory' }, p)).caller).toEqual({ userId: 'sam', transport: 'http', principal: 'local-secret' });
    await expect(authenticateCaller({}, p)).rejects.toMatchObject(unauthorized);
    await expect(authenticateCaller({ 'x-user-id': 'sam' }, p)).rejects.toMatchObject(unauthorized);
    await expect(authenticateCaller({ authorization: `Bearer ${secret}x` }, p)).rejects.toMatchObject(unauthorized);
    expect(local.openBrowserSession('wrong')).toBeNull();
    const a = local.openBrowserSession(secret)!;
    const b = local.openBrowserSession(secret)!;
    expect(a).not.toBe(b);
    const viaCookie = await authenticateCaller({ cookie: `other=1; ${sessionCookieName(4000)}=${a}` }, p, 4000);
    expect(viaCookie.caller.userId).toBe('sam');
    expect(viaCookie.caller.principal).toMatch(/^browser:/);
    expect((await authenticateCaller({ cookie: `${sessionCookieName(4000)}=${b}` }, p, 4000)).caller.principal).not.toBe(viaCookie.caller.principal);
    // The cookie of another port (another instance), a forged MAC, or one made with another secret: refused.
    await expect(authenticateCaller({ cookie: `${sessionCookieName(4001)}=${a}` }, p, 4000)).rejects.toMatchObject(unauthorized);
    await expect(authenticateCaller({ cookie: `${sessionCookieName(4000)}=${a.split('.')[0]}.AAAA` }, p, 4000)).rejects.toMatchObject(unauthorized);
    const other = new LocalCredentials('T'.repeat(43), 'sam').openBrowserSession('T'.repeat(43))!;
    await expect(authenticateCaller({ cookie: `${sessionCookieName(4000)}=${other}` }, p, 4000)).rejects.toMatchObject(unauthorized);
    expect(local.setCookieHeader(4000, a)).toMatch(/; HttpOnly; SameSite=Strict/);
  });

  it('api_key mode: valid, missing, unknown, revoked', async () => {
    expect(await authenticateCaller({ authorization: `Bearer ${key}` }, policy('api_key'))).toEqual({
      caller: { userId: 'alice', transport: 'http', principal: 'key:key_1' },
      bucketKey: 'key:key_1',
      ratePerMin: 7,
      keyId: 'key_1',
    });
    await expect(authenticateCaller({}, policy('api_key'))).rejects.toMatchObject(unauthorized);
    await expect(authenticateCaller({ 'x-user-id': 'alice' }, policy('api_key'))).rejects.toMatchObject(unauthorized);
    await expect(authenticateCaller({ 'x-api-key': `${key}x` }, policy('api_key'))).rejects.toMatchObject(unauthorized);
    await expect(authenticateCaller({ 'x-api-key': hash }, policy('api_key'))).rejects.toMatchObject(unauthorized);
    repo.revoke('key_1', 1);
    await expect(authenticateCaller({ 'x-api-key': key }, policy('api_key'))).rejects.toMatchObject(unauthorized);
    expect(hashApiKey(key)).toBe(hash);
  });
});

describe('JWT mode', () => {
  const repo = new MemoryApiKeys();
  const HS = 'a-shared-secret-of-at-least-32-bytes!!';
  const AUD = 'handsfree-api';
  const sign = (claims: Record<string, unknown>, key: string | Uint8Array = HS, exp: string | number = '5m') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setAudience(AUD).setIssuedAt().setExpirationTime(exp).sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
  const hsPolicy: AuthPolicy = { mode: 'jwt', apiKeys: repo, defaultRatePerMin: 60, jwt: new JwtVerifier({ hs256Secret: HS, audience: AUD }) };
  const withToken = (t: string) => authenticateCaller({ authorization: `Bearer ${t}` }, hsPolicy);
  const unauthorized = expect.objectContaining({ status: 401, code: 'unauthorized' });

  it('HS256: a valid token is accepted as its subject', async () => {
    const a = await withToken(await sign({}));
    expect(a.caller).toEqual({ userId: 'alice', transport: 'http', principal: 'jwt:alice' });
    expect(a.bucketKey).toBe('jwt:alice');
  });

  it('rejects expired, wrong audience, wrong key, alg none, no exp, and no token', async () => {
    await expect(withToken(await sign({}, HS, Math.floor(Date.now() / 1000) - 60))).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: expect.stringMatching(/expired/) });
    const otherAud = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setAudience('someone-else').setExpirationTime('5m').sign(new TextEncoder().encode(HS));
    await expect(withToken(otherAud)).rejects.toMatchObject(unauthorized);
    await expect(withToken(await sign({}, 'another-secret-that-is-32-bytes-long!!'))).rejects.toMatchObject(unauthorized);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', aud: AUD, exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url')}.`;
    await expect(withToken(none)).rejects.toMatchObject(unauthorized);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setAudience(AUD).sign(new TextEncoder().encode(HS));
    await expect(withToken(noExp)).rejects.toMatchObject(unauthorized);
    await expect(authenticateCaller({}, hsPolicy)).rejects.toMatchObject(unauthorized);
  });

  it('RS256: the configured public key only; an HS256 token signed with the public key text is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const p: AuthPolicy = { mode: 'jwt', apiKeys: repo, defaultRatePerMin: 60, jwt: new JwtVerifier({ rs256PublicKeyPem: pem, audience: AUD }) };
    const good = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('bob').setAudience(AUD).setExpirationTime('5m').sign(privateKey);
    expect((await authenticateCaller({ authorization: `Bearer ${good}` }, p)).caller.userId).toBe('bob');
    const other = await generateKeyPair('RS256');
    const wrongKey = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('bob').setAudience(AUD).setExpirationTime('5m').sign(other.privateKey);
    await expect(authenticateCaller({ authorization: `Bearer ${wrongKey}` }, p)).rejects.toMatchObject(unauthorized);
    // Algorithm confusion: HS256 keyed with the public PEM must not pass an RS256 verifier.
    const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').setAudience(AUD).setExpirationTime('5m').sign(new TextEncoder().encode(pem));
    await expect(authenticateCaller({ authorization: `Bearer ${confused}` }, p)).rejects.toMatchObject(unauthorized);
  });

  it('refuses a weak configuration', () => {
    expect(() => new JwtVerifier({ hs256Secret: 'short', audience: AUD })).toThrow(/32 bytes/);
    expect(() => new JwtVerifier({ hs256Secret: HS, audience: '' })).toThrow(/audience/);
    expect(() => new JwtVerifier({ audience: AUD })).toThrow(/exactly one/);
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

describe('auth edges', () => {
  const repo = new MemoryApiKeys();
  const policy = (mode: AuthPolicy['mode'], extra: Partial<AuthPolicy> = {}): AuthPolicy => ({ mode, apiKeys: repo, defaultRatePerMin: 60, ...extra });
  const SECRET = 'S'.repeat(43);
  const local = new LocalCredentials(SECRET, 'sam');
  const rejection = async (p: Promise<unknown>): Promise<{ status: number; code: string; message: string; headers: Record<string, string> }> => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeDefined();
    return e as { status: number; code: string; message: string; headers: Record<string, string> };
  };

  it('401s carry a Bearer challenge and say what is wrong', async () => {
    const e = await rejection(authenticateCaller({}, policy('api_key')));
    expect(e).toMatchObject({ status: 401, code: 'unauthorized', message: 'An API key is required (Authorization: Bearer <key>).', headers: { 'WWW-Authenticate': 'Bearer realm="handsfree"' } });
    expect(() => presentedApiKey({ authorization: 'Basic x' })).toThrow('Authorization header must be "Bearer <api key>".');
    expect(() => presentedApiKey({ authorization: 'Bearer a', 'x-api-key': 'b' })).toThrow('Authorization and X-API-Key name different keys.');
    expect((await rejection(authenticateCaller({ authorization: 'Basic x' }, policy('local', { local })))).message).toBe('Authorization header must be "Bearer <credential>".');
    expect((await rejection(authenticateCaller({ authorization: 'Bearer nope' }, policy('local', { local })))).message).toBe('Wrong local API secret.');
    expect((await rejection(authenticateCaller({}, policy('local', { local })))).message).toMatch(/^This API needs its local secret/);
  });

  it('parses the bearer strictly: anchored, one token, any case of "Bearer"', async () => {
    for (const bad of ['xBearer abc', 'Bearer', 'Bearer ', 'Bearerabc', 'Bearer abc def', 'Bearer\tabc']) {
      expect(() => presentedApiKey({ authorization: bad }), bad).toThrow();
      expect((await rejection(authenticateCaller({ authorization: bad }, policy('local', { local })))).status, bad).toBe(401);
    }
    expect(presentedApiKey({ authorization: 'BEARER abc\t' })).toBe('abc');
    const viaBearer = await authenticateCaller({ authorization: `bEaReR   ${SECRET}  ` }, policy('local', { local }));
    expect(viaBearer.caller.principal).toBe('local-secret');
  });

  it('X-API-Key is trimmed, and a repeated header counts once (the first)', () => {
    expect(presentedApiKey({ 'x-api-key': '  hfk_a ' })).toBe('hfk_a');
    expect(presentedApiKey({ authorization: 'Bearer hfk_a', 'x-api-key': ' hfk_a ' })).toBe('hfk_a');
    expect(presentedApiKey({ 'x-api-key': ['hfk_a', 'hfk_b'] } as unknown as Record<string, string>)).toBe('hfk_a');
  });

  it('local secret: at least 32 characters, shown once for the URL', () => {
    expect(() => new LocalCredentials('x'.repeat(31), 'u')).toThrow('local secret must be at least 32 characters');
    expect(new LocalCredentials('x'.repeat(32), 'u').secretForUrl()).toBe('x'.repeat(32));
    expect(local.isSecret(SECRET)).toBe(true);
    expect(local.isSecret(SECRET.slice(1))).toBe(false);
  });

  it('a browser session is <nonce>.<HMAC-SHA256(secret, "browser-session:" + nonce)>, base64url', async () => {
    const v = local.openBrowserSession(SECRET)!;
    expect(v).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const mac = (nonce: string) => createHmac('sha256', SECRET).update(`browser-session:${nonce}`).digest('base64url');
    const [nonce, sig] = v.split('.') as [string, string];
    expect(sig).toBe(mac(nonce));
    expect(local.checkBrowserSession(`hand-made.${mac('hand-made')}`)).toBe('hand-made');
    // A cookie value of at most 200 characters.
    const n156 = 'n'.repeat(156);
    expect(local.checkBrowserSession(`${n156}.${mac(n156)}`)).toBe(n156);
    const n157 = 'n'.repeat(157);
    expect(local.checkBrowserSession(`${n157}.${mac(n157)}`)).toBeNull();
    expect(local.checkBrowserSession(`.${mac('')}`)).toBeNull();
    expect(local.checkBrowserSession(`${mac('')}`)).toBeNull();
    const a = await authenticateCaller({ cookie: `x=1;junk; ${sessionCookieName(4000)} = ${v} ` }, policy('local', { local, defaultRatePerMin: 9 }), 4000);
    expect(a).toEqual({ caller: { userId: 'sam', transport: 'http', principal: `browser:${nonce}` }, bucketKey: 'local', ratePerMin: 9, keyId: null });
    // Another cookie whose name merely contains ours does not count.
    await expect(authenticateCaller({ cookie: `x${sessionCookieName(4000)}=${v}` }, policy('local', { local }), 4000)).rejects.toMatchObject({ status: 401 });
    expect(local.setCookieHeader(4000, 'v')).toBe('hf_session_4000=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000');
  });

  it('dev mode trims X-User-ID and says what a valid one is', async () => {
    expect((await authenticateCaller({ 'x-user-id': ' bob ' }, policy('dev'))).caller.userId).toBe('bob');
    expect(await rejection(authenticateCaller({ 'x-user-id': '  ' }, policy('dev')))).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'X-User-ID header must be 1-64 chars of A-Z a-z 0-9 _ . @ -.',
    });
    expect((await authenticateCaller({ 'x-user-id': 'a'.repeat(64) }, policy('dev'))).caller.userId).toHaveLength(64);
  });

  it('a mode without its credentials is a configuration error, not a 401', async () => {
    await expect(authenticateCaller({ authorization: `Bearer ${SECRET}` }, policy('local'))).rejects.toThrow('local auth mode without a local secret');
    await expect(authenticateCaller({ authorization: 'Bearer x' }, policy('jwt'))).rejects.toThrow('jwt auth mode without a verifier');
  });

  it('api keys: only hfk_ keys up to 256 characters are looked up', async () => {
    const keys = new MemoryApiKeys();
    const p = policy('api_key', { apiKeys: keys });
    const add = (id: string, key: string) => keys.insert({ id, name: id, userId: 'alice', hash: hashApiKey(key), rateLimitPerMin: 5, createdAtMs: 0, revokedAtMs: null });
    add('k_plain', 'plain-key-without-prefix');
    add('k_long', `${API_KEY_PREFIX}${'a'.repeat(253)}`);
    add('k_max', `${API_KEY_PREFIX}${'b'.repeat(252)}`);
    expect((await rejection(authenticateCaller({ 'x-api-key': 'plain-key-without-prefix' }, p))).message).toBe('Invalid or revoked API key.');
    expect((await rejection(authenticateCaller({ 'x-api-key': `${API_KEY_PREFIX}${'a'.repeat(253)}` }, p))).status).toBe(401);
    expect((await authenticateCaller({ 'x-api-key': `${API_KEY_PREFIX}${'b'.repeat(252)}` }, p)).keyId).toBe('k_max');
    expect((await rejection(authenticateCaller({ 'x-api-key': '' }, p))).message).toBe('An API key is required (Authorization: Bearer <key>).');
  });

  it('admin: says how to enable it, and what is wrong with the token', () => {
    expect(() => authenticateAdmin({}, undefined)).toThrow('Admin API is disabled: no admin token is configured. Set HANDSFREE_ADMIN_TOKEN (at least 16 characters) and restart to enable it.');
    expect(() => authenticateAdmin({}, 'a-long-admin-token-123')).toThrow('Missing or wrong X-Admin-Token.');
    expect(() => authenticateAdmin({ 'x-admin-token': ['a-long-admin-token-123', 'x'] } as unknown as Record<string, string>, 'a-long-admin-token-123')).not.toThrow();
  });
});

describe('JWT edges', () => {
  const repo = new MemoryApiKeys();
  const HS = 'a-shared-secret-of-at-least-32-bytes!!';
  const AUD = 'handsfree-api';
  const key = new TextEncoder().encode(HS);
  const base = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience(AUD).setExpirationTime('5m');
  const p = (extra: Partial<ConstructorParameters<typeof JwtVerifier>[0]> = {}): AuthPolicy => ({ mode: 'jwt', apiKeys: repo, defaultRatePerMin: 11, jwt: new JwtVerifier({ hs256Secret: HS, audience: AUD, ...extra }) });
  const msg = async (token: string, policy = p()) => ((await authenticateCaller({ authorization: `Bearer ${token}` }, policy).catch((e: unknown) => e)) as Error).message;

  it('a valid token: the subject, its own bucket, the default rate, no key', async () => {
    expect(await authenticateCaller({ authorization: `Bearer ${await base().setSubject('carol').sign(key)}` }, p())).toEqual({
      caller: { userId: 'carol', transport: 'http', principal: 'jwt:carol' },
      bucketKey: 'jwt:carol',
      ratePerMin: 11,
      keyId: null,
    });
  });

  it('checks the issuer only when one is configured', async () => {
    const fromA = await base().setSubject('carol').setIssuer('https://idp.a').sign(key);
    const fromB = await base().setSubject('carol').setIssuer('https://idp.b').sign(key);
    const strict = p({ issuer: 'https://idp.a' });
    expect((await authenticateCaller({ authorization: `Bearer ${fromA}` }, strict)).caller.userId).toBe('carol');
    expect(await msg(fromB, strict)).toBe('Invalid token.');
    expect((await authenticateCaller({ authorization: `Bearer ${fromB}` }, p())).caller.userId).toBe('carol');
  });

  it('requires a subject that is a valid user id', async () => {
    expect(await msg(await base().sign(key))).toBe('Invalid token.');
    expect(await msg(await base().setSubject('a b').sign(key))).toBe("The token's subject is not a valid user id.");
  });

  it('tolerates 5 s of clock skew on exp, not a minute', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await authenticateCaller({ authorization: `Bearer ${await base().setSubject('carol').setExpirationTime(now - 2).sign(key)}` }, p())).caller.userId).toBe('carol');
    expect(await msg(await base().setSubject('carol').setExpirationTime(now - 60).sign(key))).toBe('The token has expired.');
  });

  it('refuses an over-long token before verifying it', async () => {
    expect(await msg('x'.repeat(8193))).toBe('A bearer token is required (Authorization: Bearer <jwt>).');
    expect(await msg('x'.repeat(8192))).toBe('Invalid token.');
  });

  it('refuses a configuration with both keys, a blank audience, or a 31-byte secret', () => {
    expect(() => new JwtVerifier({ hs256Secret: HS, rs256PublicKeyPem: 'pem', audience: AUD })).toThrow('JWT auth needs exactly one of an HS256 secret or an RS256 public key');
    expect(() => new JwtVerifier({ hs256Secret: HS, audience: '   ' })).toThrow('JWT auth needs an audience');
    expect(() => new JwtVerifier({ hs256Secret: 'x'.repeat(31), audience: AUD })).toThrow('the JWT HS256 secret must be at least 32 bytes');
    // Bytes, not characters: 16 two-byte characters are enough.
    expect(() => new JwtVerifier({ hs256Secret: 'é'.repeat(16), audience: AUD })).not.toThrow();
  });
});
