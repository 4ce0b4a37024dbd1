import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { numberWords, parseNumberAt, parseOrdinal, parseOrdinalAt, parseSpokenNumber } from './numbers.js';

describe('parseSpokenNumber', () => {
  const cases: [string, number][] = [
    ['123', 123],
    ['7', 7],
    ['#7', 7],
    ['# 7', 7],
    ['number seven', 7],
    ['no. 7', 7],
    ['twelve', 12],
    ['zero seven', 7],
    ['twenty', 20],
    ['twenty three', 23],
    ['twenty-three', 23],
    ['one twenty three', 123],
    ['one hundred twenty three', 123],
    ['one hundred and twenty three', 123],
    ['a hundred and five', 105],
    ['a hundred', 100],
    ['two hundred and one', 201],
    ['nine eighteen', 918],
    ['nine one eight', 918],
    ['one two three', 123],
    ['one five', 15],
    ['one zero five', 105],
    ['two zero', 20],
    ['1 2 3', 123],
    ['9 18', 918],
    ['four oh four', 404],
    ['nine oh five', 905],
    ['one oh one', 101],
    ['twenty twenty', 2020],
    ['nine fifty', 950],
    ['twelve thirty four', 1234],
    ['fifteen hundred', 1500],
    ['two thousand and five', 2005],
    ['two thousand twenty four', 2024],
    ['a thousand', 1000],
    ['three thousand four hundred and fifty six', 3456],
    ['forty two', 42],
    ['ninety nine', 99],
    ['number won twenty three', 123],
    ['number for', 4],
    ['#to', 2],
  ];
  for (const [text, value] of cases) {
    it(`"${text}" → ${value}`, () => expect(parseSpokenNumber(text)).toBe(value));
  }

  const rejects = ['', 'hello', 'for', 'to', 'one hundred apples', 'and five', 'oh', 'a', 'hundred', 'the first', 'seven and'];
  for (const text of rejects) {
    it(`"${text}" is not a whole number`, () => expect(parseSpokenNumber(text)).toBeUndefined());
  }
});

describe('parseNumberAt', () => {
  const at = (text: string, start = 0, allowHomophoneStart = false): ReturnType<typeof parseNumberAt> =>
    parseNumberAt(numberWords(text), start, { allowHomophoneStart });

  it('reads the longest number and reports where it ends', () => {
    expect(at('issue 42 and add a test', 1)).toEqual({ value: 42, end: 2, approximate: false });
    expect(at('pr one twenty three in acme', 1)).toEqual({ value: 123, end: 4, approximate: false });
  });

  it('keeps "and" only inside a hundred/thousand', () => {
    expect(at('a hundred and five reviewers')).toEqual({ value: 105, end: 4, approximate: false });
    expect(at('twelve and thirteen')).toEqual({ value: 12, end: 1, approximate: false });
  });

  it('reads homophones only in number context, flagged approximate', () => {
    expect(at('for', 0, true)).toEqual({ value: 4, end: 1, approximate: true });
    expect(at('for', 0, false)).toBeUndefined();
    expect(at('one for', 0)).toEqual({ value: 14, end: 2, approximate: true });
    expect(at('won twenty three', 0, true)).toEqual({ value: 123, end: 3, approximate: true });
    // "12 to main" is not 122
    expect(at('12 to main')).toEqual({ value: 12, end: 1, approximate: false });
    expect(at('12 for the release')).toEqual({ value: 12, end: 1, approximate: false });
  });

  it('treats "oh" as zero only between digits', () => {
    expect(at('oh seven')).toBeUndefined();
    expect(at('seven oh')).toEqual({ value: 7, end: 1, approximate: false });
  });

  it('returns undefined where no number starts', () => {
    expect(at('merge it')).toBeUndefined();
    expect(at('')).toBeUndefined();
  });

  it('never throws and returns safe non-negative integers (property)', () => {
    const vocab = ['one', 'two', 'twelve', 'twenty', 'hundred', 'thousand', 'and', 'a', 'oh', 'for', 'to', 'won', '7', '1234', 'x', 'the'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocab), { maxLength: 12 }), fc.nat(12), fc.boolean(), (words, start, hs) => {
        const m = parseNumberAt(words, start, { allowHomophoneStart: hs });
        if (m !== undefined) {
          expect(Number.isSafeInteger(m.value)).toBe(true);
          expect(m.value).toBeGreaterThanOrEqual(0);
          expect(m.end).toBeGreaterThan(start);
          expect(m.end).toBeLessThanOrEqual(words.length);
        }
      }),
    );
  });

  it('round-trips digits (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99_999_999 }), (n) => parseSpokenNumber(String(n)) === n));
  });
});

describe('ordinals', () => {
  const cases: [string, number][] = [
    ['first', 1], ['second', 2], ['third', 3], ['fourth', 4], ['fifth', 5], ['sixth', 6], ['seventh', 7],
    ['eighth', 8], ['ninth', 9], ['tenth', 10], ['twelfth', 12], ['twentieth', 20], ['twenty first', 21],
    ['1st', 1], ['2nd', 2], ['3rd', 3], ['4th', 4], ['10th', 10], ['forth', 4],
  ];
  for (const [text, value] of cases) {
    it(`"${text}" → ${value}`, () => expect(parseOrdinal(text)).toBe(value));
  }
  it('rejects non-ordinals', () => {
    expect(parseOrdinal('one')).toBeUndefined();
    expect(parseOrdinal('the first')).toBeUndefined();
    expect(parseOrdinalAt(['next'], 0)).toBeUndefined();
  });
});
