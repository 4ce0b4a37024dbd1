/**
 * Offline text-to-speech with the espeak-ng CLI (Debian package espeak-ng): ~20–30 ms for a
 * sentence here. Text goes in on stdin (never as an argument), sanitised and capped at 4,096 chars.
 *
 * Streaming (synthesizeStream, used by the voice loop): espeak-ng writes its WAV to stdout clause
 * by clause, so playback starts on the first chunk. espeak-ng loads its voice before it reads
 * stdin, and that start-up is most of its latency (measured: first audio 100–170 ms from a fresh
 * process, 4–25 ms from one started earlier), so one process per voice is kept started and idle
 * on stdin ("spare") for the next reply; a new spare is started after each reply has been made.
 */
import { execFile, execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { ProviderHealth, Speech, SpeechStream, SynthesizeOptions, TextToSpeech } from '../../core/ports/speech.js';
import { sanitizeForSpeech } from '../../core/voice/speechText.js';
import { parseWav } from './wav.js';

/** Voices always offered (espeak-ng names, with variants); the first is the default. */
export const ESPEAK_VOICES = ['en-us', 'en-us+f3', 'en-us+m3', 'en-gb', 'en-gb+f3'] as const;

/** A voice name espeak-ng accepts here: language tag segments (`x` as in en-gb-x-rp), then an optional +variant. */
const VOICE_NAME = /^[a-z]{2,3}(-[a-z0-9]{1,8})*(\+[a-z0-9]{1,8})?$/i;

/**
 * The English voices in `espeak-ng --voices=en` output (its table: Pty, Language, Age/Gender,
 * VoiceName, File, …), by language name, in listed order and without duplicates. MBROLA voices
 * (File `mb/…`) are left out: they need the separate mbrola binary and voice data.
 */
export function parseEspeakVoices(table: string): string[] {
  const out: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [lang, file] = [cols[1], cols[4]];
    if (lang === undefined || file === undefined || file.startsWith('mb/') || !VOICE_NAME.test(lang) || out.includes(lang)) continue;
    out.push(lang);
  }
  return out;
}

let installed: readonly string[] | null = null;

