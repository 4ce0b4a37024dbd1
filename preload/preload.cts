/**
 * Preload (sandboxed, CommonJS): contextBridge only. Exposes `window.handsfree` as the HostApi of
 * contract/ipc.ts — one `call` over an allow-listed channel set and one `on` per allow-listed event;
 * never ipcRenderer itself. Sandboxed preloads may only require 'electron', so the names are listed
 * here and checked against contract/ipc.ts by main/electron/preload.test.ts.
 */
import electron = require('electron');
import type { CallName, Calls, EventName, Events, HostApi } from '../contract/ipc.js';

const PRELOAD_CALLS: readonly CallName[] = [
  'command.run',
  'action.confirm',
  'action.cancel',
  'inbox.list',
  'status.get',
  'settings.get',
  'settings.update',
  'settings.firstRun',
  'secret.setToken',
  'auth.deviceStart',
  'auth.deviceStatus',
  'auth.deviceCancel',
  'diagnostics.get',
  'diagnostics.meter',
  'diagnostics.run',
  'shell.openExternal',
  'tts.synthesize',
  'tts.voices',
  'voice.status',
  'voice.ptt',
  'voice.stop',
  'voiceProfile.status',
  'voiceProfile.record',
  'voiceProfile.adapt',
  'voiceProfile.reset',
  'pairing.status',
  'pairing.offer',
  'pairing.cancel',
  'pairing.revoke',
];
const PRELOAD_EVENTS: readonly EventName[] = ['pipeline.state', 'action.changed', 'inbox.changed', 'diagnostics.levels', 'voice.state', 'conversation.turn', 'notification.new', 'notification.alert', 'audio.warning'];

const api: HostApi = {
  call<K extends CallName>(name: K, req: Calls[K]['req']): Promise<Calls[K]['res']> {
    if (!PRELOAD_CALLS.includes(name)) return Promise.reject(new Error(`unknown call ${String(name)}`));
    return electron.ipcRenderer.invoke(`call:${name}`, req) as Promise<Calls[K]['res']>;
  },
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    if (!PRELOAD_EVENTS.includes(name)) throw new Error(`unknown event ${String(name)}`);
    const channel = `event:${name}`;
    const wrapped = (_e: unknown, payload: Events[K]): void => listener(payload);
    electron.ipcRenderer.on(channel, wrapped);
    return () => {
      electron.ipcRenderer.removeListener(channel, wrapped);
    };
  },
};

electron.contextBridge.exposeInMainWorld('handsfree', api);
