/** Per-stage timing and counters, aggregated by main into p50/p95/p99 for /v1/metrics. */
export interface Metrics {
  /** Record one duration of `stage` in ms. */
  observe(stage: string, ms: number): void;
  increment(counter: string, by?: number): void;
}

export const NO_METRICS: Metrics = { observe() {}, increment() {} };
