/**
 * Transcript → tokens for the recognizer. Lowercases, splits punctuation, expands contractions,
 * joins the ways speech-to-text spells one concept ("pull request", "P R", "p.r.", "pee are" → "pr";
 * "in box" → "inbox"; "/" → "slash"; "#" → "number"), and flags fillers and politeness so that
 * skipping them costs nothing. Each token keeps its character span in the original text, so a
 * free-text slot (a comment body) is cut from the user's own words with their casing.
 */

export interface Token {
  /** Normalised lowercase word. */
  w: string;
  /** Span in the original text, [start, end). Expanded words share their source's span. */
  start: number;
  end: number;
  /** Filler or politeness ("um", "please", "could you"): skipping it costs nothing. */
  filler: boolean;
}

/** Contractions and their apostrophe-less STT spellings. */
const CONTRACTIONS: ReadonlyMap<string, string> = new Map([
  ["what's", 'what is'], ['whats', 'what is'], ["that's", 'that is'], ['thats', 'that is'],
  ["it's", 'it is'], ["there's", 'there is'], ['theres', 'there is'], ["here's", 'here is'],
  ["how's", 'how is'], ['hows', 'how is'], ["who's", 'who is'], ["where's", 'where is'],
  ["let's", 'let us'], ['lets', 'let us'], ["can't", 'can not'], ['cant', 'can not'], ['cannot', 'can not'],
  ["won't", 'will not'], ['wont', 'will not'], ["don't", 'do not'], ['dont', 'do not'],
  ["doesn't", 'does not'], ['doesnt', 'does not'], ["didn't", 'did not'], ['didnt', 'did not'],
  ["isn't", 'is not'], ['isnt', 'is not'], ["aren't", 'are not'], ['arent', 'are not'],
  ["wasn't", 'was not'], ['wasnt', 'was not'], ["weren't", 'were not'], ["shouldn't", 'should not'],
  ['shouldnt', 'should not'], ["wouldn't", 'would not'], ['wouldnt', 'would not'],
  ["couldn't", 'could not'], ['couldnt', 'could not'], ["haven't", 'have not'], ["hasn't", 'has not'],
  ["i'm", 'i am'], ['im', 'i am'], ["i've", 'i have'], ['ive', 'i have'], ["i'd", 'i would'], ["i'll", 'i will'],
  ["you're", 'you are'], ['youre', 'you are'], ["we're", 'we are'], ["they're", 'they are'],
  ['nevermind', 'never mind'], ['wanna', 'want to'], ['lemme', 'let me'], ['gimme', 'give me'],
  ['ok', 'okay'], ['okey', 'okay'], ['k', 'okay'], ['allright', 'alright'],
]);

/** Multi-word spellings of one word, longest first within each head word. */
const JOINS: ReadonlyArray<readonly [readonly string[], string]> = [
  [['pull', 'requests'], 'pr'], [['pull', 'request'], 'pr'], [['merge', 'requests'], 'pr'], [['merge', 'request'], 'pr'], [['pee', 'are'], 'pr'], [['pee', 'r'], 'pr'],
  [['p', 'are'], 'pr'], [['p', 'r'], 'pr'], [['prs'], 'pr'],
  [['in', 'box'], 'inbox'], [['c', 'i'], 'ci'], [['see', 'eye'], 'ci'],
  [['co', 'pilot'], 'copilot'], [['un', 'subscribe'], 'unsubscribe'], [['re', 'base'], 'rebase'],
  [['work', 'out'], 'workout'], [['working', 'out'], 'workout'], [['git', 'hub'], 'github'], [['forward', 'slash'], 'slash'],
  [['all', 'right'], 'alright'], [['o', 'k'], 'okay'], [['for', 'tee'], 'forty'], [['for', 'ty'], 'forty'],
  [['to', 'morrow'], 'tomorrow'], [['every', 'thing'], 'everything'],
];

/** Single words that carry no meaning in a command. */
const FILLER_WORDS = new Set([
  'um', 'umm', 'uh', 'uhh', 'uhm', 'er', 'erm', 'hmm', 'hm', 'mm', 'mmm', 'ah', 'eh', 'hey', 'okay', 'so',
  'well', 'please', 'pls', 'plz', 'thanks', 'thx', 'just', 'now', 'yes', 'yeah', 'yep', 'yup', 'sure',
  'alright', 'actually', 'basically', 'kindly', 'quickly',
]);

