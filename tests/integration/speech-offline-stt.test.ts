/**
 * Offline STT + intent path on spoken commands: espeak-ng speech in 3 voices, clean and with pink
 * noise at 10 dB SNR, through pocketsphinx with the grammar generated from the command registry,
 * then the intent recognizer. Prints exact-command and intent accuracy per voice and condition;
 * gates intent accuracy on clean speech at the 90% (a rejected clip counts as a miss).
 * Out-of-grammar speech and noise should never yield a side-effect intent
 * (the decoder's rejection model, thresholds calibrated on speech-calibration.ts, not on these clips).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIDE_EFFECT_INTENTS } from '../../contract/intent.js';
import { recognize } from '../../core/intent/recognizer.js';
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { ACCENT_VOICES, CORPUS, FIXTURE_PEOPLE, FIXTURE_REPOS, hasSpeechTools, OUT_OF_GRAMMAR, pinkNoise, speak, VOICES, withNoise } from './speech-audio.js';

const tools = hasSpeechTools();
let stt: PocketsphinxSpeechToText;

beforeAll(() => {
  if (!tools) return;
  stt = new PocketsphinxSpeechToText({ knownRepos: FIXTURE_REPOS, people: FIXTURE_PEOPLE });
  stt.warmUp();
});
afterAll(() => stt?.close());

function entitiesMatch(got: Record<string, unknown>, want: Record<string, unknown> | undefined): boolean {
  for (const [k, v] of Object.entries(want ?? {})) if (got[k] !== v) return false;
  return true;
}

describe.skipIf(!tools)('offline STT + intent on spoken commands', () => {
  it(`has ≥ 60 commands covering every intent`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it('recognizes ≥ 90% of intents in clean speech (3 voices), after rejection; reports 10 dB SNR and an en-gb accent', async () => {
    const rows: { cond: string; voice: string; text: string; heard: string; rawOk: boolean; intentOk: boolean; exact: boolean; entOk: boolean }[] = [];
    let sttMs = 0;
    let audioMs = 0;
    for (const voice of [...VOICES, ...ACCENT_VOICES]) {
      const audios = await Promise.all(CORPUS.map((c) => speak(c.text, voice)));
      for (const [k, c] of CORPUS.entries()) {
        const clean = audios[k]!;
        const accent = (ACCENT_VOICES as readonly string[]).includes(voice);
        const conds = accent ? ([['accent', clean]] as const) : ([['clean', clean], ['snr10', withNoise(clean, 10, 300, k * 7919)]] as const);
        for (const [cond, audio] of conds) {
          const t0 = performance.now();
          const t = stt.analyze(audio);
          sttMs += performance.now() - t0;
          audioMs += (audio.samples.length / audio.sampleRateHz) * 1000;
          const intent = recognize(t.text, { knownRepos: FIXTURE_REPOS });
          rows.push({
            cond,
            voice,
            text: c.text,
            heard: t.text,
            rawOk: recognize(t.heard, { knownRepos: FIXTURE_REPOS }).name === c.intent,
            intentOk: intent.name === c.intent,
            entOk: intent.name === c.intent && entitiesMatch(intent.entities as Record<string, unknown>, c.entities),
            exact: t.text === c.text.toLowerCase().replace(/[^a-z' ]/g, ''),
          });
        }
      }
    }
    const report = (cond: string) => {
      const r = rows.filter((x) => x.cond === cond);
      const pct = (f: (x: (typeof r)[number]) => boolean) => (100 * r.filter(f).length) / r.length;
      return { n: r.length, exact: pct((x) => x.exact), intent: pct((x) => x.intentOk), intentAndEntities: pct((x) => x.entOk), beforeRejection: pct((x) => x.rawOk) };
    };
    const clean = report('clean');
    const noisy = report('snr10');
    const accent = report('accent');
    const fmt = (o: ReturnType<typeof report>) => `n=${o.n} exact ${o.exact.toFixed(1)}% intent ${o.intent.toFixed(1)}% (before rejection ${o.beforeRejection.toFixed(1)}%) intent+entities ${o.intentAndEntities.toFixed(1)}%`;
    console.log(`[speech] offline STT, ${CORPUS.length} commands × ${VOICES.length} voices: clean ${fmt(clean)}; 10 dB SNR ${fmt(noisy)}; en-gb accent (not gated) ${fmt(accent)}; RTF ${(sttMs / audioMs).toFixed(3)}`);
    for (const voice of VOICES) {
      for (const cond of ['clean', 'snr10']) {
        const r = rows.filter((x) => x.voice === voice && x.cond === cond);
        const pct = (f: (x: (typeof r)[number]) => boolean) => ((100 * r.filter(f).length) / r.length).toFixed(1);
        console.log(`[speech]   ${voice} ${cond}: exact ${pct((x) => x.exact)}% intent ${pct((x) => x.intentOk)}% rejected ${r.filter((x) => x.heard === '').length}`);
      }
    }
    for (const x of rows.filter((r) => !r.intentOk && r.cond !== 'accent')) console.log(`[speech] miss (${x.cond}, ${x.voice}): "${x.text}" → "${x.heard}"`);
    // Measured (repeatable audio): 96.5% of what the decoder hears, 90.9% delivered after the
    // rejection model (REJECTION in main/speech/pocketsphinx.ts) drops low-scoring side-effect commands.
    expect(clean.beforeRejection).toBeGreaterThanOrEqual(93);
    expect(clean.intent).toBeGreaterThanOrEqual(90);
    // Noise is reported, with a floor that catches a broken noise path (measured ~87%).
    expect(noisy.intent).toBeGreaterThanOrEqual(80);
  }, 300_000);

  it('never turns out-of-grammar speech or noise into a side-effect intent', async () => {
    const heard: string[] = [];
    for (const voice of VOICES) {
      for (const text of OUT_OF_GRAMMAR) heard.push((await stt.transcribe(await speak(text, voice))).text);
    }
    const noise = pinkNoise();
    for (let k = 0; k < 5; k++) {
      const seg = noise.slice(k * 16000, k * 16000 + 24000);
      heard.push((await stt.transcribe({ sampleRateHz: 16000, samples: seg })).text);
      heard.push((await stt.transcribe({ sampleRateHz: 16000, samples: new Int16Array(16000) })).text);
    }
    const intents = heard.map((h) => recognize(h, { knownRepos: FIXTURE_REPOS }).name);
    const sideEffects = intents.filter((n) => SIDE_EFFECT_INTENTS.includes(n));
    const rejected = heard.filter((h) => h === '').length;
    console.log(`[speech] out-of-grammar/noise: ${heard.length} clips, ${rejected} empty transcripts, intents: ${JSON.stringify(intents.reduce<Record<string, number>>((a, n) => ({ ...a, [n]: (a[n] ?? 0) + 1 }), {}))}`);
    console.log(`[speech] side-effect intents from out-of-grammar audio: ${sideEffects.length}: ${JSON.stringify(sideEffects)}`);
    expect(sideEffects).toEqual([]);
  }, 120_000);

  it('reports a real confidence: higher for commands than for what it rejects', async () => {
    const cmd = stt.analyze(await speak('what needs my attention', 'en-us'));
    const oog = stt.analyze(await speak('the weather is nice today in paris', 'en-us'));
    expect(cmd).toMatchObject({ text: 'what needs my attention', rejected: null });
    expect(cmd.confidence).toBeGreaterThan(0.5);
    // Dither noise differs per decode, so the same clip scores slightly differently each time.
    const t = await stt.transcribe(await speak('what needs my attention', 'en-us'));
    expect(t.text).toBe('what needs my attention');
    expect(t.confidence).toBeGreaterThan(0.5);
    expect(t.confidence).toBeLessThan(1);
    expect(oog.scorePerFrame).toBeLessThan(cmd.scorePerFrame);
  });
});
