/** Joins the app's event bus with UI-only events (diagnostics levels) into one typed source. */
import { EventEmitter } from 'node:events';
import { EVENT_NAMES, type EventName, type Events } from '../../contract/ipc.js';
import type { AppEventBus } from '../app/events.js';

export class UiEventHub {
  private readonly local = new EventEmitter();
  constructor(private readonly bus: AppEventBus) {
    this.local.setMaxListeners(1000);
  }

  emitLocal<K extends Exclude<EventName, keyof import('../../contract/events.js').AppEvents>>(name: K, payload: Events[K]): void {
    this.local.emit(name, payload);
  }

  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    if (name === 'diagnostics.levels') {
      this.local.on(name, listener);
      return () => this.local.off(name, listener);
    }
    return this.bus.on(name as Exclude<K, 'diagnostics.levels'>, listener as never);
  }

  /** Subscribes one listener to every event; returns one unsubscribe. */
  onAny(listener: <K extends EventName>(name: K, payload: Events[K]) => void): () => void {
    const offs = EVENT_NAMES.map((n) => this.on(n, (p) => listener(n, p)));
    return () => offs.forEach((off) => off());
  }
}
