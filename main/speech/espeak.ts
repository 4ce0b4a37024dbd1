/**
 * Offline text-to-speech with the espeak-ng CLI (Debian package espeak-ng): ~20–30 ms for a
 * sentence here. Text goes in on stdin (never as an argument), sanitised and capped at 4,096 chars.
 */
import { execFile, execFileSync } from 'node:child_process';
import type { ProviderHealth, Speech, SynthesizeOptions, TextToSpeech } from '../../core/ports/speech.js';
import { sanitizeForSpeech } from '../../core/voice/speechText.js';
import { parseWav } from './wav.js';

/** Voices offered (espeak-ng names, with variants); the first is the default. */
export const ESPEAK_VOICES = ['en-us', 'en-us+f3', 'en-us+m3', 'en-gb', 'en-gb+f3'] as const;

let available: boolean | null = null;

export function espeakAvailable(): boolean {
  if (available === null) {
    try {
      execFileSync('espeak-ng', ['--version'], { stdio: 'ignore', timeout: 5_000 });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

export class EspeakTextToSpeech implements TextToSpeech {
  readonly name = 'offline-espeak-ng';
  readonly voices: readonly string[] = ESPEAK_VOICES;
  private lastError: string | null = null;

  constructor(private readonly opts: { wordsPerMinute?: number; timeoutMs?: number } = {}) {}

  synthesize(text: string, opts: SynthesizeOptions = {}): Promise<Speech> {
    const voice = opts.voice ?? (this.voices[0] as string);
    if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*(\+[a-z0-9]{1,8})?$/i.test(voice)) return Promise.reject(new Error(`unknown voice "${voice}"`));
    opts.signal?.throwIfAborted();
    const input = sanitizeForSpeech(text);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const child = execFile(
        'espeak-ng',
        ['-v', voice, '-s', String(this.opts.wordsPerMinute ?? 165), '--stdout', '--stdin'],
        { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: this.opts.timeoutMs ?? 10_000 },
        (err, stdout) => {
          if (err) {
            this.lastError = `espeak-ng failed: ${err.message}`;
            reject(new Error(this.lastError));
            return;
          }
          this.lastError = null;
          try {
            resolve({ audio: parseWav(new Uint8Array(stdout)), provider: this.name, firstAudioMs: performance.now() - t0 });
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        },
      );
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    });
  }

  health(): ProviderHealth {
    if (!espeakAvailable()) return { provider: this.name, ok: false, message: 'espeak-ng is not installed (Debian package espeak-ng; scripts/setup installs it).' };
    return { provider: this.name, ok: this.lastError === null, message: this.lastError };
  }
}
