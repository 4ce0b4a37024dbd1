/**
 * The command registry: the single source of truth for what can be said. Intents, one-line help,
 * spoken examples (help replies and low-confidence hints), side-effect flags, the anchor words a
 * side-effect command must actually contain, and the phrase patterns the recognizer aligns against.
 *
 * Patterns use the JSGF-like language described in pattern.ts: finite words, [optional],
 * (a | b), <rule> references to RULES below, and typed {slots} (see SLOT_TYPES in slots.ts). A
 * pocketsphinx JSGF grammar can be generated from RULES + patterns + SLOT_VOCABULARY; the open slots
 * ({repo}, {reviewers}, {body}) need runtime word lists (known repos, collaborators) or a dictation
 * fallback.
 */
import type { IntentEntities, IntentName } from '../../contract/intent.js';

export type CommandIntent = Exclude<IntentName, 'unknown'>;

export interface PatternSpec {
  /** Template in the pattern language. */
  p: string;
  /** Entities fixed by this phrasing ("squash and merge" → method squash). */
  set?: Readonly<Record<string, string | number>>;
  /** Extra cost for a looser phrasing (subtracted from confidence when this pattern wins). */
  cost?: number;
}

export interface CommandSpec<K extends CommandIntent = CommandIntent> {
  intent: K;
  /** One line for help text and the UI's voice-twin list. */
  description: string;
  /** 2–4 things a user can say; each must be recognized as `intent` (tested). */
  examples: readonly string[];
  /** Changes something on GitHub (or confirms such a change): matches SIDE_EFFECT_INTENTS. */
  sideEffect: boolean;
  /**
   * For side-effect commands: at least one of these words must be heard (exactly or as a known
   * homophone), so a side effect never comes from a pattern whose verb was guessed.
   */
  anchors: readonly string[];
  /** Entity names this command can produce (keys of IntentEntities[intent]). */
  entities: readonly (keyof IntentEntities[K] & string)[];
  patterns: readonly (string | PatternSpec)[];
}

/** A catalog entry for any intent (distributes over intents so `entities` is checked per intent). */
export type AnyCommandSpec = { [K in CommandIntent]: CommandSpec<K> }[CommandIntent];

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
    p: '[the] (merge | merging | comment | review | reviews | review request | request | delegation | action | unsubscribe | reply | it | that | this)',
  },
};

