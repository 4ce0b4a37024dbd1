/**
 * Voice-turn benchmark: end of speech → first reply audio (STT + pipeline + TTS; the utterance is
 * already endpointed, VAD is not built yet), STT real-time factor and TTS time to first audio, with
 * offline providers on the fixture account, and the same loop with the stub providers as the floor,
 * measured in one run. The lead wires `benchVoice` into run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runVoiceTurn } from '../../core/voice/turn.js';
import { createApp } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { pct } from '../../main/app/metrics.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { speak } from '../integration/speech-audio.js';

const PHRASES = ['what needs my attention', 'read pr twelve', 'are the checks passing on it', 'read the first one', 'next', 'help', 'repeat that'];

export interface VoiceBenchReport {
  offline: { p50: number; p95: number; sttRtf: number; ttsFirstAudioP50: number; n: number };
  stub: { p50: number; p95: number; n: number };
}

async function loop(kind: 'offline' | 'stub', rounds: number): Promise<{ turns: number[]; stt: number; audio: number; tts: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-voice-'));
  const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: kind, HANDSFREE_TTS: kind }), { logger: SILENT_LOGGER });
  const caller = { userId: 'bench', transport: 'cli' as const };
  try {
    const speech = await app.speech();
    const audios = await Promise.all(PHRASES.map((p) => speak(p, 'en-us')));
    const deps = {
      stt: speech.stt,
      tts: speech.tts,
      metrics: app.metrics,
      monotonicMs: () => performance.now(),
      runCommand: (text: string, conf: number) => app.service.runCommand({ text, client_context: { input: 'voice' as const, stt_confidence: conf } }, caller),
    };
    await runVoiceTurn(deps, audios[0]!); // warm-up: decoder start, grammar cache
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
    return { turns, stt, audio, tts };
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
    offline: { p50: pct(s(off.turns), 0.5), p95: pct(s(off.turns), 0.95), sttRtf: off.stt / off.audio, ttsFirstAudioP50: pct(s(off.tts), 0.5), n: off.turns.length },
    stub: { p50: pct(s(stub.turns), 0.5), p95: pct(s(stub.turns), 0.95), n: stub.turns.length },
  };
  const o = report.offline;
  log(`voice     end of speech → reply audio (offline): p50 ${o.p50.toFixed(0)} ms (target ≤ 400: ${o.p50 <= 400 ? 'met' : 'MISSED'}), p95 ${o.p95.toFixed(0)} ms (target ≤ 700: ${o.p95 <= 700 ? 'met' : 'MISSED'}) over ${o.n}`);
  log(`voice     STT real-time factor ${o.sttRtf.toFixed(3)} (target ≤ 0.1: ${o.sttRtf <= 0.1 ? 'met' : 'MISSED'}); TTS time to first audio p50 ${o.ttsFirstAudioP50.toFixed(0)} ms (whole synthesis: espeak-ng CLI does not stream here)`);
  log(`voice     stub providers floor: p50 ${report.stub.p50.toFixed(1)} ms, p95 ${report.stub.p95.toFixed(1)} ms over ${report.stub.n}`);
  return report;
}
