/**
 * Transcript → Intent. Aligns the user's words against every catalog pattern (a small dynamic
 * program over each compiled pattern graph) with costs for skipped words, missing words, fuzzy
 * words and slot readings; the cheapest alignment wins and its cost becomes the confidence.
 *
 * Safety rules on top of the score, for side-effect intents (SIDE_EFFECT_INTENTS):
 * - a higher threshold (SIDE_EFFECT_THRESHOLD) than read-only intents;
 * - one of the command's anchor words must be heard exactly or as a known homophone;
 * - no unconsumed negation ("don't", "no", "cancel") or question/narrative/time word ("should",
 *   "did", "later", "yesterday") anywhere in the transcript.
 * A candidate that fails these becomes `unknown` with `guess` set; it is never turned into another
 * action.
 *
 * The recognizer only sees the user's words and the known repo names, never PR or issue text.
 */
import { SIDE_EFFECT_INTENTS, type Intent, type RecognizerContext } from '../../contract/intent.js';
import { COMMANDS, RULES, type AnyCommandSpec, type CommandIntent } from './catalog.js';
import { FUNCTION_WORDS, matchWord, missCost, repeatedMask, SKIP_COST, skipClass, WORD_COST, type SkipClass, type WordMatchKind } from './lexicon.js';
import { tokenize, type Token } from './normalize.js';
import { compile, parsePattern, type Edge, type Graph, type PatternNode } from './pattern.js';
import { indexRepos, SLOT_TYPES, type RepoIndex, type SlotInput, type SlotOption, type SlotValue } from './slots.js';

/** Below this confidence the result is `unknown`. */
export const CONFIDENCE_THRESHOLD = 0.6;
/** Side-effect intents need at least this confidence (plus an anchor word and no negation). */
export const SIDE_EFFECT_THRESHOLD = 0.75;
/** Confidence of a perfect match: leaves room above for nothing, below for every imperfection. */
export const BASE_CONFIDENCE = 0.97;
/** Longer transcripts are aligned on their first words only (a trailing comment body is kept whole). */
const MAX_TOKENS = 48;
/** Below this, `unknown` carries no guess. */
const GUESS_FLOOR = 0.3;
/** Slots whose words carry meaning by themselves ("first", "workout"), unlike numbers or names. */
const MEANINGFUL_SLOTS = new Set(['ordinal', 'profile', 'method', 'method_lead']);

interface CompiledPattern {
  spec: AnyCommandSpec;
  order: number;
  graph: Graph;
  /**
   * The pattern's own word groups with a non-function word (words from shared rules such as <pr>
   * only when the pattern has none of its own): one must be heard for the pattern to count, so
   * "read PR 12" is never a merge with "merge" missing.
   */
  keywordGroups: readonly number[];
  keywordSet: ReadonlySet<number>;
  /** Has a slot that counts as a keyword by itself (ordinal, profile, method). */
  meaningfulSlot: boolean;
  set: Readonly<Record<string, string | number>>;
  cost: number;
  sideEffect: boolean;
  anchors: ReadonlySet<string>;
}

let catalogCache: CompiledPattern[] | undefined;
let strictWords: ReadonlySet<string> = new Set();
/** Word groups (alternatives on one edge) by id, shared by all patterns. */
const groups: (readonly string[])[] = [];

function compiledCatalog(): CompiledPattern[] {
  if (catalogCache !== undefined) return catalogCache;
  const rules = new Map<string, { node: PatternNode; strict: boolean }>();
  for (const [name, r] of Object.entries(RULES)) rules.set(name, { node: parsePattern(r.p), strict: r.strict });
  const out: CompiledPattern[] = [];
  const strict = new Set<string>();
  const groupIds = new Map<string, number>();
  const groupId = (key: string, words: readonly string[]): number => {
    let id = groupIds.get(key);
    if (id === undefined) {
      id = groups.length;
      groups.push(words);
      groupIds.set(key, id);
    }
    return id;
  };
  COMMANDS.forEach((spec, order) => {
    const sideEffect = SIDE_EFFECT_INTENTS.includes(spec.intent);
    if (sideEffect) for (const a of spec.anchors) strict.add(a);
    for (const p of spec.patterns) {
      const ps = typeof p === 'string' ? { p } : p;
      const graph = compile(parsePattern(ps.p), { rules, missCost, groupId });
      const own = new Set<number>();
      const all = new Set<number>();
      let meaningfulSlot = false;
      for (const edges of graph.edges) {
        for (const e of edges) {
          if (e.kind === 'word' && e.words.some((w) => !FUNCTION_WORDS.has(w))) (e.inRule ? all : own).add(e.gid);
          if (e.kind === 'slot' && MEANINGFUL_SLOTS.has(e.type)) meaningfulSlot = true;
        }
      }
      const keywordGroups = own.size > 0 ? own : all;
      out.push({
        spec,
        order,
        graph,
        keywordGroups: [...keywordGroups],
        keywordSet: keywordGroups,
        meaningfulSlot,
        set: ps.set ?? {},
        cost: ps.cost ?? 0,
        sideEffect,
        anchors: new Set(spec.anchors),
      });
    }
  });
  strictWords = strict;
  catalogCache = out;
  return out;
}