/** Politeness and lead-in phrases, flagged as fillers wherever they occur. */
const FILLER_PHRASES: ReadonlyArray<readonly string[]> = [
  ['i', 'would', 'like', 'you', 'to'], ['i', 'want', 'you', 'to'], ['i', 'need', 'you', 'to'],
  ['i', 'would', 'like', 'to'], ['i', 'want', 'to'],
  ['go', 'ahead', 'and'], ['thank', 'you'], ['could', 'you'], ['can', 'you'], ['would', 'you'],
  ['will', 'you'], ['okay', 'so'], ['for', 'me'], ['right', 'now'], ['real', 'quick'], ['let', 'us'],
  ['hey', 'there'],
];

interface Raw { w: string; start: number; end: number }

const RAW_TOKEN = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)*|[/#:&@]/gu;
const MARKER_WITH_DIGITS = /^(pr|issue|number|no|num|item)(\d+)$/;

function splitRaw(text: string): Raw[] {
  const out: Raw[] = [];
  for (const m of text.matchAll(RAW_TOKEN)) {
    const start = m.index;
    const end = start + m[0].length;
    out.push({ w: m[0].toLowerCase().replace(/’/g, "'"), start, end });
  }
  return out;
}

function expand(raw: readonly Raw[], text: string): Raw[] {
  const out: Raw[] = [];
  const push = (w: string, r: Raw): void => {
    for (const part of w.split(' ')) if (part.length > 0) out.push({ w: part, start: r.start, end: r.end });
  };
  for (let k = 0; k < raw.length; k++) {
    const r = raw[k] as Raw;
    const w = r.w;
    if (w === '/') push('slash', r);
    else if (w === '#') push('number', r);
    else if (w === '&') push('and', r);
    else if (w === '@') continue;
    else if (w === 'no' && text[r.end] === '.' && /^\d+$/.test(raw[k + 1]?.w ?? '')) push('number', r);
    else if (CONTRACTIONS.has(w)) push(CONTRACTIONS.get(w) as string, r);
    else if (w.includes("'")) push(expandApostrophe(w), r);
    else {
      const md = MARKER_WITH_DIGITS.exec(w);
      if (md !== null) push(`${md[1] === 'no' ? 'number' : md[1]} ${md[2]}`, r);
      else push(w, r);
    }
  }
  return out;
}

function expandApostrophe(w: string): string {
  if (w.endsWith("n't")) return `${w.slice(0, -3)} not`;
  if (w.endsWith("'s")) return w.slice(0, -2);
  if (w.endsWith("'re")) return `${w.slice(0, -3)} are`;
  if (w.endsWith("'ve")) return `${w.slice(0, -3)} have`;
  if (w.endsWith("'ll")) return `${w.slice(0, -3)} will`;
  if (w.endsWith("'d")) return `${w.slice(0, -2)} would`;
  if (w.endsWith("'m")) return `${w.slice(0, -2)} am`;
  return w.replace(/'/g, '');
}

function join(list: readonly Raw[]): Raw[] {
  const out: Raw[] = [];
  outer: for (let k = 0; k < list.length; k++) {
    for (const [seq, to] of JOINS) {
      let ok = true;
      for (let q = 0; q < seq.length; q++) {
        if (list[k + q]?.w !== seq[q]) { ok = false; break; }
      }
      if (ok) {
        const first = list[k] as Raw;
        const last = list[k + seq.length - 1] as Raw;
        out.push({ w: to, start: first.start, end: last.end });
        k += seq.length - 1;
        continue outer;
      }
    }
    out.push(list[k] as Raw);
  }
  return out;
}

/** Tokenise a transcript. Never throws; returns [] for empty or symbol-only input. */
export function tokenize(text: string): Token[] {
  const words = join(expand(splitRaw(text), text));
  const tokens: Token[] = words.map((r) => ({ w: r.w, start: r.start, end: r.end, filler: FILLER_WORDS.has(r.w) }));
  for (let k = 0; k < tokens.length; k++) {
    for (const phrase of FILLER_PHRASES) {
      let ok = true;
      for (let q = 0; q < phrase.length; q++) {
        if (tokens[k + q]?.w !== phrase[q]) { ok = false; break; }
      }
      if (ok) for (let q = 0; q < phrase.length; q++) (tokens[k + q] as Token).filler = true;
    }
  }
  return tokens;
}

/** Letters and digits only, lowercased: how repo names are compared ("octo-org" = "octo org" = "octoorg"). */
export function compactKey(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}
