import { describe, expect, it } from 'vitest';
import { numberGoesOnTo, numberSettled, trailingNumber } from './numberEnd.js';

describe('trailingNumber', () => {
  it('reads the whole number a transcript ends in', () => {
    expect(trailingNumber('read pr twelve')).toBe(12);
    expect(trailingNumber('confirm nine eighteen')).toBe(918);
    expect(trailingNumber('read pr one oh five')).toBe(105);
    expect(trailingNumber('read issue twenty three')).toBe(23);
    expect(trailingNumber('read pr 42')).toBe(42);
  });
  it('is undefined when the transcript does not end in a number', () => {
    expect(trailingNumber('what needs my attention')).toBeUndefined();
    expect(trailingNumber('read pr twelve please')).toBeUndefined();
    expect(trailingNumber('')).toBeUndefined();
  });
});

describe('numberGoesOnTo', () => {
  it('by more digits or groups', () => {
    expect(numberGoesOnTo(12, 1218)).toBe(true);
    expect(numberGoesOnTo(12, 120)).toBe(true);
    expect(numberGoesOnTo(9, 918)).toBe(true);
  });
  it('a round number also by its zeros', () => {
    expect(numberGoesOnTo(20, 23)).toBe(true);
    expect(numberGoesOnTo(100, 105)).toBe(true);
    expect(numberGoesOnTo(100, 120)).toBe(true);
    expect(numberGoesOnTo(20, 2020)).toBe(true);
  });
  it('not to itself or to unrelated numbers', () => {
    expect(numberGoesOnTo(12, 12)).toBe(false);
    expect(numberGoesOnTo(12, 15)).toBe(false);
    expect(numberGoesOnTo(12, 21)).toBe(false);
    expect(numberGoesOnTo(23, 24)).toBe(false);
    expect(numberGoesOnTo(20, 32)).toBe(false);
    expect(numberGoesOnTo(20, 230)).toBe(false);
    expect(numberGoesOnTo(15, 105)).toBe(false);
  });
});

describe('numberSettled', () => {
  it('a number the user can see that no other visible number goes on from', () => {
    expect(numberSettled('read pr twelve', [12, 15, 918])).toBe(true);
    expect(numberSettled('merge pr nine eighteen', [12, 918])).toBe(true);
  });
  it('not when another visible number goes on from it', () => {
    expect(numberSettled('read pr twelve', [12, 1218])).toBe(false);
    expect(numberSettled('read pr nine', [9, 918])).toBe(false);
    expect(numberSettled('read issue twenty', [20, 23])).toBe(false);
  });
  it('not for a number the user cannot see, or no number', () => {
    expect(numberSettled('read pr twelve', [15, 918])).toBe(false);
    expect(numberSettled('read pr twelve', [])).toBe(false);
    expect(numberSettled('what needs my attention', [12])).toBe(false);
  });
});
