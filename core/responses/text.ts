/**
 * Spoken-text helpers: untrusted text is spoken as data (sanitised, trimmed), and responses
 * fit the profile's word budget by dropping whole trailing sentences first.
 */

// C0/C1 controls, bidi overrides/isolates, zero-width and tag characters, BOM.
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]|\uDB40[\uDC00-\uDC7F]/g;

/** Most characters of one untrusted item (a title, a name) that is spoken. */
export const MAX_UNTRUSTED_SPOKEN_CHARS = 200;
/** Most characters ever sent to TTS in one response. */
export const MAX_TTS_CHARS = 4_096;

/** Makes untrusted text (PR titles, names, bodies) safe to speak and show: no controls, no invisible tricks, bounded. */
export function sanitizeUntrusted(text: string, maxChars: number = MAX_UNTRUSTED_SPOKEN_CHARS): string {
  const cleaned = text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  if (cleaned.length <= maxChars) return cleaned;
  return cleaned.slice(0, Math.max(0, maxChars - 1)).trimEnd() + '…';
}

/**
 * An untrusted title as it is spoken inside a read-back: sanitised, without sentence punctuation,
 * quotes or brackets (TTS does not pronounce quotes, and a title's "." or "," would let it sound
 * like the read-back's own sentences), cut to `maxChars` at a word boundary.
 */
export function spokenTitle(title: string, maxChars = 80): string {
  const flat = sanitizeUntrusted(title, 10_000)
    .replace(/[.,;:!?'"`\u2018\u2019\u201C\u201D()[\]{}<>\u2013\u2014…]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length <= maxChars) return flat;
  const cut = flat.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return (space > maxChars / 2 ? cut.slice(0, space) : cut).trim();
}

/** Quotes an untrusted title for speech, e.g. 'Fix login'. */
export function quoteTitle(title: string, maxChars = 80): string {
  return `'${sanitizeUntrusted(title, maxChars)}'`;
}

export function countWords(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

function splitSentences(text: string): string[] {
  return text.match(/[^.!?]+[.!?]+(?:['")\]]+)?\s*|[^.!?]+$/g)?.map((s) => s.trim()).filter(Boolean) ?? [];
}

/**
 * Fits `text` into `budget` words: keeps whole leading sentences while they fit; if even the first
 * sentence is too long, keeps its first `budget` words and ends with an ellipsis.
 * `tail` (e.g. "Say next for more.") is kept when it fits after at least one sentence.
 */
export function fitWordBudget(text: string, budget: number, tail?: string): string {
  const tailWords = tail ? countWords(tail) : 0;
  if (countWords(text) + tailWords <= budget) return tail ? `${text} ${tail}` : text;
  const sentences = splitSentences(text);
  const kept: string[] = [];
  let used = 0;
  for (const s of sentences) {
    const w = countWords(s);
    if (used + w + tailWords > budget) break;
    kept.push(s);
    used += w;
  }
  if (kept.length === 0) {
    const words = text.trim().split(/\s+/).slice(0, Math.max(1, budget));
    return words.join(' ').replace(/[,;:]$/, '') + '…';
  }
  return tail ? `${kept.join(' ')} ${tail}` : kept.join(' ');
}

/** "alice", "alice and bob", "alice, bob and carol". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function plural(n: number, one: string, many: string = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Short SHA as read back: first 7 hex chars. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** "2 minutes ago" style age from two epoch-ms values. */
export function spokenAge(thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${plural(m, 'minute')} ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${plural(h, 'hour')} ago`;
  return `${plural(Math.round(h / 24), 'day')} ago`;
}
