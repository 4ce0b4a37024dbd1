/**
 * Typed slot parsers. Each returns the ways a slot can be read starting at token `i`, with a cost;
 * the recognizer's alignment picks the reading that best fits the rest of the pattern.
 */
import type { MergeMethod, ProfileName } from '../../contract/intent.js';
import { editDistance, FUNCTION_WORDS } from './lexicon.js';
import { compactKey, type Token } from './normalize.js';
import { isNumberWord, parseNumberAt, parseOrdinalAt } from './numbers.js';

export type SlotValue = number | string | readonly string[];

export interface SlotOption {
  /** Index one past the last token consumed. */
  end: number;
  value: SlotValue;
  cost: number;
}

export interface RepoEntry {
  full: string;
  ownerKey: string;
  nameKey: string;
}

export interface RepoIndex {
  entries: readonly RepoEntry[];
}

export interface SlotInput {
  text: string;
  tokens: readonly Token[];
  words: readonly string[];
  repos: RepoIndex;
}

export type SlotParser = (input: SlotInput, i: number) => SlotOption[];

export const SLOT_COST = {
  homophoneNumber: 0.05,
  bareNumber: 0.02,
  repoNoSlash: 0.03,
  /** Below repoUnknown: "acne slash api" is far likelier acme/api misheard than an unknown repo. */
  repoFuzzy: 0.04,
  repoAmbiguous: 0.1,
  repoUnknown: 0.05,
  repoNameOnly: 0.12,
  profileFuzzy: 0.1,
} as const;

/** Words after which "for"/"to"/"won" may be read as a digit ("PR for" → 4). */
const NUMBER_MARKERS = new Set(['pr', 'number', 'issue', 'item', 'bug', 'ticket', 'notification', 'entry']);

/** Words that are never part of a repo name or a user name in a command. */
const NAME_STOP = new Set([
  ...FUNCTION_WORDS, 'pr', 'number', 'issue', 'slash', ':', 'saying', 'review', 'reviews', 'reviewer',
  'reviewers', 'repo', 'repository', 'project', 'merge', 'comment', 'please', 'and', 'him', 'her', 'them',
  'everyone', 'everybody', 'somebody', 'someone', 'nobody', 'none', 'nothing', 'not', 'no', 'never', 'later', 'again',
]);

export function indexRepos(known: readonly string[]): RepoIndex {
  const entries: RepoEntry[] = [];
  for (const full of known) {
    const slash = full.indexOf('/');
    if (slash <= 0 || slash === full.length - 1) continue;
    const canonical = full.toLowerCase();
    entries.push({ full: canonical, ownerKey: compactKey(full.slice(0, slash)), nameKey: compactKey(full.slice(slash + 1)) });
  }
  return { entries };
}

function keyOf(words: readonly string[], a: number, b: number): string {
  let s = '';
  for (let k = a; k < b; k++) s += words[k] as string;
  return compactKey(s);
}

function nameish(w: string | undefined): boolean {
  return w !== undefined && /^[\p{L}\p{N}_.-]+$/u.test(w) && !NAME_STOP.has(w);
}

function keyCost(spoken: string, known: string): number | undefined {
  if (spoken === known) return 0;
  if (known.length >= 4 && editDistance(spoken, known, 1) <= 1) return SLOT_COST.repoFuzzy;
  return undefined;
}

/** Spelled-out letters ("a p i") form one name. */
function spelled(words: readonly string[], a: number, b: number): boolean {
  if (b - a < 2) return false;
  for (let k = a; k < b; k++) if (!/^\p{L}$/u.test(words[k] as string)) return false;
  return true;
}

/** True when token k follows token k-1 with no whitespace between them in the original text. */
function glued(input: SlotInput, k: number): boolean {
  const a = input.tokens[k - 1];
  const b = input.tokens[k];
  return a !== undefined && b !== undefined && b.start > a.start && !/\s/.test(input.text.slice(a.end, b.start));
}

/** The user's words between two tokens, as typed or transcribed; spaces become "-" for names. */
function spanText(input: SlotInput, a: number, b: number): string {
  const first = input.tokens[a] as Token;
  const last = input.tokens[b - 1] as Token;
  return input.text.slice(first.start, last.end).toLowerCase().replace(/\s+/g, '-');
}