export const COMMANDS: readonly AnyCommandSpec[] = [
  {
    intent: 'inbox.summary',
    description: 'Read a short rundown of your notifications inbox.',
    examples: ['what needs my attention', 'show my inbox', "what's new", 'any notifications'],
    sideEffect: false,
    anchors: [],
    entities: [],
    patterns: [
      'what (needs | requires | wants) [my] attention',
      '(show | read | check | open | give) [me] [my] (inbox | notifications)',
      'what is (new | in my inbox | on my plate | waiting for me | pending for me)',
      '[are there] any [new] (notifications | updates | news)',
      '[is there] anything (new | for me)',
      '[my | the] inbox',
      'what did i miss',
      'what (should | do) i (look at | work on | do | review) [first | next | now]',
      'brief me',
      'catch me up',
      '(give me | read me) [a | my | the] (summary | rundown | briefing) [of my (notifications | inbox)]',
    ],
  },
  {
    intent: 'inbox.next',
    description: 'Move to the next item in the list.',
    examples: ['next', 'next one', 'skip'],
    sideEffect: false,
    anchors: [],
    entities: [],
    patterns: [
      'next [one | item | notification | thread]',
      '[go | move | skip] (on | to) [the] next [one | item | notification]',
      'move on',
      'skip [it | this | that | this one | that one]',
      'what is next',
      '[read] the next [one | item | notification]',
    ],
  },
  {
    intent: 'inbox.read',
    description: 'Read one item of the list by its position.',
    examples: ['read the first one', 'the second one', 'open the third one', 'read item 2'],
    sideEffect: false,
    anchors: [],
    entities: ['position'],
    patterns: [
      '[read | open | play | show [me] | tell me about] [the] {position:ordinal} [one | item | notification | thing]',
      '[read | open | play] (item | notification | entry) [number] {position:number}',
    ],
  },
  {
    intent: 'pr.summarize',
    description: 'Summarize a pull request: title, author, size, checks, reviews.',
    examples: ['read PR 123', 'summarize pull request 45 in acme/web', "what's PR 7 about", 'what changed in it'],
    sideEffect: false,
    anchors: [],
    entities: ['repo', 'number'],
    patterns: [
      '(read | summarize | summarise | describe | explain | show [me] | review | pull up | check out | go to) <pr> [<inrepo>] [again]',
      // "open it" is notification.open (the browser); "open PR 12" names a PR, so it is read out.
      'open <explicit_pr> [<inrepo>] [again]',
      'tell me [more] about <pr> [<inrepo>]',
      'what is <pr> [<inrepo>] about',
      'what does <pr> [<inrepo>] do',
      'what about <pr> [<inrepo>]',
      'what (changed | is new | happened) (in | on | with) <pr> [<inrepo>]',
      '(give me | read me) [a | the] summary of <pr> [<inrepo>]',
      '(summary | details) (of | for | on) <pr> [<inrepo>]',
      '<explicit_pr> [<inrepo>]',
    ],
  },
  {
    intent: 'pr.checks',
    description: 'Say whether the checks (CI) pass on a pull request.',
    examples: ['are the checks passing on 12', 'how is CI on it', 'did the checks pass on PR 40'],
    sideEffect: false,
    anchors: [],
    entities: ['repo', 'number'],
    patterns: [
      '(are | is) [the] <check_thing> <check_state> [(on | for | in | of) <pr> [<inrepo>]]',
      'how (is | are) [the] <check_thing> [doing | looking] [(on | for | in | of) <pr> [<inrepo>]]',
      '(check | show [me] | read [me] | what is | what are | get) [the] <check_thing> [status] (on | for | of | in) <pr> [<inrepo>]',
      'did [the] <check_thing> (pass | succeed | fail | go green | turn green | go red) [(on | for | in | of) <pr> [<inrepo>]]',
      '<check_thing> [status] [(on | for | of | in) <pr> [<inrepo>]]',
      'is <pr> [<inrepo>] (green | passing | red | failing)',
      '(are there | any) [failing | red | broken | pending] <check_thing> [(on | for | in | of) <pr> [<inrepo>]]',
    ],
  },
  {
    intent: 'pr.merge',
    description: 'Merge a pull request (after a read-back and your confirmation).',
    examples: ['merge it', 'merge PR 12 in acme/api', 'squash and merge pull request 7', 'rebase merge 30'],
    sideEffect: true,
    anchors: ['merge', 'squash'],
    entities: ['repo', 'number', 'method'],
    patterns: [
      'merge [<pr>] [<inrepo>] [<with_method>] [into (main | master | the base branch)]',
      '{method:method_lead} [and] merge [<pr>] [<inrepo>]',
      { p: 'squash <pr> [<inrepo>]', set: { method: 'squash' } },
    ],
  },
  {
    intent: 'pr.request_review',
    description: 'Ask people to review a pull request.',
    examples: ['ask alice and bob to review PR 12', 'request a review from carol on it'],
    sideEffect: true,
    anchors: ['review', 'reviews', 'reviewer', 'reviewers', 'look'],
    entities: ['repo', 'number', 'reviewers'],
    patterns: [
      '(ask | get | have) {reviewers} to review [<pr>] [<inrepo>]',
      '(ask | get | have) {reviewers} to (take a look at | look at | look over) <pr> [<inrepo>]',
      'request [a] (review | reviews) from {reviewers} [(on | for | of) <pr> [<inrepo>]]',
      '(request | get) [a] review (on | for | of) <pr> [<inrepo>] from {reviewers}',
      '(add | assign | request) {reviewers} as [a] (reviewer | reviewers) [(on | to | for) <pr> [<inrepo>]]',
      'ask {reviewers} for a review [(on | of) <pr> [<inrepo>]]',
    ],
  },
  {
    intent: 'pr.comment',
    description: 'Comment on a pull request with your words (after a read-back).',
    examples: ['comment on PR 12 saying looks good to me', 'reply to it: ship it'],
    sideEffect: true,
    anchors: ['comment', 'reply', 'respond'],
    entities: ['repo', 'number', 'body'],
    patterns: [
      '[add | leave | post | write] [a] comment (on | to) <pr> [<inrepo>] <say> {body}',
      '(comment | reply | respond) (on | to) <pr> [<inrepo>] <say> {body}',
      { p: '(comment | reply | respond) (on | to) <pr> [<inrepo>] {body}', cost: 0.1 },
      '[add | leave | post | write] [a] comment <say> {body}',
      '(reply | respond) <say> {body}',
    ],
  },
  {
    intent: 'agent.delegate',
    description: 'Hand an issue to the coding agent.',
    examples: ['ask the agent to fix issue 918', 'have copilot handle issue 918 in acme/api', 'ask the agent to fix issue 42 and add a regression test'],
    sideEffect: true,
    anchors: ['agent', 'copilot', 'bot', 'ai', 'delegate'],
    entities: ['repo', 'issue', 'instruction'],
    patterns: [
      '(ask | tell | have | get | let) [the] <agent> [to] <fix> <issue> [<inrepo>] [<instruction>]',
      '(delegate | assign | give | hand | send | hand off) <issue> [<inrepo>] to [the] <agent> [<instruction>]',
      '[the] <agent> (fix | handle | take) <issue> [<inrepo>] [<instruction>]',
      'use [the] <agent> (on | for) <issue> [<inrepo>] [<instruction>]',
      '(get | put | set) [the] <agent> on <issue> [<inrepo>] [<instruction>]',
      'delegate <issue> [<inrepo>] [<instruction>]',
    ],
  },
  {
    intent: 'agent.status',
    description: 'Say what the coding agent is doing.',
    examples: ['what is the agent doing', 'agent status'],
    sideEffect: false,
    anchors: [],
    entities: [],
    patterns: [
      'what (is | are) [the] <agent> (doing | up to | working on)',
      '[the] <agent> (status | update | updates | progress)',
      'where is [the] <agent> [at]',
      'status of [the] <agent>',
      '(check | show [me]) [the] <agent> [status]',
      'how is [the] <agent> (doing | getting on | coming along)',
      '[any | what is the] (update | updates | news | progress) (from | on | with) [the] <agent>',
      'is [the] <agent> (done | finished) [yet]',
      '(did | has) [the] <agent> (finish | finished) [yet]',
    ],
  },
  {
    intent: 'notification.done',
    description: 'Mark the current notification as done.',
    examples: ['mark it done', 'mark as read', 'dismiss it'],
    sideEffect: true,
    anchors: ['mark', 'dismiss', 'archive', 'clear', 'done'],
    entities: [],
    patterns: [
      'mark [<thread>] [as] (done | read)',
      '(dismiss | archive) [<thread>]',
      'clear <thread>',
      'done with <thread>',
    ],
  },
  {
    intent: 'notification.unsubscribe',
    description: 'Unsubscribe from the current thread (after a read-back).',
    examples: ['unsubscribe from this', 'mute this thread'],
    sideEffect: true,
    anchors: ['unsubscribe', 'mute', 'watching', 'following'],
    entities: [],
    patterns: [
      'unsubscribe [me] [from <thread>]',
      'mute <thread>',
      'stop (watching | following) <thread>',
    ],
  },
  {
    intent: 'notification.open',
    description: 'Open the current notification or pull request on GitHub in your browser.',
    examples: ['open it', 'open that on GitHub', 'show it in the browser', 'open PR 12 on GitHub'],
    sideEffect: false,
    anchors: [],
    entities: ['repo', 'number', 'issue'],
    patterns: [
      'open [up] <thread> [up]',
      '(open | show [me] | view | see | pull up | bring up) <thread> (on | in) <web>',
      '(open | show [me] | view | pull up | bring up) <pr> [<inrepo>] (on | in) <web>',
      '(open | show [me] | view | pull up | bring up) <issue> [<inrepo>] (on | in) <web>',
      '(open | go to | follow | click) [the] (link | url | page | web page)',
      'take me (there | to it | to that | to the (link | page))',
      '(open | launch) <web>',
    ],
  },
  {
    intent: 'system.confirm',
    description: 'Confirm the action that was just read back.',
    examples: ['confirm', 'confirm 123', 'confirm merge 12'],
    sideEffect: true,
    anchors: ['confirm'],
    entities: ['number'],
    patterns: ['[i] confirm [<confirm_what>] [[of] [pr | number | issue] {number}]'],
  },
  {
    intent: 'system.cancel',
    description: 'Cancel the pending action.',
    examples: ['cancel', 'never mind', 'no, cancel that'],
    sideEffect: false,
    anchors: [],
    entities: [],
    patterns: [
      '[no] cancel [that | it | this | everything | [the] (merge | action | comment | request | review | delegation | last one) [of (it | this | that | [the] pr [number] {_:number})]]',
      '[no] never mind [that | it]',
      '[no] forget (it | that | about it)',
      '[no] abort [that | it]',
      'no do not do (it | that)',
    ],
  },
  {
    intent: 'system.repeat',
    description: 'Repeat the last thing said.',
    examples: ['repeat', 'say that again'],
    sideEffect: false,
    anchors: [],
    entities: [],
    patterns: [
      'repeat [that | it | yourself | the last (one | thing | answer | message)] [again]',
      'say (that | it) again',
      'come again',
      'what did you [just] say',
      'what',
      'what was that',
      'one more time',
      'again',
      'pardon [me]',
      'i did not (hear | catch) that',
    ],
  },
  {
    intent: 'system.stop',
    description: 'Stop talking at once.',
    examples: ['stop', 'be quiet'],
    sideEffect: false,
    anchors: [],
    entities: [],
    patterns: [
      '[no] stop [talking | speaking | it | that | reading]',
      '[be] quiet',
      'shut up',
      'silence',
      'hush',
      'shush',
      '[that is] enough',
    ],
  },
  {
    intent: 'system.help',
    description: 'List what you can say.',
    examples: ['help', 'what can I say'],
    sideEffect: false,
    anchors: [],
    entities: [],
    patterns: [
      'help [me]',
      'i need help',
      'what can i (say | do | ask)',
      'what can you do',
      'what do i say',
      '(what are | list | show [me]) [the] commands',
      'commands',
      'how does this work',
      'what are my options',
    ],
  },
  {
    intent: 'system.set_profile',
    description: 'Switch the voice profile: default, terse, workout or commute.',
    examples: ['switch to workout mode', 'use the terse profile', 'commute mode'],
    sideEffect: false,
    anchors: [],
    entities: ['profile'],
    patterns: [
      '(switch | change | go | set | move | turn) [back] to [the] {profile} [mode | profile]',
      '(use | enable | activate | start | turn on) [the] {profile} [mode | profile]',
      '{profile} (mode | profile)',
      '(set | change | switch) [the | my] (profile | mode) to {profile}',
      '<i_am> [at the | in the] {profile}',
      'make it {profile}',
    ],
  },
];

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
