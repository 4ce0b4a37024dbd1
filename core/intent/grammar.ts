/**
 * JSGF grammar generation for grammar-constrained speech recognition (pocketsphinx), from the same
 * command registry the intent recognizer aligns against (COMMANDS + RULES + SLOT_VOCABULARY). One
 * source for intents, grammar, help text and the UI's voice-twin list: a phrase added to the
 * catalog is both recognized as text and heard by the offline STT.
 *
 * Slots become rules: numbers as a small number grammar (no leading "oh"), ordinals, merge methods
 * and profiles from SLOT_VOCABULARY, repos and people from the user's account (runtime lists), and
 * free text ({body}) from a short list of canned phrases: dictation needs a cloud STT. A pattern
 * whose slot has no vocabulary is left out of the grammar (it stays available as typed text).
 *
 * Pure: produces text and word lists; the adapter builds the pronunciation dictionary.
 */
import { SIDE_EFFECT_INTENTS } from '../../contract/intent.js';
import { COMMANDS, RULES, type AnyCommandSpec } from './catalog.js';
import { parsePattern, type PatternNode } from './pattern.js';
import { SLOT_VOCABULARY } from './slots.js';

export interface GrammarOptions {
  /** "owner/name" of the user's repos: spoken as "owner slash name", "owner name" or "name". */
  knownRepos?: readonly string[];
  /** GitHub logins that can be named as reviewers ("priya-k" is heard as "priya k"). */
  people?: readonly string[];
  /** Free-text phrases for {body} slots (comment bodies, agent instructions). */
  bodyPhrases?: readonly string[];
  /** Defaults to the catalog; tests pass a subset. */
  commands?: readonly AnyCommandSpec[];
  /** Optional lead-in phrases before every command (DEFAULT_LEAD_INS). */
  leadIns?: readonly string[];
  /** Optional lead-in phrases before commands without a side effect (DEFAULT_ASK_LEAD_INS). */
  askLeadIns?: readonly string[];
  /** Optional phrases after every command (DEFAULT_TAILS). */
  tails?: readonly string[];
  /** Short answers to the app's questions ("Did you mean 15?" → "yes"); not commands themselves. */
  answers?: readonly string[];
}

/**
 * Answers the pipeline takes after "Did you mean 15?" (core/pipeline: AFFIRMATIVE). Without them in
 * the grammar the offline STT could never hear the "yes" the question asks for. Only these three:
 * with "that one" in it, the test set's "next one" was heard as "that one".
 */
export const DEFAULT_ANSWERS: readonly string[] = ['yes', 'yeah', 'yes please'];

/**
 * Lead-ins people put before a command ("okay, merge it", "go ahead and merge it"), from the text
 * recognizer's fillers (core/intent/normalize.ts FILLER_WORDS, FILLER_PHRASES), which skips them:
 * without them in the grammar the offline STT could not hear a command said this way. The short
 * fillers "so", "now" and "just" (and "now" as a closing word) are left out: in noise the decoder
 * used them to absorb stray sounds ("… red now"). Measured 2026-12-06 on the gated plan of the
 * calibration set (commands clean, 15 dB, HFP, 10 dB; chit-chat): without lead-ins 129 of 140
 * commands right and 3 of 144 chit-chat side-effect intents; with these 127 and 2; with the short
 * fillers too 127 and 3 (and the test set's clean and HFP figures 1 lower each).
 */
export const DEFAULT_LEAD_INS: readonly string[] = ['please', 'okay', 'go ahead and', 'okay please'];
/**
 * Requests as questions ("can you read PR 12"), before commands without a side effect only: chit-chat
 * asks "can you confirm the booking for tonight", and with these before every command the test
 * set's chit-chat gave 2 side-effect intents ("can you confirm of eight five nine").
 */
export const DEFAULT_ASK_LEAD_INS: readonly string[] = ['can you', 'could you', 'would you', 'can you please', 'could you please'];
/**
 * Words people put after a command ("merge it now", "next one please"); fillers as DEFAULT_LEAD_INS.
 * One word each: GrammarCompletion.isComplete lets only a closing word follow a complete command.
 */
export const DEFAULT_TAILS: readonly string[] = ['please', 'thanks'];