const parseRepo: SlotParser = (input, i) => {
  const { words, repos } = input;
  const out: SlotOption[] = [];
  const n = words.length;
  // owner [slash] name, against known repos
  for (let ol = 1; ol <= 3 && i + ol <= n; ol++) {
    const ownerKey = keyOf(words, i, i + ol);
    let p = i + ol;
    const slash = words[p] === 'slash';
    if (slash) p++;
    for (let nl = 1; nl <= 3 && p + nl <= n; nl++) {
      const nameKey = keyOf(words, p, p + nl);
      for (const e of repos.entries) {
        const oc = keyCost(ownerKey, e.ownerKey);
        const nc = keyCost(nameKey, e.nameKey);
        if (oc === undefined || nc === undefined) continue;
        out.push({ end: p + nl, value: e.full, cost: oc + nc + (slash ? 0 : SLOT_COST.repoNoSlash) });
      }
    }
  }
  // name only ("the api repo"), resolved when unique
  for (let nl = 1; nl <= 4 && i + nl <= n; nl++) {
    if (!spelled(words, i, i + nl) && !words.slice(i, i + nl).every(nameish)) continue;
    const key = keyOf(words, i, i + nl);
    const exact = repos.entries.filter((e) => e.nameKey === key);
    const matches = exact.length > 0 ? exact : repos.entries.filter((e) => keyCost(key, e.nameKey) !== undefined);
    if (matches.length === 1) {
      out.push({ end: i + nl, value: (matches[0] as RepoEntry).full, cost: exact.length > 0 ? 0 : SLOT_COST.repoFuzzy });
    } else if (matches.length > 1) {
      out.push({ end: i + nl, value: key, cost: SLOT_COST.repoAmbiguous });
    }
  }
  // An owner/name we do not know, returned as heard so the caller can say "unknown repo".
  // Typed ("globex/my-portal.js"): the whole run of characters around the slash. Spoken ("globex
  // slash portal"): one word each side, so later words ("... slash api yesterday") stay out.
  const typed = (a: number, b: number): boolean => {
    for (let k = a + 1; k < b; k++) if (!glued(input, k)) return false;
    return true;
  };
  for (let ol = 1; ol <= 4 && i + ol < n; ol++) {
    const slashAt = i + ol;
    if (words[slashAt] !== 'slash') continue;
    if (slashAt + 1 < n && glued(input, slashAt) && glued(input, slashAt + 1) && typed(i, slashAt) && !glued(input, i)) {
      let end = slashAt + 2;
      while (end < n && glued(input, end)) end++;
      const value = `${spanText(input, i, slashAt)}/${spanText(input, slashAt + 1, end)}`;
      if (!repos.entries.some((e) => e.full === value)) out.push({ end, value, cost: SLOT_COST.repoUnknown });
    } else if (ol === 1 && nameish(words[i]) && nameish(words[slashAt + 1])) {
      const value = `${words[i] as string}/${words[slashAt + 1] as string}`;
      if (!repos.entries.some((e) => e.full === value)) out.push({ end: slashAt + 2, value, cost: SLOT_COST.repoUnknown });
    }
  }
  return out;
};

/** A single unknown repo name, only used where the pattern then requires the word "repo". */
const parseRepoName: SlotParser = (input, i) => {
  const w = input.words[i];
  if (!nameish(w) || isNumberWord(w as string)) return [];
  return [{ end: i + 1, value: w as string, cost: SLOT_COST.repoNameOnly }];
};

const numberSlot = (bare: boolean): SlotParser => (input, i) => {
  const prev = input.words[i - 1];
  const m = parseNumberAt(input.words, i, { allowHomophoneStart: !bare && prev !== undefined && NUMBER_MARKERS.has(prev) });
  if (m === undefined || m.value <= 0) return [];
  return [{ end: m.end, value: m.value, cost: (m.approximate ? SLOT_COST.homophoneNumber : 0) + (bare ? SLOT_COST.bareNumber : 0) }];
};

const parseOrdinal: SlotParser = (input, i) => {
  const m = parseOrdinalAt(input.words, i);
  if (m === undefined || m.value <= 0) return [];
  return [{ end: m.end, value: m.value, cost: m.approximate ? SLOT_COST.homophoneNumber : 0 }];
};

const METHOD_PHRASES: ReadonlyArray<readonly [readonly string[], MergeMethod]> = [
  [['squash', 'and', 'merge'], 'squash'], [['squash', 'merge'], 'squash'], [['squash'], 'squash'], [['squish'], 'squash'],
  [['rebase', 'and', 'merge'], 'rebase'], [['rebase', 'merge'], 'rebase'], [['rebase'], 'rebase'],
  [['merge', 'commit'], 'merge'], [['regular', 'merge'], 'merge'], [['normal', 'merge'], 'merge'],
  [['plain', 'merge'], 'merge'], [['standard', 'merge'], 'merge'], [['true', 'merge'], 'merge'],
];
const METHOD_LEAD: ReadonlyMap<string, MergeMethod> = new Map([['squash', 'squash'], ['squish', 'squash'], ['rebase', 'rebase']]);

const parseMethod: SlotParser = (input, i) => {
  const out: SlotOption[] = [];
  for (const [phrase, method] of METHOD_PHRASES) {
    if (phrase.every((w, q) => input.words[i + q] === w)) {
      out.push({ end: i + phrase.length, value: method, cost: phrase[0] === 'squish' ? 0.08 : 0 });
    }
  }
  return out;
};

const parseMethodLead: SlotParser = (input, i) => {
  const w = input.words[i];
  const m = w === undefined ? undefined : METHOD_LEAD.get(w);
  return m === undefined ? [] : [{ end: i + 1, value: m, cost: w === 'squish' ? 0.08 : 0 }];
};

