/**
 * The phrase-pattern language of the command catalog, and its compilation to a small graph the
 * recognizer aligns transcripts against.
 *
 * Syntax (a subset of JSGF, so a pocketsphinx grammar can be generated from the same text):
 *   word            a literal lowercase word (":" is a word too: a spoken/typed colon)
 *   [ x ]           optional
 *   ( a | b )       alternatives; a top-level "a | b" needs no parentheses
 *   <rule>          reference to a shared rule (see RULES in catalog.ts)
 *   {type}          a typed slot whose entity has the same name: {number}, {repo}, {body}, ...
 *   {entity:type}   a typed slot stored under another entity name: {issue:number}
 *   {_:type}        a slot that is heard but not kept as an entity
 */

export type PatternNode =
  | { kind: 'seq'; items: PatternNode[] }
  | { kind: 'alt'; options: PatternNode[] }
  | { kind: 'opt'; item: PatternNode }
  | { kind: 'word'; word: string }
  | { kind: 'ref'; name: string }
  | { kind: 'slot'; entity: string; type: string };

const LEX = /\s*(\(|\)|\[|\]|\||<[a-z_]+>|\{[a-z_]+(?::[a-z_]+)?\}|[a-z0-9:'-]+)/gy;

function lex(src: string): string[] {
  const out: string[] = [];
  LEX.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    LEX.lastIndex = pos;
    const m = LEX.exec(src);
    if (m === null) throw new Error(`pattern syntax error at ${pos} in "${src}"`);
    out.push(m[1] as string);
    pos = LEX.lastIndex;
  }
  return out;
}

/** Parse a pattern template; throws on a syntax error (catalog tests parse every pattern). */
export function parsePattern(src: string): PatternNode {
  const toks = lex(src);
  let i = 0;
  const parseAlt = (): PatternNode => {
    const options: PatternNode[] = [parseSeq()];
    while (toks[i] === '|') {
      i++;
      options.push(parseSeq());
    }
    return options.length === 1 ? (options[0] as PatternNode) : { kind: 'alt', options };
  };
  const parseSeq = (): PatternNode => {
    const items: PatternNode[] = [];
    for (;;) {
      const t = toks[i];
      if (t === undefined || t === '|' || t === ')' || t === ']') break;
      i++;
      if (t === '(' || t === '[') {
        const inner = parseAlt();
        const close = t === '(' ? ')' : ']';
        if (toks[i] !== close) throw new Error(`expected "${close}" in "${src}"`);
        i++;
        items.push(t === '(' ? inner : { kind: 'opt', item: inner });
      } else if (t.startsWith('<')) {
        items.push({ kind: 'ref', name: t.slice(1, -1) });
      } else if (t.startsWith('{')) {
        const [a, b] = t.slice(1, -1).split(':') as [string, string | undefined];
        items.push({ kind: 'slot', entity: a, type: b ?? a });
      } else {
        items.push({ kind: 'word', word: t });
      }
    }
    if (items.length === 0) throw new Error(`empty sequence in "${src}"`);
    return items.length === 1 ? (items[0] as PatternNode) : { kind: 'seq', items };
  };
  const node = parseAlt();
  if (i !== toks.length) throw new Error(`unexpected "${toks[i]}" in "${src}"`);
  return node;
}

/** Every literal word, rule name and slot in a parsed pattern (for grammar generation and tests). */
export function collect(node: PatternNode, acc: { words: Set<string>; refs: Set<string>; slots: Set<string> }): void {
  switch (node.kind) {
    case 'seq': for (const n of node.items) collect(n, acc); break;
    case 'alt': for (const n of node.options) collect(n, acc); break;
    case 'opt': collect(node.item, acc); break;
    case 'word': acc.words.add(node.word); break;
    case 'ref': acc.refs.add(node.name); break;
    case 'slot': acc.slots.add(`${node.entity}:${node.type}`); break;
  }
}

/** One edge of a compiled pattern graph. States are numbered so every edge goes forward. */
export type Edge =
  | { kind: 'eps'; to: number }
  | { kind: 'word'; to: number; words: readonly string[]; key: string; gid: number; missCost: number; inRule: boolean }
  | { kind: 'slot'; to: number; entity: string; type: string };

export interface Graph {
  /** Outgoing edges per state; state 0 is the start, `end` the accepting state. */
  edges: Edge[][];
  end: number;
}

export interface CompileOptions {
  rules: ReadonlyMap<string, { node: PatternNode; strict: boolean }>;
  /** Cost of a pattern word that the transcript lacks; Infinity when the word cannot be left out. */
  missCost: (words: readonly string[]) => number;
  /** Interns a word group (alternatives joined by spaces) to a small integer shared across patterns. */
  groupId: (key: string, words: readonly string[]) => number;
}

/** Thompson-style construction; alternatives of single words become one multi-word edge. */
export function compile(node: PatternNode, opts: CompileOptions): Graph {
  const edges: Edge[][] = [[]];
  const newState = (): number => {
    edges.push([]);
    return edges.length - 1;
  };
  const add = (from: number, e: Edge): void => {
    (edges[from] as Edge[]).push(e);
  };
  const build = (n: PatternNode, from: number, strict: boolean, depth: number, inRule = false): number => {
    if (depth > 20) throw new Error('pattern rules nest too deeply (recursive rule?)');
    switch (n.kind) {
      case 'word': {
        const s = newState();
        add(from, { kind: 'word', to: s, words: [n.word], key: n.word, gid: opts.groupId(n.word, [n.word]), missCost: strict ? Infinity : opts.missCost([n.word]), inRule });
        return s;
      }
      case 'slot': {
        const s = newState();
        add(from, { kind: 'slot', to: s, entity: n.entity, type: n.type });
        return s;
      }
      case 'seq': {
        let cur = from;
        for (const item of n.items) cur = build(item, cur, strict, depth + 1, inRule);
        return cur;
      }
      case 'opt': {
        const inner = build(n.item, from, strict, depth + 1, inRule);
        const s = newState();
        add(inner, { kind: 'eps', to: s });
        add(from, { kind: 'eps', to: s });
        return s;
      }
      case 'alt': {
        if (n.options.every((o) => o.kind === 'word')) {
          const words = n.options.map((o) => (o as { word: string }).word);
          const s = newState();
          const key = words.join(' ');
          add(from, { kind: 'word', to: s, words, key, gid: opts.groupId(key, words), missCost: strict ? Infinity : opts.missCost(words), inRule });
          return s;
        }
        const ends = n.options.map((o) => build(o, from, strict, depth + 1, inRule));
        const s = newState();
        for (const e of ends) add(e, { kind: 'eps', to: s });
        return s;
      }
      case 'ref': {
        const rule = opts.rules.get(n.name);
        if (rule === undefined) throw new Error(`unknown rule <${n.name}>`);
        return build(rule.node, from, strict || rule.strict, depth + 1, true);
      }
    }
  };
  const end = build(node, 0, false, 0);
  return { edges, end };
}
