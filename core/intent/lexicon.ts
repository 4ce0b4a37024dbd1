/**
 * Word classes and word-level matching costs for the recognizer. Costs are in "confidence points":
 * the recognizer subtracts the sum of a match's costs from its base confidence.
 */

/** Function words: cheap to skip, cheap to miss. */
export const FUNCTION_WORDS = new Set([
  'the', 'a', 'an', 'to', 'of', 'on', 'in', 'into', 'for', 'from', 'at', 'by', 'with', 'and', 'or', 'is', 'are',
  'am', 'be', 'my', 'me', 'i', 'you', 'it', 'this', 'that', 'there', 'here', 'up', 'some',
  'any', 'your', 'our', 'we', 'us', 'its', 'also', 'then', 'as', 'one', 'out', 'over', 'about',
]);

/**
 * Negations. When a transcript has one that the pattern did not consume, no side-effect intent may
 * come out ("don't merge it", "I confirm nothing", "merge it? no").
 */
export const NEGATIONS = new Set([
  'not', 'no', 'never', 'nothing', 'none', 'nobody', 'neither', 'nor', 'without', 'cancel', 'abort',
  'undo', 'revert', 'stop', 'wait', 'hold', 'ignore',
]);

/**
 * Question, hypothetical, narrative and time words. Left unconsumed they mean the user is talking
 * about an action rather than asking for it ("should I merge it?", "I merged it yesterday",
 * "merge it later"): no side effect.
 */
export const BLOCKERS = new Set([
  'should', 'shall', 'would', 'could', 'might', 'may', 'must', 'will', 'did', 'does', 'do', 'done', 'was',
  'were', 'been', 'had', 'has', 'have', 'why', 'when', 'who', 'whom', 'whose', 'how', 'what', 'which',
  'where', 'if', 'whether', 'maybe', 'perhaps', 'probably', 'think', 'thought', 'thinking', 'guess',
  'going', 'gonna', 'want', 'wanted', 'later', 'yesterday', 'tomorrow', 'tonight', 'already', 'before',
  'after', 'ago', 'last', 'soon', 'eventually', 'someday', 'sometime', 'said', 'says', 'told', 'asked',
  'they', 'he', 'she', 'we', 'i', 'you', 'someone', 'somebody', 'can', 'let', 'unsure', 'remind', 'remember',
  // quantifiers: "merge all my PRs", "mark everything as done" are bulk actions, not "it"
  'all', 'everything', 'every', 'each', 'both', 'them', 'these', 'those', 'many', 'several',
]);

/** Spellings STT produces for pattern words (input word → pattern words it may stand for). */
export const HOMOPHONES: ReadonlyMap<string, readonly string[]> = new Map([
  ['marge', ['merge']], ['merch', ['merge']], ['bill', ['build']], ['red', ['read']], ['reed', ['read']], ['revue', ['review']], ['reviews', ['review']],
  ['czechs', ['checks']], ['chex', ['checks']], ['agents', ['agent']], ['copilots', ['copilot']],
  ['quite', ['quiet']], ['won', ['one']], ['necks', ['next']], ['per', ['pr']], ['peer', ['pr']],
  ['pier', ['pr']], ['squish', ['squash']], ['confirmed', ['confirm']], ['mutes', ['mute']],
  ['to', ['two']], ['too', ['to', 'two']], ['for', ['four']], ['four', ['for']], ['two', ['to']],
  ['there', ['their']], ['their', ['there']], ['whose', ['who']], ['nu', ['new']], ['knew', ['new']],
  ['our', ['hour']],
]);

export type WordMatchKind = 'exact' | 'homophone' | 'stem' | 'fuzzy';

export const WORD_COST: Readonly<Record<WordMatchKind, number>> = {
  exact: 0,
  stem: 0.03,
  homophone: 0.08,
  fuzzy: 0.15,
};

/** Skipping a transcript word the pattern does not account for. */
export const SKIP_COST = {
  /** Not zero: a free-text slot should start right after its marker, fillers included. */
  filler: 0.002,
  doubled: 0.03,
  function: 0.06,
  content: 0.15,
  /**
   * An unexplained content word in a side-effect command ("clear my schedule", "merge branch"):
   * it may name a different object, so it costs more there.
   */
  contentInSideEffect: 0.25,
  blocker: 0.25,
  negation: 0.4,
} as const;

export type SkipClass = Exclude<keyof typeof SKIP_COST, 'contentInSideEffect'>;

/** Missing a pattern word the transcript lacks ("ask agent fix issue 42"). */
export const MISS_COST = { function: 0.05, keyword: 0.35 } as const;

/** A word group ("in | on | under") is as cheap to miss as its cheapest word. */
export function missCost(words: readonly string[]): number {
  return words.some((w) => FUNCTION_WORDS.has(w)) ? MISS_COST.function : MISS_COST.keyword;
}

function stem(w: string): string {
  if (w.length > 4 && w.endsWith('es') && !w.endsWith('ses')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Levenshtein distance, bounded: returns max+1 as soon as it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const v = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] as number;
}

/**
 * How `input` can stand for pattern word `pattern`. `strict` words (the verbs that trigger side
 * effects) match only exactly or through an explicit homophone, never by spelling similarity,
 * so "merged"/"confirmation" never become "merge"/"confirm".
 */
export function matchWord(pattern: string, input: string, strict: boolean): WordMatchKind | undefined {
  if (pattern === input) return 'exact';
  const h = HOMOPHONES.get(input);
  if (h !== undefined && h.includes(pattern)) return 'homophone';
  if (strict) return undefined;
  if (/\d/.test(input) || /\d/.test(pattern)) return undefined;
  // "handled", "merged", "commented": narration, not a command; never read as the present verb.
  if (input.endsWith('ed') && (pattern === input.slice(0, -1) || pattern === input.slice(0, -2))) return undefined;
  if (stem(pattern) === stem(input)) return 'stem';
  if (pattern.length >= 5 && input.length >= 4 && editDistance(pattern, input, 1) <= 1) return 'fuzzy';
  return undefined;
}

/**
 * Marks words that belong to an immediately repeated 1–3-word group ("merge merge it",
 * "cancel that cancel that"): STT and hesitant speech double words; the copy is cheap to skip.
 * Only the earlier copy is marked, so "merge it no no" still ends with a real "no".
 */
export function repeatedMask(words: readonly string[]): boolean[] {
  const mask = words.map(() => false);
  for (let n = 1; n <= 3; n++) {
    for (let k = 0; k + 2 * n <= words.length; k++) {
      let same = true;
      for (let q = 0; q < n; q++) if (words[k + q] !== words[k + n + q]) { same = false; break; }
      if (same) for (let q = 0; q < n; q++) mask[k + q] = true;
    }
  }
  return mask;
}

export function skipClass(words: readonly string[], k: number, filler: boolean, repeated: boolean): SkipClass {
  const w = words[k] as string;
  if (filler) return 'filler';
  if (repeated) return 'doubled';
  if (NEGATIONS.has(w)) return 'negation';
  if (words[k - 1] === w) return 'doubled';
  if (BLOCKERS.has(w)) return 'blocker';
  if (FUNCTION_WORDS.has(w)) return 'function';
  return 'content';
}
