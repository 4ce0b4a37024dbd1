import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TTL_MS } from '../../contract/seedApi.js';
import { IdempotencyGuard, idempotencyKeyOf, memoryIdempotencyRepository, requestHash } from './idempotency.js';

describe('idempotency keys', () => {
  it('runs once per (user, key); replays the first answer; another body is 409; other users are separate', async () => {
    let now = 1_000;
    const g = new IdempotencyGuard(memoryIdempotencyRepository(), () => now);
    let runs = 0;
    const run = async () => ({ status: 200, json: { n: ++runs } });
    expect(await g.run('u', 'k', 'POST /v1/x', { a: 1, idempotency_key: 'k' }, run)).toEqual({ status: 200, json: { n: 1 }, replayed: false });
    // Key order and the key field itself do not change the request.
    expect(await g.run('u', 'k', 'POST /v1/x', { idempotency_key: 'k', a: 1 }, run)).toEqual({ status: 200, json: { n: 1 }, replayed: true });
    await expect(g.run('u', 'k', 'POST /v1/x', { a: 2 }, run)).rejects.toMatchObject({ status: 409, code: 'idempotency_conflict' });
    await expect(g.run('u', 'k', 'POST /v1/y', { a: 1 }, run)).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect((await g.run('v', 'k', 'POST /v1/x', { a: 1 }, run)).json).toEqual({ n: 2 });
    now += IDEMPOTENCY_TTL_MS + 1; // after 24 h the key is free again
    expect((await g.run('u', 'k', 'POST /v1/x', { a: 2 }, run)).json).toEqual({ n: 3 });
    expect(runs).toBe(3);
  });

  it('concurrent requests with one key run once; 5xx answers are not kept', async () => {
    const g = new IdempotencyGuard(memoryIdempotencyRepository(), () => 0);
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      runs++;
      await gate;
      return { status: 409, json: { token: 't1' } };
    };
    const all = Promise.all([g.run('u', 'k', 'R', {}, slow), g.run('u', 'k', 'R', {}, slow), g.run('u', 'k', 'R', {}, slow)]);
    release();
    const out = await all;
    expect(runs).toBe(1);
    expect(out.map((o) => [o.status, o.replayed])).toEqual([[409, false], [409, true], [409, true]]);
    let fails = 0;
    const failing = async () => ({ status: 503, json: { n: ++fails } });
    await g.run('u', 'k5', 'R', {}, failing);
    await g.run('u', 'k5', 'R', {}, failing);
    expect(fails).toBe(2);
  });

  it('takes the key from the body or the Idempotency-Key header, which must agree and be well-formed', () => {
    expect(idempotencyKeyOf({ idempotency_key: 'a' }, undefined)).toBe('a');
    expect(idempotencyKeyOf({}, 'b')).toBe('b');
    expect(idempotencyKeyOf({}, undefined)).toBeUndefined();
    expect(() => idempotencyKeyOf({ idempotency_key: 'a' }, 'b')).toThrow(/different keys/);
    expect(() => idempotencyKeyOf({}, 'bad key!')).toThrow(/Idempotency-Key/);
    expect(requestHash('R', { a: [1, { c: 2, b: 3 }] })).toBe(requestHash('R', { a: [1, { b: 3, c: 2 }] }));
    expect(requestHash('R', { a: 1 })).not.toBe(requestHash('R', { a: '1' }));
  });
});
