import type { MetricsResponse, StageStats } from '../../contract/api.js';
import type { Metrics } from '../../core/ports/metrics.js';

/** Samples kept per stage: percentiles describe the most recent window. */
const WINDOW = 10_000;

/** In-memory per-stage timings (ring buffer per stage) and counters, for /v1/metrics. */
export class StageMetrics implements Metrics {
  private readonly stages = new Map<string, { buf: Float64Array; n: number; count: number; max: number }>();
  private readonly counters = new Map<string, number>();

  observe(stage: string, ms: number): void {
    let s = this.stages.get(stage);
    if (!s) {
      s = { buf: new Float64Array(WINDOW), n: 0, count: 0, max: 0 };
      this.stages.set(stage, s);
    }
    s.buf[s.count % WINDOW] = ms;
    s.count++;
    s.n = Math.min(s.count, WINDOW);
    if (ms > s.max) s.max = ms;
  }

  increment(counter: string, by = 1): void {
    this.counters.set(counter, (this.counters.get(counter) ?? 0) + by);
  }

  snapshot(): MetricsResponse {
    const stages: Record<string, StageStats> = {};
    for (const [name, s] of this.stages) {
      const sorted = Array.from(s.buf.subarray(0, s.n)).sort((a, b) => a - b);
      stages[name] = { count: s.count, p50_ms: pct(sorted, 0.5), p95_ms: pct(sorted, 0.95), p99_ms: pct(sorted, 0.99), max_ms: round(s.max) };
    }
    return { stages, counters: Object.fromEntries(this.counters) };
  }
}

/** Nearest-rank percentile of an ascending array, in the array's unit. */
export function pct(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return round(sorted[i]!);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
