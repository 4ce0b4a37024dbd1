/**
 * Decodes a set's gated plan (speech-eval.ts gatePlan) once with analyze() and writes, per clip, the
 * item, condition, grammar and background hypotheses, both paths' segments and the rejection
 * features to a JSON file, so candidate rejection rules can be compared offline
 * (tests/bench/rejectionRules.ts) without decoding again (~4 min for the calibration set here).
 *
 * The background decoding is run for every side-effect hypothesis of ≥ 2 words above the floor (the
 * word-score threshold is lifted for the dump only); `rejected` and `okAfter` are recomputed with
 * REJECTION, so they are what the shipped rule decides.
 *
 * Usage: npx tsx tests/bench/rejectionDump.ts calibration|test [out.json] (default .bench/rejection-<set>.json, git-ignored)
 * HF_DUMP_WIDE_BACKGROUND=1 decodes the background with default beams and both second passes
 * (a diagnostic: ~3× the cost; its segment scores are not comparable with REJECTION's local margin).
 * HF_DUMP_DENSE=1 decodes every item in every voice (commands clean, 15 dB pink and babble, HFP;
 * chit-chat under the gated conditions) instead of the gated plan: ~1500 calibration clips, ~25 min.
 * HF_DUMP_SHIFTED=1 also decodes each clip with its first 5 ms cut (hypothesis stability).
 * HF_DUMP_SHORT=1 decodes only the set's short chit-chat (CAL_SHORT_CHITCHAT or SHORT_CHITCHAT) in
 * every voice under the gated chit-chat conditions (calibration: 600 clips, ~8 min).
 * HF_DUMP_ARGS="-pip 0.5" adds arguments to the grammar decoder (a diagnostic: REJECTION was fitted without them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decideRejection, PocketsphinxSpeechToText, REJECTION, type Segment } from '../../main/speech/pocketsphinx.js';
import { FIXTURE_PEOPLE, FIXTURE_REPOS } from '../integration/speech-audio.js';
import { CAL_CHITCHAT, CAL_ITEMS, CAL_SHORT_CHITCHAT, CAL_VOICES, condName, family, GATE_CHITCHAT_CONDITIONS, gatePlan, HAS_FLITE, judge, plan, render, SHORT_CHITCHAT, TEST_CHITCHAT, TEST_ITEMS, TEST_VOICES, type Condition, type PlannedClip } from '../integration/speech-eval.js';

/** One clip of the dump. */
export interface DumpRow {
  group: string;
  cond: string;
  voice: string;
  said: string;
  /** Expected intent; null for chit-chat. */
  intent: string | null;
  heard: string;
  raw: string;
  background: string | null;
  /** The background's path score (acoustic + LM + penalties) and acoustic score, logmath units. */
  bgScore: number | null;
  bgAcoustic: number | null;
  bgSegments: Segment[] | null;
  segments: Segment[];
  sideEffect: boolean;
  scorePerFrame: number;
  wordScorePerFrame: number;
  localMargin: number;
  margin: number;
  snrDb: number;
  denoised: boolean;
  rejected: string | null;
  /** judge() on the hypothesis before and after REJECTION. */
  okBefore: boolean;
  okAfter: boolean;
  /** With HF_DUMP_SHIFTED=1: the grammar hypothesis of the same audio with its first 5 ms cut (frames shifted by half a frame). */
  heardShifted?: string;
}

