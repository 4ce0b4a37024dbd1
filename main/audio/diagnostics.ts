/**
 * Thin diagnostics service over @handsfree/audio-addon for the UI: add-on state (or why it is
 * missing and how to build it), devices and route, and a level meter pushed as events. The add-on
 * runs in the audio process (audioProcessLoader), so the app starts (and says so) when it is not
 * built and survives it crashing.
 */
import type { AudioDiagnosticsView, DiagnosticsJob, DiagnosticsJobResult, LevelsSample } from '../../contract/ipc.js';
import { ADDON_BUILD_HINT } from './addonAudio.js';
import { AudioProcessHost, type AudioProcessOptions } from './audioProcess.js';
import { CaptureGapCounter } from './dropouts.js';

export { ADDON_BUILD_HINT };

export interface AddonDevice {
  id: string;
  name: string;
  maxInputChannels: number;
  transport: string;
  bluetoothProfile: string;
  isDefaultInput: boolean;
  isDefaultOutput: boolean;
  defaultSampleRateHz: number;
  isMonitor: boolean;
}
interface AddonCapture {
  onLevel(listener: (l: { rmsDbfs: number; peakDbfs: number; timestampMs: number }) => void): () => void;
  /** Loss counters (absent in test doubles that do not model them). */
  stats?(): { overruns: number; droppedChunks: number };
  close(): void;
}
/** The slice of the add-on's API used here (structural, so a missing build does not break type checks). */
export interface AddonModule {
  audioAvailability(): { available: boolean; reason: string | null; backends: readonly string[] };
  listDevices(): Promise<AddonDevice[]>;
  openCapture(opts?: { device?: string }): Promise<AddonCapture>;
  playTestTone(opts?: { durationMs?: number }): Promise<void>;
  recordThenPlayBack(opts: { durationMs: number; play?: boolean }): Promise<Float32Array>;
  measureLoopbackLatency(opts: { trials?: number }): Promise<{ medianMs: number | null; missed: number }>;
}

export type AddonLoader = () => Promise<AddonModule>;

/**
 * The add-on as seen through the audio process (main/audio/audioProcess.ts): the meter, test tone,
 * record-and-play-back and latency jobs run there, so a native crash during diagnostics costs the
 * page an error message, not the app. The process starts on first use and is kept.
 */
export function audioProcessLoader(opts: AudioProcessOptions = {}): AddonLoader {
  let started: Promise<AudioProcessHost> | null = null;
  return async () => {
    started ??= AudioProcessHost.start(opts);
    let host = await started;
    if (host.status().state === 'failed') {
      // A crash loop earlier: try a fresh process once per use.
      host.close();
      started = AudioProcessHost.start(opts);
      host = await started;
    }
    const availability = host.source.available ? await host.addon('availability').catch((e: unknown) => ({ available: false, reason: e instanceof Error ? e.message : String(e), backends: [] })) : { available: false, reason: host.source.unavailableReason, backends: [] };
    return {
      audioAvailability: () => availability,
      listDevices: async () => (await host.addon('listDevices')) as unknown as AddonDevice[],
      openCapture: async (o) => host.source.openCapture(o?.device !== undefined ? { deviceId: o.device } : {}),
      playTestTone: async (o) => {
        await host.addon('playTestTone', o?.durationMs !== undefined ? { durationMs: o.durationMs } : {});
      },
      recordThenPlayBack: (o) => host.addon('recordThenPlayBack', { durationMs: o.durationMs }),
      measureLoopbackLatency: (o) => host.addon('measureLoopbackLatency', o.trials !== undefined ? { trials: o.trials } : {}),
    };
  };
}

const ADDON_PACKAGE = '@handsfree/audio-addon';
/** In this process: only for tests and HANDSFREE_AUDIO_IN_PROCESS=1 (see audioProcessLoader). */
export const inProcessAddonLoader: AddonLoader = async () => (await import(ADDON_PACKAGE)) as AddonModule;
const defaultLoader: AddonLoader = process.env['HANDSFREE_AUDIO_IN_PROCESS'] === '1' ? inProcessAddonLoader : audioProcessLoader();

const clampDb = (v: number): number => (Number.isFinite(v) ? Math.max(-100, Math.min(0, v)) : -100);

/** The monitor source of output device `outputId` (PulseAudio/PipeWire name it `<sink>.monitor`), if listed. */
export function outputMonitorOf(devices: readonly AddonDevice[], outputId: string): AddonDevice | null {
  return devices.find((d) => d.isMonitor && d.id === `${outputId}.monitor`) ?? null;
}

export class AudioDiagnosticsService {
  private capture: AddonCapture | null = null;
  /** The output level: a capture on the default output's monitor (what is actually being played). */
  private outputCapture: { cap: AddonCapture; name: string } | null = null;
  private warnings: string[] = [];

  constructor(
    private readonly onLevels: (s: LevelsSample) => void,
    private readonly load: AddonLoader = defaultLoader,
  ) {}

