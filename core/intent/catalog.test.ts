import { describe, expect, it } from 'vitest';
import { CONFIRMED_INTENTS, INTENT_NAMES, SIDE_EFFECT_INTENTS } from '../../contract/intent.js';
import { COMMANDS, RULES, commandFor, exampleUtterances, helpExamples } from './catalog.js';
import { collect, parsePattern, type PatternNode } from './pattern.js';
import { recognize } from './recognizer.js';
import { SLOT_TYPES } from './slots.js';

const KNOWN = { knownRepos: ['acme/api', 'acme/web', 'acme/infra', 'octo-org/payments'] };

function parts(src: string): { words: Set<string>; refs: Set<string>; slots: Set<string> } {
  const acc = { words: new Set<string>(), refs: new Set<string>(), slots: new Set<string>() };
  collect(parsePattern(src), acc);
  return acc;
}

/** Words, slots and rule refs reachable from a pattern, following rule references. */
function closure(src: string): { words: Set<string>; slots: Set<string> } {
  const words = new Set<string>();
  const slots = new Set<string>();
  const seen = new Set<string>();
  const visit = (s: string): void => {
    const p = parts(s);
    p.words.forEach((w) => words.add(w));
    p.slots.forEach((x) => slots.add(x));
    for (const r of p.refs) {
      if (seen.has(r)) continue;
      seen.add(r);
      visit((RULES[r] as { p: string }).p);
    }
  };
  visit(src);
  return { words, slots };
}

const patternText = (p: string | { p: string }): string => (typeof p === 'string' ? p : p.p);

describe('command catalog', () => {
  it('has exactly one entry per intent except unknown', () => {
    const names = COMMANDS.map((c) => c.intent).sort();
    expect(names).toEqual(INTENT_NAMES.filter((n) => n !== 'unknown').slice().sort());
  });

  it('marks side effects exactly as the contract does', () => {
    for (const c of COMMANDS) expect(c.sideEffect, c.intent).toBe(SIDE_EFFECT_INTENTS.includes(c.intent));
    for (const i of CONFIRMED_INTENTS) expect(commandFor(i as never).sideEffect).toBe(true);
  });

  it('gives every command a description and 2–4 examples', () => {
    for (const c of COMMANDS) {
      expect(c.description.length, c.intent).toBeGreaterThan(10);
      expect(c.examples.length, c.intent).toBeGreaterThanOrEqual(2);
      expect(c.examples.length, c.intent).toBeLessThanOrEqual(4);
    }
  });

  it('parses every rule and pattern; every reference and slot type exists', () => {
    for (const [name, r] of Object.entries(RULES)) {
      const p = parts(r.p);
      for (const ref of p.refs) expect(RULES[ref], `<${ref}> in rule ${name}`).toBeDefined();
      for (const s of p.slots) expect(SLOT_TYPES[s.split(':')[1] as string], `${s} in rule ${name}`).toBeDefined();
    }
    for (const c of COMMANDS) {
      for (const pat of c.patterns) {
        const p = parts(patternText(pat));
        for (const ref of p.refs) expect(RULES[ref], `<${ref}> in ${c.intent}`).toBeDefined();
        for (const s of p.slots) expect(SLOT_TYPES[s.split(':')[1] as string], `${s} in ${c.intent}`).toBeDefined();
      }
    }
  });

  it('only produces declared entities', () => {
    for (const c of COMMANDS) {
      for (const pat of c.patterns) {
        const { slots } = closure(patternText(pat));
        const produced = [...slots].map((s) => s.split(':')[0] as string).filter((e) => e !== '_');
        if (typeof pat !== 'string' && pat.set !== undefined) produced.push(...Object.keys(pat.set));
        for (const e of produced) expect(c.entities as readonly string[], `${e} from ${c.intent}: ${patternText(pat)}`).toContain(e);
      }
    }
  });

  it('gives side-effect commands anchors that occur in their patterns', () => {
    for (const c of COMMANDS.filter((x) => x.sideEffect)) {
      expect(c.anchors.length, c.intent).toBeGreaterThan(0);
      const words = new Set<string>();
      for (const pat of c.patterns) closure(patternText(pat)).words.forEach((w) => words.add(w));
      for (const a of c.anchors) expect(words.has(a), `${a} in ${c.intent}`).toBe(true);
      // every pattern needs at least one anchor
      for (const pat of c.patterns) {
        const w = closure(patternText(pat)).words;
        const slots = closure(patternText(pat)).slots;
        const ok = c.anchors.some((a) => w.has(a)) || [...slots].some((s) => s.endsWith(':method_lead'));
        expect(ok, `${c.intent}: ${patternText(pat)}`).toBe(true);
      }
    }
  });

  it('recognizes every catalog example as its own intent', () => {
    for (const { intent, text } of exampleUtterances()) {
      expect(recognize(text, KNOWN).name, text).toBe(intent);
    }
  });

  it('offers help examples', () => {
    expect(helpExamples()).toHaveLength(COMMANDS.length);
    expect(helpExamples(undefined, 4)).toHaveLength(4);
    expect(helpExamples('pr.merge')).toEqual(commandFor('pr.merge').examples);
  });

  it('rejects malformed patterns', () => {
    for (const bad of ['(a | b', 'a ]', '[', '{}', 'a | | b', '<>']) expect(() => parsePattern(bad), bad).toThrow();
    const node: PatternNode = parsePattern('merge [<pr>] {method}');
    expect(node.kind).toBe('seq');
  });
});