interface MatchInput extends SlotInput {
  n: number;
  skipCls: SkipClass[];
  skipCost: Float64Array;
  /** Skip costs for side-effect patterns (content words cost more). */
  skipCostSideEffect: Float64Array;
  /** Per token, the match code against every word group (see wordRow). */
  rows: Uint8Array[];
  /** Per word group, whether any token matches it at all. */
  heard: Uint8Array;
  slotCache: Map<string, (SlotOption[] | undefined)[]>;
}

const KIND_CODE: readonly WordMatchKind[] = ['exact', 'stem', 'homophone', 'fuzzy'];
const NO_MATCH = 255;
const CODE_COST: readonly number[] = KIND_CODE.map((k) => WORD_COST[k]);

/**
 * For one heard word, the best match kind against every word group (NO_MATCH when none),
 * memoised across calls: the vocabulary repeats and matchWord (stems, edit distance) is the hot spot.
 */
const rowMemo = new Map<string, Uint8Array>();
const ROW_MEMO_LIMIT = 2000;

function wordRow(w: string): Uint8Array {
  const hit = rowMemo.get(w);
  if (hit !== undefined) return hit;
  const row = new Uint8Array(groups.length).fill(NO_MATCH);
  for (let g = 0; g < groups.length; g++) {
    let best = NO_MATCH;
    for (const p of groups[g] as readonly string[]) {
      const kind = matchWord(p, w, strictWords.has(p));
      if (kind !== undefined) {
        const code = KIND_CODE.indexOf(kind);
        if (code < best) best = code;
      }
    }
    row[g] = best;
  }
  if (rowMemo.size >= ROW_MEMO_LIMIT) rowMemo.clear();
  rowMemo.set(w, row);
  return row;
}

function slotOptions(input: MatchInput, type: string, i: number): SlotOption[] {
  let perPos = input.slotCache.get(type);
  if (perPos === undefined) {
    perPos = new Array<SlotOption[] | undefined>(input.n + 1);
    input.slotCache.set(type, perPos);
  }
  let opts = perPos[i];
  if (opts === undefined) {
    const parser = SLOT_TYPES[type];
    opts = parser === undefined || i >= input.n ? [] : parser.parse(input, i);
    perPos[i] = opts;
  }
  return opts;
}

const ACT_EPS = 1;
const ACT_SKIP = 2;
const ACT_WORD = 3;
const ACT_MISS = 4;
const ACT_SLOT = 5;

interface Alignment {
  cost: number;
  entities: Record<string, SlotValue>;
  /** Non-function pattern words actually heard (plus meaning-bearing word slots). */
  keywordsHeard: number;
  /** Non-function pattern words the transcript lacks. */
  keywordsMissing: number;
  /** Pattern words heard exactly or as a homophone (anchor check). */
  heardExactly: Set<string>;
  /** Skipped transcript tokens that forbid a side effect. */
  gatedBy: string[];
}

/** DP scratch space, reused across patterns and calls (recognize is synchronous). */
let cap = 0;
let costBuf = new Float64Array(0);
let prevBuf = new Int32Array(0);
let actBuf = new Uint8Array(0);
let payEdge: (Edge | undefined)[] = [];
let payOpt: (SlotOption | undefined)[] = [];

function ensureCapacity(size: number): void {
  if (size <= cap) return;
  cap = Math.max(size, cap * 2, 1024);
  costBuf = new Float64Array(cap);
  prevBuf = new Int32Array(cap);
  actBuf = new Uint8Array(cap);
  payEdge = new Array<Edge | undefined>(cap);
  payOpt = new Array<SlotOption | undefined>(cap);
}

