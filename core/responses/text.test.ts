import { describe, expect, it } from 'vitest';
import { countWords, fitWordBudget, joinNames, sanitizeUntrusted, spokenAge } from './text.js';

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
