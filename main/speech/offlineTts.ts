/**
 * The offline voices: flite's (the default when flite is installed: much clearer to a listener,
 * `npm run bench speech-tts`, see flite.ts) and espeak-ng's (the default without flite). A voice is
 * routed to the engine that has it; a flite voice asked for while flite is missing is spoken by
 * espeak-ng, so a reply is never lost to a package.
 */
import type { ProviderHealth, Speech, SpeechStream, SynthesizeOptions, TextToSpeech } from '../../core/ports/speech.js';
import { EspeakTextToSpeech } from './espeak.js';
import { fliteAvailable, FliteTextToSpeech } from './flite.js';

export class OfflineTextToSpeech implements TextToSpeech {
  readonly name = 'offline';
  readonly flite: FliteTextToSpeech;
  readonly espeak: EspeakTextToSpeech;
  private readonly hasFlite: () => boolean;

  constructor(opts: { flite?: FliteTextToSpeech; espeak?: EspeakTextToSpeech; fliteAvailable?: () => boolean } = {}) {
    this.flite = opts.flite ?? new FliteTextToSpeech();
    this.espeak = opts.espeak ?? new EspeakTextToSpeech();
    this.hasFlite = opts.fliteAvailable ?? fliteAvailable;
  }

  /** flite's voices when flite is installed, then espeak-ng's; the first is the default. */
  get voices(): readonly string[] {
    return this.hasFlite() ? [...this.flite.voices, ...this.espeak.voices] : this.espeak.voices;
  }

  /** The engine for `voice` (the default voice's when absent). */
  private engine(opts: SynthesizeOptions): FliteTextToSpeech | EspeakTextToSpeech {
    const voice = opts.voice ?? (this.voices[0] as string);
    return this.flite.voices.includes(voice) && this.hasFlite() ? this.flite : this.espeak;
  }

  /** A flite voice asked for while flite is missing is spoken in espeak-ng's default voice. */
  private optsFor(e: TextToSpeech, opts: SynthesizeOptions): SynthesizeOptions {
    if (e !== this.espeak || opts.voice === undefined || !this.flite.voices.includes(opts.voice)) return opts;
    const { voice: _flite, ...rest } = opts;
    return rest;
  }

  synthesize(text: string, opts: SynthesizeOptions = {}): Promise<Speech> {
    const e = this.engine(opts);
    return e.synthesize(text, this.optsFor(e, opts));
  }

  synthesizeStream(text: string, opts: SynthesizeOptions = {}): Promise<SpeechStream> {
    const e = this.engine(opts);
    return e.synthesizeStream(text, this.optsFor(e, opts));
  }

  /** The default engine's health (the one replies use unless the user picked another voice). */
  health(): ProviderHealth {
    return this.engine({}).health();
  }

  /** Prepares `voice`'s flite process (default: the default voice) when it is a flite voice, so the first reply does not wait for it. */
  warmUp(voice: string = this.voices[0] as string): void {
    if (this.engine({ voice }) === this.flite) this.flite.warmUp(voice);
  }

  close(): void {
    this.flite.close();
    this.espeak.close();
  }
}
