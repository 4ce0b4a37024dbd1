/**
 * TTS test screen state: provider/voice choices from the host, one synthesis at a time, the
 * returned audio as a blob: URL for an <audio> element (the page CSP allows media from blob:).
 */
import type { StateCreator } from 'zustand';
import type { TtsFormatName, TtsProviderName, TtsRequest, TtsResult } from '../../contract/api.js';
import type { HostApi } from '../../contract/ipc.js';
import type { AppState, TtsSlice } from './types.js';


/** base64 → a blob: URL of `contentType` (revoked by the caller when replaced). */
export function audioUrl(base64: string, contentType: string): string {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: contentType }));
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const ttsSlice = (host: HostApi): StateCreator<AppState, [], [], TtsSlice> => (set, get) => ({
  ttsChoices: null,
  ttsRunning: false,
  ttsResult: null,
  ttsAudioUrl: null,
  ttsError: null,
  async loadTtsChoices() {
    try {
      set({ ttsChoices: await host.call('tts.voices', undefined) });
    } catch (e) {
      set({ ttsError: errText(e) });
    }
  },
  async synthesize(req) {
    set({ ttsRunning: true, ttsError: null });
    try {
      const { audio_base64, ...rest } = await host.call('tts.synthesize', req);
      const old = get().ttsAudioUrl;
      if (old !== null) URL.revokeObjectURL(old);
      set({
        ttsRunning: false,
        ttsResult: rest,
        ttsAudioUrl: audioUrl(audio_base64, rest.content_type),
        announcement: `Speech ready: first audio after ${rest.first_audio_ms} milliseconds${rest.cached ? ', from the cache' : ''}.`,
      });
    } catch (e) {
      set({ ttsRunning: false, ttsError: errText(e) });
    }
  },
});
