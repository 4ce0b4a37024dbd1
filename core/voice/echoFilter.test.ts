/**
 * The echo filter at its edges (issue 18's mutation run): the window and score thresholds are
 * inclusive, words of four letters or more may be one edit apart and shorter ones may not, order
 * matters, digits compare as their words, and only the last eight replies are remembered.
 */
import { describe, expect, it } from 'vitest';
import { EchoFilter, echoScore, normalizeForEcho } from './echoFilter.js';
import { HEARD_WORDS_PER_S, playedPart } from './echoFilter.js';

describe('normalizeForEcho', () => {
  it('lower-cases, spells digits one by one, drops apostrophes and punctuation', () => {
    expect(normalizeForEcho("Don't merge PR 105, O'Brien!")).toEqual(['dont', 'merge', 'pr', 'one', 'zero', 'five', 'obrien']);
    expect(normalizeForEcho('0 9 3x b12')).toEqual(['zero', 'nine', '3x', 'b12']);
    expect(normalizeForEcho(' ... ')).toEqual([]);
  });
});

describe('echoScore', () => {
  it('is the in-order fraction of heard words found in what was said', () => {
    expect(echoScore([], ['a'])).toBe(0);
    expect(echoScore(['say', 'confirm'], ['say', 'confirm', 'or', 'cancel'])).toBe(1);
    expect(echoScore(['confirm', 'say'], ['say', 'confirm'])).toBe(0.5);
    expect(echoScore(['a', 'b', 'c', 'd'], ['x', 'a', 'y', 'c'])).toBe(0.5);
    expect(echoScore(['one', 'two', 'three'], ['one', 'x', 'two', 'y', 'three'])).toBe(1);
    expect(echoScore(['merge'], [])).toBe(0);
  });

  it('four-letter words may differ by one edit (substitution, insertion, deletion); shorter ones must match', () => {
    expect(echoScore(['merged'], ['merge'])).toBe(1);
    expect(echoScore(['merge'], ['merged'])).toBe(1);
    expect(echoScore(['nerge'], ['merge'])).toBe(1);
    expect(echoScore(['mrge'], ['merge'])).toBe(1);
    expect(echoScore(['mergers'], ['merge'])).toBe(0);
    expect(echoScore(['abcd'], ['abce'])).toBe(1);
    expect(echoScore(['abc'], ['abd'])).toBe(0);
    expect(echoScore(['abcd'], ['abc'])).toBe(0);
    expect(echoScore(['cancel'], ['confirm'])).toBe(0);
    expect(echoScore(['abcdef'], ['bacdef'])).toBe(0);
    expect(echoScore(['abcd'], ['dcba'])).toBe(0);
  });
});

describe('EchoFilter', () => {
  it('the window is inclusive: an utterance starting exactly windowMs after playback is still an echo', () => {
    const f = new EchoFilter(1_000);
    f.spoken('say confirm', 5_000);
    expect(f.isEcho('say confirm', 6_000)).toBe(true);
    expect(f.isEcho('say confirm', 6_001)).toBe(false);
    // Started before playback ended (heard over the reply's tail): an echo.
    expect(f.isEcho('say confirm', 4_000)).toBe(true);
  });

  it('the score threshold is inclusive (0.8 by default), and can be set', () => {
    const f = new EchoFilter(1_000);
    f.spoken('one two three four five', 0);
    expect(f.isEcho('one two three four zzz', 10)).toBe(true); // 4 of 5
    expect(f.isEcho('one two three zzz yyy', 10)).toBe(false); // 3 of 5
    const strict = new EchoFilter(1_000, 1);
    strict.spoken('one two three four five', 0);
    expect(strict.isEcho('one two three four zzz', 10)).toBe(false);
    expect(strict.isEcho('two three', 10)).toBe(true);
  });

  it('nothing heard is never an echo; nothing said records nothing', () => {
    const f = new EchoFilter(1_000);
    f.spoken('...', 0);
    expect(f.isEcho('anything', 10)).toBe(false);
    f.spoken('confirm', 0);
    expect(f.isEcho('!!', 10)).toBe(false);
    expect(f.isEcho('confirm', 10)).toBe(true);
  });

  it('any recent reply counts, up to the last eight', () => {
    const f = new EchoFilter(60_000);
    f.spoken('alpha bravo', 0);
    for (let i = 1; i <= 7; i++) f.spoken(`filler ${'x'.repeat(i)}`, i);
    expect(f.isEcho('alpha bravo', 100)).toBe(true);
    f.spoken('one more', 9);
    expect(f.isEcho('alpha bravo', 100)).toBe(false);
    expect(f.isEcho('filler x', 100)).toBe(true);
  });

  it('replies with no words take no place among the eight', () => {
    const f = new EchoFilter(60_000);
    f.spoken('alpha bravo', 0);
    for (let i = 0; i < 8; i++) f.spoken('...', i);
    expect(f.isEcho('alpha bravo', 100)).toBe(true);
  });
});

describe('playedPart', () => {
  const text = 'one two three four five six seven eight nine ten';
  it('by the rate of speech or the share of the audio played, whichever is more, plus two words', () => {
    expect(HEARD_WORDS_PER_S).toBe(4);
    // 500 ms: 2 words by rate; 10% of 5 s of audio: 1 word; +2.
    expect(playedPart(text, 500, 5000)).toBe('one two three four');
    // 2 s of 2.5 s of audio: 8 words by share; +2.
    expect(playedPart(text, 2000, 2500)).toBe(text);
    // Nothing played yet: two words.
    expect(playedPart(text, 0, 5000)).toBe('one two');
    expect(playedPart(text, -10, 5000)).toBe('one two');
  });
  it('all of it when nothing is known of the audio', () => {
    expect(playedPart(text, 100, 0)).toBe(text);
    expect(playedPart('', 100, 100)).toBe('');
  });
});
