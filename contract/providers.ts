/**
 * The speech providers, declared once: name, label and the aliases config accepts, per role
 * (speech-to-text, text-to-speech, voice activity detection). The API and IPC schemas, config
 * parsing (main/app/config.ts), the settings screen's options and the TTS route derive from this
 * table; the factories behind each name live in main/speech/providerTable.ts, keyed by it.
 */

export interface ProviderDecl {
  readonly label: string;
  /** Other names config accepts for this provider ("pocketsphinx" for offline STT). */
  readonly aliases?: readonly string[];
}

export const SPEECH_PROVIDERS = {
  stt: {
    offline: { label: 'Offline', aliases: ['pocketsphinx'] },
    openai: { label: 'OpenAI' },
    stub: { label: 'Stub' },
  },
  tts: {
    offline: { label: 'Offline', aliases: ['espeak'] },
    openai: { label: 'OpenAI' },
    stub: { label: 'Stub' },
  },
  vad: {
    webrtc: { label: 'WebRTC VAD' },
  },
} as const satisfies Record<'stt' | 'tts' | 'vad', Record<string, ProviderDecl>>;

export type SttProviderName = keyof typeof SPEECH_PROVIDERS.stt;
export type TtsProviderName = keyof typeof SPEECH_PROVIDERS.tts;
export type VadProviderName = keyof typeof SPEECH_PROVIDERS.vad;

const names = <T extends string>(table: Record<T, ProviderDecl>) => Object.keys(table) as [T, ...T[]];

export const STT_PROVIDERS = names(SPEECH_PROVIDERS.stt);
export const TTS_PROVIDERS = names(SPEECH_PROVIDERS.tts);
export const VAD_PROVIDERS = names(SPEECH_PROVIDERS.vad);

/** Names and aliases config accepts for a role, e.g. ['offline', 'pocketsphinx', 'openai', 'stub']. */
export function providerChoices(role: 'stt' | 'tts'): [string, ...string[]] {
  const table: Record<string, ProviderDecl> = SPEECH_PROVIDERS[role];
  return Object.entries(table).flatMap(([name, d]) => [name, ...(d.aliases ?? [])]) as [string, ...string[]];
}

/** The provider a configured name or alias stands for; undefined when it is neither. */
export function providerOf<R extends 'stt' | 'tts'>(role: R, name: string): keyof (typeof SPEECH_PROVIDERS)[R] | undefined {
  const table: Record<string, ProviderDecl> = SPEECH_PROVIDERS[role];
  const hit = Object.entries(table).find(([n, d]) => n === name || (d.aliases ?? []).includes(name));
  return hit?.[0] as keyof (typeof SPEECH_PROVIDERS)[R] | undefined;
}

/** Options for a settings select: value and label, in table order. */
export function providerOptions(role: 'stt' | 'tts'): { value: string; label: string }[] {
  const table: Record<string, ProviderDecl> = SPEECH_PROVIDERS[role];
  return Object.entries(table).map(([value, d]) => ({ value, label: d.label }));
}
