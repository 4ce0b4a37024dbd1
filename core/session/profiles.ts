import type { ProfileName } from '../../contract/intent.js';

/** How much is spoken and how confirmations behave, per listening situation. */
export interface Profile {
  name: ProfileName;
  /** Most words in a spoken response; read-backs of actions are shortened, never cut. */
  wordBudget: number;
  /** Most inbox items named in a spoken rundown (cards carry the rest). */
  inboxItems: number;
  /** Pending-action lifetime in ms. */
  confirmTtlMs: number;
  /** When true, a spoken "confirm" must name the PR/issue number ("confirm 12"). */
  voiceConfirmNeedsNumber: boolean;
  /** Full read-backs name title and author; short ones only the target, head and checks. */
  readBack: 'full' | 'short';
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  default: { name: 'default', wordBudget: 60, inboxItems: 3, confirmTtlMs: 60_000, voiceConfirmNeedsNumber: false, readBack: 'full' },
  terse: { name: 'terse', wordBudget: 25, inboxItems: 2, confirmTtlMs: 60_000, voiceConfirmNeedsNumber: false, readBack: 'short' },
  // Out of breath and noisy: fewest words, more time to answer, and the number must be said.
  workout: { name: 'workout', wordBudget: 20, inboxItems: 1, confirmTtlMs: 90_000, voiceConfirmNeedsNumber: true, readBack: 'short' },
  // Batches: a longer rundown at once, more time to confirm between stops.
  commute: { name: 'commute', wordBudget: 45, inboxItems: 5, confirmTtlMs: 120_000, voiceConfirmNeedsNumber: false, readBack: 'full' },
  // Hands busy and a noisy hood fan (the seed's kitchen profile): short answers, time to wipe
  // hands before answering, and the number must be said so a clatter cannot confirm.
  kitchen: { name: 'kitchen', wordBudget: 30, inboxItems: 2, confirmTtlMs: 120_000, voiceConfirmNeedsNumber: true, readBack: 'short' },
};

export function profileOf(name: ProfileName | undefined): Profile {
  return PROFILES[name ?? 'default'];
}
