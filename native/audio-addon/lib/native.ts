/** Shape of the compiled binding (src/addon.cc). Only lib/ talks to it. */
import type { BackendName, DeviceInfo } from './types.js';
import type { NativeCaptureOptions, NativePlaybackOptions } from './validate.js';

export interface NativeStats {
  overruns: number;
  underruns: number;
  ringOverflowFrames: number;
  starvedFrames: number;
  callbacks: number;
  deviceFrames: number;
  droppedChunks: number;
  deliveredChunks: number;
  reportedLatencyMs: number | null;
  firstCallbackMs: number;
  lastCallbackMs: number;
  ringFillFrames?: number;
  callbackDuration: { upperUs: number[]; counts: number[]; maxUs: number };
}

export type NativeCaptureItem =
  | {
      kind: 'chunk';
      seq: number;
      captureTimestampMs: number;
      callbackTimestampMs: number;
      sentTimestampMs: number;
      deliveredTimestampMs: number;
      preRoll: boolean;
      rmsDbfs: number;
      peakDbfs: number;
      data: Int16Array | Float32Array;
    }
  | { kind: 'level'; timestampMs: number; rmsDbfs: number; peakDbfs: number }
  | { kind: 'event'; type: 'device-lost' | 'moved' | 'stalled' | 'recovered'; device: string; detail: string; timestampMs: number };

export interface NativeCaptureInfo {
  backend: BackendName;
  deviceId: string;
  deviceName: string;
  deviceSampleRateHz: number;
  deviceChannels: number;
  sampleRateHz: number;
  channels: number;
  frameMs: number;
  resampling: boolean;
  closed: boolean;
}

export interface NativeCaptureHandle {
  close(): void;
  setActive(active: boolean): void;
  setLevels(enabled: boolean): void;
  stats(): NativeStats;
  info(): NativeCaptureInfo;
}

export interface NativePlaybackEvent {
  type: 'writable' | 'drained' | 'device-lost' | 'moved';
  device: string;
  detail: string;
  timestampMs: number;
}

export interface NativePlaybackHandle {
  write(pcm: Int16Array | Float32Array, offsetFrames?: number): number;
  stop(): void;
  close(): void;
  wantWritable(): void;
  wantDrained(): void;
  position(): { writtenFrames: number; queuedFrames: number; playedFrames: number; playedMs: number; latencyMs: number };
  stats(): NativeStats;
  info(): { backend: BackendName; deviceId: string; deviceName: string; sampleRateHz: number; channels: number; ringFrames: number; closed: boolean };
}

export type NativeRouteItem =
  | { kind: 'snapshot'; timestampMs: number; defaultInputId: string | null; defaultOutputId: string | null; devices: DeviceInfo[] }
  | { kind: 'error'; timestampMs: number; message: string };

export interface NativeBinding {
  CaptureHandle: new (options: NativeCaptureOptions, onItem: (item: NativeCaptureItem) => void) => NativeCaptureHandle;
  PlaybackHandle: new (options: NativePlaybackOptions, onEvent: (ev: NativePlaybackEvent) => void) => NativePlaybackHandle;
  RouteWatcher: new (onItem: (item: NativeRouteItem) => void) => { close(): void };
  /** Absent in binaries built before the echo canceller was added. */
  EchoCanceller?: new (options: { sampleRateHz: number; frameSamples: number; filterSamples: number; suppressDb: number; activeSuppressDb: number }) => {
    process(mic: Int16Array, ref: Int16Array): Int16Array;
    reset(): void;
    close(): void;
  };
  listDevices(options?: { portaudio?: boolean; pulse?: boolean }): Promise<{ devices: DeviceInfo[]; errors: string[] }>;
  nowMs(): number;
  /** glibc malloc_trim(0); false where unsupported. For leak tests. */
  mallocTrim(): boolean;
  backends: BackendName[];
  portaudioVersion: string;
  routeSupport: 'pulse' | 'none';
  napiVersion: number;
}
