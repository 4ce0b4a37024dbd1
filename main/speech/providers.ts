/**
 * Picks the speech providers from configuration: offline (default: pocketsphinx + espeak-ng),
 * openai (behind the breaker, with the offline provider as fallback; fallback.ts) or stub. The
 * offline STT's grammar is built from the user's repos (GitHubGateway.listRepos) the first time
 * it is needed; the OpenAI STT gets the same names as a vocabulary prompt.
 */
import type { SttProviderName, TtsProviderName } from '../../contract/providers.js';
import type { ProviderHealth, SpeechToText, TextToSpeech } from '../../core/ports/speech.js';
import { LastError, recordFailures, type LastErrorView } from '../log/lastError.js';
import { FallbackNotices, FallbackSpeechToText, FallbackTextToSpeech } from './fallback.js';
import { OfflineTextToSpeech } from './offlineTts.js';
import { OpenAiSpeechToText } from './openai/openAiSpeechToText.js';
import { OpenAiTextToSpeech } from './openai/openAiTextToSpeech.js';
import { OPENAI_DEFAULTS, type OpenAiSpeechSettings } from './openai/settings.js';
import { PocketsphinxSpeechToText } from './pocketsphinx.js';
import { StubSpeechToText, StubTextToSpeech } from './stub.js';

export interface SpeechConfig {
  stt: SttProviderName;
  tts: TtsProviderName;
  /** Default TTS voice (provider-specific). */
  voice?: string;
  /** Transcript of the stub STT. */
  stubTranscript?: string;
  /** Used when stt or tts is `openai` (no key → offline with a notice). */
  openai?: OpenAiSpeechSettings;
  /** The user's voice profile (adapt/voiceProfile.ts): its MLLR transform is used whenever it exists. */
  voiceProfile?: { current(): string | null };
}

export interface SpeechProviders {
  stt: SpeechToText;
  tts: TextToSpeech;
  /** Loads the user's repos into the offline grammar (no-op for the stub). */
  prepare(vocabulary: { knownRepos: readonly string[]; people?: readonly string[] }): void;
  /** Health now, plus each role's last failure and when (kept after it recovers). */
  health(): { stt: ProviderHealth & { last_error: LastErrorView | null }; tts: ProviderHealth & { last_error: LastErrorView | null } };
  /** Re-reads the voice profile (after enrollment or reset); the offline decoder is rebuilt on next use. */
  reloadVoiceProfile(): void;
  /**
   * Loads the reply voice's process ahead (flite's spare), so the first reply does not wait for it.
   * Called where replies are about to be spoken (the voice loop), not by every user of the
   * providers: a status check or a one-off synthesis must not leave a process waiting.
   */
  warmUp(): void;
  close(): void;
}

/** Decoder arguments for a voice profile: `-mllr <file>` when one exists. */
export function voiceProfileArgs(profile: { current(): string | null } | undefined): string[] {
  const p = profile?.current() ?? null;
  return p === null ? [] : ['-mllr', p];
}

export function createSpeechProviders(cfg: SpeechConfig): SpeechProviders {
  // Each concrete provider's failures are recorded (also the cloud's, when a fallback answered), for Status.
  const sttErrors = new LastError();
  const ttsErrors = new LastError();
  const ps = cfg.stt === 'offline' || cfg.stt === 'openai' ? new PocketsphinxSpeechToText({ decoderArgs: voiceProfileArgs(cfg.voiceProfile) }) : null;
  const openai = cfg.openai ?? { ...OPENAI_DEFAULTS, apiKey: () => undefined };
  const notices = new FallbackNotices(); // one "using offline speech" per outage for STT and TTS together
  const resilience = { halfOpenAfterMs: openai.halfOpenAfterMs };
  const cloudStt = cfg.stt === 'openai' ? new OpenAiSpeechToText(openai) : null;
  const psWatched = ps && recordFailures(ps, sttErrors);
  const stt: SpeechToText =
    cloudStt !== null && psWatched !== null ? new FallbackSpeechToText(recordFailures(cloudStt, sttErrors), psWatched, resilience, notices) : (psWatched ?? new StubSpeechToText(cfg.stubTranscript));
  const offline = cfg.tts === 'offline' || cfg.tts === 'openai' ? new OfflineTextToSpeech() : null;
  const offlineTts = recordFailures(offline ?? new StubTextToSpeech(), ttsErrors);
  const tts: TextToSpeech = cfg.tts === 'openai' ? new FallbackTextToSpeech(recordFailures(new OpenAiTextToSpeech(openai), ttsErrors), offlineTts, resilience, notices) : offlineTts;
  return {
    stt,
    tts,
    prepare(v) {
      ps?.setVocabulary({ knownRepos: v.knownRepos, people: v.people });
      cloudStt?.setVocabulary(v);
    },
    health: () => ({ stt: { ...stt.health(), last_error: sttErrors.last }, tts: { ...tts.health(), last_error: ttsErrors.last } }),
    reloadVoiceProfile() {
      ps?.setDecoderArgs(voiceProfileArgs(cfg.voiceProfile));
    },
    warmUp() {
      // The default voice's process, or the configured voice's.
      offline?.warmUp(cfg.voice);
    },
    close() {
      ps?.close();
      if (offlineTts instanceof OfflineTextToSpeech) offlineTts.close(); // its spare processes
    },
  };
}

/**
 * A standalone TTS per provider name (the TTS test screen and /v1/tts ask for one that is not the
 * configured provider): keyed by contract/providers.ts, so a new provider without a factory does not build.
 */
export const TTS_FACTORIES: { readonly [K in TtsProviderName]: (cfg: { openai?: OpenAiSpeechSettings }) => TextToSpeech } = {
  offline: () => new OfflineTextToSpeech(),
  stub: () => new StubTextToSpeech(),
  openai: (cfg) => createSpeechProviders({ stt: 'stub', tts: 'openai', ...(cfg.openai ? { openai: cfg.openai } : {}) }).tts,
};
