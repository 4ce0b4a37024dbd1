/**
 * `npm run bench speech`: the offline recognizer on the evaluation set (tests/integration/speech-eval.ts):
 * intent accuracy by voice family × noise × channel, side-effect intents from chit-chat, rejection
 * figures and the real-time factor, for the test set (voices and sentences never used for fitting)
 * and, with HF_BENCH_SPEECH_SETS=test,calibration, the calibration set too.
 *
 * Then commands said in passing (contractions, lead-ins) in every test voice, and the number slot
 * with numbers the user can see (hints): commands naming a number, without
 * hints, with the said number visible, and with only other numbers visible.
 *
 * HF_BENCH_SPEECH_PER (default 1): voices per item per condition (all voices: 6). The figures are
 * from synthetic voices (espeak-ng, flite): real speakers and microphones will differ.
 */
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { FIXTURE_PEOPLE, FIXTURE_REPOS } from '../integration/speech-audio.js';
import { CAL_ITEMS, CAL_VOICES, condName, EVERYDAY_COMMANDS, family, HAS_FLITE, judge, numberHintPlan, pctOf, plan, render, scoreNumberHints, SHORT_CHITCHAT, TEST_ITEMS, TEST_VOICES, type Condition, type Item, type VoiceId } from '../integration/speech-eval.js';

/** The bench grid: clean and 20/15/10 dB pink and babble noise, on both channels. */
export const BENCH_CONDITIONS: readonly Condition[] = (['wb16', 'hfp8'] as const).flatMap((channel) => [
  { noise: 'clean' as const, snrDb: 0, channel },
  ...(['pink', 'babble'] as const).flatMap((noise) => [20, 15, 10].map((snrDb) => ({ noise, snrDb, channel }))),
]);

/** Conditions for the commands said in passing. */
const EVERYDAY_CONDITIONS: readonly Condition[] = [
  { noise: 'clean', snrDb: 0, channel: 'wb16' },
  { noise: 'clean', snrDb: 0, channel: 'hfp8' },
  { noise: 'pink', snrDb: 15, channel: 'wb16' },
  { noise: 'babble', snrDb: 15, channel: 'wb16' },
];

interface Tally {
  n: number;
  ok: number;
}

