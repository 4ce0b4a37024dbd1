/**
 * What can be said: the shared sub-rules below, and each command's spec (one-line help, spoken
 * examples, anchor words, the phrase patterns the recognizer aligns against) from its module in
 * core/commands/.
 *
 * Patterns use the JSGF-like language described in pattern.ts: finite words, [optional],
 * (a | b), <rule> references to RULES below, and typed {slots} (see SLOT_TYPES in slots.ts). A
 * pocketsphinx JSGF grammar can be generated from RULES + patterns + SLOT_VOCABULARY; the open slots
 * ({repo}, {reviewers}, {body}) need runtime word lists (known repos, collaborators) or a dictation
 * fallback.
 */
import { COMMAND_SPECS } from '../commands/index.js';
import type { AnyCommandSpec, CommandIntent } from '../commands/types.js';

export type { AnyCommandSpec, CommandIntent, CommandSpec, PatternSpec } from '../commands/types.js';

/**
 * Shared sub-rules. `strict` rules cannot lose words to "missing word" tolerance: "it" in <pr> must
 * be heard to stand for a PR, otherwise any sentence would have an implicit PR.
 */
export const RULES: Readonly<Record<string, { p: string; strict: boolean }>> = {
  pr: {
    strict: true,
    p: '[the] pr [number] {number} | number {number} | {number:bare_number} | {repo} (pr | number) {number}'
      + ' | (it | this | that) [one | pr | thread] | the [current] pr',
  },
  explicit_pr: { strict: true, p: '[the] pr [number] {number} | {repo} (pr | number) {number}' },
  inrepo: {
    strict: false,
    p: '(in | on | from | for | at | of | under | inside) [the] ({repo} [repo | repository | project] | {repo:repo_name} (repo | repository | project))',
  },
  issue: { strict: true, p: '[the] (issue | issues | bug | ticket) [number] {issue:number} | number {issue:number}' },
  agent: { strict: false, p: 'agent | copilot | coding agent | copilot agent | bot | ai' },
  fix: {
    strict: false,
    p: 'fix | handle | work on | take | look at | look into | solve | resolve | tackle | address | implement | pick up | deal with | take care of | do',
  },
  instruction: {
    strict: true,
    p: '(and | and then | then | and also | saying | with instructions | with the instruction | with the note | and tell it to | telling it to | :) {instruction:body}',
  },
  say: { strict: true, p: 'saying | that says | to say | and say | that | with | with the text | reading | stating | :' },
  with_method: { strict: false, p: '(with | using | via | by | as) [a | an | the] {method}' },
  check_thing: { strict: false, p: 'checks | check | ci | tests | test | build | builds | pipeline | status checks | ci checks' },
  check_state: {
    strict: false,
    p: 'passing | green | ok | okay | good | failing | red | broken | done | finished | complete | running | still running',
  },
  thread: {
    strict: true,
    p: 'it | this | that | this one | that one | [the | this | that] (notification | thread | one | conversation | pr | issue)',
  },
  i_am: { strict: true, p: 'i am' },
  web: { strict: false, p: '[the | my | a] (browser | web browser | web | github | website | chrome | firefox | safari | new tab)' },
  confirm_what: {
    strict: false,
    p: '[the] (merge | merging | comment | review | reviews | review request | request | approval | change request | delegation | action | unsubscribe | reply | it | that | this)',
  },
};

/** Every command's spec, from its module in core/commands/ (in contract/commands.ts order). */
export const COMMANDS: readonly AnyCommandSpec[] = COMMAND_SPECS;

/** The catalog entry for an intent. */
export function commandFor(intent: CommandIntent): AnyCommandSpec {
  const c = COMMANDS.find((x) => x.intent === intent);
  if (c === undefined) throw new Error(`no catalog entry for ${intent}`);
  return c;
}

/** Every example utterance with its intent (for tests, the UI's voice-twin list, grammar checks). */
export function exampleUtterances(): { intent: CommandIntent; text: string }[] {
  return COMMANDS.flatMap((c) => c.examples.map((text) => ({ intent: c.intent, text })));
}

/**
 * Examples for a help reply: the first example of each command, or the examples of one intent
 * (for "did you mean ..." after a low-confidence guess). `limit` caps the count.
 */
export function helpExamples(intent?: CommandIntent, limit = Infinity): string[] {
  const list = intent === undefined ? COMMANDS.map((c) => c.examples[0] as string) : commandFor(intent).examples.slice();
  return list.slice(0, limit);
}
