/** Capture: a stream of PCM chunks from the native pump thread, with drops counted, not hidden. */
import { EventEmitter } from 'node:events';

import { captureCallSite, rethrowWithCallSite } from './errors.js';
import { loadNative } from './loader.js';
import type { NativeCaptureHandle, NativeCaptureInfo, NativeCaptureItem } from './native.js';
import { summarizeSamples, toStreamStats } from './stats.js';
import type { AudioLevel, BackendName, CaptureOptions, PcmChunk, RouteEvent, StreamStats } from './types.js';
import { validateCaptureOptions, type NativeCaptureOptions } from './validate.js';

export interface CaptureEvents {
  data: [PcmChunk];
  level: [AudioLevel];
  route: [RouteEvent];
  error: [Error];
  close: [];
}

const DELIVERY_SAMPLES = 4096;

/** Backend used when the caller does not name one: HANDSFREE_AUDIO_BACKEND, else pulse on Linux. */
export function defaultBackend(): BackendName {
  const env = process.env['HANDSFREE_AUDIO_BACKEND'];
  if (env === 'pulse' || env === 'portaudio') return env;
  return loadNative().backends.includes('pulse') ? 'pulse' : 'portaudio';
}

export class AudioCapture extends EventEmitter<CaptureEvents> {
  readonly info: Readonly<NativeCaptureInfo>;
  private handle: NativeCaptureHandle | null;
  private readonly delivery: number[] = [];
  private deliveryNext = 0;
  private readonly opts: NativeCaptureOptions;
  private queue: PcmChunk[] = [];
  private waiters: Array<(r: IteratorResult<PcmChunk>) => void> = [];
  private iterating = false;
  private lastLevelMs = -Infinity;

  /** @internal use openCapture() */
  constructor(opts: NativeCaptureOptions) {
    super();
    this.opts = opts;
    const native = loadNative();
    this.handle = new native.CaptureHandle(opts, (item) => this.onItem(item));
    this.info = Object.freeze(this.handle.info());
    this.currentDeviceId = this.info.deviceId;
  }

  get closed(): boolean {
    return this.handle === null;
  }

  /** Idle-listening: stop delivering, keep the last preRollMs of audio. */
  pause(): void {
    this.handle?.setActive(false);
  }

  /** Deliver the pre-roll (chunks flagged preRoll), then live audio. */
  resume(): void {
    this.handle?.setActive(true);
  }

  /** 'level' events at ≤ 20 Hz (RMS and peak dBFS over 50 ms of audio), also while paused. */
  enableLevels(enabled = true): void {
    this.handle?.setLevels(enabled);
  }

  onChunk(listener: (chunk: PcmChunk) => void): () => void {
    this.on('data', listener);
    return () => this.off('data', listener);
  }

  onLevel(listener: (level: AudioLevel) => void): () => void {
    this.enableLevels(true);
    this.on('level', listener);
    return () => this.off('level', listener);
  }

  onRoute(listener: (event: RouteEvent) => void): () => void {
    this.on('route', listener);
    return () => this.off('route', listener);
  }

  stats(): StreamStats {
    const native = loadNative();
    if (!this.handle) throw new Error('capture is closed');
    return toStreamStats(this.info.backend, this.handle.stats(), this.info.deviceSampleRateHz, native.nowMs(), summarizeSamples(this.delivery));
  }

  /** Idempotent; returns within milliseconds (joins the pump thread, which never waits on JS). */
  close(): void {
    if (!this.handle) return;
    const h = this.handle;
    this.handle = null;
    h.close();
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
    this.emit('close');
  }

