/** The offline recognizer's free-English decoding (the rejection's background model) and the word error count of the TTS round trip. */
import { describe, expect, it } from 'vitest';
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { wordErrors } from '../bench/ttsRoundTrip.js';
import { HAS_FLITE, synth } from './speech-eval.js';
import { hasSpeechTools } from './speech-audio.js';

describe('word errors', () => {
  it('counts substitutions, insertions and deletions', () => {
    const w = (s: string) => s.split(' ').filter((x) => x !== '');
    expect(wordErrors(w('merge pull request twelve'), w('merge pull request twelve'))).toBe(0);
    expect(wordErrors(w('merge pull request twelve'), w('merge the pull request twenty'))).toBe(2);
    expect(wordErrors(w('two checks are running'), w(''))).toBe(4);
    expect(wordErrors(w(''), w('hello there'))).toBe(2);
  });
});

describe.skipIf(!hasSpeechTools() || !HAS_FLITE)('free transcript (no grammar)', () => {
  it('hears words no command has, where the grammar hears nothing or a command; it says so when the background model is off', async () => {
    const stt = new PocketsphinxSpeechToText({ backgroundArgs: ['-beam', '1e-48', '-pbeam', '1e-48', '-wbeam', '7e-29', '-maxhmmpf', '30000', '-maxwpf', '-1'] });
    try {
      const audio = await synth('the integration tests failed at the build step', 'flite:rms');
      const free = stt.freeTranscript(audio).split(/\s+/);
      expect(free.filter((w) => ['integration', 'tests', 'failed', 'build', 'step'].includes(w)).length).toBeGreaterThanOrEqual(3);
      expect((await stt.transcribe(audio)).text).not.toContain('integration');
    } finally {
      stt.close();
    }
    const off = new PocketsphinxSpeechToText({ background: false });
    try {
      expect(() => off.freeTranscript({ sampleRateHz: 16_000, samples: new Int16Array(16_000) })).toThrow(/background model is off/);
    } finally {
      off.close();
    }
  });
});
