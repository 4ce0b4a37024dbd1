/**
 * The audio process: hosts the native add-on (main/audio/addonAudio.ts) and serves the app over
 * the message protocol of main/audio/protocol.ts. Run by the app as a forked Node child or an
 * Electron utilityProcess; a native crash here costs the app a few seconds of audio (the host
 * restarts it), never its state. Exits when the app goes away.
 */
import type { CaptureSession, PlaybackSession } from '../../core/ports/audio.js';
import { defaultAudioAddonLoader, loadAddonAudio } from './addonAudio.js';
import { clockStamp, HostMessageSchema, type HostMessage, type WorkerMessage } from './protocol.js';

interface ParentPort {
  post(message: WorkerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Electron's utilityProcess gives `process.parentPort`; a forked Node child has `process.send`. */
function parentPort(): ParentPort {
  const pp = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(ev: 'message', fn: (e: { data: unknown }) => void): void } }).parentPort;
  if (pp) return { post: (m) => pp.postMessage(m), onMessage: (fn) => pp.on('message', (e) => fn(e.data)) };
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('audioWorker must be started by the app (child_process.fork or utilityProcess)');
  process.on('disconnect', () => process.exit(0)); // the app is gone: so is its audio
  return {
    post: (m) => {
      if (process.connected) send(m);
    },
    onMessage: (fn) => process.on('message', fn),
  };
}

