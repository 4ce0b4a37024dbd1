/**
 * Public types of the add-on. Structurally compatible with core/ports/audio.ts (checked in
 * test/types.test.ts) but kept here so the package stands alone.
 */

export type AudioTransport = 'bluetooth' | 'usb' | 'builtin' | 'virtual' | 'unknown';
export type BluetoothProfile = 'a2dp' | 'hfp' | 'unknown';
export type PcmFormat = 'int16' | 'float32';
export type AudioDirection = 'input' | 'output';
export type BackendName = 'pulse' | 'portaudio';

export interface DeviceInfo {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly hostApi: string;
  readonly backend: BackendName;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRateHz: number;
  readonly isDefaultInput: boolean;
  readonly isDefaultOutput: boolean;
  readonly isMonitor: boolean;
  readonly transport: AudioTransport;
  readonly bluetoothProfile: BluetoothProfile;
  readonly formFactor: string;
}

export interface PcmChunk {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly format: PcmFormat;
  readonly data: Int16Array | Float32Array;
  readonly frames: number;
  /** Estimated capture time of the first frame, monotonic ms (see nowMs()). */
  readonly captureTimestampMs: number;
  /** When the device callback that completed this chunk ran, monotonic ms. */
  readonly callbackTimestampMs: number;
  /** When the chunk reached the JS thread, monotonic ms. */
  readonly deliveredTimestampMs: number;
  readonly seq: number;
  readonly preRoll: boolean;
  readonly rmsDbfs: number;
  readonly peakDbfs: number;
}

export interface AudioLevel {
  readonly rmsDbfs: number;
  readonly peakDbfs: number;
  readonly timestampMs: number;
}

export type RouteEvent =
  | {
      readonly type: 'default-changed';
      readonly direction: AudioDirection;
      readonly fromId: string | null;
      readonly toId: string | null;
      readonly to: DeviceInfo | null;
    }
  | {
      readonly type: 'device-lost';
      readonly direction: AudioDirection;
      readonly deviceId: string;
      readonly reason: 'removed' | 'stream-failed' | 'stalled';
    }
  | {
      readonly type: 'fallback-to-non-bluetooth';
      readonly direction: AudioDirection;
      readonly fromId: string;
      readonly toId: string | null;
      readonly toTransport: AudioTransport;
    }
  | {
      readonly type: 'narrowband-input';
      readonly deviceId: string;
      readonly sampleRateHz: number;
    };

export interface CaptureOptions {
  /** Device id from listDevices() (or a PulseAudio source name); default input when omitted. */
  device?: string;
  /** Output rate; the device rate is converted with speexdsp. Default 16000. */
  sampleRateHz?: number;
  /** 1 (downmixed) or 2. Default 1. */
  channels?: 1 | 2;
  /** Chunk length. Default 20. */
  frameMs?: number;
  /** Audio kept while paused, delivered first on resume(). Default 0 (none). */
  preRollMs?: number;
  format?: PcmFormat;
  /** Open paused (idle-listening). Default false. */
  paused?: boolean;
  /** Chunks the JS queue may hold before new ones are dropped (and counted). Default 32 (640 ms at 20 ms). */
  queueChunks?: number;
  /** 'pulse' (Linux default when a server is reachable) or 'portaudio'. */
  backend?: BackendName;
  /** Device buffer requested from the backend. Default 10. */
  bufferMs?: number;
  /** No callbacks for this long = stalled (reported as device-lost). Default 1500. */
  stallMs?: number;
}

export interface PlaybackOptions {
  device?: string;
  sampleRateHz: number;
  channels?: 1 | 2;
  backend?: BackendName;
  /** Device/server buffer target. Default 20. */
  bufferMs?: number;
  /** Queue held by the add-on; write() waits when it is full. Default 500. */
  queueMs?: number;
}

export interface HistogramSummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface StreamStats {
  readonly backend: BackendName;
  readonly overruns: number;
  readonly underruns: number;
  readonly droppedChunks: number;
  readonly deliveredChunks: number;
  readonly ringOverflowFrames: number;
  readonly starvedFrames: number;
  readonly callbacks: number;
  readonly deviceFrames: number;
  /** Callback duration in microseconds (bucket upper bounds, ≤ 19% coarse). */
  readonly callbackDurationUs: HistogramSummary & { readonly buckets: ReadonlyArray<readonly [number, number]> };
  /** Pa_GetStreamInfo (PortAudio) or pa_stream_get_latency (PulseAudio). */
  readonly reportedLatencyMs: number | null;
  /** Capture only: callback → JS delivery, ms. */
  readonly deliveryLatencyMs: HistogramSummary | null;
  /** Device frames per wall-clock second / device rate, measured since the first callback. */
  readonly realTimeRatio: number | null;
}
