/**
 * Picks the speech providers from configuration: offline (default: pocketsphinx + espeak-ng) or
 * stub. The offline STT's grammar is built from the user's repos (GitHubGateway.listRepos) the
 * first time it is needed.
 */
import type { ProviderHealth, SpeechToText, TextToSpeech } from '../../core/ports/speech.js';
import { EspeakTextToSpeech } from './espeak.js';
import { PocketsphinxSpeechToText } from './pocketsphinx.js';
import { StubSpeechToText, StubTextToSpeech } from './stub.js';

export type SpeechProviderKind = 'offline' | 'stub';

export interface SpeechConfig {
  stt: SpeechProviderKind;
  tts: SpeechProviderKind;
  /** Default TTS voice (provider-specific). */
  voice?: string;
  /** Transcript of the stub STT. */
  stubTranscript?: string;
}

export interface SpeechProviders {
  stt: SpeechToText;
  tts: TextToSpeech;
  /** Loads the user's repos into the offline grammar (no-op for the stub). */
  prepare(vocabulary: { knownRepos: readonly string[]; people?: readonly string[] }): void;
  health(): { stt: ProviderHealth; tts: ProviderHealth };
  close(): void;
}

export function createSpeechProviders(cfg: SpeechConfig): SpeechProviders {
  const ps = cfg.stt === 'offline' ? new PocketsphinxSpeechToText() : null;
  const stt: SpeechToText = ps ?? new StubSpeechToText(cfg.stubTranscript);
  const tts: TextToSpeech = cfg.tts === 'offline' ? new EspeakTextToSpeech() : new StubTextToSpeech();
  return {
    stt,
    tts,
    prepare(v) {
      ps?.setVocabulary({ knownRepos: v.knownRepos, people: v.people });
    },
    health: () => ({ stt: stt.health(), tts: tts.health() }),
    close() {
      ps?.close();
    },
  };
}
