/**
 * WebRTC VAD (libfvad compiled to WASM, @echogarden/fvad-wasm): 18–39 µs per 30 ms frame here.
 * Raw per-frame decisions through the VoiceActivityDetector port; `segments()` adds the smoothing
 * of core/voice/segmenter.ts (onset frames, hangover, minimum length) for whole clips.
 */
import type { PcmAudio, ProviderHealth, VoiceActivityDetector } from '../../../core/ports/speech.js';
import { SpeechSegmenter, type SegmenterOptions } from '../../../core/voice/segmenter.js';

interface FvadModule {
  _fvad_new(): number;
  _fvad_free(inst: number): void;
  _fvad_reset(inst: number): void;
  _fvad_set_mode(inst: number, mode: number): number;
  _fvad_set_sample_rate(inst: number, rate: number): number;
  _fvad_process(inst: number, frame: number, length: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

let modulePromise: Promise<FvadModule> | null = null;

/** Loads (once) and instantiates the WASM module. */
function loadFvad(): Promise<FvadModule> {
  modulePromise ??= import('@echogarden/fvad-wasm').then(async (m: { default: () => Promise<unknown> }) => (await m.default()) as FvadModule);
  return modulePromise;
}

/** Whether the WebRTC VAD loads here (the WASM module instantiates), for /v1/status. */
export async function fvadHealth(): Promise<ProviderHealth> {
  try {
    await loadFvad();
    return { provider: 'webrtc-vad', ok: true, message: null };
  } catch (e) {
    modulePromise = null; // let a later check try again
    return { provider: 'webrtc-vad', ok: false, message: `WebRTC VAD (fvad-wasm) failed to load: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** 0 quality … 3 very aggressive (fewer false positives, more missed speech). */
export type FvadMode = 0 | 1 | 2 | 3;

export interface FvadOptions {
  /** 8000, 16000, 32000 or 48000. Default 16000. */
  sampleRateHz?: number;
  /** 10, 20 or 30 ms. Default 20. */
  frameMs?: 10 | 20 | 30;
  /** Default 3 (noise rejection matters more than catching a whisper here). */
  mode?: FvadMode;
}

export interface SpeechSegment {
  /** Start and end in ms from the clip's start (end includes no hangover). */
  startMs: number;
  endMs: number;
}

export class FvadVoiceActivityDetector implements VoiceActivityDetector {
  readonly name = 'webrtc-vad';
  readonly frameSamples: number;
  readonly sampleRateHz: number;
  readonly frameMs: number;
  readonly mode: FvadMode;
  private inst: number;
  private readonly buf: number;

  private constructor(
    private readonly m: FvadModule,
    opts: Required<FvadOptions>,
  ) {
    this.sampleRateHz = opts.sampleRateHz;
    this.frameMs = opts.frameMs;
    this.mode = opts.mode;
    this.frameSamples = (opts.sampleRateHz * opts.frameMs) / 1000;
    this.inst = m._fvad_new();
    if (this.inst === 0) throw new Error('fvad_new failed (out of WASM memory)');
    if (m._fvad_set_sample_rate(this.inst, opts.sampleRateHz) !== 0) throw new RangeError(`WebRTC VAD does not support ${opts.sampleRateHz} Hz (use 8000, 16000, 32000 or 48000).`);
    if (m._fvad_set_mode(this.inst, opts.mode) !== 0) throw new RangeError(`Bad WebRTC VAD mode ${opts.mode} (0–3).`);
    this.buf = m._malloc(this.frameSamples * 2);
  }

  /** Creates a detector (the WASM module loads once per process, ~5 ms). */
  static async create(opts: FvadOptions = {}): Promise<FvadVoiceActivityDetector> {
    const full = { sampleRateHz: opts.sampleRateHz ?? 16_000, frameMs: opts.frameMs ?? 20, mode: opts.mode ?? 3 } as const;
    if (![10, 20, 30].includes(full.frameMs)) throw new RangeError(`WebRTC VAD frames are 10, 20 or 30 ms, not ${String(full.frameMs)}.`);
    if (![0, 1, 2, 3].includes(full.mode)) throw new RangeError(`Bad WebRTC VAD mode ${String(full.mode)} (0–3).`);
    return new FvadVoiceActivityDetector(await loadFvad(), full);
  }

  /** Raw decision for exactly `frameSamples` samples. */
  isSpeech(frame: Int16Array): boolean {
    if (this.inst === 0) throw new Error('the VAD was closed');
    if (frame.length !== this.frameSamples) throw new RangeError(`VAD frame must be ${this.frameSamples} samples, got ${frame.length}.`);
    this.m.HEAP16.set(frame, this.buf >> 1);
    const r = this.m._fvad_process(this.inst, this.buf, this.frameSamples);
    if (r < 0) throw new Error('fvad_process failed');
    return r === 1;
  }

  /** Clears the detector's history (fvad_reset also restores the default rate and mode: set them again). */
  reset(): void {
    if (this.inst === 0) return;
    this.m._fvad_reset(this.inst);
    this.m._fvad_set_sample_rate(this.inst, this.sampleRateHz);
    this.m._fvad_set_mode(this.inst, this.mode);
  }

  /** Smoothed speech segments of a whole clip (at this detector's rate). */
  segments(audio: PcmAudio, smoothing: Omit<SegmenterOptions, 'frameMs'> = {}): SpeechSegment[] {
    if (audio.sampleRateHz !== this.sampleRateHz) throw new RangeError(`Audio at ${audio.sampleRateHz} Hz; this VAD runs at ${this.sampleRateHz} Hz.`);
    this.reset();
    const seg = new SpeechSegmenter({ frameMs: this.frameMs, ...smoothing });
    const out: SpeechSegment[] = [];
    let start = 0;
    const n = this.frameSamples;
    let i = 0;
    for (; (i + 1) * n <= audio.samples.length; i++) {
      const edge = seg.push(this.isSpeech(audio.samples.subarray(i * n, (i + 1) * n)));
      if (edge.type === 'start') start = (i + 1 - edge.framesBack) * this.frameMs;
      else if (edge.type === 'end') out.push({ startMs: start, endMs: (i + 1 - edge.hangoverFrames) * this.frameMs });
    }
    // A clip that ends mid-speech closes its last segment at the end.
    if (seg.speaking) out.push({ startMs: start, endMs: i * this.frameMs });
    return out;
  }

  close(): void {
    if (this.inst === 0) return;
    this.m._fvad_free(this.inst);
    this.m._free(this.buf);
    this.inst = 0;
  }
}
