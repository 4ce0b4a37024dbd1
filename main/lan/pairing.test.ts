import { describe, expect, it } from 'vitest';
import { PAIRING_CODE_TTL_MS, PAIRING_MAX_FAILED_ATTEMPTS, parsePairingUri } from '../../contract/pairing.js';
import type { ApiKeyRecord, ApiKeyRepository } from '../../core/ports/store.js';
import { hashApiKey } from '../server/auth.js';
import { HttpError } from '../server/errorStatus.js';
import { PAIRING_ATTEMPTS_PER_MIN, PairingService } from './pairing.js';

class MemoryApiKeys implements ApiKeyRepository {
  readonly rows: ApiKeyRecord[] = [];
  insert(rec: ApiKeyRecord): void {
    this.rows.push({ ...rec });
  }
  findByHash(hash: string): ApiKeyRecord | undefined {
    return this.rows.find((r) => r.hash === hash);
  }
  revoke(id: string, atMs: number): boolean {
    const r = this.rows.find((x) => x.id === id && x.revokedAtMs === null);
    if (!r) return false;
    r.revokedAtMs = atMs;
    return true;
  }
  list(): ApiKeyRecord[] {
    return this.rows.map((r) => ({ ...r }));
  }
}

const FP = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');

function setup(codes: string[] = ['12345678', '87654321', '11112222', '33334444']) {
  let now = 1_700_000_000_000;
  const keys = new MemoryApiKeys();
  const queue = [...codes];
  const p = new PairingService({ apiKeys: keys, userId: 'me', keyRatePerMin: 60, nowMs: () => now, newCode: () => queue.shift() ?? '99999999' });
  p.setEndpoint({ url: 'https://192.168.1.20:8766', fingerprint256: FP });
  return { p, keys, advance: (ms: number) => (now += ms) };
}

function status(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof HttpError) return e.status;
    throw e;
  }
  return 200;
}

describe('PairingService', () => {
  it('offers a code whose QR payload names the LAN URL, the certificate fingerprint and the code', async () => {
    const { p } = setup();
    const o = await p.offer();
    expect(o.code).toBe('12345678');
    expect(parsePairingUri(o.payload)).toEqual({ url: 'https://192.168.1.20:8766', fingerprint256: FP, code: '12345678' });
    expect(o.qr.rows).toHaveLength(o.qr.size);
  });

  it('exchanges the code once for an API key of the desktop user; a second use is refused', async () => {
    const { p, keys } = setup();
    const { code } = await p.offer();
    const r = p.redeem({ code, device_name: 'Pixel 8' });
    expect(r).toMatchObject({ user_id: 'me', device_name: 'Pixel 8', fingerprint256: FP });
    expect(keys.findByHash(hashApiKey(r.api_key))).toMatchObject({ id: r.key_id, userId: 'me', name: 'phone: Pixel 8', revokedAtMs: null });
    expect(status(() => p.redeem({ code, device_name: 'Other' }))).toBe(401);
    expect(keys.rows).toHaveLength(1);
  });

  it('refuses an expired code (injected clock) and keeps no key', async () => {
    const { p, keys, advance } = setup();
    const { code } = await p.offer();
    advance(PAIRING_CODE_TTL_MS);
    expect(status(() => p.redeem({ code, device_name: 'Late' }))).toBe(401);
    expect(keys.rows).toHaveLength(0);
  });

  it('accepts the code just before it expires', async () => {
    const { p, advance } = setup();
    const { code } = await p.offer();
    advance(PAIRING_CODE_TTL_MS - 1);
    expect(status(() => p.redeem({ code, device_name: 'Just in time' }))).toBe(200);
  });

  it('burns the code after too many wrong guesses, so even the right one then fails', async () => {
    const { p } = setup();
    const { code } = await p.offer();
    for (let i = 0; i < PAIRING_MAX_FAILED_ATTEMPTS; i++) expect(status(() => p.redeem({ code: '00000000', device_name: 'x' }))).toBe(401);
    expect(status(() => p.redeem({ code, device_name: 'x' }))).toBe(401);
  });

  it('a new offer replaces the previous code', async () => {
    const { p } = setup();
    const first = (await p.offer()).code;
    const second = (await p.offer()).code;
    expect(status(() => p.redeem({ code: first, device_name: 'x' }))).toBe(401);
    expect(status(() => p.redeem({ code: second, device_name: 'x' }))).toBe(200);
  });

  it('limits attempts per minute across codes (429 with Retry-After), then recovers', async () => {
    const { p, advance } = setup(Array.from({ length: 20 }, (_, i) => String(10_000_000 + i)));
    for (let i = 0; i < PAIRING_ATTEMPTS_PER_MIN; i++) {
      if (i % PAIRING_MAX_FAILED_ATTEMPTS === 0) await p.offer();
      expect(status(() => p.redeem({ code: '00000000', device_name: 'x' }))).toBe(401);
    }
    const { code } = await p.offer();
    let err: unknown;
    try {
      p.redeem({ code, device_name: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(429);
    expect(Number((err as HttpError).headers['Retry-After'])).toBeGreaterThan(0);
    advance(60_000);
    expect(status(() => p.redeem({ code, device_name: 'x' }))).toBe(200);
  });

  it('offers nothing while the LAN listener is off, and says why', async () => {
    const { p } = setup();
    const { code } = await p.offer();
    p.setEndpoint(null, 'port in use');
    await expect(p.offer()).rejects.toMatchObject({ status: 409 });
    expect(status(() => p.redeem({ code, device_name: 'x' }))).toBe(401);
    expect(p.status().lan).toEqual({ running: false, url: null, fingerprint256: null, reason: 'port in use' });
  });

  it('lists and revokes paired phones only (not other API keys)', async () => {
    const { p, keys } = setup();
    keys.insert({ id: 'key_other', name: 'ci', userId: 'me', hash: 'h', rateLimitPerMin: 1, createdAtMs: 0, revokedAtMs: null });
    const r = p.redeem({ code: (await p.offer()).code, device_name: 'Pixel 8' });
    expect(p.devices()).toEqual([{ key_id: r.key_id, device_name: 'Pixel 8', created_at: r.created_at }]);
    expect(p.revoke('key_other')).toBe(false);
    expect(p.revoke(r.key_id)).toBe(true);
    expect(p.devices()).toEqual([]);
    expect(keys.rows.find((k) => k.id === 'key_other')?.revokedAtMs).toBeNull();
  });
});