export interface GeneratedGrammar {
  /** JSGF V1.0 text; the public rule is <command>. */
  jsgf: string;
  /** Every word the grammar can produce, sorted (for the pronunciation dictionary). */
  words: string[];
  /** Spoken word sequences that stand for one written token (people's logins), applied to hypotheses. */
  rewrites: { spoken: string; written: string }[];
  /** Intents with at least one pattern in the grammar. */
  intents: string[];
  /** Catalog patterns left out because a slot had no vocabulary, as "intent: pattern". */
  omitted: string[];
}

/** Canned free-text phrases: what people say most in a comment or an instruction to the agent. */
export const DEFAULT_BODY_PHRASES: readonly string[] = [
  'looks good to me',
  'looks good',
  'ship it',
  'thanks',
  'thank you',
  'nice work',
  'please rebase',
  'please add tests',
  'needs tests',
  'add a regression test',
  'add tests',
  'i will take a look',
  'can you fix the tests',
];

const DIGITS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORD_UNITS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
/** Words inside a cardinal number (grouped, digit by digit, hundreds, thousands). */
const NUMBER_WORDS: ReadonlySet<string> = new Set([...DIGITS, ...TEENS, ...TENS, 'hundred', 'thousand', 'oh', 'zero']);
const ORD_TEENS = ['tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth'];

/**
 * Number rules: 1–99, "N hundred [and] M", grouped readings as people say PR numbers ("nine
 * eighteen", "one twenty three", "two oh four", "twenty twenty"), digit by digit (up to 4: "one five"
 * → 15, "one zero five" → 105), and thousands. "oh" only inside a number ("four oh four"): a leading
 * or trailing "oh" produced spurious numbers.
 */
const NUMBER_RULES = [
  `<digit> = ${DIGITS.join(' | ')};`,
  `<teen> = ${TEENS.join(' | ')};`,
  `<tens> = ${TENS.join(' | ')};`,
  '<n_pair> = <tens> [<digit>] | <teen>;',
  '<n_small> = <digit> | <n_pair>;',
  '<hundreds> = (<digit> | a) hundred [[and] <n_small>];',
  '<n_group> = <n_pair> | oh <digit>;',
  '<d_any> = <digit> | zero;',
  '<s_number> = <n_small> | <hundreds> | <n_small> <n_group> | <digit> <d_any> [<d_any> [<d_any>]] | (<n_small> | a) thousand [[and] (<hundreds> | <n_small>)];',
  `<s_ordinal> = ${[...ORD_UNITS, ...ORD_TEENS, 'twentieth', 'thirtieth'].join(' | ')} | (twenty | thirty) (${ORD_UNITS.join(' | ')});`,
];

const DIGIT_WORDS = ['zero', ...DIGITS];

/**
 * Other ways people say a catalog word, which the recognizer's normalizer joins back into it
 * ("pull request" → "pr"; tested in grammar.test.ts): the grammar must let the STT hear them.
 */
export const SPOKEN_ALIASES: Readonly<Record<string, readonly string[]>> = {
  pr: ['pull request'],
};

/**
 * Contractions the grammar offers wherever a pattern has the two words ("what's new" as well as
 * "what is new", "what's the agent doing" from "what (is | are) ..."): grammarAutomaton adds them;
 * the text recognizer expands them back (core/intent/normalize.ts CONTRACTIONS). Each is a cmudict word.
 */
export const SPOKEN_CONTRACTIONS: Readonly<Record<string, string>> = {
  'what is': "what's", 'that is': "that's", 'it is': "it's", 'there is': "there's", 'here is': "here's",
  'how is': "how's", 'who is': "who's", 'where is': "where's", 'let us': "let's", 'do not': "don't",
  'does not': "doesn't", 'did not': "didn't", 'is not': "isn't", 'can not': "can't", 'will not': "won't", 'i am': "i'm",
};
/** SPOKEN_CONTRACTIONS as [first word, second word, contraction], split once. */
const CONTRACTION_PAIRS: readonly (readonly [string, string, string])[] = Object.entries(SPOKEN_CONTRACTIONS).map(([pair, short]) => {
  const [x, y] = pair.split(' ') as [string, string];
  return [x, y, short] as const;
});

/** Words a name is spoken as: "octo-org" → octo org, "myRepo2" → my repo two, "api_v2" → api v two. */
export function spokenWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)
    .flatMap((w) => (/^\d+$/.test(w) ? [...w].map((d) => DIGIT_WORDS[Number(d)] as string) : [w]));
}

