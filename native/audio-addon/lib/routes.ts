/**
 * Route awareness. The binding reports snapshots (defaults + every device with transport and
 * Bluetooth profile, from libpulse on Linux); diffRoutes() turns two snapshots into events.
 */
import { EventEmitter } from 'node:events';

import { loadNative } from './loader.js';
import type { NativeRouteItem } from './native.js';
import type { AudioDirection, DeviceInfo, RouteEvent } from './types.js';

export interface RouteSnapshot {
  readonly defaultInputId: string | null;
  readonly defaultOutputId: string | null;
  readonly devices: readonly DeviceInfo[];
}

/** HFP/HSP inputs run at 8 or 16 kHz. */
export const NARROWBAND_MAX_HZ = 16_000;

/** Devices remembered after they leave the list (headsets come and go; a long session stays small). */
const SEEN_MAX = 256;

function find(s: RouteSnapshot | null, id: string | null): DeviceInfo | null {
  if (!s || id === null) return null;
  return s.devices.find((d) => d.id === id) ?? null;
}

/**
 * Events between two snapshots. `seen` holds devices from earlier snapshots: a snapshot is three
 * queries (server defaults, sources, sinks), so a device removed between them is still the default
 * in one snapshot but already missing from its list; the default change only shows in the next
 * snapshot, whose predecessor no longer lists the device it moved away from.
 */
export function diffRoutes(prev: RouteSnapshot | null, next: RouteSnapshot, seen?: ReadonlyMap<string, DeviceInfo>): RouteEvent[] {
  const events: RouteEvent[] = [];
  if (prev) {
    const nextIds = new Set(next.devices.map((d) => d.id));
    for (const d of prev.devices) {
      if (d.isMonitor || nextIds.has(d.id)) continue;
      events.push({ type: 'device-lost', direction: d.maxInputChannels > 0 ? 'input' : 'output', deviceId: d.id, reason: 'removed' });
    }
    const pairs: Array<[AudioDirection, string | null, string | null]> = [
      ['input', prev.defaultInputId, next.defaultInputId],
      ['output', prev.defaultOutputId, next.defaultOutputId],
    ];
    for (const [direction, fromId, toId] of pairs) {
      if (fromId === toId) continue;
      const to = find(next, toId);
      events.push({ type: 'default-changed', direction, fromId, toId, to });
      const from = find(prev, fromId) ?? (fromId !== null ? (seen?.get(fromId) ?? null) : null);
      if (fromId !== null && from?.transport === 'bluetooth' && to?.transport !== 'bluetooth') {
        events.push({ type: 'fallback-to-non-bluetooth', direction, fromId, toId, toTransport: to?.transport ?? 'unknown' });
      }
    }
  }
  const input = find(next, next.defaultInputId);
  if (input && input.transport === 'bluetooth' && input.defaultSampleRateHz > 0 && input.defaultSampleRateHz <= NARROWBAND_MAX_HZ) {
    const before = find(prev, prev?.defaultInputId ?? null);
    if (!before || before.id !== input.id || before.defaultSampleRateHz !== input.defaultSampleRateHz) {
      events.push({ type: 'narrowband-input', deviceId: input.id, sampleRateHz: input.defaultSampleRateHz });
    }
  }
  return events;
}

export interface RouteMonitorEvents {
  route: [RouteEvent];
  snapshot: [RouteSnapshot];
  error: [Error];
}

/**
 * Watches the system's audio routes. Emits 'route' (RouteEvent), 'snapshot' and 'error' (the
 * audio server went away; it reconnects by itself). On platforms without a route source, supported
 * is false and nothing is emitted: transports then stay 'unknown'.
 */
export class RouteMonitor extends EventEmitter<RouteMonitorEvents> {
  readonly supported: boolean;
  private watcher: { close(): void } | null = null;
  private last: RouteSnapshot | null = null;
  /** Every device seen, least recently listed first; bounded (SEEN_MAX). */
  private readonly seen = new Map<string, DeviceInfo>();
  private readyWaiters: Array<() => void> = [];

  constructor() {
    super();
    const native = loadNative();
    this.supported = native.routeSupport !== 'none';
    if (this.supported) this.watcher = new native.RouteWatcher((item) => this.onItem(item));
  }

  /** Latest snapshot (null until the first arrives). */
  get snapshot(): RouteSnapshot | null {
    return this.last;
  }

  /** Resolves once the first snapshot (or the first connection error) has arrived; at once when unsupported. */
  ready(): Promise<void> {
    if (this.last || !this.supported || !this.watcher) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    for (const w of this.readyWaiters.splice(0)) w();
  }

  private onItem(item: NativeRouteItem): void {
    if (!this.watcher) return;
    if (item.kind === 'error') {
      for (const w of this.readyWaiters.splice(0)) w();
      if (this.listenerCount('error') > 0) this.emit('error', new Error(item.message));
      return;
    }
    const next: RouteSnapshot = { defaultInputId: item.defaultInputId, defaultOutputId: item.defaultOutputId, devices: item.devices };
    const events = diffRoutes(this.last, next, this.seen);
    this.last = next;
    for (const d of next.devices) {
      this.seen.delete(d.id);
      this.seen.set(d.id, d);
    }
    while (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.keys().next().value!);
    this.emit('snapshot', next);
    for (const w of this.readyWaiters.splice(0)) w();
    for (const e of events) this.emit('route', e);
  }
}

/**
 * Convenience: subscribe to route events; returns an unsubscribe function. `onReady` runs once the
 * first snapshot is in (changes before it are not reported), or at once when routes are unsupported.
 */
export function watchRoutes(listener: (event: RouteEvent) => void, onReady?: () => void): () => void {
  const m = new RouteMonitor();
  m.on('route', listener);
  m.on('error', () => {});
  if (onReady) void m.ready().then(onReady);
  return () => m.close();
}
