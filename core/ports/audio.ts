/**
 * Audio ports: what the voice pipeline asks of the microphone and the speaker. Implemented in
 * main/audio over native/audio-addon (PortAudio / libpulse); fakes in tests. Pure types.
 *
 * Times are monotonic milliseconds on the same clock as `Clock.monotonicMs()` of the audio
 * adapter (CLOCK_MONOTONIC on Linux), so capture and playback times can be compared.
 */

export type AudioTransport = 'bluetooth' | 'usb' | 'builtin' | 'virtual' | 'unknown';
/** 'hfp' covers HFP and HSP (narrowband, mic available); 'a2dp' is playback-only high quality. */
export type BluetoothProfile = 'a2dp' | 'hfp' | 'unknown';
export type PcmFormat = 'int16' | 'float32';
export type AudioDirection = 'input' | 'output';

export interface AudioDeviceInfo {
  /** Stable id to pass back to open calls, e.g. "pulse:bluez_source.XX.handsfree_head_unit". */
  readonly id: string;
  readonly name: string;
  /** Human-readable name for UI and speech. */
  readonly description: string;
  /** 'PulseAudio', 'ALSA', 'Core Audio', 'Windows WASAPI', … */
  readonly hostApi: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRateHz: number;
  readonly isDefaultInput: boolean;
  readonly isDefaultOutput: boolean;
  /** From the platform's device properties; 'unknown' when the platform does not say (never guessed). */
  readonly transport: AudioTransport;
  readonly bluetoothProfile: BluetoothProfile;
}

/** One block of captured audio. */
export interface PcmChunk {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly format: PcmFormat;
  /** Interleaved samples: Int16 full scale ±32767, Float32 ±1.0. */
  readonly data: Int16Array | Float32Array;
  /** Frames in `data` (samples per channel). */
  readonly frames: number;
  /** Estimated capture time of the first frame at the device, monotonic ms. */
  readonly captureTimestampMs: number;
  /** Increments by one per chunk; a gap means chunks were dropped. */
  readonly seq: number;
  /** True when the chunk was captured before the stream was resumed (pre-roll). */
  readonly preRoll: boolean;
}

export interface AudioLevel {
  readonly rmsDbfs: number;
  readonly peakDbfs: number;
  readonly timestampMs: number;
}

export type AudioRouteEvent =
  | {
      readonly type: 'default-changed';
      readonly direction: AudioDirection;
      readonly fromId: string | null;
      readonly toId: string | null;
      readonly to: AudioDeviceInfo | null;
    }
  | {
      readonly type: 'device-lost';
      readonly direction: AudioDirection;
      readonly deviceId: string;
      /** 'removed' (gone from the device list), 'stream-failed', 'stalled' (no audio for a while). */
      readonly reason: 'removed' | 'stream-failed' | 'stalled';
    }
  | {
      /** The default input moved from a Bluetooth device to something else (e.g. the laptop mic). */
      readonly type: 'fallback-to-non-bluetooth';
      readonly direction: AudioDirection;
      readonly fromId: string;
      readonly toId: string | null;
      readonly toTransport: AudioTransport;
    }
  | {
      /** A Bluetooth input running at 8 or 16 kHz (HFP/HSP): speech recognition quality drops. */
      readonly type: 'narrowband-input';
      readonly deviceId: string;
      readonly sampleRateHz: number;
    };

export interface CaptureRequest {
  /** Device id from listDevices(); default device when omitted. */
  readonly deviceId?: string;
  readonly sampleRateHz?: number;
  readonly channels?: 1 | 2;
  readonly frameMs?: number;
  /** Keep this much audio while paused so resume() does not lose the first word. */
  readonly preRollMs?: number;
  readonly format?: PcmFormat;
  /** Open paused (idle-listening, keeping pre-roll). */
  readonly paused?: boolean;
  /**
   * false: the device's audio as it is, even where capture is echo-cancelled against playback
   * (measurement taps, diagnostics). Default: cancelled where the audio has a canceller.
   */
  readonly echoCancellation?: boolean;
}

export interface CaptureSession {
  onChunk(listener: (chunk: PcmChunk) => void): () => void;
  onLevel(listener: (level: AudioLevel) => void): () => void;
  onRoute(listener: (event: AudioRouteEvent) => void): () => void;
  /** Stop delivering (keep pre-roll). */
  pause(): void;
  /** Deliver the pre-roll, then live audio. */
  resume(): void;
  /** Idempotent; never hangs. */
  close(): void;
}

export interface AudioSource {
  /** False when the native add-on is missing: the app runs text-only and says so (`unavailableReason`). */
  readonly available: boolean;
  readonly unavailableReason: string | null;
  listDevices(): Promise<readonly AudioDeviceInfo[]>;
  openCapture(request: CaptureRequest): Promise<CaptureSession>;
  /**
   * Route changes of the system defaults (independent of any open stream). A watcher reports
   * changes from its first look at the routes on: `onReady` is called once it has that look (or at
   * once when it cannot watch), so a caller can wait for it before promising warnings.
   */
  watchRoutes(listener: (event: AudioRouteEvent) => void, onReady?: () => void): () => void;
}

export interface PlaybackRequest {
  readonly deviceId?: string;
  readonly sampleRateHz: number;
  readonly channels?: 1 | 2;
}

export interface PlaybackPosition {
  readonly writtenFrames: number;
  readonly playedFrames: number;
  readonly playedMs: number;
}

export interface PlaybackSession {
  /** Resolves when the samples are queued (backpressure: awaits space). */
  write(pcm: Int16Array | Float32Array): Promise<void>;
  /** Resolves when everything written has been played. */
  drain(): Promise<void>;
  /** Barge-in: drop queued audio now. The session stays usable. */
  stop(): void;
  position(): PlaybackPosition;
  onRoute(listener: (event: AudioRouteEvent) => void): () => void;
  close(): void;
}

export interface AudioSink {
  readonly available: boolean;
  openPlayback(request: PlaybackRequest): Promise<PlaybackSession>;
}