export async function benchSpeech(log: (line: string) => void = console.log): Promise<void> {
  const per = Number(process.env['HF_BENCH_SPEECH_PER'] ?? 1);
  const sets = (process.env['HF_BENCH_SPEECH_SETS'] ?? 'test').split(',');
  const stt = new PocketsphinxSpeechToText({ knownRepos: FIXTURE_REPOS, people: FIXTURE_PEOPLE });
  try {
    for (const setName of sets) {
      const voices = (setName === 'calibration' ? CAL_VOICES : TEST_VOICES).filter((v) => HAS_FLITE || family(v) === 'espeak');
      const items: readonly Item[] = setName === 'calibration' ? CAL_ITEMS : TEST_ITEMS;
      const cells = new Map<string, Tally>();
      const bump = (k: string, ok: boolean) => {
        const t = cells.get(k) ?? { n: 0, ok: 0 };
        t.n++;
        if (ok) t.ok++;
        cells.set(k, t);
      };
      let sideEffects = 0;
      let chit = 0;
      let rawSideEffects = 0;
      let cpuMs = 0;
      let audioMs = 0;
      const misses: string[] = [];
      for (const x of plan(items, voices, BENCH_CONDITIONS, per)) {
        const audio = await render(x.item.text, x.voice, x.cond, x.seed);
        const c0 = process.cpuUsage();
        const a = stt.analyze(audio);
        const c = process.cpuUsage(c0);
        cpuMs += (c.user + c.system) / 1000;
        audioMs += (audio.samples.length / audio.sampleRateHz) * 1000;
        const j = judge(x.item, a.text);
        const cell = `${family(x.voice as VoiceId)}|${condName(x.cond)}`;
        if (x.item.intent === null) {
          chit++;
          if (j.sideEffect) {
            sideEffects++;
            misses.push(`side effect (${x.voice}, ${condName(x.cond)}): "${x.item.text}" → "${a.text}"`);
          }
          if (judge(x.item, a.heard).sideEffect) rawSideEffects++;
        } else {
          bump(cell, j.ok);
          bump(`all|${condName(x.cond)}`, j.ok);
          // The first pass alone: what rejection could at best keep.
          bump(`before rejection|${condName(x.cond)}`, judge(x.item, a.heard).ok);
          if (!j.ok && x.cond.noise === 'clean') misses.push(`miss (${x.voice}, ${condName(x.cond)}): "${x.item.text}" → "${a.text}" (heard "${a.heard}", ${a.rejected ?? 'accepted'})`);
        }
      }
      log(`speech    ${setName} set, voices ${voices.join(', ')}; ${per} voice(s) per item and condition; intent accuracy (commands):`);
      const fams = ['all', 'espeak', 'flite', 'before rejection'];
      log(`speech    ${'condition'.padEnd(22)} ${fams.map((f) => f.padStart(f.length > 14 ? f.length + 2 : 14)).join('')}`);
      for (const cond of BENCH_CONDITIONS) {
        const name = condName(cond);
        log(`speech    ${name.padEnd(22)} ${fams.map((f) => { const t = cells.get(`${f}|${name}`); return (t === undefined ? '—' : `${pctOf(t.ok, t.n)} (${t.n})`).padStart(f.length > 14 ? f.length + 2 : 14); }).join('')}`);
      }
      log(`speech    ${setName} set: side-effect intents from ${chit} chit-chat clips: ${sideEffects} (before rejection ${rawSideEffects}); CPU real-time factor ${(cpuMs / audioMs).toFixed(3)}`);
      for (const m of misses.slice(0, 40)) log(`speech      ${m}`);
      if (setName === 'test') {
        // Short phrases around a command word (speech-eval.ts SHORT_CHITCHAT): not yet rejected well.
        let short = 0;
        let shortSideEffects = 0;
        let shortRaw = 0;
        for (const x of plan(SHORT_CHITCHAT.map((t) => ({ text: t, intent: null })), voices, BENCH_CONDITIONS, per)) {
          const a = stt.analyze(await render(x.item.text, x.voice, x.cond, x.seed));
          short++;
          if (judge(x.item, a.text).sideEffect) shortSideEffects++;
          if (judge(x.item, a.heard).sideEffect) shortRaw++;
        }
        log(`speech    ${setName} set: side-effect intents from ${short} short chit-chat clips ("confirm the booking"): ${shortSideEffects} (before rejection ${shortRaw})`);
        // Commands said in passing (speech-eval.ts EVERYDAY_COMMANDS: contractions, lead-ins), every voice.
        const everyday: string[] = [];
        for (const cond of EVERYDAY_CONDITIONS) {
          let ok = 0;
          let okBefore = 0;
          let n = 0;
          for (const x of plan(EVERYDAY_COMMANDS, voices, [cond], voices.length)) {
            const a = stt.analyze(await render(x.item.text, x.voice, x.cond, x.seed));
            n++;
            if (judge(x.item, a.text).ok) ok++;
            if (judge(x.item, a.heard).ok) okBefore++;
          }
          everyday.push(`${condName(cond)} ${pctOf(ok, n)} (${okBefore} before rejection)`);
        }
        log(`speech    ${setName} set: ${EVERYDAY_COMMANDS.length} commands said in passing ("what's new", "okay merge it"), every voice: ${everyday.join(', ')}`);
      }
      // Numbers the user can see (TranscribeOptions.hints, NUMBER_HINTS): commands naming a number, intent and number right.
      const n = await scoreNumberHints((audio, hints) => stt.analyze(audio, hints), numberHintPlan(items, voices));
      log(
        `speech    ${setName} set: numbers right in ${n.accepted} accepted commands naming a PR/issue number (clean, 15 dB, HFP): ${pctOf(n.plain, n.accepted)} without hints, ` +
          `${pctOf(n.visible, n.accepted)} with the number among 10 the user can see, ${pctOf(n.notVisible, n.accepted)} with 10 other numbers visible; ` +
          `of ${n.unseen} still heard with a number the user cannot see, "Did you mean" offers the said one in ${n.offered} (${n.offeredByNumber} by the number alone)`,
      );
    }
  } finally {
    stt.close();
  }
}
