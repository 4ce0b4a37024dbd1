/**
 * /v1/metrics in the Prometheus text exposition format (prom-client), from the same snapshot as the
 * JSON answer: per-stage latency quantiles (ms) over the recent window, sample counts, and counters.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricsResponse } from '../../contract/api.js';

/** The Content-Type of the exposition (text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Renders a metrics snapshot as Prometheus text; a fresh registry each time (the snapshot is the state). */
export async function prometheusText(m: MetricsResponse): Promise<string> {
  const registry = new Registry();
  const latency = new Gauge({
    name: 'handsfree_stage_latency_ms',
    help: 'Latency per pipeline stage over the recent window, in milliseconds, by quantile (1 = max).',
    labelNames: ['stage', 'quantile'],
    registers: [registry],
  });
  const samples = new Counter({ name: 'handsfree_stage_samples_total', help: 'Latency samples recorded per stage.', labelNames: ['stage'], registers: [registry] });
  const events = new Counter({ name: 'handsfree_events_total', help: 'Event counters (commands, statuses, confirmations, ...).', labelNames: ['name'], registers: [registry] });
  for (const [stage, s] of Object.entries(m.stages)) {
    latency.set({ stage, quantile: '0.5' }, s.p50_ms);
    latency.set({ stage, quantile: '0.95' }, s.p95_ms);
    latency.set({ stage, quantile: '0.99' }, s.p99_ms);
    latency.set({ stage, quantile: '1' }, s.max_ms);
    samples.inc({ stage }, s.count);
  }
  for (const [name, n] of Object.entries(m.counters)) events.inc({ name }, n);
  return registry.metrics();
}

/** Whether a request asks for the text format: `?format=prometheus`, or an Accept preferring text/plain to JSON. */
export function wantsPrometheus(query: Readonly<Record<string, string>>, accept: string | undefined): boolean {
  if (query['format'] === 'prometheus') return true;
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.indexOf('application/json');
  return text !== -1 && (json === -1 || text < json);
}
