/**
 * Push-to-talk: the button holds the mic open through the host's voice loop (main/voice), the
 * loop's state arrives as 'voice.state' events; when voice cannot run (add-on not built, no
 * microphone) the host's reason is shown instead of a silent no-op.
 */
import type { StateCreator } from 'zustand';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { HostApi, VoiceStatusView } from '../../contract/ipc.js';
import type { AppState, VoiceSlice } from './types.js';


const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const voiceSlice = (host: HostApi): StateCreator<AppState, [], [], VoiceSlice> => (set, get) => ({
  voice: null,
  voiceEvent: null,
  voiceHeard: null,
  voiceError: null,
  pttHeld: false,
  async loadVoice() {
    try {
      // The host's state now supersedes the last pushed event (missed events: a socket not yet
      // open, or one that was down).
      set({ voice: await host.call('voice.status', undefined), voiceEvent: null });
    } catch (e) {
      set({ voiceError: errText(e) });
    }
  },
  async pushToTalk(pressed) {
    if (get().pttHeld === pressed) return; // key repeat, or a release without a press
    set({ pttHeld: pressed, voiceError: null });
    try {
      const r = await host.call('voice.ptt', { pressed });
      const { ok, ...status } = r;
      set({ voice: status });
      if (!ok && pressed) set({ voiceError: status.reason ?? `Push-to-talk is not available while the voice loop is ${status.state}.`, pttHeld: false });
    } catch (e) {
      set({ voiceError: errText(e), pttHeld: false });
    }
  },
});

/** Keeps `voice` in step with the loop's pushed state changes. */
export function onVoiceState(set: (p: Partial<AppState>) => void, get: () => AppState, e: VoiceStateEvent): void {
  const v = get().voice;
  set({
    voiceEvent: e,
    ...(e.state === 'thinking' && e.transcript !== undefined ? { voiceHeard: e.transcript } : {}),
    ...(e.state === 'listening' ? { voiceHeard: null } : {}),
    voice: { available: e.state !== 'unavailable', reason: e.state === 'unavailable' ? (e.message ?? null) : null, state: e.state, mode: v?.mode ?? null },
  });
}

/**
 * The push-to-talk status line: an error or why voice is unavailable; else the loop's state, from the
 * last pushed event, or before any (the socket may still be connecting: a press made then is
 * answered, but its 'listening' event was sent before the page listened) the host's last reply.
 */
export function voiceStatusLine(v: Pick<AppState, 'voice' | 'voiceEvent' | 'voiceHeard' | 'voiceError'>): string {
  if (v.voiceError !== null) return v.voiceError;
  if (v.voice !== null && v.voice.state === 'unavailable') return v.voice.reason ?? 'Voice is not available.';
  const state = v.voiceEvent?.state ?? v.voice?.state;
  if (state === undefined) return '';
  return `Voice: ${state}${v.voiceHeard ? ` · heard “${v.voiceHeard}”` : ''}`;
}