/** ESPEAK_VOICES, then the other English voices installed here (read once from espeak-ng; none when it is missing). */
export function espeakVoices(): readonly string[] {
  if (installed === null) {
    let table = '';
    try {
      table = execFileSync('espeak-ng', ['--voices=en'], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // not installed: synthesis reports that through health()
    }
    installed = [...ESPEAK_VOICES, ...parseEspeakVoices(table).filter((v) => !(ESPEAK_VOICES as readonly string[]).includes(v))];
  }
  return installed;
}

const runs = new Map<string, boolean>();

/** Whether `file args` runs and exits 0 here (checked once per command line): is a CLI installed. */
export function commandRuns(file: string, args: readonly string[]): boolean {
  const key = [file, ...args].join(' ');
  let ok = runs.get(key);
  if (ok === undefined) {
    try {
      execFileSync(file, args, { stdio: 'ignore', timeout: 5_000 });
      ok = true;
    } catch {
      ok = false;
    }
    runs.set(key, ok);
  }
  return ok;
}

export function espeakAvailable(): boolean {
  return commandRuns('espeak-ng', ['--version']);
}

/** stdout of a piped child is a net.Socket (it can be unref'd). */
type EspeakChild = ChildProcessByStdio<Writable, Socket, null>;

export class EspeakTextToSpeech implements TextToSpeech {
  readonly name = 'offline-espeak-ng';
  /** What this machine's espeak-ng offers (the Settings voice picker lists these). */
  get voices(): readonly string[] {
    return espeakVoices();
  }
  private lastError: string | null = null;
  /** A started espeak-ng waiting on stdin for the next streamed reply, and its voice. */
  private spare: { voice: string; child: EspeakChild } | null = null;
  private closed = false;

  constructor(private readonly opts: { wordsPerMinute?: number; timeoutMs?: number; keepSpare?: boolean } = {}) {}

  private start(voice: string): EspeakChild {
    return spawn('espeak-ng', ['-v', voice, '-s', String(this.opts.wordsPerMinute ?? 165), '--stdout', '--stdin'], { stdio: ['pipe', 'pipe', 'ignore'] }) as unknown as EspeakChild;
  }

  /** The spare for `voice` (started earlier), or a new process. */
  private take(voice: string): EspeakChild {
    const s = this.spare;
    this.spare = null;
    if (s !== null && s.voice === voice && s.child.exitCode === null && s.child.signalCode === null) {
      s.child.ref();
      s.child.stdout.ref();
      return s.child;
    }
    s?.child.kill();
    return this.start(voice);
  }

  /** Starts the spare for the next reply; it must not keep the app alive. */
  private prepareSpare(voice: string): void {
    if (this.closed || this.opts.keepSpare === false || this.spare !== null) return;
    let child: EspeakChild;
    try {
      child = this.start(voice);
    } catch {
      return;
    }
    child.on('error', () => undefined);
    child.stdin.on('error', () => undefined);
    child.unref();
    child.stdout.unref();
    child.once('exit', () => {
      if (this.spare?.child === child) this.spare = null;
    });
    this.spare = { voice, child };
  }

  /**
   * The same speech as synthesize(), chunk by chunk as espeak-ng writes it; resolves when the first
   * chunk is there (firstAudioMs). Rejects when espeak-ng fails before any audio.
   */
  synthesizeStream(text: string, opts: SynthesizeOptions = {}): Promise<SpeechStream> {
    const voice = opts.voice ?? (this.voices[0] as string);
    if (!VOICE_NAME.test(voice)) return Promise.reject(new Error(`unknown voice "${voice}"`));
    opts.signal?.throwIfAborted();
    const input = sanitizeForSpeech(text);
    const t0 = performance.now();
    const child = this.take(voice);
    const queue: Int16Array[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    let failure: Error | null = null;
    let header: Buffer | null = Buffer.alloc(0);
    let rate = 0;
    let odd: Buffer | null = null;
    let started: { resolve(s: SpeechStream): void; reject(e: Error): void } | null = null;
    const notify = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const cancel = (): void => {
      if (ended) return;
      ended = true;
      child.kill('SIGKILL');
      notify();
    };
    const timer = setTimeout(() => fail(new Error(`espeak-ng took longer than ${this.opts.timeoutMs ?? 10_000} ms`)), this.opts.timeoutMs ?? 10_000);
    timer.unref();
    const stream = (): SpeechStream => ({
      sampleRateHz: rate,
      provider: this.name,
      firstAudioMs: performance.now() - t0,
      cancel,
      chunks: {
        [Symbol.asyncIterator]: () => ({
          next: async (): Promise<IteratorResult<Int16Array>> => {
            for (;;) {
              const c = queue.shift();
              if (c !== undefined) return { value: c, done: false };
              if (failure !== null) throw failure;
              if (ended) return { value: undefined, done: true };
              await new Promise<void>((r) => (wake = r));
            }
          },
          return: async (): Promise<IteratorResult<Int16Array>> => {
            cancel();
            return { value: undefined, done: true };
          },
        }),
      },
    });
    const fail = (e: Error): void => {
      if (ended) return;
      this.lastError = e.message;
      failure = e;
      ended = true;
      child.kill('SIGKILL');
      if (started !== null) {
        started.reject(e);
        started = null;
      }
      notify();
    };
    const push = (pcm: Buffer): void => {
      let bytes = odd !== null ? Buffer.concat([odd, pcm]) : pcm;
      odd = bytes.length % 2 === 1 ? bytes.subarray(bytes.length - 1) : null;
      if (odd !== null) bytes = bytes.subarray(0, bytes.length - 1);
      if (bytes.length === 0) return;
      // Copied: the Buffer may sit at an odd offset of a shared pool.
      const samples = new Int16Array(bytes.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      queue.push(samples);
      if (started !== null) {
        started.resolve(stream());
        started = null;
      }
      notify();
    };
    child.stdout.on('data', (b: Buffer) => {
      if (ended) return;
      if (header === null) return push(b);
      header = Buffer.concat([header, b]);
      const h = parseWavHeader(header);
      if (h === 'more') return;
      if (typeof h === 'string') return fail(new Error(`espeak-ng wrote an unexpected WAV: ${h}`));
      rate = h.sampleRateHz;
      const rest = header.subarray(h.dataOffset);
      header = null;
      if (rest.length > 0) push(rest);
    });
    child.on('error', (e) => fail(new Error(`espeak-ng failed: ${e.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!ended && (code !== 0 || signal !== null)) fail(new Error(`espeak-ng failed: exit ${String(code ?? signal)}`));
      if (failure === null) this.lastError = null;
      ended = true;
      if (started !== null) {
        // Nothing to say (no audio at all): an empty stream.
        if (rate === 0) rate = 22_050;
        started.resolve(stream());
        started = null;
      }
      notify();
      // The next reply's process, started once this one no longer competes for the CPU.
      setImmediate(() => this.prepareSpare(voice));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    return new Promise((resolve, reject) => {
      if (failure !== null) reject(failure);
      else if (queue.length > 0) resolve(stream());
      else started = { resolve, reject };
    });
  }

  /** Ends the spare espeak-ng process (the app is closing). */
  close(): void {
    this.closed = true;
    this.spare?.child.kill();
    this.spare = null;
  }

  synthesize(text: string, opts: SynthesizeOptions = {}): Promise<Speech> {
    const voice = opts.voice ?? (this.voices[0] as string);
    if (!VOICE_NAME.test(voice)) return Promise.reject(new Error(`unknown voice "${voice}"`));
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

/**
 * The header of a streamed WAV (RIFF, 'fmt ', then 'data' of any declared size): its rate and
 * where the samples start; 'more' while incomplete; a reason string for anything but 16-bit mono PCM.
 */
export function parseWavHeader(b: Buffer): { sampleRateHz: number; dataOffset: number } | 'more' | string {
  if (b.length < 12) return 'more';
  if (b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') return 'no RIFF/WAVE header';
  let p = 12;
  let rate = 0;
  for (;;) {
    if (p + 8 > b.length) return 'more';
    const id = b.toString('latin1', p, p + 4);
    const size = b.readUInt32LE(p + 4);
    if (id === 'data') {
      if (rate === 0) return 'data before fmt';
      return { sampleRateHz: rate, dataOffset: p + 8 };
    }
    if (p + 8 + size > b.length) return size > 4096 ? `chunk "${id}" too large` : 'more';
    if (id === 'fmt ') {
      if (size < 16) return 'short fmt chunk';
      const format = b.readUInt16LE(p + 8);
      const channels = b.readUInt16LE(p + 10);
      const bits = b.readUInt16LE(p + 22);
      if (format !== 1 || channels !== 1 || bits !== 16) return `format ${format}, ${channels} channels, ${bits} bits`;
      rate = b.readUInt32LE(p + 12);
      if (rate < 4000 || rate > 192_000) return `rate ${rate} Hz`;
    }
    p += 8 + size + (size % 2);
  }
}
