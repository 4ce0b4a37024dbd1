/**
 * One zustand store from slices (inbox, confirmations, session, diagnostics, settings, status).
 * It is a projection of state pushed from main; actions call the host passed in at init.
 */
import { create, type StateCreator } from 'zustand';
import type { StatusResponse } from '../../contract/api.js';
import type { AudioWarningEvent, PipelineStateEvent } from '../../contract/events.js';
import type { AudioDiagnosticsView, DiagnosticsJob, DiagnosticsJobResult, HostApi, LevelsSample, SettingsPatch, SettingsView } from '../../contract/ipc.js';
import type { ActionState, CommandResponse, NotificationCard, PendingActionView } from '../../contract/response.js';
import { setAllowedGitHubHost } from '../../contract/linkPolicy.js';
import { runDirectives } from '../features/openLinks.js';
import { conversationSlice, onTurn, onVoiceMark } from './conversationSlice.js';
import { ttsSlice } from './ttsSlice.js';
import { signInSlice } from './signInSlice.js';
import type { AppState, ConfirmationsSlice, DiagnosticsSlice, InboxSlice, SessionSlice, SettingsSlice, StatusSlice } from './types.js';
import { voiceProfileSlice } from './voiceProfileSlice.js';
import { pairingSlice } from './pairingSlice.js';
import { onVoiceState, voiceSlice } from './voiceSlice.js';

export type * from './types.js';

type Slice<T> = (host: HostApi) => StateCreator<AppState, [], [], T>;

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const SESSION_ID = `ui-${Math.random().toString(36).slice(2, 10)}`;

/** Route warnings kept on screen. */
const MAX_AUDIO_WARNINGS = 4;

const inboxSlice: Slice<InboxSlice> = (host) => (set) => ({
  inbox: [],
  unread: null,
  audioWarnings: [],
  // By kind, not time: one burst's warnings share their `at`, and dismissing one must not hide the rest.
  dismissAudioWarning: (kind) => set((s) => ({ audioWarnings: s.audioWarnings.filter((w) => w.kind !== kind) })),
  inboxLoaded: false,
  inboxError: null,
  async loadInbox() {
    try {
      const r = await host.call('inbox.list', undefined);
      set((s) => ({ inbox: r.items, inboxLoaded: true, inboxError: null, unread: s.unread ?? r.items.filter((i) => i.unread).length }));
    } catch (e) {
      set({ inboxError: errText(e), inboxLoaded: true, lastError: errText(e) });
    }
  },
});

function applyResponse(set: (fn: (s: AppState) => Partial<AppState>) => void, res: CommandResponse): void {
  set((s) => {
    const confirmations = { ...s.confirmations };
    for (const card of res.cards) {
      if (card.kind === 'confirmation') {
        const prev = confirmations[card.action.token];
        confirmations[card.action.token] = {
          action: card.action,
          deadlineMs: prev?.deadlineMs ?? performance.now() + card.action.expires_in_ms,
          state: prev?.state ?? 'pending',
          outcome: prev?.outcome ?? null,
          message: prev?.message ?? null,
          busy: false,
        };
      }
      if (card.kind === 'outcome') {
        const prev = confirmations[card.token];
        if (prev) confirmations[card.token] = { ...prev, state: card.state, outcome: card.outcome, message: card.message, busy: false };
      }
    }
    return { confirmations };
  });
}

const confirmationsSlice: Slice<ConfirmationsSlice> = (host) => (set, get) => {
  const settle = async (token: string, run: () => Promise<CommandResponse>): Promise<void> => {
    const entry = get().confirmations[token];
    if (!entry || entry.busy || entry.state !== 'pending') return;
    set((s) => ({ confirmations: { ...s.confirmations, [token]: { ...entry, busy: true } } }));
    try {
      const res = await run();
      applyResponse(set, res);
      const after = get().confirmations[token];
      if (after && after.busy) {
        // An error response (expired, used) carries no outcome card: show its spoken reason.
        const code = res.error?.code;
        const state: ActionState = code === 'token_expired' ? 'expired' : res.status === 'error' ? 'failed' : after.state;
        set((s) => ({ confirmations: { ...s.confirmations, [token]: { ...after, busy: false, state, outcome: code ?? after.outcome, message: res.spoken_text } } }));
      }
      set({ announcement: res.spoken_text });
    } catch (e) {
      set((s) => ({ lastError: errText(e), confirmations: { ...s.confirmations, [token]: { ...get().confirmations[token]!, busy: false } } }));
    }
  };
  return {
    confirmations: {},
    confirm: (token) => settle(token, () => host.call('action.confirm', { token, via: 'click' })),
    cancel: (token) => settle(token, () => host.call('action.cancel', { token })),
  };
};

