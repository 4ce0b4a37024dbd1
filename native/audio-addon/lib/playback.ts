/** Playback with backpressure (write() awaits space), drain(), instant stop() for barge-in. */
import { EventEmitter } from 'node:events';

import { captureCallSite, rethrowWithCallSite } from './errors.js';
import { defaultBackend } from './capture.js';
import { loadNative } from './loader.js';
import type { NativePlaybackEvent, NativePlaybackHandle } from './native.js';
import { toStreamStats } from './stats.js';
import type { PlaybackOptions, RouteEvent, StreamStats } from './types.js';
import { validatePcm, validatePlaybackOptions, type NativePlaybackOptions } from './validate.js';

export interface PlaybackEvents {
  route: [RouteEvent];
  close: [];
}

export class AudioPlayback extends EventEmitter<PlaybackEvents> {
  readonly info: ReturnType<NativePlaybackHandle['info']>;
  private handle: NativePlaybackHandle | null;
  private readonly channels: number;
  private writableWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  /** Bumped by stop(): pending writes from before it give up their remaining samples. */
  private epoch = 0;

  /** @internal use openPlayback() */
  constructor(opts: NativePlaybackOptions) {
    super();
    const native = loadNative();
    this.channels = opts.channels;
    this.handle = new native.PlaybackHandle(opts, (ev) => this.onEvent(ev));
    this.info = Object.freeze(this.handle.info());
    this.currentDeviceId = this.info.deviceId;
  }

  private currentDeviceId: string;

  get closed(): boolean {
    return this.handle === null;
  }

  /** Queues pcm; resolves once all of it is in the add-on's queue (waits for space when full). */
  async write(pcm: Int16Array | Float32Array): Promise<void> {
    validatePcm('pcm', pcm, this.channels);
    const epoch = this.epoch;
    const frames = pcm.length / this.channels;
    let done = 0;
    if (!this.handle) throw new Error('playback is closed');
    while (done < frames) {
      if (epoch !== this.epoch || !this.handle) return; // stop()/close(): the rest is discarded
      done += this.handle.write(pcm, done);
      if (done < frames) {
        await new Promise<void>((resolve) => {
          this.writableWaiters.push(resolve);
          this.handle?.wantWritable();
        });
      }
    }
  }

  /** Resolves when everything written so far has been played (or discarded by stop()). */
  drain(): Promise<void> {
    if (!this.handle) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.handle?.wantDrained();
    });
  }

  /** Barge-in: discard queued audio immediately. Pending write()s and drain()s resolve. */
  stop(): void {
    if (!this.handle) return;
    this.epoch++;
    this.handle.stop();
    for (const w of this.writableWaiters.splice(0)) w();
    for (const w of this.drainWaiters.splice(0)) w();
  }

  position(): { writtenFrames: number; playedFrames: number; playedMs: number; queuedFrames: number; latencyMs: number } {
    if (!this.handle) throw new Error('playback is closed');
    return this.handle.position();
  }

  stats(): StreamStats {
    if (!this.handle) throw new Error('playback is closed');
    return toStreamStats(this.info.backend, this.handle.stats(), this.info.sampleRateHz, loadNative().nowMs(), null);
  }

  onRoute(listener: (event: RouteEvent) => void): () => void {
    this.on('route', listener);
    return () => this.off('route', listener);
  }

  close(): void {
    if (!this.handle) return;
    const h = this.handle;
    this.handle = null;
    this.epoch++;
    h.close();
    for (const w of this.writableWaiters.splice(0)) w();
    for (const w of this.drainWaiters.splice(0)) w();
    this.emit('close');
  }

  private onEvent(ev: NativePlaybackEvent): void {
    if (!this.handle) return;
    switch (ev.type) {
      case 'writable':
        for (const w of this.writableWaiters.splice(0)) w();
        break;
      case 'drained':
        for (const w of this.drainWaiters.splice(0)) w();
        break;
      case 'device-lost':
        this.emit('route', { type: 'device-lost', direction: 'output', deviceId: ev.device || this.info.deviceId, reason: 'stream-failed' });
        break;
      case 'moved': {
        // Moved by the server: a loss only if the device is gone (see AudioCapture).
        const from = this.currentDeviceId;
        this.currentDeviceId = ev.device || from;
        void loadNative()
          .listDevices({ portaudio: false })
          .then(({ devices }) => {
            if (this.handle && !devices.some((d) => d.id === from)) {
              this.emit('route', { type: 'device-lost', direction: 'output', deviceId: from, reason: 'removed' });
            }
          })
          .catch(() => {});
        break;
      }
    }
  }
}

export function openPlayback(options: PlaybackOptions): Promise<AudioPlayback> {
  const callSite = captureCallSite(openPlayback);
  loadNative();
  const opts = validatePlaybackOptions(options, defaultBackend());
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(new AudioPlayback(opts));
      } catch (e) {
        reject(rethrowWithCallSite(e, callSite, 'openPlayback failed'));
      }
    });
  });
}