/** "alice and bob", "alice an bob" (STT), "alice or bob". */
const REVIEWER_SEPARATORS = new Set(['and', 'an', 'n', 'or']);

const parseReviewers: SlotParser = (input, i) => {
  const { words, tokens, text } = input;
  const out: SlotOption[] = [];
  const names: string[] = [];
  let k = i;
  while (k < words.length && names.length < 8) {
    const w = words[k];
    if (!nameish(w) || isNumberWord(w as string) || (tokens[k] as Token).filler) break;
    let name = w as string;
    k++;
    // "octo-cat" typed with a hyphen is one login, not two names
    while (k < words.length && nameish(words[k]) && /^[-_.]$/.test(text.slice((tokens[k - 1] as Token).end, (tokens[k] as Token).start))) {
      name += text.slice((tokens[k - 1] as Token).end, (tokens[k] as Token).start) + (words[k] as string);
      k++;
    }
    names.push(name);
    out.push({ end: k, value: [...names], cost: 0 });
    if (REVIEWER_SEPARATORS.has(words[k] as string)) k++;
  }
  return out;
};

function cleanBody(s: string): string {
  return s.replace(/^[\s:,;\-–—]+/u, '').replace(/[\s.]+$/u, '');
}

const parseBody: SlotParser = (input, i) => {
  const t = input.tokens[i];
  if (t === undefined) return [];
  const body = cleanBody(input.text.slice(t.start));
  // A body that starts with a connective ("then open a PR") means the marker was longer ("and then").
  const cost = FUNCTION_WORDS.has(t.w) ? 0.01 : 0;
  return body.length === 0 ? [] : [{ end: input.tokens.length, value: body, cost }];
};

const PROFILE_WORDS: ReadonlyMap<string, ProfileName> = new Map([
  ['default', 'default'], ['normal', 'default'], ['standard', 'default'], ['regular', 'default'], ['usual', 'default'],
  ['full', 'default'], ['terse', 'terse'], ['short', 'terse'], ['brief', 'terse'], ['concise', 'terse'],
  ['minimal', 'terse'], ['workout', 'workout'], ['gym', 'workout'], ['exercise', 'workout'], ['training', 'workout'],
  ['fitness', 'workout'], ['commute', 'commute'], ['commuting', 'commute'],
  ['driving', 'commute'], ['travel', 'commute'], ['travelling', 'commute'], ['traveling', 'commute'], ['transit', 'commute'],
  ['kitchen', 'kitchen'], ['cooking', 'kitchen'],
]);

const parseProfile: SlotParser = (input, i) => {
  const w = input.words[i];
  if (w === undefined) return [];
  const exact = PROFILE_WORDS.get(w);
  if (exact !== undefined) return [{ end: i + 1, value: exact, cost: 0 }];
  if (w.length < 5) return [];
  for (const [word, profile] of PROFILE_WORDS) {
    if (word.length >= 5 && editDistance(w, word, 1) <= 1) return [{ end: i + 1, value: profile, cost: SLOT_COST.profileFuzzy }];
  }
  return [];
};

/** Slot types usable in catalog patterns, with what a grammar generator needs to know about each. */
export const SLOT_TYPES: Readonly<Record<string, { parse: SlotParser; description: string; finite: boolean }>> = {
  number: { parse: numberSlot(false), description: 'a spoken or written number (digits, "one twenty three", "a hundred and five")', finite: true },
  bare_number: { parse: numberSlot(true), description: 'a number without a "PR"/"number" marker before it', finite: true },
  ordinal: { parse: parseOrdinal, description: 'an ordinal list position: "first".."twentieth", "3rd"', finite: true },
  repo: { parse: parseRepo, description: 'owner/name or name of a known repo ("acme slash api", "api"); an unknown owner/name as heard', finite: false },
  repo_name: { parse: parseRepoName, description: 'an unknown repo name followed by "repo"', finite: false },
  method: { parse: parseMethod, description: 'merge method: squash, rebase, merge commit', finite: true },
  method_lead: { parse: parseMethodLead, description: 'merge method word before "merge": squash, rebase', finite: true },
  reviewers: { parse: parseReviewers, description: 'GitHub logins joined by "and" / commas', finite: false },
  body: { parse: parseBody, description: 'free text to the end of the utterance, original casing kept', finite: false },
  profile: { parse: parseProfile, description: 'voice profile: default/normal, terse/short, workout/gym, commute/driving, kitchen/cooking', finite: true },
};

/** The words each finite word-list slot accepts (for grammar generation). */
export const SLOT_VOCABULARY: Readonly<Record<string, readonly string[]>> = {
  method: [...new Set(METHOD_PHRASES.map(([p]) => p.join(' ')))],
  method_lead: [...METHOD_LEAD.keys()],
  profile: [...PROFILE_WORDS.keys()],
};
