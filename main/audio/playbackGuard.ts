/**
 * A PlaybackSession whose write() and drain() cannot hang: when the output device disappears
 * (the stream reports device-lost) or stops consuming audio (played frames stand still for
 * `stallMs` while audio is queued), pending and later calls reject with AudioOutputLostError.
 * Without it a sink unplugged mid-reply left the voice loop "speaking" forever.
 *
 * A stream that has not played its first frame yet is judged against `startStallMs` instead: a
 * PulseAudio sink that was idle may have rendered up to 2 s ahead (module-null-sink in PulseAudio
 * 16 does, and does not rewind when a low-latency stream connects), so a new stream on it — the
 * first reply on a device that just came back — starts 0–2 s late (measured) without anything
 * being lost. A removed device is reported by the stream itself (device-lost) at once either way.
 */
import type { AudioRouteEvent, PlaybackPosition, PlaybackSession } from '../../core/ports/audio.js';

export class AudioOutputLostError extends Error {
  override readonly name = 'AudioOutputLostError';
  constructor(
    readonly deviceId: string,
    readonly reason: 'removed' | 'stream-failed' | 'stalled',
  ) {
    super(`The audio output ${deviceId === '' ? '' : `"${deviceId}" `}was lost (${reason === 'stalled' ? 'it stopped playing' : reason === 'removed' ? 'it was removed' : 'the stream failed'}).`);
  }
}

/** True for an AudioOutputLostError, also one rebuilt from another process (same name). */
export function isOutputLost(e: unknown): e is Error {
  return e instanceof Error && e.name === 'AudioOutputLostError';
}

export interface PlaybackGuardOptions {
  /** Played frames standing still this long (ms) while audio is queued = the device is gone. Default 1500. */
  stallMs?: number;
  /** The same before the stream's first frame was played, ms. Default 3000 (see above). */
  startStallMs?: number;
  /** How often progress is checked while a write or drain waits, ms. Default 100. */
  pollMs?: number;
  /** Device id for messages when the stream does not name one. */
  deviceId?: string;
}

export function guardPlayback(inner: PlaybackSession, opts: PlaybackGuardOptions = {}): PlaybackSession {
  const stallMs = opts.stallMs ?? 1500;
  const startStallMs = Math.max(stallMs, opts.startStallMs ?? 3000);
  const pollMs = opts.pollMs ?? 100;
  const listeners = new Set<(e: AudioRouteEvent) => void>();
  const waiting = new Set<(e: AudioOutputLostError) => void>();
  let lost: AudioOutputLostError | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let lastPlayed = -1;
  let lastMoveMs = 0;

  const fail = (err: AudioOutputLostError, report: boolean): void => {
    if (lost !== null) return;
    lost = err;
    stopTimer();
    for (const w of [...waiting]) w(err);
    waiting.clear();
    try {
      inner.stop(); // releases the add-on's own waiters
    } catch {
      // a dead stream may refuse; ours are released above
    }
    if (report) emit({ type: 'device-lost', direction: 'output', deviceId: err.deviceId, reason: err.reason });
  };
  const emit = (e: AudioRouteEvent): void => {
    for (const l of [...listeners]) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  };
  const offInner = inner.onRoute((e) => {
    // One loss per session: the stream failing and the device then vanishing are the same event.
    if (e.type === 'device-lost' && e.direction === 'output' && lost !== null) return;
    emit(e);
    if (e.type === 'device-lost' && e.direction === 'output') fail(new AudioOutputLostError(e.deviceId, e.reason), false);
  });
  const check = (): void => {
    let p: PlaybackPosition;
    try {
      p = inner.position();
    } catch {
      return;
    }
    const now = performance.now();
    if (p.playedFrames !== lastPlayed || p.playedFrames >= p.writtenFrames) {
      lastPlayed = p.playedFrames;
      lastMoveMs = now;
    } else if (now - lastMoveMs >= (p.playedFrames > 0 ? stallMs : startStallMs)) {
      fail(new AudioOutputLostError(opts.deviceId ?? '', 'stalled'), true);
    }
  };
  const startTimer = (): void => {
    if (timer !== null) return;
    lastPlayed = -1;
    lastMoveMs = performance.now();
    timer = setInterval(check, pollMs);
    timer.unref?.();
  };
  function stopTimer(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }
  /** Runs `op` until it settles or the output is lost, whichever is first. */
  const guarded = async (op: () => Promise<void>): Promise<void> => {
    if (lost !== null) throw lost;
    let onLost!: (e: AudioOutputLostError) => void;
    const lostP = new Promise<never>((_, reject) => (onLost = reject));
    lostP.catch(() => {});
    waiting.add(onLost);
    startTimer();
    try {
      await Promise.race([op(), lostP]);
      if (lost !== null) throw lost; // the op ended because the loss stopped it
    } finally {
      waiting.delete(onLost);
      if (waiting.size === 0) stopTimer();
    }
  };

  return {
    write: (pcm) => guarded(() => inner.write(pcm)),
    drain: () => guarded(() => inner.drain()),
    stop: () => {
      if (lost === null) inner.stop();
    },
    position: () => inner.position(),
    onRoute(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      stopTimer();
      offInner();
      listeners.clear();
      inner.close();
    },
  };
}
