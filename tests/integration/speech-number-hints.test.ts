/**
 * Numbers the user can see in the offline recognizer's number slot (issue 11, "numbers grounded in
 * what exists … use the n-best list where it helps"): the test set's commands that name a PR or
 * issue number (voices and sentences not used to fit NUMBER_HINTS), decoded without hints, with the
 * said number among 10 the user can see, and with 10 others only. Visible numbers must be heard
 * right more often; a number the user cannot see must still be heard (no more than one of these
 * clips may turn from right to wrong). transcribe() (the voice loop's path) takes the hints as
 * analyze() does, and passes on the other numbers it weighed (Transcript.numberAlternatives). How
 * often a "Did you mean …?" would offer the said number, from those or from the number alone, is
 * printed (a handful of clips: reported, not gated).
 */
import { describe, expect, it } from 'vitest';
import { hasSpeechTools } from './speech-audio.js';
import { family, HAS_FLITE, numberHintPlan, scoreNumberHints, TEST_ITEMS, TEST_VOICES } from './speech-eval.js';
import { useFixtureStt } from './speech-test-stt.js';

const tools = hasSpeechTools();
const GATES = process.env['HF_SPEECH_GATES'] !== '0';

const stt = useFixtureStt(tools);

describe.skipIf(!tools || !GATES)('offline STT: numbers the user can see (test set)', () => {
  it('hears a visible number right more often, and still hears one the user cannot see', async () => {
    const voices = TEST_VOICES.filter((v) => HAS_FLITE || family(v) === 'espeak');
    const s = await scoreNumberHints((audio, hints) => stt().analyze(audio, hints), numberHintPlan(TEST_ITEMS, voices));
    console.log(
      `[speech] numbers: ${s.accepted} accepted commands naming a PR/issue number; right without hints ${s.plain}, ` +
        `with the number among 10 visible ${s.visible}, with 10 other numbers visible ${s.notVisible}; ` +
        `of ${s.unseen} still heard with a number the user cannot see, "Did you mean" offers the said one in ${s.offered} (${s.offeredByNumber} by the number alone)`,
    );
    expect(s.accepted).toBeGreaterThanOrEqual(40);
    expect(s.visible).toBeGreaterThan(s.plain);
    expect(s.notVisible).toBeGreaterThanOrEqual(s.plain - 1);
    // The voice loop's path: transcribe() with TranscribeOptions.hints decides as analyze() does.
    const c = s.changed;
    expect(c).not.toBeNull();
    if (c === null) return;
    expect((await stt().transcribe(c.audio, { hints: { numbers: c.hints } })).text).toBe(c.hinted);
    expect((await stt().transcribe(c.audio)).text).toBe(c.plain);
    // …and passes on the other numbers it weighed, which "Did you mean …?" offers first.
    const w = s.withAlternatives;
    expect(w).not.toBeNull();
    if (w === null) return;
    expect((await stt().transcribe(w.audio, { hints: { numbers: w.hints } })).numberAlternatives).toEqual(w.alternatives);
  }, 600_000);
});
