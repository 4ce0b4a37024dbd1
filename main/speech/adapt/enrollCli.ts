/**
 * `handsfree enroll`: reads the enrollment prompts from the mic (the add-on, through the same
 * capture path as the voice loop) or takes recorded files (`--wav-dir`), adapts the offline
 * recognizer to that voice and channel (MLLR), and stores the profile for this user.
 * `--reset` deletes the profile, `--status` shows it.
 *
 * --wav-dir layout: `NN.wav` (1-based) is prompt NN of ENROLLMENT_PROMPTS; a `NN.txt` next to it
 * overrides the prompt text (other phrases recorded elsewhere).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../app/config.js';
import { loadAddonAudio } from '../../audio/addonAudio.js';
import { recordPhrase } from '../../voice/enrollRecorder.js';
import { FvadVoiceActivityDetector } from '../vad/fvadVad.js';
import { decodeAudio } from '../wav.js';
import type { EnrollmentClip } from './mllr.js';
import { ENROLLMENT_PROMPTS } from './prompts.js';
import { VoiceProfileStore } from './voiceProfile.js';

export interface EnrollCliOptions {
  wavDir?: string;
  reset?: boolean;
  status?: boolean;
  json: boolean;
}

const err = (s: string): void => void process.stderr.write(`handsfree: ${s}\n`);

/** Reads `NN.wav` (+ optional `NN.txt`) from a directory, in prompt order. */
export async function clipsFromDir(dir: string): Promise<EnrollmentClip[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d+\.wav$/i.test(f))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const clips: EnrollmentClip[] = [];
  for (const f of files) {
    const i = parseInt(f, 10);
    const txt = join(dir, f.replace(/\.wav$/i, '.txt'));
    const text = existsSync(txt) ? readFileSync(txt, 'utf8').trim() : ENROLLMENT_PROMPTS[i - 1];
    if (text === undefined) throw new Error(`${f}: there is no prompt ${i} (1–${ENROLLMENT_PROMPTS.length}); add ${f.replace(/\.wav$/i, '.txt')} with what was said`);
    clips.push({ text, audio: await decodeAudio(readFileSync(join(dir, f))) });
  }
  return clips;
}

async function clipsFromMic(): Promise<EnrollmentClip[]> {
  const audio = await loadAddonAudio();
  if (!audio.source.available) throw new Error(audio.source.unavailableReason ?? 'the microphone is not available');
  const vad = await FvadVoiceActivityDetector.create({ frameMs: 20, mode: 2 });
  const capture = await audio.source.openCapture({ sampleRateHz: vad.sampleRateHz, channels: 1, frameMs: 20, format: 'int16' });
  const clips: EnrollmentClip[] = [];
  try {
    err(`read each phrase aloud after it appears, at your normal pace, through the headset you use (${ENROLLMENT_PROMPTS.length} phrases).`);
    for (const [i, text] of ENROLLMENT_PROMPTS.entries()) {
      process.stderr.write(`\n[${i + 1}/${ENROLLMENT_PROMPTS.length}] say: "${text}"\n`);
      for (let attempt = 1; ; attempt++) {
        try {
          clips.push({ text, audio: await recordPhrase(capture, vad) });
          break;
        } catch (e) {
          if (attempt >= 3) throw e;
          err(`${(e as Error).message}; please say it again.`);
        }
      }
    }
  } finally {
    capture.close();
    vad.close();
  }
  return clips;
}

export async function runEnroll(config: AppConfig, opts: EnrollCliOptions): Promise<number> {
  const store = new VoiceProfileStore(config.dataDir, config.user);
  const out = (o: object, text: string): void => void process.stdout.write(opts.json ? `${JSON.stringify(o)}\n` : `${text}\n`);
  if (opts.status) {
    const s = store.status();
    out(s, s.enrolled ? `Voice profile for ${config.user}: ${store.path} (made ${new Date(s.updatedAtMs ?? 0).toISOString()}).` : `No voice profile for ${config.user}.${s.available ? '' : ` ${s.reason}`}`);
    return 0;
  }
  if (opts.reset) {
    const had = store.reset();
    out({ reset: had }, had ? `Voice profile for ${config.user} deleted; the default model is used.` : `There was no voice profile for ${config.user}.`);
    return 0;
  }
  if (!store.status().available) {
    err(store.status().reason ?? 'voice adaptation is not available');
    return 2;
  }
  let clips: EnrollmentClip[];
  try {
    clips = opts.wavDir !== undefined ? await clipsFromDir(opts.wavDir) : await clipsFromMic();
  } catch (e) {
    err(`enrollment stopped: ${(e as Error).message}`);
    return 2;
  }
  const t0 = performance.now();
  try {
    const path = await store.enroll(clips);
    const s = Math.round((performance.now() - t0) / 100) / 10;
    out({ path, clips: clips.length, seconds: s }, `Voice profile saved (${clips.length} phrases, adapted in ${s} s): ${path}. The offline recognizer uses it from now on; handsfree enroll --reset removes it.`);
    return 0;
  } catch (e) {
    err(`adaptation failed, nothing saved: ${(e as Error).message.split('\n')[0] ?? ''}`);
    return 1;
  }
}
