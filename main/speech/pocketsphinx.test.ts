import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decideRejection,
  FRONT_ENDS,
  frontEndFor,
  frontEndOf,
  localMargin,
  MAX_DECODER_ARGS,
  mergeArgs,
  namesUnhintedNumber,
  numberAlternatives,
  numberVariants,
  pocketsphinxAvailability,
  PocketsphinxSpeechToText,
  preferHintedNumbers,
  REJECTION,
  withNoiseFloor,
  wordScorePerFrame,
} from './pocketsphinx.js';

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

  it('picks it by the rate the mic captured at, also when the audio was delivered resampled', () => {
    const samples = new Int16Array(160);
    expect(frontEndOf({ sampleRateHz: 16000, samples, captureRateHz: 8000 })).toBe('narrowband');
    expect(frontEndOf({ sampleRateHz: 16000, samples })).toBe('wideband');
    expect(frontEndOf({ sampleRateHz: 16000, samples, captureRateHz: 16000 })).toBe('wideband');
    expect(frontEndOf({ sampleRateHz: 8000, samples })).toBe('narrowband');
  });
});

describe('numbers the user can see (hints) in the number slot', () => {
  const repos = ['acme/api'];
  const alt = (heard: string, score: number) => ({ heard, raw: heard, score });
  // 100 frames: a loss of 0.4 per frame is 40 in path score (NUMBER_HINTS allows 0.5).
  const nbest = [alt('merge pr fifty', -5000), alt('merge pr fifteen', -5040), alt('read pr fifteen', -5010), alt('merge pr fifteen in acme slash api', -5020)];

  it('takes the same command with a visible number when it is nearly as likely', () => {
    expect(preferHintedNumbers({ heard: 'merge pr fifty', raw: 'merge pr fifty' }, nbest, [15, 7], 100, repos)).toEqual({ heard: 'merge pr fifteen', raw: 'merge pr fifteen' });
  });

  it('keeps what was heard when the alternative is much less likely, or no alternative names a visible number', () => {
    expect(preferHintedNumbers({ heard: 'merge pr fifty', raw: 'merge pr fifty' }, nbest, [15], 100, repos, { maxLossPerFrame: 0.3 })).toBeNull();
    expect(preferHintedNumbers({ heard: 'merge pr fifty', raw: 'merge pr fifty' }, nbest, [16], 100, repos)).toBeNull();
  });

  it('never changes the command, its repo or its method, only the number', () => {
    // "read pr fifteen" (another intent) and "… in acme slash api" (another repo) score better than
    // "merge pr fifteen" but are not taken.
    const onlyOthers = nbest.filter((a) => a.heard !== 'merge pr fifteen');
    expect(preferHintedNumbers({ heard: 'merge pr fifty', raw: 'merge pr fifty' }, onlyOthers, [15], 100, repos)).toBeNull();
  });

  it('leaves a visible number, a command without a number, and a rejection-free empty list alone', () => {
    expect(preferHintedNumbers({ heard: 'merge pr fifty', raw: 'merge pr fifty' }, nbest, [50, 15], 100, repos)).toBeNull();
    expect(preferHintedNumbers({ heard: 'merge it', raw: 'merge it' }, [alt('merge it', -10), alt('merge pr fifteen', -11)], [15], 100, repos)).toBeNull();
    expect(preferHintedNumbers({ heard: 'merge pr fifty', raw: 'merge pr fifty' }, [], [15], 100, repos)).toBeNull();
  });

  it('applies to issue numbers too', () => {
    const issue = [alt('delegate issue one eighty five to the agent', -9000), alt('delegate issue ninety five to the agent', -9050)];
    expect(preferHintedNumbers({ heard: issue[0]!.heard, raw: issue[0]!.raw }, issue, [95], 100, repos)?.heard).toBe('delegate issue ninety five to the agent');
  });

  it('lists the other numbers weighed for the same command, most likely first, whatever their score', () => {
    const heard = { heard: 'merge pr fifty', raw: 'merge pr fifty' };
    const list = [...nbest, alt('merge pr sixteen', -9000), alt('merge pr fifteen please', -9100), alt('merge pr fifty please', -9200)];
    const v = numberVariants(heard, list, 100, repos);
    // Another intent or repo is not a reading of this command's number; the same number twice is one.
    expect(v.map((x) => x.heard)).toEqual(['merge pr fifteen', 'merge pr sixteen', 'merge pr fifteen please']);
    expect(v[0]!.lossPerFrame).toBeCloseTo(0.4);
    expect(numberAlternatives(v)).toEqual([15, 16]);
    expect(numberVariants({ heard: 'merge it', raw: 'merge it' }, list, 100, repos)).toEqual([]);
    expect(numberVariants(heard, [], 100, repos)).toEqual([]);
  });

  it('knows when a hypothesis names a number the user cannot see (the N-best search runs only then)', () => {
    expect(namesUnhintedNumber('merge pr fifty', [15], repos)).toBe(true);
    expect(namesUnhintedNumber('merge pr fifteen', [15], repos)).toBe(false);
    expect(namesUnhintedNumber('merge it', [15], repos)).toBe(false);
    expect(namesUnhintedNumber('order a large pizza', [15], repos)).toBe(false);
  });
});

describe.skipIf(!pocketsphinxAvailability().ok)('pocketsphinx decoder arguments', () => {
  it('refuses more arguments than it can pass, with a clear error (front-end settings belong in featParams)', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hf-ps-args-'));
    try {
      // The background decoder already takes MAX_DECODER_ARGS; four more front-end arguments are too many.
      const stt = new PocketsphinxSpeechToText({ cacheDir, frontEnds: { wideband: { ...FRONT_ENDS.wideband, args: ['-warp_type', 'inverse_linear', '-warp_params', '0.9'] } } });
      expect(() => stt.warmUp()).toThrowError(new RegExp(`^pocketsphinx takes at most ${MAX_DECODER_ARGS} decoder arguments \\(names and values\\) here, not \\d+: put front-end settings in FrontEnd.featParams$`));
      stt.close();
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
