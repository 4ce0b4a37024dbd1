/**
 * Types shared by the add-on loader (addonAudio.ts), the out-of-process host (audioProcess.ts) and
 * the echo canceller (echoCancel.ts); their own module so those three do not import each other.
 */
import type { AudioSink, AudioSource } from '../../core/ports/audio.js';

export type AudioProcessState = 'starting' | 'running' | 'restarting' | 'failed' | 'unavailable' | 'closed';

export interface AudioProcessStatus {
  state: AudioProcessState;
  /** The worker's OS pid while one runs. */
  pid: number | null;
  /** Restarts after a crash so far. */
  restarts: number;
  /** What happened, for the user (null while all is well). */
  message: string | null;
}

export interface AddonAudio {
  source: AudioSource;
  sink: AudioSink;
  /** The add-on's monotonic clock (chunk timestamps), or performance.now when unavailable. */
  nowMs(): number;
  /** Out of process only (audioProcess.ts): its state, changes to it, and stopping it. */
  status?(): AudioProcessStatus;
  onStatus?(listener: (s: AudioProcessStatus) => void): () => void;
  close?(): void;
  /** Present when capture is echo-cancelled against playback (echoCancel.ts, in this process or the audio process's): the measured suppression, dB. */
  suppressionDb?(): number;
  /** Present with suppressionDb: the reply's echo level in the cancelled mic audio relative to the reply, dB (null until measured). */
  residualEchoDb?(): number | null;
}
