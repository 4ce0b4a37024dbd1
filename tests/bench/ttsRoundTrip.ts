/**
 * Which offline reply voice is the clearest (issue 11, item 8): read-back and inbox sentences are
 * synthesized in each voice and decoded by pocketsphinx with the general English LM (no grammar),
 * as a stand-in listener; the word error rate is printed per voice, next to the app's default
 * voice (espeak-ng en-us) measured in the same run. Lower is clearer. A synthetic listener, not a
 * person: it ranks voices, it does not say how well people understand them.
 */
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { HAS_FLITE, synth, type VoiceId } from '../integration/speech-eval.js';
import { hasSpeechTools } from '../integration/speech-audio.js';

/** Sentences of the kind the app says (read-backs, inbox, CI, agent), none of them a command. */
const SENTENCES = [
  'you have three unread notifications',
  'the first one is a review request from maya',
  'checks are passing on this pull request',
  'merge pull request twelve into main say confirm or cancel',
  'the integration tests failed at the build step',
  'i sent the issue to the coding agent',
  'nothing new since this morning',
  'the last comment says please add tests',
  'two checks are still running',
  'i could not find that repository',
  'the agent opened a pull request for issue nine',
  'you are now using the api repository',
];

const DEFAULT_VOICE: VoiceId = 'espeak:en-us';
const VOICES: readonly VoiceId[] = [DEFAULT_VOICE, 'espeak:en-us+f3', 'espeak:en-gb', 'flite:slt', 'flite:awb', 'flite:rms', 'flite:kal16'];
/** The listener's search: pocketsphinx's default beams (the rejection's background search is pruned harder). */
const LISTENER_ARGS = ['-beam', '1e-48', '-pbeam', '1e-48', '-wbeam', '7e-29', '-maxhmmpf', '30000', '-maxwpf', '-1', '-fwdflat', 'yes', '-bestpath', 'yes'];

/** Word-level edit distance (substitutions + insertions + deletions). */
export function wordErrors(ref: readonly string[], hyp: readonly string[]): number {
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[hyp.length]!;
}

export async function benchTtsRoundTrip(log: (line: string) => void = console.log): Promise<Record<string, number> | null> {
  if (!hasSpeechTools()) {
    log('tts       reply-voice round trip: skipped (needs espeak-ng, sox and pocketsphinx)');
    return null;
  }
  const listener = new PocketsphinxSpeechToText({ backgroundArgs: LISTENER_ARGS });
  const words = (s: string) => s.split(/\s+/).filter((w) => w !== '' && !w.startsWith('<') && !w.startsWith('['));
  const wer: Record<string, number> = {};
  try {
    for (const voice of VOICES) {
      if (voice.startsWith('flite:') && !HAS_FLITE) continue;
      let errors = 0;
      let total = 0;
      for (const s of SENTENCES) {
        const heard = listener.freeTranscript(await synth(s, voice));
        errors += wordErrors(words(s), words(heard.replace(/\(\d+\)/g, '')));
        total += words(s).length;
      }
      wer[voice] = (100 * errors) / total;
    }
  } finally {
    listener.close();
  }
  const base = wer[DEFAULT_VOICE]!;
  const rows = Object.entries(wer).map(([v, w]) => `${v} ${w.toFixed(1)}% (${(w / base).toFixed(2)}×)`);
  log(`tts       reply-voice round trip, word error rate of a free-English pocketsphinx listener over ${SENTENCES.length} sentences (lower is clearer; × the default ${DEFAULT_VOICE}): ${rows.join(', ')}`);
  return wer;
}
