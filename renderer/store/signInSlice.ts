/**
 * GitHub sign-in (device flow) as the UI follows it: the host asks GitHub for a code, shows and
 * speaks it, and polls GitHub; this slice reads the host's state every second until it ends, then
 * reloads the settings (token status, first run) and the inbox.
 */
import type { StateCreator } from 'zustand';
import type { HostApi } from '../../contract/ipc.js';
import type { AppState, SignInSlice } from './types.js';

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** How often the UI reads the sign-in state while waiting, ms. */
export const SIGN_IN_REFRESH_MS = 1000;

export const signInSlice = (host: HostApi): StateCreator<AppState, [], [], SignInSlice> => (set, get) => {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const follow = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void host.call('auth.deviceStatus', undefined).then(
        (v) => {
          const was = get().signIn?.state;
          set({ signIn: v, ...(v.state !== was && v.state !== 'waiting' ? { announcement: v.message } : {}) });
          if (v.state === 'waiting') follow();
          else if (v.state === 'signed_in') {
            void get().loadSettings();
            void get().loadInbox();
          }
        },
        (e: unknown) => {
          set({ signInError: errText(e) });
          follow();
        },
      );
    }, SIGN_IN_REFRESH_MS);
  };
  return {
    signIn: null,
    signInError: null,
    async loadSignIn() {
      try {
        const v = await host.call('auth.deviceStatus', undefined);
        set({ signIn: v });
        if (v.state === 'waiting') follow();
      } catch (e) {
        set({ signInError: errText(e) });
      }
    },
    async startSignIn() {
      set({ signInError: null });
      try {
        const v = await host.call('auth.deviceStart', undefined);
        set({ signIn: v, announcement: v.message });
        if (v.state === 'waiting') follow();
      } catch (e) {
        set({ signInError: errText(e) });
      }
    },
    async cancelSignIn() {
      try {
        set({ signIn: await host.call('auth.deviceCancel', undefined) });
      } catch (e) {
        set({ signInError: errText(e) });
      }
    },
    async finishFirstRun(done) {
      try {
        set({ settings: await host.call('settings.firstRun', { done }) });
      } catch (e) {
        set({ settingsError: errText(e) });
      }
    },
  };
};
