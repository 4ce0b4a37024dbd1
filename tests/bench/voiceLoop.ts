/**
 * Hands-free turn latency through real devices: a private PulseAudio server, the audio add-on in
 * its own process (the app's default path), the voice runner (WebRTC VAD, pocketsphinx, the
 * fixture pipeline, espeak-ng). A spoken command is
 * played into the null sink "hf_mic" (the loop's mic is its monitor); the loop replies into
 * "hf_spk". Two add-on captures on the same monotonic clock record both monitors, so:
 * - VAD mode: the real end of the spoken audio (last loud 20 ms window on hf_mic) → the first
 *   loud window of the reply on hf_spk;
 * - push-to-talk: the release (right after the played audio ended) → the first reply window.
 * Each reply is stopped once heard (its length is not the point). Prints p50/p95 of both, and
 * where the time goes per turn (p50 of each stage, from the loop's state events and a tap on the
 * playback session, all on the add-on's clock):
 * - endpoint: real end of speech → the loop's endpoint (VAD hangover, or the early end);
 * - stt: endpoint → transcript (final decode; ~0 when the early end had it already);
 * - pipeline: transcript → reply text (the command);
 * - tts: reply text → first audio written to the output (synthesis up to its first chunk, stream open);
 * - playback: first audio written → first loud window on the speaker's monitor (buffers, server).
 * Also the VAD-mode endpoint p50 per phrase (which commands wait longest). Experiments:
 * HF_VOICE_MODES=vad (one mode only), HF_EARLY_MS (the loop's earlyEndSilenceMs), HF_TTS_VOICE
 * (the reply voice, e.g. en-us; default: the offline default, flite kal16 when installed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { PcmChunk, PlaybackSession } from '../../core/ports/audio.js';
import { createApp } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { pct } from '../../main/app/metrics.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { loadAddonAudio, type AddonAudio, type AudioAddonModule } from '../../main/audio/addonAudio.js';
import { startAudioProcess } from '../../main/audio/audioProcess.js';
import { VoiceRunner } from '../../main/voice/voiceRunner.js';
import { hasPulseTools, paplay, startPulse } from '../../native/audio-addon/bench/pulseServer.js';
import { hasSpeechTools, speakToWav } from '../integration/speech-audio.js';

const PHRASES = ['what needs my attention', 'help', 'next', 'repeat that', 'read the first one', 'read pr twelve'];
/** Loud enough to be speech, not the null sink's digital silence, dBFS. */
const LOUD_DBFS = -45;
const loader = async (): Promise<AudioAddonModule> => (await import('../../native/audio-addon/lib/index.js')) as unknown as AudioAddonModule;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tap {
  /** [timestampMs, rmsDbfs] per 20 ms chunk. */
  windows: [number, number][];
  close(): void;
}

const STAGES = ['endpoint', 'stt', 'pipeline', 'tts', 'playback'] as const;
type Stage = (typeof STAGES)[number];

export interface VoiceLoopBenchReport {
  vad: { p50: number; p95: number; n: number; early: number; stagesP50: Record<Stage, number> };
  ptt: { p50: number; p95: number; n: number; stagesP50: Record<Stage, number> };
}

