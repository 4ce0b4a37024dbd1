/**
 * Messages between the app and its audio process (main/audio/audioWorker.ts), validated with zod
 * on both sides: the worker hosts the native add-on, so what crosses is untrusted in both
 * directions (a corrupt message is dropped and counted, never acted on). PCM travels as typed
 * arrays (structured clone: `serialization: 'advanced'` for child_process.fork, native in
 * Electron's utilityProcess).
 */
import { z } from 'zod';

const id = z.number().int().nonnegative();
const pcm = z.custom<Int16Array | Float32Array>((v) => v instanceof Int16Array || v instanceof Float32Array, 'PCM must be an Int16Array or a Float32Array');
const deviceIdStr = z.string().max(500);

const deviceInfo = z.object({
  id: deviceIdStr,
  name: z.string().max(500),
  description: z.string().max(500),
  hostApi: z.string().max(100),
  maxInputChannels: z.number().int().nonnegative(),
  maxOutputChannels: z.number().int().nonnegative(),
  defaultSampleRateHz: z.number().nonnegative(),
  isDefaultInput: z.boolean(),
  isDefaultOutput: z.boolean(),
  transport: z.enum(['bluetooth', 'usb', 'builtin', 'virtual', 'unknown']),
  bluetoothProfile: z.enum(['a2dp', 'hfp', 'unknown']),
});

const direction = z.enum(['input', 'output']);
export const RouteEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('default-changed'), direction, fromId: deviceIdStr.nullable(), toId: deviceIdStr.nullable(), to: deviceInfo.nullable() }),
  z.object({ type: z.literal('device-lost'), direction, deviceId: deviceIdStr, reason: z.enum(['removed', 'stream-failed', 'stalled']) }),
  z.object({ type: z.literal('fallback-to-non-bluetooth'), direction, fromId: deviceIdStr, toId: deviceIdStr.nullable(), toTransport: z.enum(['bluetooth', 'usb', 'builtin', 'virtual', 'unknown']) }),
  z.object({ type: z.literal('narrowband-input'), deviceId: deviceIdStr, sampleRateHz: z.number().positive() }),
]);

export const CaptureRequestSchema = z.strictObject({
  deviceId: deviceIdStr.optional(),
  sampleRateHz: z.number().int().min(8000).max(192_000).optional(),
  channels: z.union([z.literal(1), z.literal(2)]).optional(),
  frameMs: z.number().min(5).max(200).optional(),
  preRollMs: z.number().min(0).max(10_000).optional(),
  format: z.enum(['int16', 'float32']).optional(),
  paused: z.boolean().optional(),
  echoCancellation: z.boolean().optional(),
});

export const PlaybackRequestSchema = z.strictObject({
  deviceId: deviceIdStr.optional(),
  sampleRateHz: z.number().int().min(8000).max(192_000),
  channels: z.union([z.literal(1), z.literal(2)]).optional(),
});

export const AddonFnSchema = z.enum(['availability', 'listDevices', 'playTestTone', 'recordThenPlayBack', 'measureLoopbackLatency']);
export type AddonFn = z.infer<typeof AddonFnSchema>;

/** What the diagnostics jobs answer (checked on arrival). */
export const AddonResultSchemas = {
  availability: z.object({ available: z.boolean(), reason: z.string().nullable(), backends: z.array(z.string().max(40)).max(10) }),
  /** Diagnostics also reads isMonitor and friends: extra fields are kept. */
  listDevices: z.array(deviceInfo.loose()),
  playTestTone: z.undefined(),
  recordThenPlayBack: z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array'),
  measureLoopbackLatency: z.object({ medianMs: z.number().nullable(), missed: z.number().int().nonnegative() }),
} as const;