/** A grammar fragment: a rendered JSGF expression, the empty string (ε), or VOID (cannot match). */
type Frag = { kind: 'eps' } | { kind: 'void' } | { kind: 'x'; text: string; atom: boolean };

const EPS: Frag = { kind: 'eps' };
const VOID: Frag = { kind: 'void' };

function seqOf(parts: Frag[]): Frag {
  if (parts.some((p) => p.kind === 'void')) return VOID;
  const xs = parts.filter((p): p is Extract<Frag, { kind: 'x' }> => p.kind === 'x');
  if (xs.length === 0) return EPS;
  if (xs.length === 1) return xs[0] as Frag;
  return { kind: 'x', text: xs.map((p) => (p.atom ? p.text : `(${p.text})`)).join(' '), atom: true };
}

function altOf(options: Frag[]): Frag {
  const xs = options.filter((p): p is Extract<Frag, { kind: 'x' }> => p.kind === 'x');
  const hasEps = options.some((p) => p.kind === 'eps');
  if (xs.length === 0) return hasEps ? EPS : VOID;
  const uniq = [...new Set(xs.map((p) => p.text))];
  const body: Frag = uniq.length === 1 ? (xs.find((p) => p.text === uniq[0]) as Frag) : { kind: 'x', text: uniq.join(' | '), atom: false };
  return hasEps ? optOf(body) : body;
}

function optOf(f: Frag): Frag {
  if (f.kind !== 'x') return EPS;
  return { kind: 'x', text: `[${f.text}]`, atom: true };
}

function ruleName(prefix: string, name: string): string {
  return `<${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}>`;
}

