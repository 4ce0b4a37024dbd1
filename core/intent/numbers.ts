/**
 * Spoken-number parsing for the intent recognizer. Pure: no I/O, no globals.
 *
 * Handles what speech-to-text produces for PR and issue numbers:
 * - digits ("123", "1 2 3" → 123) and "#7" / "number seven" / "no. 7" (see parseSpokenNumber);
 * - English cardinals ("twelve", "a hundred and five" → 105, "two thousand and five" → 2005,
 *   "fifteen hundred" → 1500);
 * - grouped reading, as people say PR numbers ("one twenty three" → 123, "nine eighteen" → 918,
 *   "one two three" → 123, "four oh four" → 404, "twenty twenty" → 2020);
 * - STT homophones in a number context ("won" → 1, "to"/"too" → 2, "for"/"fore" → 4, "ate" → 8),
 *   reported as `approximate` so callers can lower confidence or ask back;
 * - ordinals for list positions ("first".."twentieth", "twenty first", "1st", "2nd", "3rd").
 */

export interface NumberMatch {
  value: number;
  /** Index one past the last word consumed. */
  end: number;
  /** True when a homophone ("for", "to", "won", ...) was read as a digit. */
  approximate: boolean;
}

export interface ParseNumberOptions {
  /**
   * Accept a homophone as the first word ("PR for" → 4). Only sensible right after a marker such as
   * "pr", "issue", "number" or "item"; elsewhere "for" and "to" are ordinary words.
   */
  allowHomophoneStart?: boolean;
}

const UNITS: ReadonlyMap<string, number> = new Map([
  ['zero', 0], ['one', 1], ['two', 2], ['three', 3], ['four', 4],
  ['five', 5], ['six', 6], ['seven', 7], ['eight', 8], ['nine', 9],
]);
const TEENS: ReadonlyMap<string, number> = new Map([
  ['ten', 10], ['eleven', 11], ['twelve', 12], ['thirteen', 13], ['fourteen', 14],
  ['fifteen', 15], ['sixteen', 16], ['seventeen', 17], ['eighteen', 18], ['nineteen', 19],
]);
const TENS: ReadonlyMap<string, number> = new Map([
  ['twenty', 20], ['thirty', 30], ['forty', 40], ['fourty', 40], ['fifty', 50],
  ['sixty', 60], ['seventy', 70], ['eighty', 80], ['ninety', 90],
]);
/** Words speech-to-text writes for a spoken digit. */
const HOMOPHONES: ReadonlyMap<string, number> = new Map([
  ['won', 1], ['to', 2], ['too', 2], ['for', 4], ['fore', 4], ['ate', 8],
]);
/** "oh"/"o" is zero only inside a number ("nine oh five"). */
const INNER_ZERO = new Set(['oh', 'o']);

const ORDINAL_UNITS: ReadonlyMap<string, number> = new Map([
  ['first', 1], ['second', 2], ['third', 3], ['fourth', 4], ['fifth', 5],
  ['sixth', 6], ['seventh', 7], ['eighth', 8], ['ninth', 9],
]);
const ORDINAL_TEENS: ReadonlyMap<string, number> = new Map([
  ['tenth', 10], ['eleventh', 11], ['twelfth', 12], ['thirteenth', 13], ['fourteenth', 14],
  ['fifteenth', 15], ['sixteenth', 16], ['seventeenth', 17], ['eighteenth', 18], ['nineteenth', 19],
]);
const ORDINAL_TENS: ReadonlyMap<string, number> = new Map([
  ['twentieth', 20], ['thirtieth', 30], ['fortieth', 40], ['fiftieth', 50],
]);
/** STT spellings of ordinals. */
const ORDINAL_HOMOPHONES: ReadonlyMap<string, number> = new Map([['forth', 4]]);

const MAX_DIGITS = 9;

type Kind = 'unit' | 'teen' | 'tens' | 'digits' | 'hundred' | 'thousand' | 'a' | 'and';
interface NumTok {
  kind: Kind;
  value: number;
  /** Decimal text for grouped reading ("07" stays "07" until the whole number is read). */
  text: string;
  approximate: boolean;
}

function isPlainNumberWord(w: string | undefined): boolean {
  if (w === undefined) return false;
  return UNITS.has(w) || TEENS.has(w) || TENS.has(w) || /^\d+$/.test(w) || w === 'hundred' || w === 'thousand';
}

/** True for any word that can start or continue a spoken number (not counting homophones). */
export function isNumberWord(w: string): boolean {
  return isPlainNumberWord(w);
}

