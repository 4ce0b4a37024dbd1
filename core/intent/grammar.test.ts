import { describe, expect, it } from 'vitest';
import { COMMANDS, exampleUtterances } from './catalog.js';
import { applyRewrites, generateGrammar, grammarAutomaton, GrammarCompletion, parseFsg, SPOKEN_ALIASES, spokenWords, toFsg, type WordAutomaton } from './grammar.js';
import { tokenize } from './normalize.js';
import { recognize } from './recognizer.js';

const REPOS = ['acme/api', 'acme/web', 'octo-org/payments', 'acme/agent-tasks'];
const g = generateGrammar({ knownRepos: REPOS, people: ['priya-k', 'sam-dev', 'alice', 'bob', 'carol', 'dependabot[bot]'] });
const fsa = grammarAutomaton(g.jsgf);

function accepts(a: WordAutomaton, sentence: string): boolean {
  const next = new Map<string, number>();
  for (const [f, t, w] of a.arcs) next.set(`${f} ${w}`, t);
  let s = 0;
  for (const w of sentence.split(' ')) {
    const t = next.get(`${s} ${w}`);
    if (t === undefined) return false;
    s = t;
  }
  return a.finals.includes(s);
}

describe('JSGF grammar from the command registry', () => {
  it('has one rule per catalog intent and a public <command>', () => {
    expect(g.jsgf.startsWith('#JSGF V1.0;')).toBe(true);
    expect(g.jsgf).toMatch(/^public <command> = /m);
    expect(g.intents.sort()).toEqual(COMMANDS.map((c) => c.intent).sort());
    for (const c of COMMANDS) expect(g.jsgf).toContain(`<c_${c.intent.replace('.', '_')}> = `);
  });

  it('lets the offline STT hear the answers the app asks for ("Did you mean 15?" → "yes"), which are no command', () => {
    for (const a of ['yes', 'yeah', 'yes please']) {
      expect(accepts(fsa, a), a).toBe(true);
      expect(recognize(a, { knownRepos: REPOS }).name, a).toBe('unknown');
    }
    expect(accepts(grammarAutomaton(generateGrammar({ knownRepos: REPOS, answers: [] }).jsgf), 'yes')).toBe(false);
  });

  it('numbers are rules, with no leading "oh"', () => {
    expect(g.jsgf).toMatch(/^<s_number> = /m);
    for (const s of ['merge pr nine eighteen', 'merge pr two oh four', 'merge pr one twenty three', 'merge pr twelve', 'read pr two hundred and five', 'merge pr one two three', 'merge pr one five', 'merge pr one zero five', 'merge pr four oh four']) {
      expect(accepts(fsa, s), s).toBe(true);
    }
    expect(accepts(fsa, 'merge pr oh four')).toBe(false);
    expect(accepts(fsa, 'merge pr one five oh')).toBe(false);
    expect(accepts(fsa, 'merge pr zero')).toBe(false);
  });

  it('accepts every spoken-form catalog example and what it accepts means the same intent', () => {
    // Examples with digits, slashes or free text are typed forms; spoken equivalents are tested above.
    const spoken = exampleUtterances().filter((e) => /^[a-z ]+$/.test(e.text) && !/ (saying|looks|ship) /.test(e.text));
    expect(spoken.length).toBeGreaterThan(20);
    for (const e of spoken) {
      expect(accepts(fsa, e.text), e.text).toBe(true);
      expect(recognize(e.text, { knownRepos: REPOS }).name, e.text).toBe(e.intent);
    }
  });

  it('speaks repos and people as words, and maps multi-word logins back', () => {
    expect(spokenWords('octo-org')).toEqual(['octo', 'org']);
    expect(spokenWords('myRepo2')).toEqual(['my', 'repo', 'two']);
    expect(accepts(fsa, 'merge pr twelve in octo org slash payments')).toBe(true);
    expect(accepts(fsa, 'read pr three in the agent tasks repo')).toBe(true);
    expect(accepts(fsa, 'ask priya k to review it')).toBe(true);
    expect(g.words).not.toContain('dependabot');
    expect(applyRewrites('ask priya k to review it', g.rewrites)).toBe('ask priya-k to review it');
    expect(recognize(applyRewrites('ask sam dev to review it', g.rewrites), { knownRepos: REPOS })).toMatchObject({ name: 'pr.request_review', entities: { reviewers: ['sam-dev'] } });
  });

  it('lets the STT hear spoken aliases the normalizer joins back, and no typed-only form', () => {
    for (const [word, aliases] of Object.entries(SPOKEN_ALIASES)) {
      for (const a of aliases) expect(tokenize(a).map((t) => t.w), a).toEqual([word]);
    }
    expect(accepts(fsa, 'summarize pull request twelve')).toBe(true);
    expect(recognize('summarize pull request twelve', { knownRepos: REPOS })).toMatchObject({ name: 'pr.summarize', entities: { number: 12 } });
    // ":" in "reply: ship it" is typed; without a spoken "saying" the phrase is not a command.
    expect(accepts(fsa, 'reply ship it')).toBe(false);
    expect(accepts(fsa, 'reply saying ship it')).toBe(true);
  });

  it('lets the STT hear contractions, lead-ins and a closing word as people say them, meaning what the spelt-out command means', () => {
    const pairs: [string, string][] = [
      ["what's new", 'what is new'],
      ["what's pr twelve about", 'what is pr twelve about'],
      ["what's the agent doing", 'what is the agent doing'], // from "what (is | are) …"
      ["how's the agent doing", 'how is the agent doing'],
      ["where's the agent at", 'where is the agent at'],
      ["let's work on the api repo", 'let us work on the api repo'],
      ['okay merge it', 'merge it'],
      ['go ahead and merge pr twelve', 'merge pr twelve'],
      ['can you read pr twelve', 'read pr twelve'],
      ['could you please repeat that', 'repeat that'],
      ['merge it thanks', 'merge it'],
      ['next one thanks', 'next one'],
    ];
    for (const [said, plain] of pairs) {
      expect(accepts(fsa, said), said).toBe(true);
      expect(accepts(fsa, plain), plain).toBe(true);
      expect(recognize(said, { knownRepos: REPOS }), said).toMatchObject({ name: recognize(plain, { knownRepos: REPOS }).name, entities: recognize(plain, { knownRepos: REPOS }).entities });
    }
    for (const w of ["what's", "how's", "let's", 'okay', 'go', 'could', 'thanks']) expect(g.words, w).toContain(w);
    // A contraction only where the pattern has both words; a lead-in or closing word alone is nothing.
    for (const s of ["what's", "it's green", 'okay', 'can you', 'merge it thanks thanks', 'please okay merge it']) expect(accepts(fsa, s), s).toBe(false);
    // A question lead-in only before a command that changes nothing: chit-chat asks "can you confirm the booking".
    for (const s of ['can you confirm', 'could you merge it', 'can you mark it done']) expect(accepts(fsa, s), s).toBe(false);
    for (const s of ['okay confirm', 'go ahead and mark it done', 'could you tell me about pr twelve']) expect(accepts(fsa, s), s).toBe(true);
    const bare = grammarAutomaton(generateGrammar({ knownRepos: REPOS, leadIns: [], tails: [] }).jsgf);
    expect(accepts(bare, 'okay merge it')).toBe(false);
    expect(accepts(bare, 'merge it thanks')).toBe(false);
    expect(accepts(bare, "what's new")).toBe(true);
  });

  it('hears everyday ways to ask for the inbox, comments, my PRs and reviews, and "pause"', () => {
    const said: [string, string][] = [
      ['do i have any new notifications', 'inbox.summary'],
      ['go through my notifications', 'inbox.summary'],
      ['show me the comments on pr twelve', 'pr.comments'],
      ['what are my open pull requests', 'inbox.my_prs'],
      ['what reviews do i have', 'inbox.review_requests'],
      ['pause', 'system.stop'],
    ];
    for (const [s, intent] of said) {
      expect(accepts(fsa, s), s).toBe(true);
      expect(recognize(s, { knownRepos: REPOS }).name, s).toBe(intent);
    }
  });

  it('omits patterns whose slot has no vocabulary rather than emitting an unusable rule', () => {
    const bare = generateGrammar({ people: [], bodyPhrases: [] });
    expect(bare.omitted.some((o) => o.startsWith('pr.request_review'))).toBe(true);
    expect(bare.intents).not.toContain('pr.request_review');
    expect(bare.jsgf).not.toContain('<s_reviewers>');
  });

  it('compiles to a minimal automaton much smaller than JSGF expansion; FSG text is well formed', () => {
    expect(fsa.numStates).toBeLessThan(2_000);
    const fsg = toFsg(fsa);
    expect(fsg).toMatch(/^FSG_BEGIN handsfree\nNUM_STATES \d+\nSTART_STATE 0\nFINAL_STATE \d+\n/);
    expect(fsg.trim().endsWith('FSG_END')).toBe(true);
    const words = new Set(fsa.arcs.map(([, , w]) => w));
    for (const w of words) expect(g.words).toContain(w);
  });
});

