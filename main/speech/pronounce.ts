/**
 * Pronunciation dictionary for the grammar's words: cmudict when it has the word, otherwise a
 * generated pronunciation (espeak-ng's phonemes mapped to the ARPAbet set of the en-us model, and
 * the spelled letters for short tokens like "ci"), so repo and owner names missing from cmudict
 * ("octo", "priya") can still be heard.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const CMUDICT_PATH = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';

let cmudict: Map<string, string[]> | null = null;

/** cmudict as word → pronunciations (loaded once, ~130k entries). */
export function loadCmudict(path = CMUDICT_PATH): Map<string, string[]> {
  if (cmudict !== null) return cmudict;
  const m = new Map<string, string[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const r = /^([^\s(]+)(?:\(\d+\))?\s+(.+)$/.exec(line);
    if (r === null) continue;
    const w = r[1] as string;
    const l = m.get(w);
    if (l === undefined) m.set(w, [(r[2] as string).trim()]);
    else l.push((r[2] as string).trim());
  }
  cmudict = m;
  return m;
}

const LETTERS: Readonly<Record<string, string>> = {
  a: 'EY', b: 'B IY', c: 'S IY', d: 'D IY', e: 'IY', f: 'EH F', g: 'JH IY', h: 'EY CH', i: 'AY', j: 'JH EY', k: 'K EY', l: 'EH L', m: 'EH M',
  n: 'EH N', o: 'OW', p: 'P IY', q: 'K Y UW', r: 'AA R', s: 'EH S', t: 'T IY', u: 'Y UW', v: 'V IY', w: 'D AH B AH L Y UW', x: 'EH K S',
  y: 'W AY', z: 'Z IY',
};

/** espeak-ng phoneme mnemonics (-x output) → ARPAbet; longest match first. */
const ESPEAK_TO_ARPA: ReadonlyArray<readonly [string, string]> = [
  ['aI@', 'AY ER'], ['aI3', 'AY ER'], ['aU@', 'AW ER'], ['i@3', 'IY R'], ['A@', 'AA R'], ['O@', 'AO R'], ['o@', 'AO R'], ['e@', 'EH R'],
  ['i@', 'IY ER'], ['U@', 'UH R'], ['aI', 'AY'], ['aU', 'AW'], ['eI', 'EY'], ['oU', 'OW'], ['OI', 'OY'], ['A:', 'AA'], ['O:', 'AO'],
  ['i:', 'IY'], ['u:', 'UW'], ['3:', 'ER'], ['@L', 'AH L'], ['@2', 'AH'], ['@5', 'AH'], ['a#', 'AH'], ['I#', 'IH'], ['I2', 'IH'],
  ['E#', 'EH'], ['E2', 'EH'], ['tS', 'CH'], ['dZ', 'JH'], ['n-', 'N'], ['l-', 'L'], ['r-', 'R'], ['t#', 'T'], ['d#', 'D'], ['z#', 'Z'],
  ['a', 'AE'], ['@', 'AH'], ['3', 'ER'], ['e', 'EH'], ['E', 'EH'], ['i', 'IY'], ['I', 'IH'], ['0', 'AA'], ['O', 'AO'], ['u', 'UW'],
  ['U', 'UH'], ['V', 'AH'], ['p', 'P'], ['b', 'B'], ['t', 'T'], ['d', 'D'], ['k', 'K'], ['g', 'G'], ['f', 'F'], ['v', 'V'], ['T', 'TH'],
  ['D', 'DH'], ['s', 'S'], ['z', 'Z'], ['S', 'SH'], ['Z', 'ZH'], ['h', 'HH'], ['m', 'M'], ['n', 'N'], ['N', 'NG'], ['l', 'L'], ['r', 'R'],
  ['j', 'Y'], ['w', 'W'], ['x', 'K'], ['C', 'HH'],
];

/** Maps one espeak-ng -x transcription to ARPAbet; unknown symbols and stress marks are dropped. */
export function espeakToArpabet(x: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < x.length) {
    const hit = ESPEAK_TO_ARPA.find(([k]) => x.startsWith(k, i));
    if (hit === undefined) {
      i++;
      continue;
    }
    out.push(hit[1]);
    i += hit[0].length;
  }
  return out.join(' ').replace(/\bER R\b/g, 'ER');
}

/** Pronunciations for words cmudict lacks, via espeak-ng (one process for all words). */
export function generatedPronunciations(words: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (words.length === 0) return out;
  const espeak = (text: string): string[] => {
    try {
      return execFileSync('espeak-ng', ['-q', '-x', '-v', 'en-us', '--stdin'], { input: text, encoding: 'utf8', timeout: 10_000 }).split(/\s+/).filter((l) => l.length > 0);
    } catch {
      return [];
    }
  };
  // One process for all words: one phoneme token per plain word; else one call per word.
  let lines = espeak(words.join(' '));
  if (lines.length !== words.length) lines = words.map((w) => espeak(w).join(''));
  words.forEach((w, k) => {
    const prons: string[] = [];
    const g = lines.length === words.length ? espeakToArpabet(lines[k] as string) : '';
    if (g !== '') prons.push(g);
    if (w.length <= 3 && [...w].every((c) => LETTERS[c] !== undefined)) prons.push([...w].map((c) => LETTERS[c]).join(' '));
    if (prons.length === 0) prons.push([...w].filter((c) => LETTERS[c] !== undefined).map((c) => LETTERS[c]).join(' '));
    out.set(w, [...new Set(prons.filter((p) => p !== ''))]);
  });
  return out;
}

/** A pocketsphinx dictionary (text) covering `words`; extra entries (e.g. garbage phones) appended. */
export function buildDictionary(words: readonly string[]): { text: string; generated: string[] } {
  const cmu = loadCmudict();
  const missing = words.filter((w) => !cmu.has(w));
  const gen = generatedPronunciations(missing);
  const lines: string[] = [];
  for (const w of words) {
    const all = cmu.get(w) ?? gen.get(w) ?? [];
    // A one-phone variant of a word that has a longer one ("ai" AY besides EY AY) matches a
    // fragment of almost anything and was the commonest way chit-chat became a command.
    const long = all.filter((p) => p.includes(' '));
    const prons = long.length > 0 ? long : all;
    prons.forEach((p, i) => lines.push(`${w}${i === 0 ? '' : `(${i + 1})`} ${p}`));
  }
  return { text: `${lines.join('\n')}\n`, generated: missing };
}