/** Collect the run of number-ish words from `start`, deciding context-dependent words on the way. */
function collectRun(words: readonly string[], start: number, opts: ParseNumberOptions): NumTok[] {
  const toks: NumTok[] = [];
  for (let k = start; k < words.length; k++) {
    const w = words[k] as string;
    const next = words[k + 1];
    const prev = toks[toks.length - 1];
    const prevIsValue = prev !== undefined && (prev.kind === 'unit' || prev.kind === 'teen' || prev.kind === 'tens' || prev.kind === 'digits');
    if (/^\d+$/.test(w)) {
      if (w.length > MAX_DIGITS) break;
      toks.push({ kind: 'digits', value: Number(w), text: w, approximate: false });
    } else if (UNITS.has(w)) {
      const v = UNITS.get(w) as number;
      toks.push({ kind: 'unit', value: v, text: String(v), approximate: false });
    } else if (TEENS.has(w)) {
      const v = TEENS.get(w) as number;
      toks.push({ kind: 'teen', value: v, text: String(v), approximate: false });
    } else if (TENS.has(w)) {
      const v = TENS.get(w) as number;
      toks.push({ kind: 'tens', value: v, text: String(v), approximate: false });
    } else if (w === 'hundred' || w === 'thousand') {
      if (toks.length === 0) break;
      toks.push({ kind: w, value: w === 'hundred' ? 100 : 1000, text: '', approximate: false });
    } else if (w === 'a') {
      if (toks.length !== 0 || (next !== 'hundred' && next !== 'thousand')) break;
      toks.push({ kind: 'a', value: 1, text: '', approximate: false });
    } else if (w === 'and') {
      const afterScale = prev !== undefined && (prev.kind === 'hundred' || prev.kind === 'thousand');
      if (!afterScale || next === undefined || !(UNITS.has(next) || TEENS.has(next) || TENS.has(next) || /^\d+$/.test(next))) break;
      toks.push({ kind: 'and', value: 0, text: '', approximate: false });
    } else if (INNER_ZERO.has(w)) {
      if (!prevIsValue || !(UNITS.has(next ?? '') || INNER_ZERO.has(next ?? '') || /^\d$/.test(next ?? ''))) break;
      toks.push({ kind: 'unit', value: 0, text: '0', approximate: false });
    } else if (HOMOPHONES.has(w)) {
      const first = toks.length === 0;
      const ok = (first && opts.allowHomophoneStart === true)
        || (!first && isPlainNumberWord(next))
        || (!first && prevIsValue && next === undefined);
      if (!ok) break;
      const v = HOMOPHONES.get(w) as number;
      toks.push({ kind: 'unit', value: v, text: String(v), approximate: true });
    } else {
      break;
    }
  }
  return toks;
}

interface Parsed { value: number; used: number }

/** tens [unit] | teen | unit | digits */
function below100(t: readonly NumTok[], j: number): Parsed | undefined {
  const a = t[j];
  if (a === undefined) return undefined;
  if (a.kind === 'tens') {
    const b = t[j + 1];
    if (b !== undefined && b.kind === 'unit' && b.value > 0) return { value: a.value + b.value, used: 2 };
    return { value: a.value, used: 1 };
  }
  if (a.kind === 'teen' || a.kind === 'unit' || a.kind === 'digits') return { value: a.value, used: 1 };
  return undefined;
}

/** [multiplier | "a"] hundred [and] [below100] | below100 */
function below1000(t: readonly NumTok[], j: number): Parsed | undefined {
  let mult: Parsed | undefined;
  if (t[j]?.kind === 'a') mult = { value: 1, used: 1 };
  else mult = below100(t, j);
  if (mult === undefined) return undefined;
  let k = j + mult.used;
  if (t[k]?.kind !== 'hundred') return t[j]?.kind === 'a' ? undefined : mult;
  if (mult.value === 0) return undefined;
  k++;
  let value = mult.value * 100;
  const andAt = t[k]?.kind === 'and';
  const tail = below100(t, andAt ? k + 1 : k);
  if (tail !== undefined && tail.value < 100) {
    value += tail.value;
    k = (andAt ? k + 1 : k) + tail.used;
  }
  return { value, used: k - j };
}

