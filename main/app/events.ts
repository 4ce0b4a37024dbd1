import { EventEmitter } from 'node:events';
import type { AppEventName, AppEvents } from '../../contract/events.js';

/** Typed in-process event bus; transports subscribe and forward to their clients. */
export class AppEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every connected window/socket subscribes; the default warning at 10 would be noise.
    this.emitter.setMaxListeners(1000);
  }

  emit<K extends AppEventName>(name: K, payload: AppEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  /** Returns an unsubscribe function. */
  on<K extends AppEventName>(name: K, listener: (payload: AppEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
