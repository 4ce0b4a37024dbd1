/**
 * Stub speech providers, for demos, UI tests and as the latency floor in the benchmark. They are
 * deterministic and never pretend to recognise speech:
 * - StubSpeechToText returns a fixed transcript (HANDSFREE_STUB_TRANSCRIPT, default "what needs my
 *   attention") for any audio with sound in it, and "" for silence.
 * - StubTextToSpeech returns a 440 Hz tone, 60 ms per word, at 16 kHz.
 */
import type { PcmAudio, ProviderHealth, Speech, SpeechToText, TextToSpeech, Transcript } from '../../core/ports/speech.js';

export class StubSpeechToText implements SpeechToText {
  readonly name = 'stub';
  constructor(private readonly transcript = 'what needs my attention') {}

  async transcribe(audio: PcmAudio): Promise<Transcript> {
    let peak = 0;
    for (const v of audio.samples) if (Math.abs(v) > peak) peak = Math.abs(v);
    const text = peak > 500 ? this.transcript : '';
    return { text, confidence: text === '' ? 0 : 1, provider: this.name, processingMs: 0, audioMs: (audio.samples.length / audio.sampleRateHz) * 1000 };
  }

  health(): ProviderHealth {
    return { provider: this.name, ok: true, message: 'stub: returns a fixed transcript' };
  }
}

export class StubTextToSpeech implements TextToSpeech {
  readonly name = 'stub';
  readonly voices = ['stub'];

  async synthesize(text: string): Promise<Speech> {
    const words = text.split(/\s+/).filter((w) => w.length > 0).length;
    const n = Math.round(16_000 * 0.06 * Math.max(1, words));
    const samples = new Int16Array(n);
    for (let i = 0; i < n; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000));
    return { audio: { sampleRateHz: 16_000, samples }, provider: this.name, firstAudioMs: 0 };
  }

  health(): ProviderHealth {
    return { provider: this.name, ok: true, message: 'stub: a tone, 60 ms per word' };
  }
}
