/**
 * Voice-turn benchmark: end of speech → first reply audio (STT + pipeline + TTS; the utterance is
 * already endpointed, VAD is not built yet), STT real-time factor and TTS time to first audio, with
 * offline providers on the fixture account, and the same loop with the stub providers as the floor,
 * measured in one run. The lead wires `benchVoice` into run.ts.
 *
 * With HF_BENCH_REJECTION=1 it also prints the offline STT's rejection figures (REJECTION in
 * main/speech/pocketsphinx.ts) on the calibration set and on the accuracy test set (~3 min).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SpeechToText } from '../../core/ports/speech.js';
import { runVoiceTurn } from '../../core/voice/turn.js';
import { createApp } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { pct } from '../../main/app/metrics.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { SIDE_EFFECT_INTENTS } from '../../contract/intent.js';
import { recognize } from '../../core/intent/recognizer.js';
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { CALIBRATION_COMMANDS, CALIBRATION_OUT_OF_GRAMMAR, CALIBRATION_VOICES } from '../integration/speech-calibration.js';
import { CORPUS, FIXTURE_PEOPLE, FIXTURE_REPOS, OUT_OF_GRAMMAR, pinkNoise, speak, VOICES, withNoise } from '../integration/speech-audio.js';

const PHRASES = ['what needs my attention', 'read pr twelve', 'are the checks passing on it', 'read the first one', 'next', 'help', 'repeat that'];

export interface VoiceBenchReport {
  /** sttRtf: wall time / audio time; sttCpuRtf: process CPU time / audio time (robust to a busy machine). */
  offline: { p50: number; p95: number; sttRtf: number; sttCpuRtf: number; ttsFirstAudioP50: number; n: number };
  stub: { p50: number; p95: number; n: number };
}

