/**
 * Offline wake phrase ("hey companion": the phrase forced onto the start of each utterance and
 * checked against a free English decoding, main/speech/wakePhrase.ts) on a representative subset of
 * the held-apart voices (two espeak-ng, two flite; none used to fit the rule): detection on wake
 * utterances and false accepts on everyday chit-chat that includes near words ("hey", "company",
 * "champion", "a companion planting guide"). `npm run bench wake` fits the rule on the calibration
 * voices and prints the figures for all held-apart voices.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PocketsphinxWakePhrase } from '../../main/speech/wakePhrase.js';
import { resample } from '../../main/speech/wav.js';
import { hfpBand } from './speech-eval.js';
import { asUtterance, CHITCHAT, faPerHour, hasWakeTools, scoreVoice, sumScores, synth, v, voiceLabel, WAKE_UTTERANCES } from './wake-audio.js';

const ready = hasWakeTools();
const SUBSET = [v('espeak', 'en-us'), v('espeak', 'en-gb-x-rp+f3'), v('flite', 'slt'), v('flite', 'awb')];
/**
 * The first 15 sentences, the two with the bare word after a short one (the old detector's typical
 * false accepts) and three near misses from HELD_APART_CHITCHAT ("hey come and …" is still accepted
 * for espeak en-gb-x-rp+f3: the one false accept measured on this subset).
 */
const SENTENCES = [
  ...CHITCHAT.slice(0, 15),
  'a companion planting guide for tomatoes',
  'my companion on the trip was my uncle',
  'hey come and look at this',
  'i accompanied my aunt to the doctor',
  'she is a wonderful travel companion',
];
/** Regression floors from the measured subset, 20/20 and 1 false accept (see the bench for the full held-apart figures). */
const DETECTION_FLOOR = 0.95;
const MAX_FALSE_ACCEPTS = 1;
let det: PocketsphinxWakePhrase | undefined;
afterAll(() => det?.close());

describe.skipIf(!ready)('wake phrase on held-apart voices (subset)', () => {
  it('detects wake utterances and rarely accepts chit-chat', async () => {
    det = new PocketsphinxWakePhrase();
    const per = [];
    for (const voice of SUBSET) per.push(await scoreVoice(det, voice, SENTENCES));
    const t = sumScores(per);
    console.log(
      `wake phrase "${det.phrase}" (subset): detected ${t.detected}/${t.wakes} (${Math.round((100 * t.detected) / t.wakes)}%), false accepts ${t.falseAccepts} in ${(t.chitchatS / 60).toFixed(1)} min of chit-chat (${faPerHour(t).toFixed(1)}/h), RTF ${t.rtf.toFixed(3)}; ` +
        per.map((p, i) => `${voiceLabel(SUBSET[i]!)} ${p.detected}/${p.wakes} fa ${p.falseAccepts}`).join(', '),
    );
    expect(t.detected / t.wakes).toBeGreaterThanOrEqual(DETECTION_FLOOR);
    expect(t.falseAccepts).toBeLessThanOrEqual(MAX_FALSE_ACCEPTS);
  }, 240_000);

  it('places the phrase end before the command, so the rest of the utterance is the command', async () => {
    det ??= new PocketsphinxWakePhrase();
    const a = asUtterance(await synth('hey companion what needs my attention', v('espeak', 'en-us')));
    const alone = asUtterance(await synth('hey companion', v('espeak', 'en-us')));
    const end = det.spot(a);
    const aloneEnd = det.spot(alone);
    expect(end).not.toBeNull();
    expect(aloneEnd).not.toBeNull();
    // "hey companion" takes about as long at the start of both; the command follows it.
    expect(Math.abs(end! - aloneEnd!)).toBeLessThan(250);
    expect(end!).toBeLessThan((a.samples.length / a.sampleRateHz) * 1000 - 600);
  }, 60_000);

  it('takes the phrase only as one phrase at the start of the utterance', async () => {
    det ??= new PocketsphinxWakePhrase();
    const voice = v('espeak', 'en-us');
    const [hey, companion] = await Promise.all([synth('hey', voice), synth('companion', voice)]);
    const apart = new Int16Array(hey.length + 4_800 + companion.length);
    apart.set(hey);
    apart.set(companion, hey.length + 4_800);
    // The two words said apart (each with its own pauses) are still the phrase.
    expect(det.spot(asUtterance(apart))).not.toBeNull();
    // Both fit the phrase's rule, but with speech between its words or before it (bench, held-apart voices).
    expect(det.spot(asUtterance(await synth('he works at an insurance company', v('espeak', 'en-gb-x-rp+f3'))))).toBeNull();
    expect(det.spot(asUtterance(await synth('my brother works for a shipping company', v('espeak', 'en-us+f2', 170))))).toBeNull();
  }, 60_000);

  it('on the 8 kHz headset band (delivered at 16 kHz, told its capture rate) decodes with the narrow band channel transform', async () => {
    det ??= new PocketsphinxWakePhrase();
    // Measured on this voice through the HFP band: 1 of 5 detected with the 16 kHz decoders, 5 of 5 with the transform.
    const voice = v('espeak', 'en-us+m7', 135);
    let detected = 0;
    for (const text of WAKE_UTTERANCES) {
      const a = hfpBand(asUtterance(await synth(text, voice)));
      const up = { sampleRateHz: 16_000, samples: resample(a.samples, a.sampleRateHz, 16_000), captureRateHz: 8000 };
      const r = det.analyze(up);
      expect(r.frontEnd).toBe('narrowband');
      if (r.endMs !== null) detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(4);
    expect(det.analyze(asUtterance(await synth('hey companion', voice))).frontEnd).toBe('wideband');
  }, 120_000);

  it('works for another phrase the user sets', async () => {
    const other = new PocketsphinxWakePhrase({ phrase: 'okay glasses' });
    try {
      const voice = v('flite', 'slt');
      expect(other.spot(asUtterance(await synth('okay glasses what needs my attention', voice)))).not.toBeNull();
      expect(other.spot(asUtterance(await synth('hey companion what needs my attention', voice)))).toBeNull();
    } finally {
      other.close();
    }
  }, 60_000);

  it('refuses a wake phrase that is not 1–4 words', () => {
    expect(() => new PocketsphinxWakePhrase({ phrase: '' })).toThrow(/1 to 4 words/);
    expect(() => new PocketsphinxWakePhrase({ phrase: 'a b c d e' })).toThrow(/1 to 4 words/);
  });
});
