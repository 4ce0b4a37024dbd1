/**
 * Echo filter: a transcript heard shortly after the assistant spoke, whose words are (fuzzily) a
 * run of what it just said, is the assistant hearing itself, not the user. Pure.
 */
import { speechWords } from './speechText.js';

/** Spoken number words and digits compare equal ("12" said as "twelve" comes back as "twelve"). */
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** Lowercase words with digits spelled out, for comparison. */
export function normalizeForEcho(text: string): string[] {
  const out: string[] = [];
  for (const w of speechWords(text)) {
    if (/^\d+$/.test(w)) for (const d of w) out.push(DIGIT_WORDS[Number(d)] as string);
    else out.push(w.replace(/'/g, ''));
  }
  return out;
}

/** Levenshtein distance in characters (only called for unequal words: `similar` checks equality first). */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** Words equal, or one edit apart for words of ≥ 4 letters (recognizer slips such as "merged"/"merge"). */
function similar(a: string, b: string): boolean {
  return a === b || (Math.min(a.length, b.length) >= 4 && editDistance(a, b) <= 1);
}

/**
 * Fraction (0..1) of `heard`'s words that appear in order within `spoken` (a fuzzy longest common
 * subsequence over words). 1 means every heard word is an in-order echo of the spoken text.
 */
export function echoScore(heard: readonly string[], spoken: readonly string[]): number {
  if (heard.length === 0) return 0;
  const row = new Array<number>(spoken.length + 1).fill(0);
  for (let i = 1; i <= heard.length; i++) {
    let diag = 0;
    for (let j = 1; j <= spoken.length; j++) {
      const up = row[j] as number;
      row[j] = similar(heard[i - 1] as string, spoken[j - 1] as string) ? diag + 1 : Math.max(up, row[j - 1] as number);
      diag = up;
    }
  }
  return (row[spoken.length] as number) / heard.length;
}

/**
 * Words per second of playback counted as possibly heard: generous (the offline voices speak
 * ~2.5–3), so a slower voice or audio still in the output's buffers is covered.
 */
export const HEARD_WORDS_PER_S = 4;

/**
 * The part of `text` that can have been heard after `playedMs` of playback (a reply stopped by a
 * barge-in or "stop"), when `synthesizedMs` of its audio had been made: the larger of its first
 * HEARD_WORDS_PER_S words per second and its share of the words by audio played, plus two. Both
 * err long (the audio made so far may be less than the whole reply), so an echo is never missed;
 * the rest was never played and cannot come back as echo ("next" said after stopping a help reply
 * that lists it).
 */
export function playedPart(text: string, playedMs: number, synthesizedMs = Infinity): string {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const played = Math.max(0, playedMs);
  const byRate = Math.ceil((played / 1000) * HEARD_WORDS_PER_S);
  const byAudio = synthesizedMs > 0 ? Math.ceil(words.length * Math.min(1, played / synthesizedMs)) : words.length;
  return words.slice(0, Math.max(byRate, byAudio) + 2).join(' ');
}

export interface SpokenRecord {
  words: string[];
  /** When its playback ended (or was stopped), monotonic ms. */
  endedAtMs: number;
}

/** Remembers recently spoken text and judges transcripts against it. */
export class EchoFilter {
  private readonly recent: SpokenRecord[] = [];

  /**
   * @param windowMs how long after playback ends an utterance that starts may still be an echo.
   * @param threshold echoScore at or above which a transcript is dropped (default 0.8).
   */
  constructor(
    private readonly windowMs: number,
    private readonly threshold = 0.8,
  ) {}

  /** Records text that was just spoken; `endedAtMs` is when its playback ended. */
  spoken(text: string, endedAtMs: number): void {
    const words = normalizeForEcho(text);
    if (words.length > 0) this.recent.push({ words, endedAtMs });
    if (this.recent.length > 8) this.recent.shift();
  }

  /** True when an utterance that started at `startedAtMs` (monotonic ms) may hold the echo of something spoken: over it or within the window after it ended. */
  inWindow(startedAtMs: number): boolean {
    return this.recent.some((r) => this.within(r, startedAtMs));
  }

  private within(r: SpokenRecord, startedAtMs: number): boolean {
    return startedAtMs - r.endedAtMs <= this.windowMs;
  }

  /**
   * True when `transcript`, whose utterance started at `startedAtMs`, echoes something spoken
   * within the window before it.
   */
  isEcho(transcript: string, startedAtMs: number): boolean {
    // Nothing heard (no words) scores 0, below the (positive) threshold: never an echo.
    const heard = normalizeForEcho(transcript);
    return this.recent.some((r) => this.within(r, startedAtMs) && echoScore(heard, r.words) >= this.threshold);
  }
}