function align(cp: CompiledPattern, input: MatchInput): Alignment | undefined {
  const g = cp.graph;
  const S = g.edges.length;
  const N = input.n + 1;
  const size = S * N;
  ensureCapacity(size);
  const skipCost = cp.sideEffect ? input.skipCostSideEffect : input.skipCost;
  const cost = costBuf;
  const prev = prevBuf;
  const act = actBuf;
  cost.fill(Infinity, 0, size);
  cost[0] = 0;
  prev[0] = -1;
  for (let i = 0; i < N; i++) {
    for (let s = 0; s < S; s++) {
      const here = s * N + i;
      const c = cost[here] as number;
      if (c === Infinity) continue;
      if (i < input.n) {
        const nc = c + (skipCost[i] as number);
        if (nc < (cost[here + 1] as number)) {
          cost[here + 1] = nc;
          prev[here + 1] = here;
          act[here + 1] = ACT_SKIP;
        }
      }
      for (const e of g.edges[s] as Edge[]) {
        const base = e.to * N;
        if (e.kind === 'eps') {
          const cell = base + i;
          if (c < (cost[cell] as number)) {
            cost[cell] = c;
            prev[cell] = here;
            act[cell] = ACT_EPS;
          }
        } else if (e.kind === 'word') {
          const code = i < input.n ? ((input.rows[i] as Uint8Array)[e.gid] as number) : NO_MATCH;
          if (code !== NO_MATCH) {
            const nc = c + (CODE_COST[code] as number);
            const cell = base + i + 1;
            if (nc < (cost[cell] as number)) {
              cost[cell] = nc;
              prev[cell] = here;
              act[cell] = ACT_WORD;
              payEdge[cell] = e;
            }
          }
          if (e.missCost !== Infinity) {
            const nc = c + e.missCost;
            const cell = base + i;
            if (nc < (cost[cell] as number)) {
              cost[cell] = nc;
              prev[cell] = here;
              act[cell] = ACT_MISS;
              payEdge[cell] = e;
            }
          }
        } else {
          for (const o of slotOptions(input, e.type, i)) {
            const nc = c + o.cost;
            const cell = base + o.end;
            if (nc < (cost[cell] as number)) {
              cost[cell] = nc;
              prev[cell] = here;
              act[cell] = ACT_SLOT;
              payEdge[cell] = e;
              payOpt[cell] = o;
            }
          }
        }
      }
    }
  }
  const final = g.end * N + input.n;
  const total = cost[final] as number;
  if (total === Infinity) return undefined;

  const result: Alignment = { cost: total, entities: {}, keywordsHeard: 0, keywordsMissing: 0, heardExactly: new Set(), gatedBy: [] };
  for (let cell = final; cell > 0; cell = prev[cell] as number) {
    const from = prev[cell] as number;
    const i = from % N;
    switch (act[cell]) {
      case ACT_SKIP: {
        const cls = input.skipCls[i] as SkipClass;
        if (cls === 'negation' || cls === 'blocker') result.gatedBy.push(input.words[i] as string);
        break;
      }
      case ACT_WORD: {
        const e = payEdge[cell] as Extract<Edge, { kind: 'word' }>;
        const w = input.words[i] as string;
        let bestKind: WordMatchKind | undefined;
        let bestWord = '';
        for (const p of e.words) {
          const k = matchWord(p, w, strictWords.has(p));
          if (k !== undefined && (bestKind === undefined || WORD_COST[k] < WORD_COST[bestKind])) {
            bestKind = k;
            bestWord = p;
          }
        }
        if (!FUNCTION_WORDS.has(bestWord) && cp.keywordSet.has(e.gid)) result.keywordsHeard++;
        if (bestKind === 'exact' || bestKind === 'homophone') result.heardExactly.add(bestWord);
        break;
      }
      case ACT_MISS: {
        const e = payEdge[cell] as Extract<Edge, { kind: 'word' }>;
        if (e.words.every((w) => !FUNCTION_WORDS.has(w))) result.keywordsMissing++;
        break;
      }
      case ACT_SLOT: {
        const e = payEdge[cell] as Extract<Edge, { kind: 'slot' }>;
        const o = payOpt[cell] as SlotOption;
        // Walking backwards, so if a slot repeats, the earliest spoken value is written last and wins.
        result.entities[e.entity] = o.value;
        if (MEANINGFUL_SLOTS.has(e.type)) result.keywordsHeard++;
        break;
      }
      default:
        break;
    }
  }
  return result;
}

interface Candidate {
  cp: CompiledPattern;
  confidence: number;
  entities: Record<string, SlotValue>;
  blocked: boolean;
  /** Blocked because the user negated, questioned or narrated the action: no "did you mean". */
  refused: boolean;
}

