/**
 * The only code touching the host: IPC through the preload's `window.handsfree` in Electron, or
 * HTTP + WebSocket in browser mode. Both implement HostApi from contract/ipc.ts.
 */
import { UI_CALL_PATH_PREFIX, UI_EVENTS_PATH, type CallName, type Calls, type EventName, type Events, type HostApi, type WsMessage } from '../../contract/ipc.js';

declare global {
  interface Window {
    handsfree?: HostApi;
  }
}

export class HostCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = (payload: unknown) => void;

export function createBrowserBridge(origin: string, onConnection: (connected: boolean) => void): HostApi {
  const listeners = new Map<string, Set<Listener>>();
  let retryMs = 250;
  const connect = (): void => {
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}${UI_EVENTS_PATH}`);
    ws.onopen = () => {
      retryMs = 250;
      onConnection(true);
    };
    ws.onmessage = (e) => {
      let msg: WsMessage;
      try {
        msg = JSON.parse(String(e.data)) as WsMessage;
      } catch {
        return;
      }
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    };
    ws.onclose = () => {
      onConnection(false);
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  connect();
  return {
    async call<K extends CallName>(name: K, req: Calls[K]['req']): Promise<Calls[K]['res']> {
      const r = await fetch(`${origin}${UI_CALL_PATH_PREFIX}${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(req === undefined ? {} : { req }),
      });
      // Errors are the API's one error body: {error: code, code, message, details}.
      const body = (await r.json().catch(() => ({}))) as { res?: Calls[K]['res']; error?: string; code?: string; message?: string };
      if (!r.ok || body.error !== undefined) throw new HostCallError(body.code ?? body.error ?? 'internal', body.message ?? `HTTP ${r.status}`);
      return body.res as Calls[K]['res'];
    },
    on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
      const set = listeners.get(name) ?? new Set<Listener>();
      listeners.set(name, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
  };
}

export function connectHost(onConnection: (connected: boolean) => void): HostApi {
  if (window.handsfree) {
    onConnection(true);
    return window.handsfree;
  }
  return createBrowserBridge(window.location.origin, onConnection);
}
