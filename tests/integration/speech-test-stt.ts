/**
 * The offline recognizer as the speech test files use it: the fixture account's repos and people,
 * built and warmed up before the file's tests (when the speech tools are here), closed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { FIXTURE_PEOPLE, FIXTURE_REPOS } from './speech-audio.js';

/** Registers the calling file's hooks; the getter returns the recognizer inside its tests. */
export function useFixtureStt(enabled: boolean): () => PocketsphinxSpeechToText {
  let stt: PocketsphinxSpeechToText | undefined;
  beforeAll(() => {
    if (!enabled) return;
    stt = new PocketsphinxSpeechToText({ knownRepos: FIXTURE_REPOS, people: FIXTURE_PEOPLE });
    stt.warmUp();
  }, 120_000);
  afterAll(() => stt?.close());
  return () => {
    if (stt === undefined) throw new Error('The offline recognizer was not built: the speech tools are missing.');
    return stt;
  };
}
