/**
 * How the app talks to its audio process: a message channel to a child that runs
 * main/audio/audioWorker.js. Node (browser mode, `handsfree serve`): child_process.fork with
 * structured-clone serialisation; the Electron shell passes a utilityProcess channel
 * (main/electron/audioChannel.ts) through the same shape.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { REPO_ROOT } from '../app/config.js';

export interface AudioChannel {
  /** OS process id once started (for logs and tests). */
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has exited, whatever the cause. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/** Starts the worker script at `workerPath` (an ES module) in a new process. */
export type AudioChannelFactory = (workerPath: string) => AudioChannel;

/** The compiled worker: next to this module in build/, or build/main/audio when running from sources (tests). */
export function audioWorkerPath(): string {
  const here = fileURLToPath(new URL('./audioWorker.js', import.meta.url));
  return existsSync(here) ? here : join(REPO_ROOT, 'build', 'main', 'audio', 'audioWorker.js');
}

/**
 * What ALSA and JACK print to stderr while PortAudio probes devices that are not there (no sound
 * card, no JACK server). Not the app's errors: the app says itself whether voice is available.
 */
const NATIVE_PROBE_NOISE = /^(ALSA lib |Cannot connect to server|jack server is not running|JackShmReadWritePtr|Jack[A-Za-z]*::)/;

/**
 * Forwards the audio process's stderr line by line, dropping native device-probe noise unless
 * `verbose` (HANDSFREE_LOG_LEVEL debug or trace): a new user's terminal shows the app's own lines.
 */
export function forwardWorkerStderr(stream: NodeJS.ReadableStream | null | undefined, write: (line: string) => void = (l) => void process.stderr.write(l), verbose = /^(debug|trace)$/.test(process.env['HANDSFREE_LOG_LEVEL'] ?? '')): void {
  if (!stream) return;
  // Like the child and its IPC channel, the pipe must not keep the app alive: the worker exits
  // only when the app's side of the channel closes.
  (stream as { unref?: () => void }).unref?.();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (verbose || (line.trim() !== '' && !NATIVE_PROBE_NOISE.test(line))) write(`${line}\n`);
  });
}

/** child_process.fork: typed arrays cross as typed arrays (`serialization: 'advanced'`). */
export const forkAudioChannel: AudioChannelFactory = (workerPath) => {
  const child = fork(workerPath, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'], execArgv: [], env: process.env });
  forwardWorkerStderr(child.stderr);
  // The audio process never keeps the app alive: when the app exits, the worker sees the channel
  // close and exits too.
  child.unref();
  child.channel?.unref();
  let exited = false;
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  const onExit = (code: number | null, signal: string | null): void => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(code, signal);
  };
  child.once('exit', onExit);
  // A failed spawn emits 'error' and maybe no 'exit'.
  child.once('error', () => setImmediate(() => onExit(null, null)));
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!exited && child.connected) child.send(message as object);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
  };
};