function prepare(text: string, knownRepos: readonly string[]): MatchInput {
  const all = tokenize(text);
  const tokens: Token[] = all.length > MAX_TOKENS ? all.slice(0, MAX_TOKENS) : all;
  const words = tokens.map((t) => t.w);
  const repeated = repeatedMask(words);
  const skipCls = tokens.map((t, k) => skipClass(words, k, t.filler, repeated[k] === true));
  const skipCost = new Float64Array(skipCls.map((c) => SKIP_COST[c]));
  const skipCostSideEffect = new Float64Array(skipCls.map((c) => (c === 'content' ? SKIP_COST.contentInSideEffect : SKIP_COST[c])));
  const rows = words.map(wordRow);
  const heard = new Uint8Array(groups.length);
  for (const row of rows) for (let g = 0; g < row.length; g++) if (row[g] !== NO_MATCH) heard[g] = 1;
  return {
    text,
    tokens,
    words,
    repos: repoIndex(knownRepos),
    n: tokens.length,
    skipCls,
    skipCost,
    skipCostSideEffect,
    rows,
    heard,
    slotCache: new Map(),
  };
}

let repoCacheKey: string | undefined;
let repoCache: RepoIndex = { entries: [] };
function repoIndex(known: readonly string[]): RepoIndex {
  const key = known.join('\n');
  if (key !== repoCacheKey) {
    repoCache = indexRepos(known);
    repoCacheKey = key;
  }
  return repoCache;
}

const REQUIRED: Partial<Record<CommandIntent, readonly string[]>> = {
  'inbox.read': ['position'],
  'pr.request_review': ['reviewers'],
  'pr.comment': ['body'],
  'agent.delegate': ['issue'],
  'system.set_profile': ['profile'],
};

function evaluate(cp: CompiledPattern, input: MatchInput): Candidate | undefined {
  // Exact shortcut: an alignment needs at least one keyword heard (checked again on the path).
  if (!cp.meaningfulSlot && !cp.keywordGroups.some((g) => input.heard[g] === 1)) return undefined;
  const a = align(cp, input);
  // One heard word cannot stand for a pattern that also lacks a keyword ("comment" is not
  // "cancel ... the comment", "no" is not "no cancel").
  if (a === undefined || a.keywordsHeard === 0 || (a.keywordsMissing > 0 && a.keywordsHeard < 2)) return undefined;
  const entities: Record<string, SlotValue> = {};
  const allowed = cp.spec.entities as readonly string[];
  for (const [k, v] of Object.entries({ ...a.entities, ...cp.set })) if (allowed.includes(k)) entities[k] = v;
  for (const k of REQUIRED[cp.spec.intent] ?? []) if (entities[k] === undefined) return undefined;
  const confidence = clamp01(BASE_CONFIDENCE - a.cost - cp.cost);
  let blocked = false;
  const refused = cp.sideEffect && a.gatedBy.length > 0;
  if (cp.sideEffect) {
    const anchored = [...cp.anchors].some((w) => a.heardExactly.has(w));
    blocked = refused || !anchored || confidence < SIDE_EFFECT_THRESHOLD;
  }
  return { cp, confidence, entities, blocked, refused };
}

function clamp01(x: number): number {
  if (!(x > 0)) return 0;
  return x > 1 ? 1 : Math.round(x * 1000) / 1000;
}

function unknown(confidence: number, guess?: CommandIntent): Intent {
  const c = Math.min(clamp01(confidence), CONFIDENCE_THRESHOLD - 0.01);
  return { name: 'unknown', confidence: Math.round(c * 1000) / 1000, entities: guess === undefined ? {} : { guess } };
}

/**
 * Recognize one transcript. Never throws; never returns a side-effect intent below
 * SIDE_EFFECT_THRESHOLD, without its anchor word, or with an unconsumed negation.
 *
 * `unknown` carries the confidence of the closest candidate (always below CONFIDENCE_THRESHOLD)
 * and, when that candidate was a near miss rather than a refusal ("don't merge it"), its intent
 * as `guess` for a "did you mean" hint.
 */
export function recognize(text: string, ctx: RecognizerContext): Intent {
  try {
    const catalog = compiledCatalog();
    const input = prepare(typeof text === 'string' ? text : '', ctx?.knownRepos ?? []);
    if (input.n === 0) return unknown(0);
    let best: Candidate | undefined;
    for (const cp of catalog) {
      const c = evaluate(cp, input);
      if (c === undefined) continue;
      if (best === undefined || c.confidence > best.confidence + 1e-9
        || (Math.abs(c.confidence - best.confidence) <= 1e-9 && c.cp.order < best.cp.order)) best = c;
    }
    if (best === undefined) return unknown(0);
    const threshold = best.cp.sideEffect ? SIDE_EFFECT_THRESHOLD : CONFIDENCE_THRESHOLD;
    if (best.blocked || best.confidence < threshold) {
      const guess = best.confidence >= GUESS_FLOOR && !best.refused ? best.cp.spec.intent : undefined;
      return unknown(best.confidence, guess);
    }
    return { name: best.cp.spec.intent, confidence: best.confidence, entities: best.entities } as Intent;
  } catch {
    return unknown(0);
  }
}
