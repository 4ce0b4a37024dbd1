/**
 * Offline wake phrase ("hey companion", pocketsphinx keyphrase spotting) on a representative
 * subset of the held-apart voices (two espeak-ng, two flite; none used to fit the threshold):
 * detection on wake utterances and false accepts on everyday chit-chat that includes near words
 * ("hey", "company", "champion", "a companion planting guide"). `npm run bench wake` fits the
 * threshold on the calibration voices and prints the figures for all held-apart voices.
 * The target (≥ 95% detection, ≤ 1 false accept per hour) is NOT met by this model on
 * every voice; this test guards the measured level against regressions.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PocketsphinxWakePhrase } from '../../main/speech/wakePhrase.js';
import { CHITCHAT, faPerHour, hasWakeTools, scoreVoice, sumScores, v, voiceLabel } from './wake-audio.js';

const ready = hasWakeTools();
const SUBSET = [v('espeak', 'en-us'), v('espeak', 'en-gb-x-rp+f3'), v('flite', 'slt'), v('flite', 'awb')];
let det: PocketsphinxWakePhrase | undefined;
afterAll(() => det?.close());

describe.skipIf(!ready)('wake phrase on held-apart voices (subset)', () => {
  it('detects most wake utterances and rarely accepts chit-chat', async () => {
    det = new PocketsphinxWakePhrase();
    const per = [];
    for (const voice of SUBSET) per.push(await scoreVoice(det, voice, CHITCHAT.slice(0, 15)));
    const t = sumScores(per);
    console.log(
      `wake phrase "${det.phrase}" (subset): detected ${t.detected}/${t.wakes} (${Math.round((100 * t.detected) / t.wakes)}%), false accepts ${t.falseAccepts} in ${(t.chitchatS / 60).toFixed(1)} min of chit-chat (${faPerHour(t).toFixed(1)}/h), RTF ${t.rtf.toFixed(3)}; ` +
        per.map((p, i) => `${voiceLabel(SUBSET[i]!)} ${p.detected}/${p.wakes} fa ${p.falseAccepts}`).join(', '),
    );
    // At 1e-20 this subset gave 17/20 and 1 false accept (flite awb); 1e-30 detects more. A regression floor, not the target.
    expect(t.detected / t.wakes).toBeGreaterThanOrEqual(0.75);
    expect(t.falseAccepts).toBeLessThanOrEqual(1);
  }, 180_000);

  it('refuses a wake phrase that is not 1–4 words', () => {
    expect(() => new PocketsphinxWakePhrase({ phrase: '' })).toThrow(/1 to 4 words/);
    expect(() => new PocketsphinxWakePhrase({ phrase: 'a b c d e' })).toThrow(/1 to 4 words/);
  });
});