const sessionSlice: Slice<SessionSlice> = (host) => (set, get) => ({
  connected: false,
  pipeline: { stage: 'idle', session_id: null },
  lastResponse: null,
  commandError: null,
  announcement: '',
  async runCommand(text, input = 'text') {
    try {
      const profile = get().settings?.settings.profile;
      const res = await host.call('command.run', { text, session_id: SESSION_ID, client_context: { input }, ...(profile ? { profile } : {}) });
      applyResponse(set, res);
      // As the host's conversation.turn says it (app.ts observed): kept if that event is lost.
      onTurn(set, { session_id: res.session_id, source: 'text', heard: text.slice(0, 500), response: res });
      set({ lastResponse: res, commandError: null, announcement: res.spoken_text });
      await runDirectives(res, {
        openExternal: async (url) => (await host.call('shell.openExternal', { url })).opened,
        openWindow: (url) => void window.open(url, '_blank', 'noopener,noreferrer'),
      });
      return res;
    } catch (e) {
      set({ commandError: errText(e), lastError: errText(e) });
      return null;
    }
  },
  async runSteps(steps) {
    let last: CommandResponse | null = null;
    for (const step of steps) {
      last = await get().runCommand(step);
      if (last === null || last.status === 'error') break;
    }
    return last;
  },
});

/** How much level history Diagnostics keeps and draws (ms). */
export const LEVEL_HISTORY_MS = 10_000;

const diagnosticsSlice: Slice<DiagnosticsSlice> = (host) => (set, get) => ({
  diagnostics: null,
  levels: null,
  levelHistory: [],
  outputLevelHistory: [],
  latencies: [],
  jobResult: null,
  jobRunning: null,
  async measureLatency(times) {
    set({ jobRunning: 'latency', jobResult: null });
    let last: DiagnosticsJobResult | null = null;
    for (let i = 0; i < times; i++) {
      try {
        last = await host.call('diagnostics.run', { job: 'latency' });
      } catch (e) {
        last = { ok: false, message: errText(e) };
      }
      const ms = last.latencyMs;
      if (typeof ms === 'number') set({ latencies: [...get().latencies, ms].slice(-200) });
      if (!last.ok) break;
    }
    set({ jobRunning: null, jobResult: last, announcement: last?.message ?? '' });
  },
  async runDiagnostics(job) {
    set({ jobRunning: job, jobResult: null });
    try {
      const r = await host.call('diagnostics.run', { job });
      set((s) => ({ jobResult: r, jobRunning: null, announcement: r.message, latencies: typeof r.latencyMs === 'number' ? [...s.latencies, r.latencyMs].slice(-200) : s.latencies }));
    } catch (e) {
      set({ jobRunning: null, jobResult: { ok: false, message: errText(e) } });
    }
  },
  async loadDiagnostics() {
    try {
      set({ diagnostics: await host.call('diagnostics.get', undefined) });
    } catch (e) {
      set({ lastError: errText(e) });
    }
  },
  async setMeter(on) {
    try {
      set({ diagnostics: await host.call('diagnostics.meter', { on }) });
    } catch (e) {
      set({ lastError: errText(e) });
    }
  },
});

