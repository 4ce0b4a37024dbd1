/**
 * `npm run bench speech-rejection`: the gated test's plan (speech-eval.ts gatePlan) on the
 * calibration set (what REJECTION in main/speech/pocketsphinx.ts was fitted on) and on the test set
 * (what judges it): intents right per condition after and before rejection, side-effect intents
 * from chit-chat, and each false accept or rejected right command with the rule's features (whole-path
 * score, word score, local background margin, estimated SNR and whether the denoiser ran), so a
 * refit starts from the same figures.
 * HF_BENCH_SPEECH_SETS=calibration,test (default both); HF_BENCH_SPEECH_DENOISE=0 decodes without
 * the noise suppressor (DENOISE), for the before/after figures. ~15 min per set on a loaded 2-core machine.
 */
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { FIXTURE_PEOPLE, FIXTURE_REPOS } from '../integration/speech-audio.js';
import { CAL_CHITCHAT, CAL_ITEMS, CAL_VOICES, condName, family, gatePlan, HAS_FLITE, judge, pctOf, render, TEST_CHITCHAT, TEST_ITEMS, TEST_VOICES } from '../integration/speech-eval.js';

export async function benchSpeechRejection(log: (line: string) => void = console.log): Promise<void> {
  const sets = (process.env['HF_BENCH_SPEECH_SETS'] ?? 'calibration,test').split(',');
  const denoise = process.env['HF_BENCH_SPEECH_DENOISE'] === '0' ? { denoise: null } : {};
  const stt = new PocketsphinxSpeechToText({ knownRepos: FIXTURE_REPOS, people: FIXTURE_PEOPLE, ...denoise });
  try {
    for (const setName of sets) {
      const cal = setName === 'calibration';
      const voices = (cal ? CAL_VOICES : TEST_VOICES).filter((v) => HAS_FLITE || family(v) === 'espeak');
      const commands = (cal ? CAL_ITEMS : TEST_ITEMS).filter((i) => i.intent !== null);
      const details: string[] = [];
      log(`speech-rejection ${setName} set (${voices.join(', ')})${denoise.denoise === null ? ', no denoising' : ''}:`);
      for (const g of gatePlan(commands, cal ? CAL_CHITCHAT : TEST_CHITCHAT, voices)) {
        let ok = 0;
        let okBefore = 0;
        const perCond = new Map<string, { n: number; ok: number }>();
        for (const c of g.clips) {
          const a = stt.analyze(await render(c.item.text, c.voice, c.cond, c.seed));
          const after = judge(c.item, a.text);
          const before = judge(c.item, a.heard);
          if (after.ok) ok++;
          if (before.ok) okBefore++;
          const t = perCond.get(condName(c.cond)) ?? { n: 0, ok: 0 };
          perCond.set(condName(c.cond), { n: t.n + 1, ok: t.ok + (after.ok ? 1 : 0) });
          const f = `score ${a.scorePerFrame.toFixed(1)}, words ${a.wordScorePerFrame.toFixed(1)}, local margin ${a.localMargin.toFixed(1)}, SNR ${a.snrDb.toFixed(0)} dB${a.denoised ? ', denoised' : ''}`;
          if (after.sideEffect) details.push(`side effect (${c.voice}, ${condName(c.cond)}): "${c.item.text}" → "${a.text}" (${f})`);
          else if (before.ok && !after.ok) details.push(`rejected right command, ${a.rejected ?? '?'} (${c.voice}, ${condName(c.cond)}): "${c.item.text}" → "${a.heard}" (${f})`);
        }
        const n = g.clips.length;
        const what = g.label === 'chit-chat' ? `no side-effect intent ${pctOf(ok, n)} (false accepts: ${n - ok} of ${n}; before rejection ${n - okBefore})` : `${pctOf(ok, n)} of ${n} (before rejection ${pctOf(okBefore, n)})`;
        log(`speech-rejection   ${g.label.padEnd(42)} ${what}`);
        if (perCond.size > 1) log(`speech-rejection     ${[...perCond].map(([k, t]) => `${k} ${t.ok}/${t.n}`).join(', ')}`);
      }
      for (const d of details) log(`speech-rejection     ${d}`);
    }
  } finally {
    stt.close();
  }
}
