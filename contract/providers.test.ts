import { describe, expect, it } from 'vitest';
import { TTS_PROVIDERS as API_TTS } from './api.js';
import { SettingsSchema } from './ipc.js';
import { providerChoices, providerOf, providerOptions, SPEECH_PROVIDERS, STT_PROVIDERS, TTS_PROVIDERS } from './providers.js';

describe('speech providers table', () => {
  it('is the one list: the API, IPC schema and settings options read it', () => {
    expect(API_TTS).toBe(TTS_PROVIDERS);
    expect(SettingsSchema.shape.sttProvider.options).toEqual(STT_PROVIDERS);
    expect(SettingsSchema.shape.ttsProvider.options).toEqual(TTS_PROVIDERS);
    expect(providerOptions('tts').map((o) => o.value)).toEqual(Object.keys(SPEECH_PROVIDERS.tts));
    expect(providerOptions('stt')).toContainEqual({ value: 'openai', label: 'OpenAI' });
  });

  it('accepts aliases in config and maps them to the provider', () => {
    expect(providerChoices('stt')).toEqual(['offline', 'pocketsphinx', 'openai', 'stub']);
    expect(providerChoices('tts')).toEqual(['offline', 'espeak', 'openai', 'stub']);
    expect(providerOf('stt', 'pocketsphinx')).toBe('offline');
    expect(providerOf('tts', 'espeak')).toBe('offline');
    expect(providerOf('tts', 'openai')).toBe('openai');
    expect(providerOf('tts', 'pocketsphinx')).toBeUndefined();
  });
});