async function loop(kind: 'offline' | 'stub', rounds: number): Promise<{ turns: number[]; stt: number; sttCpu: number; audio: number; tts: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-voice-'));
  const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: kind, HANDSFREE_TTS: kind }), { logger: SILENT_LOGGER });
  const caller = { userId: 'bench', transport: 'cli' as const };
  try {
    const speech = await app.speech();
    const audios = await Promise.all(PHRASES.map((p) => speak(p, 'en-us')));
    let sttCpu = 0;
    // The offline decoder runs synchronously inside transcribe, so this process's CPU time over the
    // call is the decoding cost, whatever else the machine is doing.
    const sttTimed: SpeechToText = {
      name: speech.stt.name,
      health: () => speech.stt.health(),
      transcribe: async (a, o) => {
        const c0 = process.cpuUsage();
        const t = await speech.stt.transcribe(a, o);
        const c = process.cpuUsage(c0);
        sttCpu += (c.user + c.system) / 1000;
        return t;
      },
    };
    const deps = {
      stt: sttTimed,
      tts: speech.tts,
      metrics: app.metrics,
      monotonicMs: () => performance.now(),
      runCommand: (text: string, conf: number) => app.service.runCommand({ text, client_context: { input: 'voice' as const, stt_confidence: conf } }, caller),
    };
    await runVoiceTurn(deps, audios[0]!); // warm-up: decoder start, grammar cache
    sttCpu = 0;
    const turns: number[] = [];
    const tts: number[] = [];
    let stt = 0;
    let audio = 0;
    for (let r = 0; r < rounds; r++) {
      for (const a of audios) {
        const t = await runVoiceTurn(deps, a);
        turns.push(t.timingsMs.total);
        tts.push(t.timingsMs.ttsFirstAudio);
        stt += t.timingsMs.stt;
        audio += t.transcript.audioMs;
      }
    }
    return { turns, stt, sttCpu, audio, tts };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchVoice(log: (line: string) => void = console.log, rounds = 5): Promise<VoiceBenchReport> {
  const off = await loop('offline', rounds);
  const stub = await loop('stub', rounds);
  const s = (x: number[]) => x.slice().sort((a, b) => a - b);
  const report: VoiceBenchReport = {
    offline: { p50: pct(s(off.turns), 0.5), p95: pct(s(off.turns), 0.95), sttRtf: off.stt / off.audio, sttCpuRtf: off.sttCpu / off.audio, ttsFirstAudioP50: pct(s(off.tts), 0.5), n: off.turns.length },
    stub: { p50: pct(s(stub.turns), 0.5), p95: pct(s(stub.turns), 0.95), n: stub.turns.length },
  };
  const o = report.offline;
  log(`voice     end of speech → reply audio (offline): p50 ${o.p50.toFixed(0)} ms (target ≤ 400: ${o.p50 <= 400 ? 'met' : 'MISSED'}), p95 ${o.p95.toFixed(0)} ms (target ≤ 700: ${o.p95 <= 700 ? 'met' : 'MISSED'}) over ${o.n}`);
  log(`voice     STT real-time factor ${o.sttRtf.toFixed(3)} (target ≤ 0.1: ${o.sttRtf <= 0.1 ? 'met' : 'MISSED'}; CPU time ${o.sttCpuRtf.toFixed(3)}); TTS time to first audio p50 ${o.ttsFirstAudioP50.toFixed(0)} ms (the whole reply, default offline voice; the PulseAudio loop below streams it clause by clause)`);
  log(`voice     stub providers floor: p50 ${report.stub.p50.toFixed(1)} ms, p95 ${report.stub.p95.toFixed(1)} ms over ${report.stub.n}`);
  if (process.env['HF_BENCH_REJECTION'] === '1') await benchRejection(log);
  return report;
}

/**
 * Intent accuracy before/after the offline STT's rejection, and side-effect intents from
 * out-of-grammar speech and noise, on the calibration set and on the test set (clean and 10 dB SNR).
 */
export async function benchRejection(log: (line: string) => void = console.log): Promise<void> {
  const stt = new PocketsphinxSpeechToText({ knownRepos: FIXTURE_REPOS, people: FIXTURE_PEOPLE });
  const noise = pinkNoise();
  const sets = [
    { name: 'calibration', cmds: CALIBRATION_COMMANDS, oog: CALIBRATION_OUT_OF_GRAMMAR, voices: CALIBRATION_VOICES, seed: 17 },
    { name: 'test', cmds: CORPUS, oog: OUT_OF_GRAMMAR, voices: VOICES, seed: 0 },
  ];
  try {
    for (const set of sets) {
      const n = { clean: 0, snr10: 0 };
      const raw = { clean: 0, snr10: 0 };
      const kept = { clean: 0, snr10: 0 };
      let oogClips = 0;
      let oogRaw = 0;
      let oogKept = 0;
      const intentOf = (t: string) => recognize(t, { knownRepos: FIXTURE_REPOS }).name;
      for (const voice of set.voices) {
        for (const [k, c] of set.cmds.entries()) {
          const clean = await speak(c.text, voice);
          for (const cond of ['clean', 'snr10'] as const) {
            const a = stt.analyze(cond === 'clean' ? clean : withNoise(clean, 10, 300, k * 7919 + set.seed));
            n[cond]++;
            if (intentOf(a.heard) === c.intent) raw[cond]++;
            if (intentOf(a.text) === c.intent) kept[cond]++;
          }
        }
        for (const t of set.oog) {
          const a = stt.analyze(await speak(t, voice));
          oogClips++;
          if (SIDE_EFFECT_INTENTS.includes(intentOf(a.heard))) oogRaw++;
          if (SIDE_EFFECT_INTENTS.includes(intentOf(a.text))) oogKept++;
        }
      }
      for (let k = 0; k < 5; k++) {
        const a = stt.analyze({ sampleRateHz: 16_000, samples: noise.slice(k * 16_000 + set.seed * 100, k * 16_000 + 24_000 + set.seed * 100) });
        oogClips++;
        if (SIDE_EFFECT_INTENTS.includes(intentOf(a.heard))) oogRaw++;
        if (SIDE_EFFECT_INTENTS.includes(intentOf(a.text))) oogKept++;
      }
      const p = (x: number, d: number) => `${((100 * x) / d).toFixed(1)}%`;
      log(
        `voice     rejection, ${set.name} set (${set.voices.join(', ')}): intent clean ${p(kept.clean, n.clean)} (before rejection ${p(raw.clean, n.clean)}), ` +
          `10 dB SNR ${p(kept.snr10, n.snr10)} (before ${p(raw.snr10, n.snr10)}); side-effect intents from ${oogClips} out-of-grammar/noise clips: ${oogKept} (before ${oogRaw})`,
      );
    }
  } finally {
    stt.close();
  }
}