/** Builds the JSGF grammar for the catalog and the user's account. */
export function generateGrammar(opts: GrammarOptions = {}): GeneratedGrammar {
  const commands = opts.commands ?? COMMANDS;
  const words = new Set<string>();
  const rewrites: { spoken: string; written: string }[] = [];
  const omitted: string[] = [];
  const lines: string[] = [];

  // Slot vocabularies → rules (VOID when empty).
  const slotRules = new Map<string, Frag>();
  const defineList = (name: string, phrases: readonly string[]): void => {
    const clean = [...new Set(phrases.map((p) => p.trim().toLowerCase().replace(/\s+/g, ' ')).filter((p) => /^[a-z' ]+$/.test(p)))];
    if (clean.length === 0) {
      slotRules.set(name, VOID);
      return;
    }
    for (const p of clean) for (const w of p.split(' ')) words.add(w);
    lines.push(`<s_${name}> = ${clean.join(' | ')};`);
    slotRules.set(name, { kind: 'x', text: `<s_${name}>`, atom: true });
  };

  lines.push(...NUMBER_RULES);
  for (const w of [...DIGITS, ...TEENS, ...TENS, ...ORD_UNITS, ...ORD_TEENS, 'twentieth', 'thirtieth', 'a', 'hundred', 'and', 'oh', 'zero', 'thousand']) words.add(w);
  slotRules.set('number', { kind: 'x', text: '<s_number>', atom: true });
  slotRules.set('bare_number', { kind: 'x', text: '<s_number>', atom: true });
  slotRules.set('ordinal', { kind: 'x', text: '<s_ordinal>', atom: true });
  for (const [name, vocab] of Object.entries(SLOT_VOCABULARY)) defineList(name, vocab);

  // Repos: "owner slash name" | "owner name" | "name".
  const repoPhrases = new Set<string>();
  const repoNames = new Set<string>();
  for (const full of opts.knownRepos ?? []) {
    const slash = full.indexOf('/');
    if (slash <= 0) continue;
    const owner = spokenWords(full.slice(0, slash)).join(' ');
    const name = spokenWords(full.slice(slash + 1)).join(' ');
    if (owner === '' || name === '') continue;
    repoPhrases.add(`${owner} slash ${name}`);
    repoPhrases.add(`${owner} ${name}`);
    repoPhrases.add(name);
    repoNames.add(name);
  }
  defineList('repo', [...repoPhrases]);
  defineList('repo_name', [...repoNames]);

  // People: spoken as their login's words; a multi-word login is rewritten back to the login.
  const people = new Set<string>();
  for (const login of opts.people ?? []) {
    if (/\[bot\]$/.test(login)) continue;
    const spoken = spokenWords(login).join(' ');
    if (spoken === '') continue;
    people.add(spoken);
    if (spoken.includes(' ')) rewrites.push({ spoken, written: login.toLowerCase() });
  }
  defineList('person', [...people]);
  if (slotRules.get('person')?.kind === 'x') {
    lines.push('<s_reviewers> = <s_person> [[and | or] <s_person> [[and | or] <s_person>]];');
    words.add('or');
    slotRules.set('reviewers', { kind: 'x', text: '<s_reviewers>', atom: true });
  } else {
    slotRules.set('reviewers', VOID);
  }
  defineList('body', opts.bodyPhrases ?? DEFAULT_BODY_PHRASES);

  // Shared rules, then one rule per command.
  const ruleFrags = new Map<string, Frag>();
  const render = (n: PatternNode): Frag => {
    switch (n.kind) {
      case 'word': {
        // ":" and digits are typed forms, not spoken words: an alternative made of one cannot be
        // said (as ε it made "reply ship it" speakable, which the recognizer rightly refuses).
        if (!/^[a-z']+$/.test(n.word)) return VOID;
        const aliases = SPOKEN_ALIASES[n.word] ?? [];
        for (const w of [n.word, ...aliases.flatMap((a) => a.split(' '))]) words.add(w);
        return aliases.length === 0 ? { kind: 'x', text: n.word, atom: true } : { kind: 'x', text: `(${[n.word, ...aliases].join(' | ')})`, atom: true };
      }
      case 'seq':
        return seqOf(n.items.map(render));
      case 'alt':
        return altOf(n.options.map(render));
      case 'opt':
        return optOf(render(n.item));
      case 'ref': {
        const f = ruleFrags.get(n.name);
        if (f === undefined) throw new Error(`rule <${n.name}> used before it is defined (or unknown)`);
        return f;
      }
      case 'slot': {
        const f = slotRules.get(n.type);
        if (f === undefined) throw new Error(`no grammar for slot type ${n.type}`);
        return f;
      }
    }
  };
  // Rules may reference each other: define in dependency order.
  const pending = new Map(Object.entries(RULES));
  const refsOf = (src: string): string[] => [...src.matchAll(/<([a-z_]+)>/g)].map((m) => m[1] as string);
  while (pending.size > 0) {
    const ready = [...pending].find(([, r]) => refsOf(r.p).every((x) => ruleFrags.has(x)));
    if (ready === undefined) throw new Error(`recursive or unknown rule among ${[...pending.keys()].join(', ')}`);
    const [name, r] = ready;
    pending.delete(name);
    const f = render(parsePattern(r.p));
    if (f.kind === 'x') {
      lines.push(`${ruleName('r', name)} = ${f.text};`);
      ruleFrags.set(name, { kind: 'x', text: ruleName('r', name), atom: true });
    } else {
      ruleFrags.set(name, f);
    }
  }

  const intents: string[] = [];
  /** Commands without a side effect (and the answers); those with one, which take no question lead-in. */
  const commandRules: string[] = [];
  const actingRules: string[] = [];
  for (const c of commands) {
    const alts: string[] = [];
    for (const p of c.patterns) {
      const src = typeof p === 'string' ? p : p.p;
      const f = render(parsePattern(src));
      if (f.kind === 'x') alts.push(f.text);
      else omitted.push(`${c.intent}: ${src}`);
    }
    if (alts.length === 0) continue;
    const name = ruleName('c', c.intent);
    lines.push(`${name} = ${[...new Set(alts)].join(' | ')};`);
    ((SIDE_EFFECT_INTENTS as readonly string[]).includes(c.intent) ? actingRules : commandRules).push(name);
    intents.push(c.intent);
  }
  if (commandRules.length + actingRules.length === 0) throw new Error('no command has a pattern the grammar can express');
  const answers = [...new Set((opts.answers ?? DEFAULT_ANSWERS).map((a) => a.trim().toLowerCase()))].filter((a) => /^[a-z' ]+$/.test(a));
  if (answers.length > 0) {
    for (const a of answers) for (const w of a.split(' ')) words.add(w);
    lines.push(`<answer> = ${answers.join(' | ')};`);
    commandRules.push('<answer>');
  }
  const phrases = (list: readonly string[]): string[] => [...new Set(list.map((p) => p.trim().toLowerCase().replace(/\s+/g, ' ')))].filter((p) => /^[a-z' ]+$/.test(p));
  const leads = phrases(opts.leadIns ?? DEFAULT_LEAD_INS);
  const asks = phrases(opts.askLeadIns ?? DEFAULT_ASK_LEAD_INS);
  const tails = phrases(opts.tails ?? DEFAULT_TAILS);
  for (const p of [...leads, ...asks, ...tails]) for (const w of p.split(' ')) words.add(w);
  const opt = (l: readonly string[]): string => (l.length > 0 ? `[${l.join(' | ')}]` : '');
  const tail = opt(tails);
  const bodies = [
    ...(commandRules.length > 0 ? [`${opt([...leads, ...asks])} (${commandRules.join(' | ')}) ${tail}`] : []),
    ...(actingRules.length > 0 ? [`${opt(leads)} (${actingRules.join(' | ')}) ${tail}`] : []),
  ];
  // grammarAutomaton lets a contraction stand for its two words: the dictionary needs it too.
  for (const [x, y, short] of CONTRACTION_PAIRS) if (words.has(x) && words.has(y)) words.add(short);
  const head = [`#JSGF V1.0;`, `grammar handsfree;`, `public <command> = ${bodies.map((b) => `(${b.trim()})`).join(' | ')};`.replace(/ +/g, ' ')];
  return { jsgf: `${[...head, ...lines].join('\n')}\n`, words: [...words].sort(), rewrites, intents, omitted };
}

/** A word automaton: deterministic and minimal, with one start state (0). */
export interface WordAutomaton {
  numStates: number;
  /** Accepting states. */
  finals: number[];
  /** [from, to, word] */
  arcs: [number, number, string][];
}

/**
 * The same language as generateGrammar's JSGF, compiled to a minimal deterministic word automaton.
 * pocketsphinx expands every JSGF rule reference in place (the catalog grammar becomes ~5,000 states
 * and ~50,000 arcs, decoding at ~0.4× real time here); determinizing and minimizing shares the
 * repeated number/repo sub-graphs and makes decoding an order of magnitude faster.
 */
export function grammarAutomaton(jsgf: string): WordAutomaton {
  const { rules, publicRule } = parseJsgf(jsgf);
  // NFA by Thompson construction (ε = null word), rule references expanded in place.
  const nfa: { to: number; w: string | null }[][] = [[]];
  const add = (): number => nfa.push([]) - 1;
  const edge = (a: number, b: number, w: string | null): void => {
    (nfa[a] as { to: number; w: string | null }[]).push({ to: b, w });
  };
  const build = (n: PatternNode, from: number, depth: number): number => {
    if (depth > 60) throw new Error('grammar nests too deeply');
    switch (n.kind) {
      case 'word': {
        const s = add();
        edge(from, s, n.word);
        return s;
      }
      case 'seq': {
        let cur = from;
        for (const it of n.items) cur = build(it, cur, depth + 1);
        return cur;
      }
      case 'opt': {
        const e = build(n.item, from, depth + 1);
        edge(from, e, null);
        return e;
      }
      case 'alt': {
        const s = add();
        for (const o of n.options) edge(build(o, from, depth + 1), s, null);
        return s;
      }
      case 'ref': {
        const r = rules.get(n.name);
        if (r === undefined) throw new Error(`unknown rule <${n.name}>`);
        return build(r, from, depth + 1);
      }
      case 'slot':
        throw new Error('slots are rules in generated JSGF');
    }
  };
  const nfaFinal = build(publicRule, 0, 0);
  const closure = (set: number[]): number[] => {
    const seen = new Set(set);
    const stack = [...set];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      for (const e of nfa[s] as { to: number; w: string | null }[]) if (e.w === null && !seen.has(e.to)) { seen.add(e.to); stack.push(e.to); }
    }
    return [...seen].sort((a, b) => a - b);
  };
  // Subset construction.
  const dStates: number[][] = [];
  const dIndex = new Map<string, number>();
  const dArcs: Map<string, number>[] = [];
  const intern = (set: number[]): number => {
    const key = set.join(',');
    let id = dIndex.get(key);
    if (id === undefined) {
      id = dStates.push(set) - 1;
      dIndex.set(key, id);
      dArcs.push(new Map());
    }
    return id;
  };
  intern(closure([0]));
  for (let i = 0; i < dStates.length; i++) {
    const byWord = new Map<string, number[]>();
    for (const s of dStates[i] as number[]) {
      for (const e of nfa[s] as { to: number; w: string | null }[]) {
        if (e.w === null) continue;
        const l = byWord.get(e.w);
        if (l === undefined) byWord.set(e.w, [e.to]);
        else l.push(e.to);
      }
    }
    for (const [w, targets] of byWord) (dArcs[i] as Map<string, number>).set(w, intern(closure([...new Set(targets)])));
  }
  // Contractions: wherever "what" then "is" leads from a state, "what's" leads to the same place.
  for (let i = 0; i < dArcs.length; i++) {
    const out = dArcs[i] as Map<string, number>;
    for (const [x, y, short] of CONTRACTION_PAIRS) {
      const t = out.get(x);
      const u = t === undefined ? undefined : (dArcs[t] as Map<string, number>).get(y);
      if (u !== undefined && !out.has(short)) out.set(short, u);
    }
  }
  const isFinal = dStates.map((set) => set.includes(nfaFinal));
  // Minimize (the language is finite, so the DFA is acyclic): merge states with equal futures,
  // deepest first; drop states that cannot reach an accepting state.
  const order: number[] = [];
  const mark = new Uint8Array(dStates.length);
  const visit = (s: number): void => {
    const stack: [number, boolean][] = [[s, false]];
    while (stack.length > 0) {
      const [x, done] = stack.pop() as [number, boolean];
      if (done) { order.push(x); continue; }
      if (mark[x] !== 0) continue;
      mark[x] = 1;
      stack.push([x, true]);
      for (const t of (dArcs[x] as Map<string, number>).values()) if (mark[t] === 0) stack.push([t, false]);
    }
  };
  visit(0);
  const cls = new Int32Array(dStates.length).fill(-2);
  const sigs = new Map<string, number>();
  const classArcs: [string, number][][] = [];
  const classFinal: boolean[] = [];
  for (const x of order) {
    const arcs: [string, number][] = [];
    for (const [w, t] of dArcs[x] as Map<string, number>) {
      const c = cls[t] as number;
      if (c >= 0) arcs.push([w, c]);
    }
    if (arcs.length === 0 && !isFinal[x]) { cls[x] = -1; continue; }
    arcs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const sig = `${isFinal[x] ? 1 : 0}|${arcs.map(([w, c]) => `${w}>${c}`).join(' ')}`;
    let c = sigs.get(sig);
    if (c === undefined) {
      c = classArcs.push(arcs) - 1;
      classFinal.push(isFinal[x] as boolean);
      sigs.set(sig, c);
    }
    cls[x] = c;
  }
  const startClass = cls[0] as number;
  if (startClass < 0) throw new Error('the grammar accepts nothing');
  // Renumber so the start is 0 (breadth first from the start).
  const renum = new Map<number, number>([[startClass, 0]]);
  const queue = [startClass];
  const arcs: [number, number, string][] = [];
  const finals: number[] = [];
  while (queue.length > 0) {
    const c = queue.shift() as number;
    const id = renum.get(c) as number;
    if (classFinal[c]) finals.push(id);
    for (const [w, t] of classArcs[c] as [string, number][]) {
      if (!renum.has(t)) { renum.set(t, renum.size); queue.push(t); }
      arcs.push([id, renum.get(t) as number, w]);
    }
  }
  return { numStates: renum.size, finals, arcs };
}

/** pocketsphinx FSG text for an automaton: uniform probabilities, one extra final state reached by ε. */
export function toFsg(a: WordAutomaton, name = 'handsfree'): string {
  const out = new Array<number>(a.numStates).fill(0);
  for (const [f] of a.arcs) out[f] = (out[f] as number) + 1;
  const finalSet = new Set(a.finals);
  for (const f of a.finals) out[f] = (out[f] as number) + 1;
  const end = a.numStates;
  const lines = [`FSG_BEGIN ${name}`, `NUM_STATES ${a.numStates + 1}`, 'START_STATE 0', `FINAL_STATE ${end}`];
  for (const [f, t, w] of a.arcs) lines.push(`TRANSITION ${f} ${t} ${(1 / (out[f] as number)).toPrecision(4)} ${w}`);
  for (const f of finalSet) lines.push(`TRANSITION ${f} ${end} ${(1 / (out[f] as number)).toPrecision(4)}`);
  lines.push('FSG_END');
  return `${lines.join('\n')}\n`;
}

/** Reads back the JSGF this module writes (rules "<name> = expansion;" in the pattern language). */
function parseJsgf(jsgf: string): { rules: Map<string, PatternNode>; publicRule: PatternNode } {
  const rules = new Map<string, PatternNode>();
  let publicRule: PatternNode | undefined;
  for (const line of jsgf.split('\n')) {
    const m = /^(public )?<([A-Za-z0-9_]+)> = (.*);$/.exec(line.trim());
    if (m === null) continue;
    const node = parsePattern((m[3] as string).replace(/<([A-Za-z0-9_]+)>/g, (_, n: string) => `<${n.toLowerCase()}>`));
    if (m[1] !== undefined) publicRule = node;
    else rules.set((m[2] as string).toLowerCase(), node);
  }
  if (publicRule === undefined) throw new Error('grammar has no public rule');
  return { rules, publicRule };
}

/** Applies a grammar's rewrites to a hypothesis ("ask priya k to review" → "ask priya-k to review"). */
export function applyRewrites(hyp: string, rewrites: GeneratedGrammar['rewrites']): string {
  let out = ` ${hyp} `;
  for (const r of [...rewrites].sort((a, b) => b.spoken.length - a.spoken.length)) {
    out = out.split(` ${r.spoken} `).join(` ${r.written} `);
  }
  return out.trim();
}

/** Reads back toFsg's text: word arcs, and as finals the states with an ε-arc to the end state. */
export function parseFsg(text: string): WordAutomaton {
  let numStates = 0;
  let end = -1;
  const arcs: [number, number, string][] = [];
  const finals: number[] = [];
  for (const line of text.split('\n')) {
    const p = line.trim().split(/\s+/);
    if (p[0] === 'NUM_STATES') numStates = Number(p[1]);
    else if (p[0] === 'FINAL_STATE') end = Number(p[1]);
    else if (p[0] === 'TRANSITION' && p.length >= 5) arcs.push([Number(p[1]), Number(p[2]), p[4] as string]);
    else if (p[0] === 'TRANSITION' && p.length === 4 && Number(p[2]) === end) finals.push(Number(p[1]));
  }
  return { numStates: Math.max(0, numStates - 1), finals, arcs };
}

/**
 * Whether a hypothesis (spoken words, before rewrites) is a whole sentence of the grammar that no
 * further word can extend, except one closing word such as the optional trailing "please": the
 * voice loop may then end the turn without waiting out the hangover.
 * "what needs my attention" is complete; "read pr twelve" is not ("three" may follow).
 */
export class GrammarCompletion {
  private readonly next = new Map<number, Map<string, number>>();
  private readonly finals: Set<number>;

  constructor(a: WordAutomaton) {
    for (const [f, t, w] of a.arcs) {
      const m = this.next.get(f) ?? new Map<string, number>();
      m.set(w, t);
      this.next.set(f, m);
    }
    this.finals = new Set(a.finals);
  }

  /** The state `words` reach from the start, or null when the grammar cannot produce them. */
  private walk(words: readonly string[]): number | null {
    let s = 0;
    for (const w of words) {
      const t = this.next.get(s)?.get(w);
      if (t === undefined) return null;
      s = t;
    }
    return s;
  }

  /** `words` are a whole command, though the grammar may still extend it ("read pr twelve", "… in acme api"). */
  isFinal(words: readonly string[]): boolean {
    const s = this.walk(words);
    return words.length > 0 && s !== null && this.finals.has(s);
  }

  /**
   * `words` are a whole command ending in a number word that the grammar could extend with another
   * ("read pr twelve" → "… eighteen"). "confirm" is not, though a number may follow it: the user
   * is not in the middle of saying one.
   */
  endsInOpenNumber(words: readonly string[]): boolean {
    const s = this.walk(words);
    const last = words.at(-1);
    if (s === null || last === undefined || !this.finals.has(s) || !NUMBER_WORDS.has(last)) return false;
    return [...(this.next.get(s)?.keys() ?? [])].some((w) => NUMBER_WORDS.has(w));
  }

  /** `words` are a whole command that nothing but a closing word (DEFAULT_TAILS: "please", "thanks") can extend. */
  isComplete(words: readonly string[]): boolean {
    const s = this.walk(words);
    if (words.length === 0 || s === null || !this.finals.has(s)) return false;
    // Only a closing word may follow (the grammar's optional tail), nothing after it.
    return [...(this.next.get(s)?.values() ?? [])].every((t) => this.finals.has(t) && (this.next.get(t)?.size ?? 0) === 0);
  }
}
