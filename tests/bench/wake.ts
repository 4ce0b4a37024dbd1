/**
 * `npm run bench wake`: the offline wake phrase. For each front end (the plain en-us model, and the
 * model with a global MLLR channel transform fitted on the calibration voices), fits the keyphrase
 * threshold on the calibration voices (the least strict with no false accept on their chit-chat;
 * ties → more detections), then reports detection and false accepts per hour of chit-chat on the
 * held-apart voices, per voice. Target (issue 12): ≥ 95% detection, ≤ 1 false accept per hour.
 * HF_WAKE_SENTENCES bounds the chit-chat per voice (default all), HF_WAKE_THRESHOLDS the
 * candidates (comma-separated), HF_WAKE_FRONTENDS which front ends run (default plain; add mllr).
 * Measured 2026-12-04 at 1e-30 on the held-apart voices, all sentences: plain 39/50 and 17 false
 * accepts in 31 min; mllr 40/50 and 17 (so mllr is opt-in: it doubles the bench for no gain).
 */
import { PocketsphinxWakePhrase, WAKE_THRESHOLD, type WakePhraseOptions } from '../../main/speech/wakePhrase.js';
import { CALIBRATION_VOICES, CHITCHAT, faPerHour, fitCalibrationMllr, HELD_APART_VOICES, scoreVoice, sumScores, voiceLabel, type WakeScore } from '../integration/wake-audio.js';

const THRESHOLDS = (process.env['HF_WAKE_THRESHOLDS'] ?? '1e-10,1e-15,1e-20,1e-25,1e-30,1e-40').split(',').map(Number);
const FRONTENDS = (process.env['HF_WAKE_FRONTENDS'] ?? 'plain').split(',');

export async function benchWake(log: (line: string) => void): Promise<void> {
  for (const fe of FRONTENDS) {
    const opts: WakePhraseOptions = {};
    if (fe === 'mllr') {
      const t0 = performance.now();
      opts.mllr = await fitCalibrationMllr();
      log(`wake      [mllr] channel transform fitted on the calibration voices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await benchFrontEnd(fe, opts, log);
  }
}

async function benchFrontEnd(fe: string, opts: WakePhraseOptions, log: (line: string) => void): Promise<void> {
  const n = Number(process.env['HF_WAKE_SENTENCES'] ?? CHITCHAT.length);
  // Calibration: the first half of the sentences; held-apart voices are scored on all of them.
  const calSentences = CHITCHAT.slice(0, Math.min(n, Math.ceil(CHITCHAT.length / 2)));
  const fits: { th: number; s: WakeScore }[] = [];
  for (const th of THRESHOLDS) {
    const det = new PocketsphinxWakePhrase({ ...opts, threshold: th });
    const per: WakeScore[] = [];
    for (const voice of CALIBRATION_VOICES) per.push(await scoreVoice(det, voice, calSentences));
    det.close();
    const s = sumScores(per);
    fits.push({ th, s });
    log(`wake      [${fe}] calibration threshold ${th.toExponential()}: detected ${s.detected}/${s.wakes}, false accepts ${s.falseAccepts} in ${(s.chitchatS / 60).toFixed(1)} min`);
  }
  const ok = fits.filter((f) => f.s.falseAccepts === 0);
  // Candidates run strict → lenient: on a tie the more lenient one (it generalizes to more detections).
  const best = (ok.length > 0 ? ok : fits).reduce((a, b) => (b.s.detected >= a.s.detected ? b : a));
  log(`wake      [${fe}] fitted threshold ${best.th.toExponential()} (shipped WAKE_THRESHOLD ${WAKE_THRESHOLD.toExponential()}); held-apart voices at the fitted one:`);
  const det = new PocketsphinxWakePhrase({ ...opts, threshold: best.th });
  const per: WakeScore[] = [];
  for (const voice of HELD_APART_VOICES) {
    const s = await scoreVoice(det, voice, CHITCHAT.slice(0, n));
    per.push(s);
    log(`wake        ${voiceLabel(voice).padEnd(26)} detected ${s.detected}/${s.wakes}, false accepts ${s.falseAccepts} in ${(s.chitchatS / 60).toFixed(1)} min`);
  }
  det.close();
  const t = sumScores(per);
  const rate = t.detected / Math.max(1, t.wakes);
  const fa = faPerHour(t);
  log(
    `wake      [${fe}] "${det.phrase}" held-apart voices (${HELD_APART_VOICES.length}): detection ${(100 * rate).toFixed(1)}% (${t.detected}/${t.wakes}; target ≥ 95%: ${rate >= 0.95 ? 'met' : 'MISSED'}), ` +
      `false accepts ${t.falseAccepts} in ${(t.chitchatS / 60).toFixed(1)} min of chit-chat = ${fa.toFixed(1)}/h (target ≤ 1/h: ${fa <= 1 ? 'met' : 'MISSED'}), RTF ${t.rtf.toFixed(3)}`,
  );
}
