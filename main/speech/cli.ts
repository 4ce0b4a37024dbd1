/**
 * `handsfree say "text" --out f.wav` and `handsfree listen --wav in.wav [--out reply.wav]`:
 * the speech providers and one whole voice turn from a file (decode → STT → pipeline → TTS).
 * Spoken text goes to stdout, the transcript and timings to stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { voiceClientContext } from '../../contract/api.js';
import { isAppError } from '../../contract/errors.js';
import { runVoiceTurn } from '../../core/voice/turn.js';
import { composeApp } from '../app/compose.js';
import type { AppConfig } from '../app/config.js';
import { createLogger } from '../log/logger.js';
import { createSpeechProviders } from './providers.js';
import { decodeAudio, encodeWav } from './wav.js';

export async function runSay(config: AppConfig, text: string, opts: { out?: string; voice?: string; json: boolean }): Promise<number> {
  if (text.trim() === '') {
    process.stderr.write('handsfree: say needs text, e.g. handsfree say "hello" --out hello.wav\n');
    return 2;
  }
  if (opts.out === undefined) {
    process.stderr.write('handsfree: say needs --out <file.wav>\n');
    return 2;
  }
  const speech = createSpeechProviders(config.speech);
  try {
    const s = await speech.tts.synthesize(text, { voice: opts.voice ?? config.speech.voice });
    writeFileSync(opts.out, encodeWav(s.audio));
    const ms = Math.round((s.audio.samples.length / s.audio.sampleRateHz) * 1000);
    if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, provider: s.provider, duration_ms: ms, first_audio_ms: Math.round(s.firstAudioMs) })}\n`);
    else process.stderr.write(`handsfree: wrote ${opts.out} (${ms} ms of speech, ${s.provider})\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`handsfree: could not synthesize speech: ${(e as Error).message}\n`);
    return 1;
  } finally {
    speech.close();
  }
}

export async function runListen(config: AppConfig, opts: { wav?: string; out?: string; voice?: string; session?: string; json: boolean }): Promise<number> {
  if (opts.wav === undefined) {
    process.stderr.write('handsfree: listen needs --wav <file> (WAV, MP3 or OGG/Opus; ≤ 10 MB, ≤ 60 s)\n');
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(opts.wav);
  } catch (e) {
    process.stderr.write(`handsfree: cannot read ${opts.wav}: ${(e as Error).message}\n`);
    return 2;
  }
  let audio;
  try {
    audio = await decodeAudio(bytes);
  } catch (e) {
    process.stderr.write(`handsfree: ${isAppError(e) ? e.message : String(e)}\n`);
    return 2;
  }
  const app = await composeApp('cli', config, { logger: createLogger({ level: config.logLevel }) });
  try {
    const speech = await app.speech();
    const caller = { userId: config.user, transport: 'cli' as const };
    const turn = await runVoiceTurn(
      {
        stt: speech.stt,
        tts: speech.tts,
        metrics: app.metrics,
        monotonicMs: () => performance.now(),
        runCommand: (text, conf, numbers) => app.service.runCommand({ text, ...(opts.session ? { session_id: opts.session } : {}), client_context: voiceClientContext(conf, numbers) }, caller),
      },
      audio,
      { voice: opts.voice ?? config.speech.voice },
    );
    if (opts.out !== undefined && turn.reply !== null) writeFileSync(opts.out, encodeWav(turn.reply.audio));
    const t = turn.timingsMs;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ transcript: turn.transcript.text, unsure: turn.transcript.unsure ?? null, stt_provider: turn.transcript.provider, spoken_text: turn.spokenText, response: turn.response, out: opts.out ?? null, timings_ms: t }, null, 2)}\n`);
    } else {
      process.stderr.write(`heard: "${turn.transcript.text}" (${turn.transcript.provider}; stt ${Math.round(t.stt)} ms, pipeline ${Math.round(t.pipeline)} ms, tts ${Math.round(t.ttsFirstAudio)} ms)\n`);
      // A command heard but not passed on (Transcript.unsure): nothing ran; say what it was.
      if (turn.transcript.unsure !== undefined) process.stderr.write(`handsfree: heard "${turn.transcript.unsure}" but not clearly enough to act on it; if that is right, run: handsfree ask "${turn.transcript.unsure}"\n`);
      process.stdout.write(`${turn.spokenText}\n`);
      if (opts.out !== undefined) process.stderr.write(`handsfree: reply written to ${opts.out}\n`);
    }
    return turn.response?.status === 'error' ? 1 : 0;
  } finally {
    await app.close();
  }
}