async function main(): Promise<void> {
  const setName = process.argv[2] ?? 'calibration';
  const out = process.argv[3] ?? `.bench/rejection-${setName}.json`;
  mkdirSync(dirname(out), { recursive: true });
  const cal = setName === 'calibration';
  const voices = (cal ? CAL_VOICES : TEST_VOICES).filter((v) => HAS_FLITE || family(v) === 'espeak');
  const commands = (cal ? CAL_ITEMS : TEST_ITEMS).filter((i) => i.intent !== null);
  const wide = process.env['HF_DUMP_WIDE_BACKGROUND'] === '1' ? { backgroundArgs: ['-beam', '1e-48', '-pbeam', '1e-48', '-wbeam', '7e-29', '-maxhmmpf', '30000', '-maxwpf', '-1', '-fwdflat', 'yes', '-bestpath', 'yes'] } : {};
  const stt = new PocketsphinxSpeechToText({ knownRepos: FIXTURE_REPOS, people: FIXTURE_PEOPLE, rejection: { ...REJECTION, sideEffect: -Infinity }, ...wide, ...(process.env['HF_DUMP_ARGS'] ? { decoderArgs: process.env['HF_DUMP_ARGS'].split(' ') } : {}) });
  const rows: DumpRow[] = [];
  try {
    const chit = (cal ? CAL_CHITCHAT : TEST_CHITCHAT).map((t) => ({ text: t, intent: null }));
    // Dense: every item in every voice (the gated plan has each item in one voice per condition).
    const commandConds: Condition[] = [{ noise: 'clean', snrDb: 0, channel: 'wb16' }, { noise: 'pink', snrDb: 15, channel: 'wb16' }, { noise: 'babble', snrDb: 15, channel: 'wb16' }, { noise: 'clean', snrDb: 0, channel: 'hfp8' }];
    const short = (cal ? CAL_SHORT_CHITCHAT : SHORT_CHITCHAT).map((t) => ({ text: t, intent: null }));
    const groups: { label: string; clips: PlannedClip[] }[] = process.env['HF_DUMP_SHORT'] === '1'
      ? [{ label: 'short chit-chat, every voice', clips: plan(short, voices, GATE_CHITCHAT_CONDITIONS, voices.length) }]
      : process.env['HF_DUMP_DENSE'] === '1'
      ? [{ label: 'commands, every voice', clips: plan(commands, voices, commandConds, voices.length) }, { label: 'chit-chat, every voice', clips: plan(chit, voices, GATE_CHITCHAT_CONDITIONS, voices.length) }]
      : gatePlan(commands, cal ? CAL_CHITCHAT : TEST_CHITCHAT, voices);
    for (const g of groups) {
      for (const c of g.clips) {
        const a = stt.analyze(await render(c.item.text, c.voice, c.cond, c.seed));
        const shifted = process.env['HF_DUMP_SHIFTED'] === '1' ? stt.analyze(await render(c.item.text, c.voice, c.cond, c.seed).then((x) => ({ ...x, samples: x.samples.subarray(Math.round(x.sampleRateHz / 200)) }))).heard : undefined;
        const rejected = a.heard === '' ? null : decideRejection({ scorePerFrame: a.scorePerFrame, wordScorePerFrame: a.wordScorePerFrame, localMargin: a.localMargin, sideEffect: a.sideEffect });
        rows.push({
          group: g.label, cond: condName(c.cond), voice: c.voice, said: c.item.text, intent: c.item.intent,
          heard: a.heard, raw: a.raw, background: a.background?.heard ?? null, bgScore: a.background?.score ?? null, bgAcoustic: a.background?.acousticScore ?? null,
          bgSegments: a.background?.segments ?? null, segments: a.segments, sideEffect: a.sideEffect,
          scorePerFrame: a.scorePerFrame, wordScorePerFrame: a.wordScorePerFrame, localMargin: a.localMargin, margin: a.margin,
          snrDb: a.snrDb, denoised: a.denoised, rejected, okBefore: judge(c.item, a.heard).ok, okAfter: judge(c.item, rejected === null ? a.heard : '').ok,
          ...(shifted === undefined ? {} : { heardShifted: shifted }),
        });
      }
      console.log(`${g.label}: ${g.clips.length} clips`);
    }
  } finally {
    stt.close();
  }
  writeFileSync(out, JSON.stringify(rows));
  console.log(`wrote ${rows.length} rows to ${out}`);
}

if (process.argv[1]?.endsWith('rejectionDump.ts')) await main();