describe('grammar completion (early end of turn)', () => {
  it('a command nothing can extend is complete; a number that may go on, a prefix or a stray word are not', () => {
    const c = new GrammarCompletion(parseFsg(toFsg(grammarAutomaton(generateGrammar({ knownRepos: ['acme/api'] }).jsgf))));
    const w = (s: string) => s.split(' ');
    expect(c.isComplete(w('what needs my attention'))).toBe(true);
    expect(c.isComplete(w('what needs my'))).toBe(false);
    expect(c.isComplete(w('read pr twelve'))).toBe(false);
    expect(c.isComplete(w('what needs my attention banana'))).toBe(false);
    expect(c.isComplete([])).toBe(false);
  });

  it('a whole command the grammar could still extend is final, not complete', () => {
    const c = new GrammarCompletion(parseFsg(toFsg(grammarAutomaton(generateGrammar({ knownRepos: ['acme/api'] }).jsgf))));
    const w = (s: string) => s.split(' ');
    expect(c.isFinal(w('read pr twelve'))).toBe(true);
    expect(c.isComplete(w('read pr twelve'))).toBe(false);
    expect(c.isFinal(w('what needs my attention'))).toBe(true);
    expect(c.isFinal(w('read pr'))).toBe(false);
    expect(c.isFinal(w('what needs my attention banana'))).toBe(false);
    expect(c.isFinal([])).toBe(false);
  });

  it('a whole command ending inside a number that may go on is number-open; a word continuation is not', () => {
    const c = new GrammarCompletion(parseFsg(toFsg(grammarAutomaton(generateGrammar({ knownRepos: ['acme/api'] }).jsgf))));
    const w = (s: string) => s.split(' ');
    expect(c.endsInOpenNumber(w('read pr twelve'))).toBe(true); // "… eighteen" (1218)
    expect(c.endsInOpenNumber(w('read pr nine'))).toBe(true); // "… eighteen" (918)
    expect(c.endsInOpenNumber(w('next'))).toBe(false); // "next one": a word
    expect(c.endsInOpenNumber(w('confirm'))).toBe(false); // a number may follow, but none was begun
    expect(c.endsInOpenNumber(w('what needs my attention'))).toBe(false);
    expect(c.endsInOpenNumber(w('read pr'))).toBe(false); // not a whole command
    expect(c.endsInOpenNumber([])).toBe(false);
  });
});
