/** Joins the app's event bus with UI-only events (diagnostics levels) into one typed source. */
import { EventEmitter } from 'node:events';
import type { Caller } from '../../contract/api.js';
import { EVENT_NAMES, type EventName, type Events } from '../../contract/ipc.js';
import type { AppEventBus, EventAudience } from '../app/events.js';

export class UiEventHub {
  private readonly local = new EventEmitter();
  /**
   * @param ownerUserId the app's own user: app-wide events (voice state, inbox, poller,
   *   diagnostics) go to that user's clients only.
   */
  constructor(
    private readonly bus: AppEventBus,
    private readonly ownerUserId?: string,
  ) {
    this.local.setMaxListeners(1000);
  }

  emitLocal<K extends Exclude<EventName, keyof import('../../contract/events.js').AppEvents>>(name: K, payload: Events[K]): void {
    this.local.emit(name, payload);
  }

  on<K extends EventName>(name: K, listener: (payload: Events[K], audience?: EventAudience) => void): () => void {
    if (name === 'diagnostics.levels') {
      this.local.on(name, listener);
      return () => this.local.off(name, listener);
    }
    return this.bus.on(name as Exclude<K, 'diagnostics.levels'>, listener as never);
  }

  /** Subscribes one listener to every event; returns one unsubscribe. For the app's own window (IPC). */
  onAny(listener: <K extends EventName>(name: K, payload: Events[K]) => void): () => void {
    const offs = EVENT_NAMES.map((n) => this.on(n, (p) => listener(n, p)));
    return () => offs.forEach((off) => off());
  }

  /**
   * Every event `viewer` may see, for transports shared by several clients (the WebSocket): an
   * event caused by a client goes to that client only (its confirmation tokens and session ids);
   * one addressed to a user (payload `user_id`) to that user's clients; app-wide events to the
   * app owner's clients. This is the one place events are filtered per client.
   */
  onAnyFor(viewer: Caller, listener: <K extends EventName>(name: K, payload: Events[K]) => void): () => void {
    const offs = EVENT_NAMES.map((n) =>
      this.on(n, (p, audience) => {
        if (maySee(viewer, p, audience, this.ownerUserId)) listener(n, p);
      }),
    );
    return () => offs.forEach((off) => off());
  }
}

/** The visibility rule of UiEventHub.onAnyFor (exported for tests). */
export function maySee(viewer: Caller, payload: unknown, audience: EventAudience | undefined, ownerUserId: string | undefined): boolean {
  if (audience !== undefined) {
    if (audience.userId !== viewer.userId) return false;
    return audience.principal === undefined || audience.principal === viewer.principal;
  }
  const p = payload as { user_id?: unknown } | null;
  if (typeof p === 'object' && p !== null && typeof p.user_id === 'string') return p.user_id === viewer.userId;
  return ownerUserId !== undefined && viewer.userId === ownerUserId;
}
