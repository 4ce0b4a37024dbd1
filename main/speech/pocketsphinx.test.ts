import { describe, expect, it } from 'vitest';
import { decideRejection, frontEndFor, mergeArgs, REJECTION, withNoiseFloor } from './pocketsphinx.js';

describe('pocketsphinx input conditioning', () => {
  it('adds a noise floor of the asked RMS, the same every time', () => {
    const silence = new Int16Array(16_000);
    const a = withNoiseFloor(silence, 10);
    const b = withNoiseFloor(silence, 10);
    expect(b).toEqual(a);
    const rms = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(rms).toBeGreaterThan(9);
    expect(rms).toBeLessThan(11);
    expect(silence.every((v) => v === 0)).toBe(true);
  });

  it('keeps speech and clips at full scale', () => {
    const loud = Int16Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 32767 : -32768));
    const out = withNoiseFloor(loud, 10);
    expect(Math.max(...out)).toBeLessThanOrEqual(32767);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-32768);
    expect(withNoiseFloor(loud, 0)).toBe(loud);
  });

  it('lets experiment arguments replace defaults by name (pocketsphinx refuses a repeated name)', () => {
    expect(mergeArgs(['-dither', 'no', '-beam', '1e-60'], ['-beam', '1e-48', '-lw', '2'])).toEqual(['-dither', 'no', '-beam', '1e-48', '-lw', '2']);
  });

  it('rejects by score floor, side-effect score and, for side effects only, the background margin', () => {
    const r = { floor: -65, sideEffect: -47, sideEffectMargin: 4, scale: 4 };
    expect(decideRejection(-70, NaN, false, r)).toBe('floor');
    expect(decideRejection(-50, NaN, false, r)).toBeNull();
    expect(decideRejection(-50, NaN, true, r)).toBe('side_effect');
    expect(decideRejection(-30, 10, true, r)).toBe('background');
    expect(decideRejection(-30, 10, false, r)).toBeNull();
    expect(decideRejection(-30, 2, true, r)).toBeNull();
    expect(decideRejection(-30, NaN, true, REJECTION)).toBeNull();
  });

  it('asks a side-effect hypothesis with a middling score for a clearly negative background margin', () => {
    const r = { floor: -70, sideEffect: -60, sideEffectMargin: 5, marginWeight: 0.5, sideEffectBalance: -38, scale: 4 };
    expect(decideRejection(-40, 2, true, r)).toBe('background'); // −40 − 1 < −38
    expect(decideRejection(-40, -6, true, r)).toBeNull(); // −40 + 3 ≥ −38
    expect(decideRejection(-30, 4, true, r)).toBeNull();
    expect(decideRejection(-40, 2, false, r)).toBeNull(); // read-only intents keep the floor alone
    expect(decideRejection(-40, NaN, true, r)).toBeNull(); // one word: no background decoding
  });

  it('picks the narrowband front end for 8 kHz captures', () => {
    expect(frontEndFor(8000)).toBe('narrowband');
    expect(frontEndFor(16000)).toBe('wideband');
    expect(frontEndFor(48000)).toBe('wideband');
  });
});
