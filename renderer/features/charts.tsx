/**
 * Small SVG charts for Diagnostics (no chart library: two shapes do not justify one). Each has a
 * text alternative so the figures reach screen readers too.
 */
import type { LevelsSample } from '../../contract/ipc.js';

/** Level history: RMS (line) over the last `windowMs`, −100..0 dBFS bottom to top. */
export function LevelHistory({ samples, windowMs, nowMs, side = 'input' }: { samples: readonly LevelsSample[]; windowMs: number; nowMs: number; side?: 'input' | 'output' }) {
  const w = 600;
  const h = 80;
  const x = (t: number): number => w - ((nowMs - t) / windowMs) * w;
  const y = (db: number): number => h - ((Math.max(-100, Math.min(0, db)) + 100) / 100) * h;
  const points = samples.filter((s) => nowMs - s.atMs <= windowMs).map((s) => `${x(s.atMs).toFixed(1)},${y(s.rmsDbfs).toFixed(1)}`);
  const last = samples[samples.length - 1];
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" data-testid={side === 'input' ? 'level-history' : 'output-level-history'} data-points={points.length}
      aria-label={`${side === 'input' ? 'Input' : 'Output'} level over the last ${windowMs / 1000} seconds: ${points.length} samples${last ? `, now ${Math.round(last.rmsDbfs)} dBFS` : ''}`}>
      {[-20, -40, -60, -80].map((db) => <line key={db} x1={0} x2={w} y1={y(db)} y2={y(db)} stroke="currentColor" strokeOpacity={0.12} />)}
      {points.length > 1 ? <polyline className={side === 'input' ? 'in' : 'out'} fill="none" strokeWidth={2} points={points.join(' ')} vectorEffect="non-scaling-stroke" /> : null}
    </svg>
  );
}

/** Histogram of loopback latencies (ms) in `bins` equal bins between the min and the max. */
export function LatencyHistogram({ values, bins = 8 }: { values: readonly number[]; bins?: number }) {
  const w = 600;
  const h = 80;
  if (values.length === 0) return null;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = Math.max(1, (hi - lo) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]! += 1;
  const top = Math.max(...counts);
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return (
    <figure>
      <svg className="chart" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" data-testid="latency-histogram"
        aria-label={`Latency of ${values.length} measurements: median ${Math.round(median)} ms, from ${Math.round(lo)} to ${Math.round(hi)} ms`}>
        {counts.map((c, i) => (
          <rect key={i} className="bar" x={(i * w) / bins + 2} width={w / bins - 4} y={h - (c / top) * (h - 4)} height={(c / top) * (h - 4)} />
        ))}
      </svg>
      <figcaption className="muted small">
        {values.length} measurements · median {Math.round(median)} ms · {Math.round(lo)}–{Math.round(hi)} ms
      </figcaption>
    </figure>
  );
}
