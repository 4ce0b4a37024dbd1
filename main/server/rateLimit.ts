/**
 * Token-bucket rate limiter keyed by API key id (or dev user). Each bucket holds up to
 * `ratePerMin` tokens and refills continuously at ratePerMin/60 per second, so a client may burst
 * a minute's worth and then sustain the rate. Time comes from a monotonic clock (wall-clock jumps
 * neither grant nor withhold tokens).
 */

export type RateVerdict = { allowed: true; remaining: number } | { allowed: false; retryAfterSec: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
  ratePerMin: number;
}

const MS_PER_MIN = 60_000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param monotonicMs monotonic time source
   * @param maxBuckets bound on tracked keys: dev mode takes user ids from a header, so the key
   *   space is attacker-controlled. Full (idle) buckets are dropped first, then the oldest.
   */
  constructor(
    private readonly monotonicMs: () => number,
    private readonly maxBuckets = 10_000,
  ) {}

  /** Takes one token from `key`'s bucket if available. */
  take(key: string, ratePerMin: number): RateVerdict {
    if (!(ratePerMin > 0)) throw new RangeError(`ratePerMin must be > 0, got ${ratePerMin}`);
    const now = this.monotonicMs();
    let b = this.buckets.get(key);
    if (b === undefined) {
      this.makeRoom();
      b = { tokens: ratePerMin, updatedMs: now, ratePerMin };
      this.buckets.set(key, b);
    } else {
      this.refill(b, now);
      if (b.ratePerMin !== ratePerMin) {
        // The key's limit was changed: keep the fill level, clamp to the new capacity.
        b.ratePerMin = ratePerMin;
        b.tokens = Math.min(b.tokens, ratePerMin);
      }
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, remaining: Math.floor(b.tokens) };
    }
    const msPerToken = MS_PER_MIN / ratePerMin;
    const waitMs = (1 - b.tokens) * msPerToken;
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Number of tracked buckets (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(b: Bucket, now: number): void {
    const elapsed = Math.max(0, now - b.updatedMs);
    b.tokens = Math.min(b.ratePerMin, b.tokens + (elapsed * b.ratePerMin) / MS_PER_MIN);
    b.updatedMs = now;
  }

  private makeRoom(): void {
    if (this.buckets.size < this.maxBuckets) return;
    const now = this.monotonicMs();
    for (const [k, b] of this.buckets) {
      this.refill(b, now);
      if (b.tokens >= b.ratePerMin) this.buckets.delete(k);
    }
    // Still full: evict a tenth in insertion order (oldest first), so the sweep is amortized.
    const target = Math.floor(this.maxBuckets * 0.9);
    for (const k of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(k);
    }
  }
}
