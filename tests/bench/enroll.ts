/**
 * `npm run bench speech-enroll`: voice profile (MLLR) before/after on the whole command corpus
 * (minus the enrollment prompts) for a few voices on the 8 kHz headset band: each voice enrolls
 * with the 20 prompts, then its unseen commands are decoded with and without its profile.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recognize } from '../../core/intent/recognizer.js';
import type { PcmAudio } from '../../core/ports/speech.js';
import { ENROLLMENT_PROMPTS } from '../../main/speech/adapt/prompts.js';
import { VoiceProfileStore } from '../../main/speech/adapt/voiceProfile.js';
import { createSpeechProviders } from '../../main/speech/providers.js';
import { parseWav } from '../../main/speech/wav.js';
import { CORPUS, FIXTURE_PEOPLE, FIXTURE_REPOS, speakToWav } from '../integration/speech-audio.js';

function hfp(path: string): PcmAudio {
  const nb = path.replace(/\.wav$/, '.hfp.wav');
  try {
    return parseWav(readFileSync(nb));
  } catch {
    execFileSync('sox', ['-R', path, '-r', '8000', `${nb}.8k.wav`, 'sinc', '300-3400']);
    execFileSync('sox', ['-R', `${nb}.8k.wav`, '-r', '16000', nb]);
    return parseWav(readFileSync(nb));
  }
}

export async function benchEnroll(log: (line: string) => void): Promise<void> {
  const unseen = CORPUS.filter((c) => !ENROLLMENT_PROMPTS.includes(c.text));
  for (const voice of (process.env['HF_ENROLL_VOICES'] ?? 'en-us,en-us+f3,en-gb').split(',')) {
    const store = new VoiceProfileStore(mkdtempSync(join(tmpdir(), 'hf-enroll-bench-')), 'bench');
    const sp = createSpeechProviders({ stt: 'offline', tts: 'stub', voiceProfile: store });
    sp.prepare({ knownRepos: FIXTURE_REPOS, people: FIXTURE_PEOPLE });
    const test = await Promise.all(unseen.map(async (c) => hfp(await speakToWav(c.text, voice))));
    const score = async (): Promise<number> => {
      let ok = 0;
      for (const [i, a] of test.entries()) {
        const r = recognize((await sp.stt.transcribe(a)).text, { knownRepos: FIXTURE_REPOS });
        const want = unseen[i]!;
        if (r.name === want.intent && Object.entries(want.entities ?? {}).every(([k, x]) => (r.entities as Record<string, unknown>)[k] === x)) ok++;
      }
      return ok;
    };
    const before = await score();
    const enroll = await Promise.all(ENROLLMENT_PROMPTS.map(async (t) => ({ text: t, audio: hfp(await speakToWav(t, voice)) })));
    const t0 = performance.now();
    await store.enroll(enroll);
    const ms = performance.now() - t0;
    sp.reloadVoiceProfile();
    const after = await score();
    log(`enroll    espeak ${voice} on the 8 kHz HFP band: intents on ${test.length} unseen commands ${before} → ${after} (${((100 * before) / test.length).toFixed(0)}% → ${((100 * after) / test.length).toFixed(0)}%), adaptation ${(ms / 1000).toFixed(1)} s`);
    sp.close();
  }
}
