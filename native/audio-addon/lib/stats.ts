import type { NativeStats } from './native.js';
import type { BackendName, HistogramSummary, StreamStats } from './types.js';

export function summarizeBuckets(upper: readonly number[], counts: readonly number[], max: number): HistogramSummary {
  const total = counts.reduce((a, b) => a + b, 0);
  const q = (p: number): number => {
    if (total === 0) return 0;
    const target = Math.ceil(p * total);
    let acc = 0;
    for (let i = 0; i < counts.length; i++) {
      acc += counts[i] ?? 0;
      if (acc >= target) return Math.min(upper[i] ?? max, max);
    }
    return max;
  };
  return { count: total, p50: q(0.5), p99: q(0.99), p999: q(0.999), max };
}

/** Exact percentiles over a bounded sample (kept by the caller). */
export function summarizeSamples(samples: readonly number[]): HistogramSummary | null {
  if (samples.length === 0) return null;
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0;
  return { count: s.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: s[s.length - 1] ?? 0 };
}

export function toStreamStats(
  backend: BackendName,
  n: NativeStats,
  deviceRateHz: number,
  nowMs: number,
  delivery: HistogramSummary | null,
): StreamStats {
  const elapsedS = n.firstCallbackMs > 0 ? (nowMs - n.firstCallbackMs) / 1000 : 0;
  return {
    backend,
    overruns: n.overruns,
    underruns: n.underruns,
    droppedChunks: n.droppedChunks,
    deliveredChunks: n.deliveredChunks,
    ringOverflowFrames: n.ringOverflowFrames,
    starvedFrames: n.starvedFrames,
    callbacks: n.callbacks,
    deviceFrames: n.deviceFrames,
    callbackDurationUs: {
      ...summarizeBuckets(n.callbackDuration.upperUs, n.callbackDuration.counts, n.callbackDuration.maxUs),
      buckets: n.callbackDuration.upperUs.map((u, i) => [u, n.callbackDuration.counts[i] ?? 0] as const),
    },
    reportedLatencyMs: n.reportedLatencyMs,
    deliveryLatencyMs: delivery,
    realTimeRatio: elapsedS > 0.2 && deviceRateHz > 0 ? n.deviceFrames / deviceRateHz / elapsedS : null,
  };
}