/** App → audio process. `id` pairs a call with its reply; `sid` names an open stream. */
export const HostMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ping'), id }),
  z.object({ t: z.literal('listDevices'), id }),
  z.object({ t: z.literal('openCapture'), id, sid: id, req: CaptureRequestSchema }),
  z.object({ t: z.literal('openPlayback'), id, sid: id, req: PlaybackRequestSchema }),
  z.object({ t: z.literal('write'), id, sid: id, pcm }),
  z.object({ t: z.literal('drain'), id, sid: id }),
  /** Fire-and-forget stream controls. */
  z.object({ t: z.literal('control'), sid: id, op: z.enum(['pause', 'resume', 'levels', 'stop', 'close']) }),
  z.object({ t: z.literal('watchRoutes'), on: z.boolean() }),
  /** Diagnostics jobs of the add-on (main/audio/diagnostics.ts), run in the audio process too. */
  z.object({ t: z.literal('addon'), id, fn: AddonFnSchema, durationMs: z.number().int().min(10).max(10_000).optional(), trials: z.number().int().min(1).max(20).optional() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

const position = z.object({ writtenFrames: z.number().nonnegative(), playedFrames: z.number().nonnegative(), playedMs: z.number().nonnegative() });

/** The OS monotonic clock, ms (process.hrtime: CLOCK_MONOTONIC / mach / QPC), the same in every process. */
export function hrNowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * A reading of the worker's clock (the add-on's, chunk timestamps) paired with the OS monotonic
 * clock at the same instant (µs apart). With it the app maps the worker's clock onto its own
 * without a round trip: a ping's estimate is off by up to half its round trip, which was 100+ ms
 * while the worker was busy starting up (the loop's state times then ran ahead of the audio's).
 */
export function clockStamp(nowMs: () => number): { nowMs: number; hrMs: number } {
  const hrMs = hrNowMs();
  return { nowMs: nowMs(), hrMs };
}

/** Audio process → app. */
export const WorkerMessageSchema = z.discriminatedUnion('t', [
  /**
   * First message: whether the add-on loaded (else why), and the worker's clock (monotonic ms).
   * hrMs: the same instant on the OS monotonic clock (process.hrtime, ms), which every process of
   * the machine shares, so the app maps the worker's clock onto its own exactly (clockStamp).
   */
  z.object({
    t: z.literal('ready'),
    available: z.boolean(),
    reason: z.string().max(4000).nullable(),
    nowMs: z.number(),
    hrMs: z.number().optional(),
    /** Capture is echo-cancelled against playback in the worker; each chunk then carries `echo`. */
    echoCancellation: z.boolean().optional(),
  }),
  /** ok: `value` is the result; else `error` says why (its name survives, e.g. AudioOutputLostError). */
  z.object({
    t: z.literal('reply'),
    id,
    ok: z.boolean(),
    value: z.unknown().optional(),
    error: z.object({ name: z.string().max(100), message: z.string().max(4000) }).optional(),
    nowMs: z.number().optional(),
    hrMs: z.number().optional(),
    position: position.optional(),
  }),
  z.object({
    t: z.literal('chunk'),
    sid: id,
    sampleRateHz: z.number().positive(),
    channels: z.number().int().positive(),
    format: z.enum(['int16', 'float32']),
    data: pcm,
    frames: z.number().int().nonnegative(),
    captureTimestampMs: z.number(),
    seq: z.number().int(),
    preRoll: z.boolean(),
    /**
     * The echo canceller's figures right after this chunk (echoCancel.ts EchoCancelledAudio):
     * suppression and residual echo (null until measured), dB.
     */
    echo: z.object({ suppressionDb: z.number().min(-200).max(200), residualEchoDb: z.number().min(-200).max(200).nullable() }).optional(),
  }),
  /** With the stream's loss counters so far (diagnostics shows them as dropouts). */
  z.object({ t: z.literal('level'), sid: id, rmsDbfs: z.number(), peakDbfs: z.number(), timestampMs: z.number(), overruns: z.number().int().nonnegative().optional(), droppedChunks: z.number().int().nonnegative().optional() }),
  /** `sid` null: a change of the system defaults (watchRoutes). */
  z.object({ t: z.literal('route'), sid: id.nullable(), event: RouteEventSchema }),
  /** The worker's route watcher has its first snapshot: changes from now on are reported. */
  z.object({ t: z.literal('routesReady') }),
  z.object({ t: z.literal('position'), sid: id, position }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;
export const DeviceListSchema = z.array(deviceInfo);