  private async addon(): Promise<{ mod: AddonModule | null; reason: string | null }> {
    try {
      const mod = await this.load();
      const a = mod.audioAvailability();
      return a.available ? { mod, reason: null } : { mod: null, reason: a.reason ?? 'The audio add-on did not load.' };
    } catch (e) {
      return { mod: null, reason: `The audio add-on package could not be loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
    }
  }

  async get(): Promise<AudioDiagnosticsView> {
    const { mod, reason } = await this.addon();
    if (mod === null) {
      return {
        addon: { available: false, reason, buildHint: ADDON_BUILD_HINT, backends: [] },
        route: { input: null, output: null, bluetoothProfile: null, sampleRateHz: null },
        devices: [],
        metering: false,
        outputMonitor: null,
        warnings: [],
      };
    }
    const warnings = [...this.warnings];
    let devices: AddonDevice[] = [];
    try {
      devices = await mod.listDevices();
    } catch (e) {
      warnings.push(`Listing devices failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const input = devices.find((d) => d.isDefaultInput) ?? null;
    const output = devices.find((d) => d.isDefaultOutput) ?? null;
    if (input?.transport === 'bluetooth' && input.bluetoothProfile === 'hfp' && input.defaultSampleRateHz <= 16_000) {
      warnings.push('Narrowband HFP mic: speech recognition will be less accurate.');
    }
    return {
      addon: { available: true, reason: null, buildHint: null, backends: mod.audioAvailability().backends },
      route: { input: input?.name ?? null, output: output?.name ?? null, bluetoothProfile: input?.bluetoothProfile ?? null, sampleRateHz: input?.defaultSampleRateHz ?? null },
      devices: devices.map((d) => ({ id: d.id, name: d.name, direction: d.maxInputChannels > 0 ? 'input' : 'output', transport: d.transport })),
      metering: this.capture !== null,
      outputMonitor: this.outputCapture?.name ?? null,
      warnings,
    };
  }

  /** Starts or stops the level meter; levels are pushed through `onLevels` (≤ 20 Hz, throttled by the add-on). */
  async meter(on: boolean): Promise<AudioDiagnosticsView> {
    if (!on) {
      this.stop();
      return this.get();
    }
    if (this.capture === null) {
      const { mod } = await this.addon();
      if (mod !== null) {
        try {
          const cap = await mod.openCapture();
          // Dropouts: what the device flagged (overflows), what was lost on the way to JS, and
          // stretches where the device delivered no audio at all (gaps in the capture timestamps).
          const gaps = new CaptureGapCounter();
          cap.onLevel((l) => {
            const st = cap.stats?.();
            const gapCount = gaps.observe(l.timestampMs);
            this.onLevels({ peakDbfs: clampDb(l.peakDbfs), rmsDbfs: clampDb(l.rmsDbfs), atMs: l.timestampMs, dropouts: gapCount + (st ? st.overruns + st.droppedChunks : 0) });
          });
          this.capture = cap;
          this.warnings = [];
          await this.meterOutput(mod);
        } catch (e) {
          this.warnings = [`Could not open the capture device: ${e instanceof Error ? e.message : String(e)}`];
        }
      }
    }
    return this.get();
  }

  /** One-off jobs; failures come back as a message for the page, never as a thrown error. */
  async run(job: DiagnosticsJob): Promise<DiagnosticsJobResult> {
    const { mod, reason } = await this.addon();
    if (mod === null) return { ok: false, message: `${reason ?? 'The audio add-on is not available.'} ${ADDON_BUILD_HINT}` };
    try {
      if (job === 'testTone') {
        await mod.playTestTone({ durationMs: 1_000 });
        return { ok: true, message: 'Played a 1 s, 440 Hz test tone on the output device.' };
      }
      if (job === 'recordPlayback') {
        const pcm = await mod.recordThenPlayBack({ durationMs: 3_000, play: true });
        let peak = 0;
        for (const v of pcm) peak = Math.max(peak, Math.abs(v));
        const db = peak > 0 ? 20 * Math.log10(peak) : -100;
        return { ok: true, message: `Recorded 3 s and played it back (peak ${db.toFixed(0)} dBFS).${db < -50 ? ' Nothing was heard: check the microphone.' : ''}` };
      }
      const r = await mod.measureLoopbackLatency({ trials: 3 });
      return r.medianMs === null
        ? { ok: false, message: `No test click came back (${r.missed} missed): the output is not audible at the input.`, latencyMs: null }
        : { ok: true, message: `Output → input latency ${r.medianMs.toFixed(0)} ms (${r.missed} of the trials missed).`, latencyMs: r.medianMs };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Meters the default output through its monitor source, where the audio server has one (else the page says why not). */
  private async meterOutput(mod: AddonModule): Promise<void> {
    try {
      const devices = await mod.listDevices();
      const out = devices.find((d) => d.isDefaultOutput);
      const monitor = out ? outputMonitorOf(devices, out.id) : null;
      if (monitor === null) return;
      const cap = await mod.openCapture({ device: monitor.id });
      cap.onLevel((l) => this.onLevels({ peakDbfs: clampDb(l.peakDbfs), rmsDbfs: clampDb(l.rmsDbfs), atMs: l.timestampMs, source: 'output' }));
      this.outputCapture = { cap, name: out?.name ?? monitor.name };
    } catch (e) {
      this.warnings.push(`Could not meter the output: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  stop(): void {
    this.capture?.close();
    this.capture = null;
    this.outputCapture?.cap.close();
    this.outputCapture = null;
  }
}
