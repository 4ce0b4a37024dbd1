/**
 * Settings → "Pair a phone": the LAN listener's state, the paired phones, and the one-time code
 * with its QR while the panel shows one. Every step is one host call; main owns the codes and keys.
 */
import type { StateCreator } from 'zustand';
import type { HostApi } from '../../contract/ipc.js';
import type { PairingStatus } from '../../contract/pairing.js';
import type { AppState, PairingSlice } from './types.js';

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const pairingSlice = (host: HostApi): StateCreator<AppState, [], [], PairingSlice> => (set) => {
  const step = async (f: () => Promise<PairingStatus>, patch: Partial<PairingSlice> = {}, done?: string): Promise<void> => {
    try {
      set({ pairing: await f(), pairingError: null, ...patch, ...(done ? { announcement: done } : {}) });
    } catch (e) {
      set({ pairingError: errText(e) });
    }
  };
  return {
    pairing: null,
    pairingOffer: null,
    pairingError: null,
    loadPairing: () => step(() => host.call('pairing.status', undefined)),
    showPairingCode: async () => {
      try {
        const offer = await host.call('pairing.offer', undefined);
        set({ pairingOffer: offer, pairingError: null, announcement: `Pairing code ${offer.code.split('').join(' ')}.` });
      } catch (e) {
        set({ pairingError: errText(e) });
      }
    },
    hidePairingCode: () => step(() => host.call('pairing.cancel', undefined), { pairingOffer: null }),
    unpairPhone: (keyId) => step(() => host.call('pairing.revoke', { key_id: keyId }), {}, 'Phone unpaired.'),
  };
};
