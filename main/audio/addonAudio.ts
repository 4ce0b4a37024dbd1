/**
 * AudioSource / AudioSink over @handsfree/audio-addon (PortAudio / libpulse). The add-on is
 * imported lazily and described structurally (as in main/audio/diagnostics.ts), so the app builds,
 * starts and stays text-only — saying why — when the add-on is not built.
 */
import type {
  AudioDeviceInfo,
  AudioLevel,
  AudioRouteEvent,
  AudioSink,
  AudioSource,
  CaptureRequest,
  CaptureSession,
  PcmChunk,
  PlaybackRequest,
  PlaybackSession,
} from '../../core/ports/audio.js';
import type { AddonAudio } from './types.js';
import { withEchoCancellation, type EchoCancellerLike } from './echoCancel.js';
import { guardPlayback } from './playbackGuard.js';

export const ADDON_BUILD_HINT = 'Build it with: npm --prefix native/audio-addon run build (needs cmake, a C++ compiler, libportaudio2/portaudio19-dev and libpulse-dev).';

interface AddonCapture {
  onChunk(listener: (chunk: PcmChunk) => void): () => void;
  onLevel(listener: (level: AudioLevel) => void): () => void;
  onRoute(listener: (event: AudioRouteEvent) => void): () => void;
  pause(): void;
  resume(): void;
  close(): void;
}
/** The add-on's playback handle has exactly the port's shape (native/audio-addon/test/portCompat.test.ts keeps them in step). */
type AddonPlayback = PlaybackSession;
/**
 * Output buffer per write period, ms (PulseAudio then holds twice this ahead of a reply). 10 ms
 * takes 10–15 ms off a reply's start against 20 (`npm run bench voice`, playback stage 43–45 ms
 * against 56–62 with flite replies). An earlier try was reverted when always-on.spec then missed
 * the mic fallback; that race was in the route watcher (a torn snapshot, a watcher not yet looking)
 * and happened at 20 ms too, and it is fixed there.
 */
export const PLAYBACK_BUFFER_MS = 10;

/** The slice of the add-on's API used here. */
export interface AudioAddonModule {
  audioAvailability(): { available: boolean; reason: string | null };
  listDevices(): Promise<AudioDeviceInfo[]>;
  openCapture(opts: { device?: string; sampleRateHz?: number; channels?: 1 | 2; frameMs?: number; preRollMs?: number; format?: 'int16' | 'float32'; paused?: boolean }): Promise<AddonCapture>;
  openPlayback(opts: { device?: string; sampleRateHz: number; channels?: 1 | 2; bufferMs?: number }): Promise<AddonPlayback>;
  watchRoutes(listener: (event: AudioRouteEvent) => void, onReady?: () => void): () => void;
  /** Monotonic ms on the clock of chunk timestamps. */
  nowMs(): number;
  /** speexdsp acoustic echo canceller (absent in older add-on builds). */
  createEchoCanceller?(opts: { sampleRateHz: number; frameSamples: number; filterMs: number }): EchoCancellerLike;
}

export type AudioAddonLoader = () => Promise<AudioAddonModule>;

const ADDON_PACKAGE = '@handsfree/audio-addon';
export const defaultAudioAddonLoader: AudioAddonLoader = async () => (await import(ADDON_PACKAGE)) as AudioAddonModule;

export type { AddonAudio } from './types.js';

export interface LoadAddonAudioOptions {
  /**
   * Cancel the speaker's echo in captured audio with the add-on's AEC (when it has one), so the
   * user can be heard over and right after replies. Default true.
   */
  echoCancellation?: boolean;
}

/** Loads the add-on; never throws: an unavailable source/sink carries the reason. */
export async function loadAddonAudio(load: AudioAddonLoader = defaultAudioAddonLoader, opts: LoadAddonAudioOptions = {}): Promise<AddonAudio> {
  let mod: AudioAddonModule | null = null;
  let reason: string | null = null;
  try {
    mod = await load();
    const a = mod.audioAvailability();
    if (!a.available) {
      reason = `The audio add-on is not available: ${a.reason ?? 'it did not load'} ${ADDON_BUILD_HINT}`;
      mod = null;
    }
  } catch (e) {
    reason = `The audio add-on could not be loaded (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}). ${ADDON_BUILD_HINT}`;
    mod = null;
  }
  if (mod === null) {
    const fail = (): never => {
      throw new Error(reason ?? 'The audio add-on is not available.');
    };
    return {
      source: { available: false, unavailableReason: reason, listDevices: async () => fail(), openCapture: async () => fail(), watchRoutes: (_l, onReady) => (onReady?.(), () => {}) },
      sink: { available: false, openPlayback: async () => fail() },
      nowMs: () => performance.now(),
    };
  }
  const m = mod;
  const source: AudioSource = {
    available: true,
    unavailableReason: null,
    listDevices: () => m.listDevices(),
    async openCapture(req: CaptureRequest): Promise<CaptureSession> {
      const cap = await m.openCapture({
        ...(req.deviceId !== undefined ? { device: req.deviceId } : {}),
        sampleRateHz: req.sampleRateHz ?? 16_000,
        channels: req.channels ?? 1,
        frameMs: req.frameMs ?? 20,
        preRollMs: req.preRollMs ?? 0,
        format: req.format ?? 'int16',
        paused: req.paused ?? false,
      });
      return cap;
    },
    watchRoutes: (listener, onReady) => m.watchRoutes(listener, onReady),
  };
  const sink: AudioSink = {
    available: true,
    async openPlayback(req: PlaybackRequest): Promise<PlaybackSession> {
      const session = await m.openPlayback({ ...(req.deviceId !== undefined ? { device: req.deviceId } : {}), sampleRateHz: req.sampleRateHz, channels: req.channels ?? 1, bufferMs: PLAYBACK_BUFFER_MS });
      return guardPlayback(session, { deviceId: req.deviceId ?? 'default' });
    },
  };
  const plain: AddonAudio = { source, sink, nowMs: () => m.nowMs() };
  const create = m.createEchoCanceller;
  if ((opts.echoCancellation ?? true) && typeof create === 'function') return withEchoCancellation(plain, { create: (o) => create(o) });
  return plain;
}