const settingsSlice: Slice<SettingsSlice> = (host) => (set) => ({
  settings: null,
  settingsError: null,
  settingsSaved: false,
  async loadSettings() {
    try {
      const settings = await host.call('settings.get', undefined);
      // Links to the app's GitHub Enterprise host (if any) may be opened too; all others stay refused.
      setAllowedGitHubHost(settings.github?.enterprise_host ?? null);
      set({ settings, settingsError: null });
    } catch (e) {
      set({ settingsError: errText(e) });
    }
  },
  async saveSettings(patch) {
    try {
      set({ settings: await host.call('settings.update', patch), settingsError: null, settingsSaved: true, announcement: 'Settings saved.' });
    } catch (e) {
      set({ settingsError: errText(e), settingsSaved: false });
    }
  },
  async saveToken(token) {
    try {
      set({ settings: await host.call('secret.setToken', { token }), settingsError: null, announcement: 'GitHub token saved.' });
    } catch (e) {
      set({ settingsError: errText(e) });
    }
  },
});

const statusSlice: Slice<StatusSlice> = (host) => (set) => ({
  status: null,
  lastError: null,
  async loadStatus() {
    try {
      set({ status: await host.call('status.get', undefined) });
    } catch (e) {
      set({ lastError: errText(e) });
    }
  },
});

/** Builds the bound store and subscribes it to pushed events. */
export function createAppStore(host: HostApi) {
  const useStore = create<AppState>()((...a) => ({
    ...inboxSlice(host)(...a),
    ...confirmationsSlice(host)(...a),
    ...sessionSlice(host)(...a),
    ...diagnosticsSlice(host)(...a),
    ...settingsSlice(host)(...a),
    ...statusSlice(host)(...a),
    ...ttsSlice(host)(...a),
    ...voiceProfileSlice(host)(...a),
    ...pairingSlice(host)(...a),
    ...voiceSlice(host)(...a),
    ...conversationSlice(host)(...a),
    ...signInSlice(host)(...a),
  }));
  const set = useStore.setState;
  host.on('pipeline.state', (p) => set({ pipeline: p, announcement: p.stage === 'idle' ? (p.spoken_text ?? '') : p.stage === 'thinking' ? 'Thinking…' : p.stage }));
  // Live inbox: the whole list after each change, and single arrivals in place before it.
  host.on('inbox.changed', (p) => set({ inbox: p.items, inboxLoaded: true, inboxError: null, unread: p.unread ?? p.items.filter((i) => i.unread).length }));
  host.on('notification.new', (n) =>
    set((s) => {
      const rest = s.inbox.filter((c) => c.thread_id !== n.item.thread_id);
      const isNew = rest.length === s.inbox.length;
      const inbox = [{ ...n.item, position: 1 }, ...rest].map((c, i) => ({ ...c, position: i + 1 }));
      return { inbox, unread: isNew && n.item.unread ? (s.unread ?? rest.length) + 1 : s.unread };
    }),
  );
  host.on('audio.warning', (w) =>
    set((s) => ({
      audioWarnings: [...s.audioWarnings.filter((x) => x.kind !== w.kind), w].slice(-MAX_AUDIO_WARNINGS),
      announcement: w.message,
    })),
  );
  const recent = (h: LevelsSample[], l: LevelsSample): LevelsSample[] => [...h.filter((x) => l.atMs - x.atMs <= LEVEL_HISTORY_MS && x.atMs <= l.atMs), l];
  host.on('diagnostics.levels', (l) =>
    set((s) => (l.source === 'output' ? { outputLevelHistory: recent(s.outputLevelHistory, l) } : { levels: l, levelHistory: recent(s.levelHistory, l) })),
  );
  host.on('voice.state', (e) => {
    onVoiceState(set, useStore.getState, e);
    onVoiceMark(set, e);
  });
  host.on('conversation.turn', (e) => onTurn(set, e));
  host.on('action.changed', (e) =>
    set((s) => {
      const prev = s.confirmations[e.token];
      if (e.action) {
        return { confirmations: { ...s.confirmations, [e.token]: prev ?? { action: e.action, deadlineMs: performance.now() + e.action.expires_in_ms, state: 'pending', outcome: null, message: null, busy: false } } };
      }
      if (!prev) return {};
      return { confirmations: { ...s.confirmations, [e.token]: { ...prev, state: e.state, outcome: e.outcome, message: e.message, busy: false } } };
    }),
  );
  return useStore;
}
export type AppStore = ReturnType<typeof createAppStore>;