/** below1000 [thousand [and] [below1000]] */
function cardinal(t: readonly NumTok[], j: number): Parsed | undefined {
  let head: Parsed | undefined;
  if (t[j]?.kind === 'a' && t[j + 1]?.kind === 'thousand') head = { value: 1, used: 1 };
  else head = below1000(t, j);
  if (head === undefined) return undefined;
  let k = j + head.used;
  if (t[k]?.kind !== 'thousand' || head.value === 0) return head;
  k++;
  let value = head.value * 1000;
  const andAt = t[k]?.kind === 'and';
  const tail = below1000(t, andAt ? k + 1 : k);
  if (tail !== undefined && tail.value < 1000) {
    value += tail.value;
    k = (andAt ? k + 1 : k) + tail.used;
  }
  return { value, used: k - j };
}

/** A sequence of digit groups read one after another: "one twenty three" → "1" + "23". */
function grouped(t: readonly NumTok[], j: number): Parsed | undefined {
  let text = '';
  let k = j;
  for (;;) {
    const a = t[k];
    if (a === undefined) break;
    if (a.kind === 'tens') {
      const b = t[k + 1];
      if (b !== undefined && b.kind === 'unit' && b.value > 0) {
        text += String(a.value + b.value);
        k += 2;
      } else {
        text += a.text;
        k += 1;
      }
    } else if (a.kind === 'teen' || a.kind === 'unit' || a.kind === 'digits') {
      text += a.text;
      k += 1;
    } else {
      break;
    }
    if (text.length > MAX_DIGITS) return undefined;
  }
  if (k === j) return undefined;
  return { value: Number(text), used: k - j };
}

/**
 * Parse the longest spoken number starting at `words[start]` (words already lowercased and split).
 * Returns undefined when no number starts there.
 */
export function parseNumberAt(words: readonly string[], start: number, opts: ParseNumberOptions = {}): NumberMatch | undefined {
  const toks = collectRun(words, start, opts);
  if (toks.length === 0) return undefined;
  const c = cardinal(toks, 0);
  const g = grouped(toks, 0);
  let best: Parsed | undefined = c;
  if (g !== undefined && (best === undefined || g.used > best.used)) best = g;
  if (best === undefined || !Number.isSafeInteger(best.value)) return undefined;
  let approximate = false;
  for (let k = 0; k < best.used; k++) if (toks[k]?.approximate === true) approximate = true;
  return { value: best.value, end: start + best.used, approximate };
}

/** Parse an ordinal ("first", "twenty first", "3rd") at `words[start]`. */
export function parseOrdinalAt(words: readonly string[], start: number): NumberMatch | undefined {
  const w = words[start];
  if (w === undefined) return undefined;
  const digits = /^(\d{1,4})(st|nd|rd|th)$/.exec(w);
  if (digits !== null) return { value: Number(digits[1]), end: start + 1, approximate: false };
  const unit = ORDINAL_UNITS.get(w) ?? ORDINAL_TEENS.get(w) ?? ORDINAL_TENS.get(w);
  if (unit !== undefined) return { value: unit, end: start + 1, approximate: false };
  const homophone = ORDINAL_HOMOPHONES.get(w);
  if (homophone !== undefined) return { value: homophone, end: start + 1, approximate: true };
  const tens = TENS.get(w);
  const next = words[start + 1];
  if (tens !== undefined && next !== undefined) {
    const u = ORDINAL_UNITS.get(next) ?? ORDINAL_HOMOPHONES.get(next);
    if (u !== undefined) return { value: tens + u, end: start + 2, approximate: ORDINAL_HOMOPHONES.has(next) };
  }
  return undefined;
}

/** Lowercase words for standalone parsing: "#7" → ["#", "7"], "twenty-three" → ["twenty", "three"]. */
export function numberWords(text: string): string[] {
  return text.toLowerCase().replace(/#/g, ' # ').split(/[^a-z0-9#]+/).filter((w) => w.length > 0);
}

const NUMBER_MARKERS = new Set(['#', 'number', 'no', 'num', 'nr']);

/**
 * Parse a whole string as one number: "one twenty three", "a hundred and five", "#7",
 * "number seven", "no. 7", "918". Returns undefined unless the entire text is one number.
 */
export function parseSpokenNumber(text: string): number | undefined {
  const words = numberWords(text);
  let start = 0;
  while (start < words.length - 1 && NUMBER_MARKERS.has(words[start] as string)) start++;
  const m = parseNumberAt(words, start, { allowHomophoneStart: start > 0 });
  if (m === undefined || m.end !== words.length) return undefined;
  return m.value;
}

/** Parse a whole string as an ordinal ("the third" is not accepted; "third", "3rd", "twenty first" are). */
export function parseOrdinal(text: string): number | undefined {
  const words = numberWords(text);
  const m = parseOrdinalAt(words, 0);
  if (m === undefined || m.end !== words.length) return undefined;
  return m.value;
}
