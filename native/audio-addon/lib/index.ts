/**
 * @handsfree/audio-addon: microphone capture and speaker playback over PortAudio / libpulse with
 * Bluetooth route awareness. Load failures never throw at import: check audioAvailability().
 */
import { tryLoadNative } from './loader.js';

export { AudioCapture, openCapture, defaultBackend } from './capture.js';
export { AudioPlayback, openPlayback } from './playback.js';
export { RouteMonitor, diffRoutes, watchRoutes, NARROWBAND_MAX_HZ, type RouteSnapshot } from './routes.js';
export { measureLoopbackLatency, playTestTone, recordThenPlayBack, type LoopbackResult } from './diagnostics.js';
export { AudioAddonUnavailableError, AudioDeviceError } from './errors.js';
export { candidatePaths } from './loader.js';
export { createEchoCanceller, validateEchoOptions, type EchoCanceller, type EchoCancellerOptions } from './echo.js';
export { chirp, findTemplate, tone, concatPcm, toFloat32, rmsDbfs } from './dsp.js';
export type * from './types.js';

import { captureCallSite, rethrowWithCallSite } from './errors.js';
import { loadNative } from './loader.js';
import type { DeviceInfo } from './types.js';

export interface AudioAvailability {
  readonly available: boolean;
  /** One clear sentence plus the paths tried, when unavailable. */
  readonly reason: string | null;
  readonly backends: readonly string[];
  readonly portaudioVersion: string | null;
}

export function audioAvailability(): AudioAvailability {
  const r = tryLoadNative();
  if ('error' in r) return { available: false, reason: r.error.message, backends: [], portaudioVersion: null };
  return { available: true, reason: null, backends: r.binding.backends, portaudioVersion: r.binding.portaudioVersion };
}

/**
 * Devices with transport and Bluetooth profile. On Linux with a reachable PulseAudio server these
 * are its sources and sinks (PortAudio there only sees the ALSA "pulse"/"default" routes, and
 * probing it prints JACK/ALSA noise), unless `portaudio: true` asks for PortAudio's list too.
 * Elsewhere, or when PulseAudio is unreachable, PortAudio's devices (transport 'unknown').
 */
export async function listDevices(options: { portaudio?: boolean; pulse?: boolean } = {}): Promise<DeviceInfo[]> {
  const r = await listDevicesDetailed(options);
  return r.devices;
}

export async function listDevicesDetailed(options: { portaudio?: boolean; pulse?: boolean } = {}): Promise<{ devices: DeviceInfo[]; errors: string[] }> {
  const callSite = captureCallSite(listDevicesDetailed);
  const native = loadNative();
  const hasPulse = native.backends.includes('pulse');
  try {
    if (options.portaudio !== undefined || !hasPulse || options.pulse === false) {
      return await native.listDevices({ portaudio: options.portaudio ?? true, pulse: (options.pulse ?? true) && hasPulse });
    }
    const pulse = await native.listDevices({ portaudio: false, pulse: true });
    if (pulse.errors.length === 0) return pulse;
    const pa = await native.listDevices({ portaudio: true, pulse: false });
    return { devices: pa.devices, errors: [...pulse.errors, ...pa.errors] };
  } catch (e) {
    throw rethrowWithCallSite(e, callSite, 'listDevices failed');
  }
}

/** Monotonic ms on the clock used by chunk timestamps. */
export function nowMs(): number {
  return loadNative().nowMs();
}
