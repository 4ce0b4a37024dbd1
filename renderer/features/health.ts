/** Provider health lines for Status: state now, and the last failure with when it happened. */
import type { ProviderHealthView } from '../../contract/api.js';

type LastErrorView = NonNullable<ProviderHealthView['last_error']>;

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago" for `atIso` seen at `nowMs` (epoch ms). */
export function agoText(atIso: string, nowMs: number): string {
  const ms = Math.max(0, nowMs - Date.parse(atIso));
  if (!Number.isFinite(ms)) return 'at an unknown time';
  if (ms < 5_000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

/** "none since start", or "<message> (<n> ago, <local time>)". */
export function lastErrorText(e: LastErrorView | null | undefined, nowMs: number): string {
  if (e === null || e === undefined) return 'none since start';
  const at = new Date(e.at);
  const clock = Number.isNaN(at.getTime()) ? e.at : at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${e.message} (${agoText(e.at, nowMs)}, ${clock})`;
}
