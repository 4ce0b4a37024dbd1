/** Input validation in the sharp style: one check per argument, TypeErrors that name it. */
import { invalidArgument } from './errors.js';
import type { BackendName, CaptureOptions, PcmFormat, PlaybackOptions } from './types.js';

const BACKENDS: readonly BackendName[] = ['pulse', 'portaudio'];
const FORMATS: readonly PcmFormat[] = ['int16', 'float32'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidArgument(name, `an integer between ${min} and ${max}`, v);
  }
  return v;
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw invalidArgument(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  }
  return v as T;
}

function deviceId(name: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 512) throw invalidArgument(name, 'a non-empty device id string', v);
  return v;
}

function bool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalidArgument(name, 'a boolean', v);
  return v;
}

export interface NativeCaptureOptions {
  backend: BackendName;
  device: string;
  sampleRateHz: number;
  channels: 1 | 2;
  frameMs: number;
  preRollMs: number;
  format: PcmFormat;
  paused: boolean;
  queueChunks: number;
  bufferMs: number;
  stallMs: number;
}

/** Splits "pulse:<name>" / "portaudio:<api>:<name>" ids into backend + backend device name. */
export function resolveDevice(id: string | undefined, fallback: BackendName): { backend: BackendName; device: string } {
  if (id === undefined) return { backend: fallback, device: '' };
  if (id.startsWith('pulse:')) return { backend: 'pulse', device: id.slice('pulse:'.length) };
  if (id.startsWith('portaudio:')) return { backend: 'portaudio', device: id };
  return { backend: fallback, device: id };
}

export function validateCaptureOptions(options: unknown, defaultBackend: BackendName): NativeCaptureOptions {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) throw invalidArgument('options', 'an object', options);
  const o = options as CaptureOptions & Record<string, unknown>;
  const device = o.device === undefined ? undefined : deviceId('options.device', o.device);
  const backend = o.backend === undefined ? undefined : oneOf('options.backend', o.backend, BACKENDS);
  const resolved = resolveDevice(device, backend ?? defaultBackend);
  if (backend !== undefined && device !== undefined && resolved.backend !== backend && /^(pulse|portaudio):/.test(device)) {
    throw invalidArgument('options.backend', `'${resolved.backend}' to match options.device`, backend);
  }
  const frameMs = o.frameMs === undefined ? 20 : int('options.frameMs', o.frameMs, 5, 1000);
  const sampleRateHz = o.sampleRateHz === undefined ? 16000 : int('options.sampleRateHz', o.sampleRateHz, 8000, 192000);
  if ((sampleRateHz * frameMs) % 1000 !== 0) {
    throw invalidArgument('options.frameMs', `a length giving whole frames at ${sampleRateHz} Hz`, frameMs);
  }
  return {
    backend: backend ?? resolved.backend,
    device: resolved.device,
    sampleRateHz,
    channels: (o.channels === undefined ? 1 : int('options.channels', o.channels, 1, 2)) as 1 | 2,
    frameMs,
    preRollMs: o.preRollMs === undefined ? 0 : int('options.preRollMs', o.preRollMs, 0, 10_000),
    format: o.format === undefined ? 'int16' : oneOf('options.format', o.format, FORMATS),
    paused: o.paused === undefined ? false : bool('options.paused', o.paused),
    queueChunks: o.queueChunks === undefined ? 32 : int('options.queueChunks', o.queueChunks, 1, 10_000),
    bufferMs: o.bufferMs === undefined ? 10 : int('options.bufferMs', o.bufferMs, 1, 500),
    stallMs: o.stallMs === undefined ? 1500 : int('options.stallMs', o.stallMs, 100, 60_000),
  };
}

export interface NativePlaybackOptions {
  backend: BackendName;
  device: string;
  sampleRateHz: number;
  channels: 1 | 2;
  bufferMs: number;
  ringMs: number;
}

export function validatePlaybackOptions(options: unknown, defaultBackend: BackendName): NativePlaybackOptions {
  if (!isPlainObject(options)) throw invalidArgument('options', 'an object with sampleRateHz', options);
  const o = options as PlaybackOptions & Record<string, unknown>;
  const device = o.device === undefined ? undefined : deviceId('options.device', o.device);
  const backend = o.backend === undefined ? undefined : oneOf('options.backend', o.backend, BACKENDS);
  const resolved = resolveDevice(device, backend ?? defaultBackend);
  return {
    backend: backend ?? resolved.backend,
    device: resolved.device,
    sampleRateHz: int('options.sampleRateHz', o.sampleRateHz, 8000, 192000),
    channels: (o.channels === undefined ? 1 : int('options.channels', o.channels, 1, 2)) as 1 | 2,
    bufferMs: o.bufferMs === undefined ? 20 : int('options.bufferMs', o.bufferMs, 1, 500),
    ringMs: o.queueMs === undefined ? 500 : int('options.queueMs', o.queueMs, 20, 60_000),
  };
}

export function validatePcm(name: string, pcm: unknown, channels: number): Int16Array | Float32Array {
  if (!(pcm instanceof Int16Array) && !(pcm instanceof Float32Array)) {
    throw invalidArgument(name, 'an Int16Array or Float32Array', pcm);
  }
  if (pcm.length % channels !== 0) throw invalidArgument(name, `a whole number of ${channels}-channel frames`, pcm.length);
  return pcm;
}
