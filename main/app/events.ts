import { EventEmitter } from 'node:events';
import type { AppEventName, AppEvents } from '../../contract/events.js';

/**
 * Who an event is for: the user and, when known, the authenticated client (Caller.principal) whose
 * command caused it. Transports to several clients deliver it to that client only (see
 * UiEventHub.onAnyFor); events without an audience are app-wide state of the app's own user.
 */
export interface EventAudience {
  userId: string;
  principal?: string;
}

/** Typed in-process event bus; transports subscribe and forward to their clients. */
export class AppEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every connected window/socket subscribes; the default warning at 10 would be noise.
    this.emitter.setMaxListeners(1000);
  }

  emit<K extends AppEventName>(name: K, payload: AppEvents[K], audience?: EventAudience): void {
    this.emitter.emit(name, payload, audience);
  }

  /** Returns an unsubscribe function. */
  on<K extends AppEventName>(name: K, listener: (payload: AppEvents[K], audience?: EventAudience) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
