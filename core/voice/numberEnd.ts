/**
 * When a turn that ends in a number may stop waiting for more of it. "read pr twelve" may go on
 * ("… eighteen" = 1218), so VAD mode waits a longer silence after it; but when 12 is a number the
 * user can see and none of the numbers they can see goes on from it, the user most likely meant 12.
 */
import { parseNumberAt } from '../intent/numbers.js';

/** The number a transcript ends in ("read pr twelve" → 12, "confirm nine eighteen" → 918), or undefined. */
export function trailingNumber(text: string): number | undefined {
  const words = text.toLowerCase().split(/\s+/).filter((w) => w !== '');
  // The longest run of words that parses as one number reaching the last word ("one oh five").
  for (let i = 0; i < words.length; i++) {
    const m = parseNumberAt(words, i);
    if (m !== undefined && m.end === words.length) return m.value;
  }
  return undefined;
}

/**
 * Whether saying more could turn `n` into `m`: "twelve" → "twelve eighteen" (1218) or "… hundred";
 * a round number also by its zeros ("twenty" → "twenty three", "one hundred" → "one hundred five").
 */
export function numberGoesOnTo(n: number, m: number): boolean {
  if (m === n) return false;
  const a = String(n);
  const b = String(m);
  if (b.startsWith(a)) return true;
  const stem = a.replace(/0+$/, '');
  return stem !== a && b.length === a.length && b.startsWith(stem);
}

/**
 * Whether the number `text` ends in is settled: one of the `known` numbers (the PRs and issues the
 * user can see) that no other known number goes on from.
 */
export function numberSettled(text: string, known: readonly number[]): boolean {
  const n = trailingNumber(text);
  return n !== undefined && known.includes(n) && !known.some((m) => numberGoesOnTo(n, m));
}