  /** Async iteration over chunks (buffers up to queueChunks; older chunks are dropped beyond that). */
  [Symbol.asyncIterator](): AsyncIterator<PcmChunk> {
    this.iterating = true;
    return {
      next: () => {
        const c = this.queue.shift();
        if (c) return Promise.resolve({ value: c, done: false });
        if (!this.handle) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private onItem(item: NativeCaptureItem): void {
    if (!this.handle) return; // late items after close()
    switch (item.kind) {
      case 'chunk': {
        const chunk: PcmChunk = {
          sampleRateHz: this.opts.sampleRateHz,
          channels: this.opts.channels,
          format: this.opts.format,
          data: item.data,
          frames: item.data.length / this.opts.channels,
          captureTimestampMs: item.captureTimestampMs,
          callbackTimestampMs: item.callbackTimestampMs,
          deliveredTimestampMs: item.deliveredTimestampMs,
          seq: item.seq,
          preRoll: item.preRoll,
          rmsDbfs: item.rmsDbfs,
          peakDbfs: item.peakDbfs,
        };
        if (!item.preRoll) {
          this.delivery[this.deliveryNext % DELIVERY_SAMPLES] = item.deliveredTimestampMs - item.callbackTimestampMs;
          this.deliveryNext++;
        }
        this.emit('data', chunk);
        if (this.iterating) {
          const w = this.waiters.shift();
          if (w) w({ value: chunk, done: false });
          else {
            this.queue.push(chunk);
            if (this.queue.length > this.opts.queueChunks) this.queue.shift();
          }
        }
        break;
      }
      case 'level':
        if (item.timestampMs - this.lastLevelMs >= 45) {
          this.lastLevelMs = item.timestampMs;
          this.emit('level', { rmsDbfs: item.rmsDbfs, peakDbfs: item.peakDbfs, timestampMs: item.timestampMs });
        }
        break;
      case 'event':
        this.onNativeEvent(item);
        break;
    }
  }

  private onNativeEvent(item: Extract<NativeCaptureItem, { kind: 'event' }>): void {
    const deviceId = item.device || this.info.deviceId;
    if (item.type === 'device-lost') {
      this.emit('route', { type: 'device-lost', direction: 'input', deviceId, reason: 'stream-failed' });
    } else if (item.type === 'stalled') {
      this.emit('route', { type: 'device-lost', direction: 'input', deviceId, reason: 'stalled' });
    } else if (item.type === 'moved') {
      // The server moves streams off a device that is going away (module-rescue-streams) and when
      // the user moves them: only the former is a loss, so look.
      const from = this.currentDeviceId;
      this.currentDeviceId = deviceId;
      void loadNative()
        .listDevices({ portaudio: false })
        .then(({ devices }) => {
          if (!this.handle) return;
          if (!devices.some((d) => d.id === from)) {
            this.emit('route', { type: 'device-lost', direction: 'input', deviceId: from, reason: 'removed' });
          }
        })
        .catch(() => {});
    }
  }

  private currentDeviceId: string;

  /**
   * @internal Emits 'narrowband-input' when the opened device is a Bluetooth input running at
   * ≤ 16 kHz (HFP/HSP). Asynchronous: it asks the platform for the device's properties.
   */
  checkNarrowband(): void {
    if (this.info.backend !== 'pulse' || this.info.deviceSampleRateHz > 16_000) return;
    void loadNative()
      .listDevices({ portaudio: false })
      .then(({ devices }) => {
        const d = devices.find((x) => x.id === this.info.deviceId);
        if (this.handle && d?.transport === 'bluetooth') {
          this.emit('route', { type: 'narrowband-input', deviceId: d.id, sampleRateHz: this.info.deviceSampleRateHz });
        }
      })
      .catch(() => {});
  }
}

/**
 * Opens a capture stream and starts it. Arguments are validated synchronously (TypeError naming
 * the argument); device errors reject with an AudioDeviceError whose stack is the caller's.
 */
export function openCapture(options: CaptureOptions = {}): Promise<AudioCapture> {
  const explicitBackend = options?.backend !== undefined || (typeof options?.device === 'string' && /^(pulse|portaudio):/.test(options.device));
  const callSite = captureCallSite(openCapture);
  loadNative(); // throws AudioAddonUnavailableError with the list of paths tried
  const opts = validateCaptureOptions(options, defaultBackend());
  return new Promise((resolve, reject) => {
    // Opening talks to the audio server (a few ms); run it after the current tick so callers can
    // attach listeners to the promise first.
    setImmediate(() => {
      try {
        const cap = new AudioCapture(opts);
        resolve(cap);
        cap.checkNarrowband();
      } catch (e) {
        if (!explicitBackend && opts.backend === 'pulse') {
          try {
            const cap = new AudioCapture({ ...opts, backend: 'portaudio' });
            resolve(cap);
            return;
          } catch {
            // report the first error
          }
        }
        reject(rethrowWithCallSite(e, callSite, 'openCapture failed'));
      }
    });
  });
}