export async function benchVoiceLoop(log: (line: string) => void = console.log, rounds = 3): Promise<VoiceLoopBenchReport | null> {
  if (!hasSpeechTools() || !hasPulseTools()) {
    log('voice     hands-free loop through PulseAudio: skipped (needs espeak-ng, sox, pocketsphinx and PulseAudio)');
    return null;
  }
  const probe = await loadAddonAudio(loader);
  if (!probe.source.available) {
    log(`voice     hands-free loop through PulseAudio: skipped (${probe.source.unavailableReason ?? 'no add-on'})`);
    return null;
  }
  const pulse = await startPulse();
  const dir = mkdtempSync(join(tmpdir(), 'hf-bench-loop-'));
  let devices: AddonAudio | null = null;
  try {
    await pulse.loadModule('module-null-sink', 'sink_name=hf_mic', 'rate=16000', 'channels=1', 'sink_properties=device.description=BenchMic');
    await pulse.loadModule('module-null-sink', 'sink_name=hf_spk', 'rate=48000', 'channels=1', 'sink_properties=device.description=BenchSpeaker');
    // The app's audio path: the add-on in its own process (capture echo-cancelled there), as openDefaultAudio gives it.
    const host = await startAudioProcess();
    devices = host;
    if (!host.source.available) throw new Error(`the audio process is not available: ${host.source.unavailableReason ?? ''}`);
    // The loop's output, tapped: when each write() was called (add-on clock).
    const writes: number[] = [];
    const tapSession = (inner: PlaybackSession): PlaybackSession => ({
      ...inner,
      write: (pcm) => {
        writes.push(host.nowMs());
        return inner.write(pcm);
      },
      drain: () => inner.drain(),
      stop: () => inner.stop(),
      position: () => inner.position(),
      onRoute: (l) => inner.onRoute(l),
      close: () => inner.close(),
    });
    const audio: AddonAudio = { source: host.source, nowMs: () => host.nowMs(), sink: { available: host.sink.available, openPlayback: async (req) => tapSession(await host.sink.openPlayback(req)) } };
    const tap = async (device: string): Promise<Tap> => {
      // The device as it is: through the canceller, the reply's own tap would be cancelled as echo.
      const cap = await audio.source.openCapture({ deviceId: device, sampleRateHz: 16_000, channels: 1, frameMs: 20, format: 'int16', echoCancellation: false });
      const windows: [number, number][] = [];
      cap.onChunk((c: PcmChunk) => {
        const d = c.data as Int16Array;
        let e = 0;
        for (const v of d) e += v * v;
        const r = Math.sqrt(e / Math.max(1, d.length)) / 32768;
        windows.push([c.captureTimestampMs, r > 0 ? 20 * Math.log10(r) : -120]);
      });
      return { windows, close: () => cap.close() };
    };
    const wavs = await Promise.all(PHRASES.map((p) => speakToWav(p, 'en-us')));
    const result = { vad: [] as number[], ptt: [] as number[], early: 0, reused: 0, speculations: 0 };
    const stageSamples = { vad: Object.fromEntries(STAGES.map((k) => [k, [] as number[]])), ptt: Object.fromEntries(STAGES.map((k) => [k, [] as number[]])) } as Record<'vad' | 'ptt', Record<Stage, number[]>>;
    const stages: Record<string, string> = {};
    /** VAD mode: real end of speech → the loop's endpoint, per phrase (which commands wait longest). */
    const endpointByPhrase = new Map<string, number[]>(PHRASES.map((p) => [p, []]));
    const modes = (process.env['HF_VOICE_MODES'] ?? 'vad,ptt').split(',').filter((m): m is 'vad' | 'ptt' => m === 'vad' || m === 'ptt');
    for (const mode of modes) {
      const voice = process.env['HF_TTS_VOICE'];
      const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: join(dir, mode), HANDSFREE_STT: 'offline', HANDSFREE_TTS: 'offline', ...(voice ? { HANDSFREE_TTS_VOICE: voice } : {}) }), { logger: SILENT_LOGGER });
      const runner = await VoiceRunner.start(app, { audio, loop: { mode, ...(process.env['HF_EARLY_MS'] ? { earlyEndSilenceMs: Number(process.env['HF_EARLY_MS']) } : {}) }, captureDeviceId: 'pulse:hf_mic.monitor', playbackDeviceId: 'pulse:hf_spk', speakNotifications: false, announceRoutes: false });
      const events: VoiceStateEvent[] = [];
      const offEvents = app.events.on('voice.state', (e) => events.push(e));
      const mic = await tap('pulse:hf_mic.monitor');
      const spk = await tap('pulse:hf_spk.monitor');
      try {
        await paplay(pulse, wavs[0]!, 'hf_mic'); // warm-up: decoder, grammar, TTS
        await sleep(4_000);
        runner.stop();
        for (let r = 0; r < rounds; r++) {
          for (const [i, wav] of wavs.entries()) {
            await sleep(800); // the loop re-arms after its tail
            const from = audio.nowMs();
            if (mode === 'ptt') runner.pttStart();
            await paplay(pulse, wav, 'hf_mic');
            const releasedAt = audio.nowMs();
            if (mode === 'ptt') runner.pttStop();
            const until = Date.now() + 8_000;
            let first: number | null = null;
            while (first === null && Date.now() < until) {
              await sleep(10);
              first = spk.windows.find(([t, db]) => t > from && db > LOUD_DBFS)?.[0] ?? null;
            }
            runner.stop();
            if (first === null) continue; // nothing heard back (rejected): not a latency sample
            let endOfSpeech = releasedAt;
            if (mode === 'vad') {
              const voiced = mic.windows.filter(([t, db]) => t > from && t < first! && db > LOUD_DBFS);
              endOfSpeech = (voiced.at(-1)?.[0] ?? first) + 20;
              result.vad.push(first - endOfSpeech);
            } else {
              result.ptt.push(first - releasedAt);
            }
            // Stage boundaries of this turn (the last of each state before the reply was heard).
            const at = (state: VoiceStateEvent['state']) => events.filter((e) => e.state === state && e.at_ms > from && e.at_ms <= first!).at(-1)?.at_ms;
            const endpoint = at('endpoint');
            const thinking = at('thinking');
            const speaking = at('speaking');
            const written = writes.find((t) => t > from && t <= first!);
            if (endpoint !== undefined && thinking !== undefined && speaking !== undefined && written !== undefined) {
              const st = stageSamples[mode];
              st.endpoint.push(endpoint - endOfSpeech);
              if (mode === 'vad') endpointByPhrase.get(PHRASES[i]!)!.push(endpoint - endOfSpeech);
              st.stt.push(thinking - endpoint);
              st.pipeline.push(speaking - thinking);
              st.tts.push(written - speaking);
              st.playback.push(first - written);
            }
          }
        }
        if (mode === 'vad') {
          result.early = Number(app.metrics.snapshot().counters?.['voice.early_endpoint'] ?? 0);
          result.reused = Number(app.metrics.snapshot().counters?.['voice.speculation_reused'] ?? 0);
          result.speculations = Number(app.metrics.snapshot().counters?.['voice.speculations'] ?? 0);
        }
        const st = app.metrics.snapshot().stages;
        stages[mode] = ['voice.vad_endpoint', 'voice.stt', 'voice.pipeline', 'voice.tts_first_audio', 'voice.turn_to_first_audio']
          .filter((k) => st[k])
          .map((k) => `${k.replace('voice.', '')} ${st[k]!.p50_ms.toFixed(0)}`)
          .join(', ');
      } finally {
        offEvents();
        mic.close();
        spk.close();
        runner.close();
        await app.close();
      }
    }
    const s = (x: number[]) => x.slice().sort((a, b) => a - b);
    const p50s = (m: 'vad' | 'ptt') => Object.fromEntries(STAGES.map((k) => [k, pct(s(stageSamples[m][k]), 0.5)])) as Record<Stage, number>;
    const report: VoiceLoopBenchReport = {
      vad: { p50: pct(s(result.vad), 0.5), p95: pct(s(result.vad), 0.95), n: result.vad.length, early: result.early, stagesP50: p50s('vad') },
      ptt: { p50: pct(s(result.ptt), 0.5), p95: pct(s(result.ptt), 0.95), n: result.ptt.length, stagesP50: p50s('ptt') },
    };
    const breakdown = (m: 'vad' | 'ptt') => STAGES.map((k) => `${k} ${Number.isFinite(report[m].stagesP50[k]) ? report[m].stagesP50[k].toFixed(0) : '-'}`).join(', ');
    log(
      `voice     PulseAudio loop, end of speech → first reply audio: VAD mode p50 ${report.vad.p50.toFixed(0)} ms (target ≤ 250: ${report.vad.p50 <= 250 ? 'met' : 'MISSED'}), p95 ${report.vad.p95.toFixed(0)} ms over ${report.vad.n} (${report.vad.early} ended early by the grammar, ${result.reused} at the hangover with the pause's transcript; ${result.speculations} speculative decodes); push-to-talk release p50 ${report.ptt.p50.toFixed(0)} ms, p95 ${report.ptt.p95.toFixed(0)} ms over ${report.ptt.n}`,
    );
    log(`voice     where the time goes, p50 per stage, ms: VAD mode ${breakdown('vad')}; push-to-talk ${breakdown('ptt')}`);
    log(`voice     VAD mode endpoint p50 per phrase, ms: ${[...endpointByPhrase].map(([p, xs]) => `"${p}" ${xs.length > 0 ? pct(s(xs), 0.5).toFixed(0) : '-'}`).join(', ')}`);
    // Every stage but the silence waits is CPU: on a shared machine the decode's backlog dominates.
    log(`voice     load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores at the end of the run`);
    log(`voice     PulseAudio loop metrics, p50 ms (in-app clock): VAD ${stages['vad'] ?? '-'}; push-to-talk ${stages['ptt'] ?? '-'}`);
    return report;
  } finally {
    devices?.close?.();
    await pulse.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
