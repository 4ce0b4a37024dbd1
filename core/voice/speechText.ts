/**
 * Text that goes to a speech synthesizer: control, bidi and zero-width characters removed,
 * whitespace collapsed, URLs shortened to their host, capped at MAX_TTS_INPUT_CHARS (PI-5).
 */

export const MAX_TTS_INPUT_CHARS = 4_096;

// C0/C1 controls (except tab/newline), zero-width, bidi embeddings/overrides/isolates, tag chars.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

export function sanitizeForSpeech(text: string, maxChars = MAX_TTS_INPUT_CHARS): string {
  let s = text.normalize('NFC').replace(INVISIBLE, '');
  s = s.replace(/\bhttps?:\/\/([^/\s]+)\S*/gi, (_, host: string) => `a link to ${host}`);
  s = s.replace(/\s+/g, ' ').trim();
  if (s.length > maxChars) {
    const cut = s.slice(0, maxChars);
    const lastStop = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
    s = lastStop > maxChars / 2 ? cut.slice(0, lastStop + 1) : cut;
  }
  return s;
}

/** Lowercase words only, for comparing what was heard with what was said. */
export function speechWords(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(' ').filter((w) => w.length > 0);
}
