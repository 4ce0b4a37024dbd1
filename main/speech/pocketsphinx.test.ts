import { describe, expect, it } from 'vitest';
import { decideRejection, frontEndFor, localMargin, mergeArgs, REJECTION, withNoiseFloor, wordScorePerFrame } from './pocketsphinx.js';

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

  it('rejects by whole-path floor, then side effects by word score and local background margin', () => {
    const r = { floor: -70, sideEffect: -70, localMargin: 13, localSlope: 0.25, localWindow: 60, confidenceMid: -47, scale: 4 };
    const f = (scorePerFrame: number, wordScorePerFrame: number, lm: number, sideEffect: boolean) => decideRejection({ scorePerFrame, wordScorePerFrame, localMargin: lm, sideEffect }, r);
    expect(f(-71, -40, NaN, false)).toBe('floor');
    expect(f(-50, -75, 30, false)).toBeNull(); // read-only intents keep the floor alone
    expect(f(-50, -75, NaN, true)).toBe('side_effect');
    expect(f(-50, -40, 14, true)).toBe('background'); // 14 > 13 + 0.25·0
    expect(f(-50, -40, 12, true)).toBeNull();
    expect(f(-50, -20, 17, true)).toBeNull(); // a well-fitting command may have a larger local margin: 13 + 5
    expect(f(-50, -60, 9, true)).toBe('background'); // a poorly fitting one less: 13 − 5
    expect(f(-50, -40, NaN, true)).toBeNull(); // one word: no background decoding
    expect(decideRejection({ scorePerFrame: -30, wordScorePerFrame: -30, localMargin: NaN, sideEffect: true }, REJECTION)).toBeNull();
  });

  it('scores only the words, so noise in pauses does not sink a command', () => {
    const segs = [
      { word: '<sil>', startFrame: 0, endFrame: 29, ascr: -30 * 80 },
      { word: 'merge', startFrame: 30, endFrame: 59, ascr: -30 * 40 },
      { word: '[NOISE]', startFrame: 60, endFrame: 69, ascr: -10 * 90 },
      { word: 'it', startFrame: 70, endFrame: 79, ascr: -10 * 20 },
      { word: '(NULL)', startFrame: 79, endFrame: 79, ascr: 0 },
    ];
    expect(wordScorePerFrame(segs)).toBeCloseTo(-(30 * 40 + 10 * 20) / 40);
    expect(wordScorePerFrame([{ word: '<sil>', startFrame: 0, endFrame: 9, ascr: -100 }])).toBe(-Infinity);
  });

  it('finds the stretch that free decoding explains much better than the grammar path', () => {
    // 200 frames: the grammar fits the first half as well as free English, the second half 30/frame worse.
    const grammar = [
      { word: 'confirm', startFrame: 0, endFrame: 99, ascr: -40 * 100 },
      { word: 'four', startFrame: 100, endFrame: 199, ascr: -70 * 100 },
    ];
    const background = [
      { word: 'confirm', startFrame: 0, endFrame: 99, ascr: -40 * 100 },
      { word: 'hotel', startFrame: 100, endFrame: 199, ascr: -40 * 100 },
    ];
    expect(localMargin(grammar, background, 60)).toBeCloseTo(30);
    expect(localMargin(grammar, background, 200)).toBeCloseTo(15); // the whole-utterance margin dilutes it
    expect(localMargin(grammar, [], 60)).toBeNaN();
    expect(localMargin(grammar.slice(0, 1), background.slice(0, 1), 400)).toBeCloseTo(0); // shorter than the window
  });

  it('picks the narrowband front end for 8 kHz captures', () => {
    expect(frontEndFor(8000)).toBe('narrowband');
    expect(frontEndFor(16000)).toBe('wideband');
    expect(frontEndFor(48000)).toBe('wideband');
  });
});
