/**
 * Intents: what the user asked for, as recognized from a transcript.
 * Pure types and constants; shared by core, main, the CLI and the renderer.
 */

export const INTENT_NAMES = [
  'inbox.summary',
  'inbox.next',
  'inbox.read',
  'pr.summarize',
  'pr.checks',
  'pr.merge',
  'pr.request_review',
  'pr.comment',
  'agent.delegate',
  'agent.status',
  'notification.done',
  'notification.unsubscribe',
  'notification.open',
  'system.confirm',
  'system.cancel',
  'system.repeat',
  'system.stop',
  'system.help',
  'system.set_profile',
  'unknown',
] as const;

export type IntentName = (typeof INTENT_NAMES)[number];

export const MERGE_METHODS = ['merge', 'squash', 'rebase'] as const;
export type MergeMethod = (typeof MERGE_METHODS)[number];

export const PROFILE_NAMES = ['default', 'terse', 'workout', 'commute', 'kitchen'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * Intents whose execution changes something on GitHub (or would confirm such a change).
 * The negative transcript table asserts none of these is ever produced from chit-chat.
 */
export const SIDE_EFFECT_INTENTS: readonly IntentName[] = [
  'pr.merge',
  'pr.request_review',
  'pr.comment',
  'agent.delegate',
  'notification.done',
  'notification.unsubscribe',
  'system.confirm',
];

/** Intents that create a pending action and so need a confirmation before anything happens. */
export const CONFIRMED_INTENTS: readonly IntentName[] = [
  'pr.merge',
  'pr.request_review',
  'pr.comment',
  'agent.delegate',
  'notification.unsubscribe',
];

/**
 * Entities per intent. `repo` is "owner/name" once resolved against known repos.
 * A missing `number` means "it" (the PR in session context), resolved by the pipeline.
 * A missing merge `method` means the configured default for the repo.
 */
export interface IntentEntities {
  'inbox.summary': Record<string, never>;
  'inbox.next': Record<string, never>;
  /** 1-based position in the inbox list last read to the user. */
  'inbox.read': { position: number };
  'pr.summarize': { repo?: string; number?: number };
  'pr.checks': { repo?: string; number?: number };
  'pr.merge': { repo?: string; number?: number; method?: MergeMethod };
  'pr.request_review': { repo?: string; number?: number; reviewers: string[] };
  'pr.comment': { repo?: string; number?: number; body: string };
  'agent.delegate': { repo?: string; issue: number; instruction?: string };
  'agent.status': Record<string, never>;
  'notification.done': Record<string, never>;
  'notification.unsubscribe': Record<string, never>;
  /**
   * "open it": the current notification (or the PR "it" refers to) on github.com in the desktop
   * app's browser; an explicit PR ("open PR 12 on GitHub") or issue ("open issue 918 on GitHub")
   * opens that one. Opens a page, changes nothing on GitHub: not a side effect, no confirmation.
   */
  'notification.open': { repo?: string; number?: number; issue?: number };
  'system.confirm': { number?: number };
  'system.cancel': Record<string, never>;
  'system.repeat': Record<string, never>;
  'system.stop': Record<string, never>;
  'system.help': Record<string, never>;
  'system.set_profile': { profile: ProfileName };
  /** `guess` is the closest intent when confidence was too low to act; used for help text only. */
  unknown: { guess?: Exclude<IntentName, 'unknown'> };
}

export type IntentOf<K extends IntentName> = {
  name: K;
  /** 0..1; below the recognizer's threshold the intent is reported as `unknown`. */
  confidence: number;
  entities: IntentEntities[K];
};

export type Intent = { [K in IntentName]: IntentOf<K> }[IntentName];

/** Context the recognizer may use: never any PR/issue/notification text (untrusted). */
export interface RecognizerContext {
  /** "owner/name" of repos the user works with, used to resolve "the api repo" / "acme slash api". */
  knownRepos: readonly string[];
}
