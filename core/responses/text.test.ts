import { describe, expect, it } from 'vitest';
import { countWords, fitWordBudget, joinNames, plural, sanitizeUntrusted, shortSha, spokenAge, spokenTitle } from './text.js';

describe('sanitizeUntrusted', () => {
  it('strips control, bidi, zero-width and tag characters and collapses whitespace', () => {
    const evil = 'Fix\u202E gol\u200Bin\u0007 \n\n bug\uDB40\uDC41\uFEFF';
    expect(sanitizeUntrusted(evil)).toBe('Fix golin bug');
  });
  it('bounds the length with an ellipsis', () => {
    const s = sanitizeUntrusted('x'.repeat(100_000));
    expect(s.length).toBe(200);
    expect(s.endsWith('…')).toBe(true);
  });
});

describe('fitWordBudget', () => {
  it('keeps whole leading sentences within the budget', () => {
    const t = 'One two three. Four five six. Seven eight nine.';
    expect(fitWordBudget(t, 6)).toBe('One two three. Four five six.');
    expect(countWords(fitWordBudget(t, 5))).toBeLessThanOrEqual(5);
  });
  it('cuts an over-long first sentence by words', () => {
    expect(fitWordBudget('a b c d e f g h.', 3)).toBe('a b c…');
  });
  it('appends the tail only when it fits', () => {
    expect(fitWordBudget('One two. Three four.', 5, 'Say next.')).toBe('One two. Say next.');
    expect(fitWordBudget('One two.', 10, 'Say next.')).toBe('One two. Say next.');
  });
});

describe('helpers', () => {
  it('joins names and ages', () => {
    expect(joinNames(['a'])).toBe('a');
    expect(joinNames(['a', 'b', 'c'])).toBe('a, b and c');
    expect(spokenAge(0, 90_000)).toBe('2 minutes ago');
    expect(spokenAge(0, 3 * 3_600_000)).toBe('3 hours ago');
  });
});

describe('text edge cases (what is spoken at the limits)', () => {
  it('sanitizeUntrusted keeps text of exactly maxChars whole and cuts one more with an ellipsis, trimmed before it', () => {
    expect(sanitizeUntrusted('abcde', 5)).toBe('abcde');
    expect(sanitizeUntrusted('abcdef', 5)).toBe('abcd…');
    expect(sanitizeUntrusted('abc   def', 5)).toBe('abc…');
    expect(sanitizeUntrusted('abc', 0)).toBe('…');
    // Tabs and newlines are whitespace (kept as a space), not controls to delete.
    expect(sanitizeUntrusted('a\tb\nc')).toBe('a b c');
  });

  it('spokenTitle flattens punctuation and cuts at a word boundary past half the limit, else mid-word', () => {
    expect(spokenTitle('  Fix: the   "login"  bug!  ')).toBe('Fix the login bug');
    expect(spokenTitle('aaaa bbbb cccc', 12)).toBe('aaaa bbbb');
    expect(spokenTitle('aaaa bbbb', 9)).toBe('aaaa bbbb');
    // The only space is before half the limit: cut at the limit instead.
    expect(spokenTitle('a bbbbbbbbbbbb', 10)).toBe('a bbbbbbbb');
    expect(spokenTitle('abcde fghij', 10)).toBe('abcde fghi');
    expect(spokenTitle(`${'x'.repeat(300)}`)).toHaveLength(80);
  });

  it('countWords, joinNames, plural, shortSha', () => {
    expect(countWords('   ')).toBe(0);
    expect(countWords(' a  b\tc ')).toBe(3);
    expect(joinNames([])).toBe('');
    expect(joinNames(['a', 'b'])).toBe('a and b');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(2, 'child', 'children')).toBe('2 children');
    expect(shortSha('abcdef0123')).toBe('abcdef0');
  });

  it('spokenAge at each boundary', () => {
    expect(spokenAge(10_000, 0)).toBe('just now');
    expect(spokenAge(0, 59_000)).toBe('just now');
    expect(spokenAge(0, 60_000)).toBe('1 minute ago');
    expect(spokenAge(0, 59 * 60_000)).toBe('59 minutes ago');
    expect(spokenAge(0, 60 * 60_000)).toBe('1 hour ago');
    expect(spokenAge(0, 47 * 3_600_000)).toBe('47 hours ago');
    expect(spokenAge(0, 48 * 3_600_000)).toBe('2 days ago');
  });

  it('fitWordBudget: the tail is added when everything fits exactly, and only after a kept sentence', () => {
    expect(fitWordBudget('One two.', 4, 'Say next.')).toBe('One two. Say next.');
    expect(fitWordBudget('One two three four five.', 4, 'Say next.')).toBe('One two three four…');
    expect(fitWordBudget('One two. Three four.', 4)).toBe('One two. Three four.');
    expect(fitWordBudget('One two. Three four five.', 4)).toBe('One two.');
    // Closing quotes and brackets stay with their sentence; text without a final stop is a sentence.
    expect(fitWordBudget('He said "go." Then more words here', 3)).toBe('He said "go."');
    expect(fitWordBudget('First one. trailing words without stop', 5)).toBe('First one.');
    // An over-long first sentence is cut by words, a trailing comma dropped, at least one word kept.
    expect(fitWordBudget('a b, c d e.', 2)).toBe('a b…');
    expect(fitWordBudget('alpha beta.', 0)).toBe('alpha…');
  });
});
