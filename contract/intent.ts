/**
 * Intents: what the user asked for, as recognized from a transcript.
 * Pure types and constants; shared by core, main, the CLI and the renderer.
 */

import { COMMAND_NAMES, commandsOfKind, type CommandEntities, type CommandName } from './commands.js';

export { MERGE_METHODS, PROFILE_NAMES, type MergeMethod, type ProfileName } from './names.js';

/** Every intent: the commands of contract/commands.ts, then `unknown`. */
export const INTENT_NAMES = [...COMMAND_NAMES, 'unknown'] as readonly [...CommandName[], 'unknown'];

export type IntentName = CommandName | 'unknown';

/**
 * Intents whose execution changes something on GitHub (or would confirm such a change).
 * The negative transcript table asserts none of these is ever produced from chit-chat.
 */
export const SIDE_EFFECT_INTENTS: readonly IntentName[] = commandsOfKind('immediate', 'confirmed');

/** Intents that create a pending action and so need a confirmation before anything happens. */
export const CONFIRMED_INTENTS: readonly IntentName[] = commandsOfKind('confirmed');

/** Entities per intent (declared with each command in contract/commands.ts). */
export interface IntentEntities extends CommandEntities {
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
