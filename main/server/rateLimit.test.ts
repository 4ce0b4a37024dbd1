import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TokenBucketLimiter } from './rateLimit.js';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('TokenBucketLimiter', () => {
  it('allows a burst of ratePerMin, then refuses with Retry-After', () => {
    const c = clock();
    const l = new TokenBucketLimiter(c.now);
    for (let i = 0; i < 3; i++) expect(l.take('k', 3).allowed).toBe(true);
    const v = l.take('k', 3);
    expect(v).toEqual({ allowed: false, retryAfterSec: 20 });
  });

  it('refills continuously at ratePerMin/60 per second', () => {
    const c = clock();
    const l = new TokenBucketLimiter(c.now);
    for (let i = 0; i < 60; i++) l.take('k', 60);
    expect(l.take('k', 60).allowed).toBe(false);
    c.advance(999);
    expect(l.take('k', 60)).toEqual({ allowed: false, retryAfterSec: 1 });
    c.advance(1);
    expect(l.take('k', 60).allowed).toBe(true);
    expect(l.take('k', 60).allowed).toBe(false);
  });

  it('keeps keys independent', () => {
    const c = clock();
    const l = new TokenBucketLimiter(c.now);
    expect(l.take('a', 1).allowed).toBe(true);
    expect(l.take('a', 1).allowed).toBe(false);
    expect(l.take('b', 1).allowed).toBe(true);
  });

  it('ignores a monotonic clock that does not advance or goes backwards', () => {
    const c = clock();
    const l = new TokenBucketLimiter(c.now);
    l.take('k', 1);
    c.advance(-10_000);
    expect(l.take('k', 1).allowed).toBe(false);
  });

  it('bounds the number of buckets', () => {
    const c = clock();
    const l = new TokenBucketLimiter(c.now, 100);
    for (let i = 0; i < 1_000; i++) l.take(`user:${i}`, 10);
    expect(l.size).toBeLessThanOrEqual(100);
  });

  it('never allows more than capacity + elapsed refill (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 200 }), (rate, gaps) => {
        const c = clock();
        const l = new TokenBucketLimiter(c.now);
        let allowed = 0;
        let elapsed = 0;
        for (const g of gaps) {
          c.advance(g);
          elapsed += g;
          const v = l.take('k', rate);
          if (v.allowed) allowed++;
          else expect(v.retryAfterSec).toBeGreaterThanOrEqual(1);
        }
        expect(allowed).toBeLessThanOrEqual(rate + Math.floor((elapsed * rate) / 60_000) + 1);
      }),
    );
  });
});
