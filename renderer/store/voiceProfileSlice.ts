/**
 * Voice profile screen state: the prompts, which are recorded, and the profile's status; every
 * step is one host call (recording happens in the host, from the headset mic).
 */
import type { StateCreator } from 'zustand';
import type { HostApi, VoiceProfileView } from '../../contract/ipc.js';
import type { AppState, VoiceProfileSlice } from './types.js';


const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const voiceProfileSlice = (host: HostApi): StateCreator<AppState, [], [], VoiceProfileSlice> => (set) => {
  const step = async (busy: string, f: () => Promise<VoiceProfileView>, done?: string): Promise<void> => {
    set({ voiceProfileBusy: busy, voiceProfileError: null });
    try {
      set({ voiceProfile: await f(), ...(done ? { announcement: done } : {}) });
    } catch (e) {
      set({ voiceProfileError: errText(e) });
    } finally {
      set({ voiceProfileBusy: null });
    }
  };
  return {
    voiceProfile: null,
    voiceProfileBusy: null,
    voiceProfileError: null,
    loadVoiceProfile: () => step('load', () => host.call('voiceProfile.status', undefined)),
    recordPrompt: (index) => step(`record:${index}`, () => host.call('voiceProfile.record', { index }), `Phrase ${index + 1} recorded.`),
    adaptVoiceProfile: () => step('adapt', () => host.call('voiceProfile.adapt', undefined), 'Voice profile saved; offline speech now uses it.'),
    resetVoiceProfile: () => step('reset', () => host.call('voiceProfile.reset', undefined), 'Voice profile removed.'),
  };
};