const port = parentPort();
// A throwing listener or a failed message must not take the audio down with it.
process.on('uncaughtException', (e) => process.stderr.write(`audio process: uncaught ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`audio process: unhandled rejection ${String(e)}\n`));

// Capture is echo-cancelled here, next to the devices (the canceller is native code too); its
// measured figures go with every chunk, so the app's voice loop trusts it as it would in process.
const audio = await loadAddonAudio();
const { suppressionDb: sup, residualEchoDb: res } = audio;
const clampDb = (v: number): number => Math.max(-200, Math.min(200, v));
/** The canceller's figures now, finite and in the protocol's range; null without a canceller. */
const echoFigures =
  sup !== undefined && res !== undefined
    ? (): { suppressionDb: number; residualEchoDb: number | null } => {
        const s = sup();
        const r = res();
        return { suppressionDb: Number.isFinite(s) ? clampDb(s) : 0, residualEchoDb: r !== null && Number.isFinite(r) ? clampDb(r) : null };
      }
    : null;

/** The add-on's diagnostics entry points (structural, as in main/audio/diagnostics.ts). */
interface DiagnosticsAddon {
  audioAvailability(): { available: boolean; reason: string | null; backends: readonly string[] };
  listDevices(): Promise<unknown[]>;
  playTestTone(o: { durationMs?: number }): Promise<void>;
  recordThenPlayBack(o: { durationMs: number; play?: boolean }): Promise<Float32Array>;
  measureLoopbackLatency(o: { trials?: number }): Promise<{ medianMs: number | null; missed: number }>;
}
let diagnostics: DiagnosticsAddon | null = null;

async function addonJob(m: Extract<HostMessage, { t: 'addon' }>): Promise<unknown> {
  diagnostics ??= (await defaultAudioAddonLoader()) as unknown as DiagnosticsAddon;
  const d = diagnostics;
  switch (m.fn) {
    case 'availability': {
      const a = d.audioAvailability();
      return { available: a.available, reason: a.reason, backends: [...a.backends] };
    }
    case 'listDevices':
      return d.listDevices();
    case 'playTestTone':
      await d.playTestTone({ durationMs: m.durationMs ?? 1000 });
      return undefined;
    case 'recordThenPlayBack':
      return d.recordThenPlayBack({ durationMs: m.durationMs ?? 3000, play: true });
    case 'measureLoopbackLatency': {
      const r = await d.measureLoopbackLatency({ trials: m.trials ?? 3 });
      return { medianMs: r.medianMs, missed: r.missed };
    }
  }
}
const captures = new Map<number, CaptureSession>();
const playbacks = new Map<number, PlaybackSession>();
let routesOff: (() => void) | null = null;

const post = (m: WorkerMessage): void => {
  try {
    port.post(m);
  } catch (e) {
    process.stderr.write(`audio process: could not send ${m.t}: ${String(e)}\n`);
  }
};
const fail = (id: number, e: unknown): void =>
  post({ t: 'reply', id, ok: false, error: { name: e instanceof Error ? e.name : 'Error', message: (e instanceof Error ? e.message : String(e)).slice(0, 4000) } });
const positionOf = (p: PlaybackSession): { writtenFrames: number; playedFrames: number; playedMs: number } | undefined => {
  try {
    const { writtenFrames, playedFrames, playedMs } = p.position();
    return { writtenFrames, playedFrames, playedMs };
  } catch {
    return undefined;
  }
};

/** The add-on's capture has stats() (the port does not): its loss counters, when present. */
function lossOf(cap: CaptureSession): { overruns?: number; droppedChunks?: number } {
  try {
    const st = (cap as { stats?: () => { overruns: number; droppedChunks: number } }).stats?.();
    return st ? { overruns: st.overruns, droppedChunks: st.droppedChunks } : {};
  } catch {
    return {};
  }
}

async function handle(m: HostMessage): Promise<void> {
  switch (m.t) {
    case 'ping':
      return post({ t: 'reply', id: m.id, ok: true, ...clockStamp(() => audio.nowMs()) });
    case 'listDevices':
      return post({ t: 'reply', id: m.id, ok: true, value: await audio.source.listDevices() });
    case 'openCapture': {
      const cap = await audio.source.openCapture(m.req);
      captures.set(m.sid, cap);
      const sid = m.sid;
      cap.onChunk((c) =>
        post({ t: 'chunk', sid, sampleRateHz: c.sampleRateHz, channels: c.channels, format: c.format, data: c.data, frames: c.frames, captureTimestampMs: c.captureTimestampMs, seq: c.seq, preRoll: c.preRoll, ...(echoFigures ? { echo: echoFigures() } : {}) }),
      );
      cap.onRoute((event) => post({ t: 'route', sid, event }));
      return post({ t: 'reply', id: m.id, ok: true });
    }
    case 'openPlayback': {
      const pb = await audio.sink.openPlayback(m.req);
      playbacks.set(m.sid, pb);
      const sid = m.sid;
      pb.onRoute((event) => post({ t: 'route', sid, event }));
      return post({ t: 'reply', id: m.id, ok: true });
    }
    case 'write':
    case 'drain': {
      const pb = playbacks.get(m.sid);
      if (pb === undefined) throw new Error(`playback ${m.sid} is not open`);
      await (m.t === 'write' ? pb.write(m.pcm) : pb.drain());
      const position = positionOf(pb);
      return post({ t: 'reply', id: m.id, ok: true, ...(position ? { position } : {}) });
    }
    case 'control': {
      const cap = captures.get(m.sid);
      const pb = playbacks.get(m.sid);
      if (m.op === 'pause') cap?.pause();
      else if (m.op === 'resume') cap?.resume();
      else if (m.op === 'levels') cap?.onLevel((l) => post({ t: 'level', sid: m.sid, ...l, ...lossOf(cap) }));
      else if (m.op === 'stop') pb?.stop();
      else {
        cap?.close();
        pb?.close();
        captures.delete(m.sid);
        playbacks.delete(m.sid);
      }
      return;
    }
    case 'addon':
      return post({ t: 'reply', id: m.id, ok: true, value: await addonJob(m) });
    case 'watchRoutes':
      routesOff?.();
      routesOff = m.on ? audio.source.watchRoutes((event) => post({ t: 'route', sid: null, event }), () => post({ t: 'routesReady' })) : null;
      return;
  }
}

port.onMessage((raw) => {
  const parsed = HostMessageSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`audio process: dropped an invalid message: ${parsed.error.issues[0]?.message ?? 'invalid'}\n`);
    return;
  }
  const m = parsed.data;
  handle(m).catch((e: unknown) => {
    if ('id' in m) fail(m.id, e);
  });
});
post({ t: 'ready', available: audio.source.available && audio.sink.available, reason: audio.source.unavailableReason, echoCancellation: echoFigures !== null, ...clockStamp(() => audio.nowMs()) });
