/**
 * The audio add-on in its own process, behind the same AudioSource / AudioSink ports as the
 * in-process adapter (addonAudio.ts). The worker (audioWorker.ts) is restarted with backoff when it
 * dies; open captures are reopened with the same request, so the mic comes back by itself, and a
 * playback reopens on its next write. After `crashLimit` crashes within `crashWindowMs` it stays
 * down and says so (status 'failed'): a crash loop must not eat the machine.
 *
 * Listeners run in this process inside try/catch: a throwing chunk listener loses its own chunk,
 * never the stream or the app.
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
  PlaybackPosition,
  PlaybackRequest,
  PlaybackSession,
} from '../../core/ports/audio.js';
import type { AddonAudio, AudioProcessStatus } from './types.js';
import { audioWorkerPath, forkAudioChannel, type AudioChannel, type AudioChannelFactory } from './channel.js';
import type { z } from 'zod';
import { AddonResultSchemas, DeviceListSchema, hrNowMs, WorkerMessageSchema, type AddonFn, type HostMessage, type WorkerMessage } from './protocol.js';

export type { AudioProcessState, AudioProcessStatus } from './types.js';

export interface AudioProcessOptions {
  /** Starts the worker; child_process.fork by default (Electron passes a utilityProcess channel). */
  spawn?: AudioChannelFactory;
  workerPath?: string;
  /** Delay before restart n (1-based), ms; the last value repeats. Default [250, 1000, 3000]. */
  backoffMs?: readonly number[];
  /** This many crashes within `crashWindowMs` stop the restarts. Default 3. */
  crashLimit?: number;
  /** Default 60 000 ms. */
  crashWindowMs?: number;
  /** A worker that has not said 'ready' by then is killed (and counts as a crash), ms. Default 15 000. */
  readyTimeoutMs?: number;
  /** A call made while the worker restarts waits this long for it, ms. Default 10 000. */
  callWaitMs?: number;
  /** Warnings (crashes, dropped messages, throwing listeners). */
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The worker went away while a call was in flight. */
export class AudioProcessError extends Error {
  override readonly name = 'AudioProcessError';
}

interface Pending {
  resolve(m: Extract<WorkerMessage, { t: 'reply' }>): void;
  reject(e: Error): void;
}

/** Calls each listener, isolating failures (a throwing listener must not break delivery). */
/**
 * performance.now() + this = the worker's clock, from a worker reading paired with the OS monotonic
 * clock (protocol clockStamp): exact to µs, whatever the IPC delay was.
 */
export function exactOffsetMs(workerNowMs: number, workerHrMs: number): number {
  const hrMinusPerf = hrNowMs() - performance.now();
  return workerNowMs - (workerHrMs - hrMinusPerf);
}

function fanOut<T>(listeners: Iterable<(v: T) => void>, v: T, onError: (e: unknown) => void): void {
  for (const l of [...listeners]) {
    try {
      l(v);
    } catch (e) {
      onError(e);
    }
  }
}

export class AudioProcessHost implements AddonAudio {
  readonly source: AudioSource;
  readonly sink: AudioSink;
  private channel: AudioChannel | null = null;
  /** Bumped on every worker start: stream ids of an older worker are void. */
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly captures = new Map<number, RemoteCapture>();
  private readonly playbacks = new Map<number, RemotePlayback>();
  private readonly routeListeners = new Set<(e: AudioRouteEvent) => void>();
  /** The worker's route watcher has its first snapshot (reset whenever it is (re)started). */
  private routesReady = false;
  private readonly routesReadyWaiters: Array<() => void> = [];
  private readonly statusListeners = new Set<(s: AudioProcessStatus) => void>();
  private readonly readyWaiters = new Set<{ resolve(): void; reject(e: Error): void }>();
  private readonly crashes: number[] = [];
  private statusValue: AudioProcessStatus = { state: 'starting', pid: null, restarts: 0, message: null };
  private clockOffsetMs = 0;
  private unavailableReason: string | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private readyTimer: ReturnType<typeof setTimeout> | null = null;
  private listenerErrors = 0;
  /** The worker's echo canceller figures, as of the latest chunk (see suppressionDb). */
  private echo: { suppressionDb: number; residualEchoDb: number | null } = { suppressionDb: 0, residualEchoDb: null };
  /**
   * Present when the worker echo-cancels capture (it says so when ready): the canceller's measured
   * suppression (dB) and residual echo (dB, null until measured) as of the latest chunk delivered,
   * so the voice loop reads the figures that go with the audio it is handling.
   */
  suppressionDb?: () => number;
  residualEchoDb?: () => number | null;
  private readonly o: Required<Omit<AudioProcessOptions, 'log'>> & Pick<AudioProcessOptions, 'log'>;

  private constructor(opts: AudioProcessOptions) {
    this.o = {
      spawn: opts.spawn ?? forkAudioChannel,
      workerPath: opts.workerPath ?? audioWorkerPath(),
      backoffMs: opts.backoffMs ?? [250, 1000, 3000],
      crashLimit: opts.crashLimit ?? 3,
      crashWindowMs: opts.crashWindowMs ?? 60_000,
      readyTimeoutMs: opts.readyTimeoutMs ?? 15_000,
      callWaitMs: opts.callWaitMs ?? 10_000,
      log: opts.log,
    };
    const host = this;
    this.source = {
      get available() {
        return host.usable();
      },
      get unavailableReason() {
        return host.usable() ? null : (host.unavailableReason ?? host.statusValue.message ?? `The audio process is ${host.statusValue.state}.`);
      },
      listDevices: async () => {
        const r = await host.call((id) => ({ t: 'listDevices', id }));
        return DeviceListSchema.parse(r.value) as AudioDeviceInfo[];
      },
      openCapture: async (req) => {
        const cap = new RemoteCapture(host, req);
        await cap.open();
        return cap;
      },
      watchRoutes: (listener, onReady) => {
        host.routeListeners.add(listener);
        if (host.routeListeners.size === 1) host.startWatchingRoutes();
        if (onReady) host.whenRoutesReady(onReady);
        return () => {
          if (host.routeListeners.delete(listener) && host.routeListeners.size === 0) {
            host.routesReady = false;
            host.sendNow({ t: 'watchRoutes', on: false });
          }
        };
      },
    };
    this.sink = {
      get available() {
        return host.usable();
      },
      openPlayback: async (req) => {
        const pb = new RemotePlayback(host, req);
        await pb.ensureOpen();
        return pb;
      },
    };
  }

  /** Starts the worker and waits until it has said whether the add-on loaded; never throws. */
  static async start(opts: AudioProcessOptions = {}): Promise<AudioProcessHost> {
    const host = new AudioProcessHost(opts);
    host.spawn();
    try {
      await host.whenReady(host.o.readyTimeoutMs + 1000);
    } catch {
      // status() and source.unavailableReason say why
    }
    return host;
  }

  private usable(): boolean {
    const s = this.statusValue.state;
    return s !== 'failed' && s !== 'unavailable' && s !== 'closed';
  }

  /** The worker's monotonic clock (chunk timestamps), estimated here from its answers to pings. */
  nowMs(): number {
    return performance.now() + this.clockOffsetMs;
  }

  status(): AudioProcessStatus {
    return { ...this.statusValue };
  }

  onStatus(listener: (s: AudioProcessStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Stops the worker for good. */
  close(): void {
    if (this.statusValue.state === 'closed') return;
    for (const c of [...this.captures.values()]) c.close();
    for (const p of [...this.playbacks.values()]) p.close();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.setStatus({ state: 'closed', message: null });
    this.failAll(new AudioProcessError('The audio process was closed.'));
    const ch = this.channel;
    this.channel = null;
    ch?.kill();
  }

  // ---- internals used by the remote sessions ----------------------------------------------

  get gen(): number {
    return this.generation;
  }

  newId(): number {
    return this.nextId++;
  }

  registerCapture(sid: number, c: RemoteCapture): void {
    this.captures.set(sid, c);
  }

  registerPlayback(sid: number, p: RemotePlayback): void {
    this.playbacks.set(sid, p);
  }

  forget(sid: number): void {
    this.captures.delete(sid);
    this.playbacks.delete(sid);
  }

  /** Sends now if a worker is running; dropped otherwise (stream state is replayed on restart). */
  sendNow(m: HostMessage): void {
    if ('sid' in m && m.sid < 0) return; // a stream not open yet: its state is sent when it opens
    if (this.statusValue.state === 'running') this.channel?.send(m);
  }

  /** Resolves when a worker is running (waiting through a restart); rejects when it cannot be. */
  whenReady(timeoutMs = this.o.callWaitMs): Promise<void> {
    const s = this.statusValue.state;
    if (s === 'running') return Promise.resolve();
    if (s === 'failed' || s === 'unavailable' || s === 'closed') return Promise.reject(new AudioProcessError(this.statusValue.message ?? this.unavailableReason ?? `The audio process is ${s}.`));
    return new Promise((resolve, reject) => {
      const w = {
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
        reject: (e: Error) => {
          clearTimeout(t);
          reject(e);
        },
      };
      const t = setTimeout(() => {
        this.readyWaiters.delete(w);
        reject(new AudioProcessError(`The audio process did not come back within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.readyWaiters.add(w);
    });
  }

  /** One request/reply with the running worker (waits through a restart). */
  async call(make: (id: number) => HostMessage, expectGen?: number): Promise<Extract<WorkerMessage, { t: 'reply' }>> {
    await this.whenReady();
    if (expectGen !== undefined && expectGen !== this.generation) throw new AudioProcessError('The audio process restarted; the stream is gone.');
    const id = this.newId();
    const reply = await new Promise<Extract<WorkerMessage, { t: 'reply' }>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel?.send(make(id));
    });
    if (!reply.ok) {
      const err = new Error(reply.error?.message ?? 'audio process call failed');
      err.name = reply.error?.name ?? 'Error';
      throw err;
    }
    return reply;
  }

  /** One of the add-on's diagnostics jobs, run in the audio process; the answer is validated. */
  async addon<F extends AddonFn>(fn: F, args: { durationMs?: number; trials?: number } = {}): Promise<z.infer<(typeof AddonResultSchemas)[F]>> {
    const r = await this.call((id) => ({ t: 'addon', id, fn, ...args }));
    return AddonResultSchemas[fn].parse(r.value) as z.infer<(typeof AddonResultSchemas)[F]>;
  }

  listenerFailed(e: unknown): void {
    this.listenerErrors++;
    // The first few, then every 100th: a listener failing on every chunk must not flood the log.
    if (this.listenerErrors <= 3 || this.listenerErrors % 100 === 0) this.o.log?.('audio listener threw (the chunk is skipped for it)', { err: e instanceof Error ? e.message : String(e), count: this.listenerErrors });
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  private setStatus(patch: Partial<AudioProcessStatus>): void {
    this.statusValue = { ...this.statusValue, ...patch };
    fanOut(this.statusListeners, this.status(), (e) => this.listenerFailed(e));
  }

  private spawn(): void {
    this.generation++;
    const gen = this.generation;
    let ch: AudioChannel;
    try {
      ch = this.o.spawn(this.o.workerPath);
    } catch (e) {
      this.onExit(gen, `could not start: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.channel = ch;
    this.setStatus({ state: this.statusValue.restarts > 0 ? 'restarting' : 'starting', pid: ch.pid ?? null });
    ch.onMessage((raw) => {
      if (gen === this.generation) this.onMessage(raw);
    });
    ch.onExit((code, signal) => {
      if (gen === this.generation) this.onExit(gen, signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`);
    });
    this.readyTimer = setTimeout(() => {
      if (gen !== this.generation || this.statusValue.state === 'running') return;
      this.o.log?.('audio process did not start in time; killing it', { timeoutMs: this.o.readyTimeoutMs });
      ch.kill();
    }, this.o.readyTimeoutMs);
    this.readyTimer.unref?.();
  }

  private onExit(gen: number, how: string): void {
    if (this.statusValue.state === 'closed' || this.statusValue.state === 'unavailable') return;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.channel = null;
    this.failAll(new AudioProcessError(`The audio process stopped (${how}).`));
    const now = performance.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - (this.crashes[0] as number) > this.o.crashWindowMs) this.crashes.shift();
    this.o.log?.('audio process stopped', { how, generation: gen, recentCrashes: this.crashes.length });
    if (this.crashes.length >= this.o.crashLimit) {
      const message = `The audio process crashed ${this.crashes.length} times within ${Math.round(this.o.crashWindowMs / 1000)} s (last: ${how}); voice is off until the app restarts. Typed commands still work.`;
      this.setStatus({ state: 'failed', pid: null, message });
      this.rejectWaiters(new AudioProcessError(message));
      return;
    }
    const delay = this.o.backoffMs[Math.min(this.crashes.length, this.o.backoffMs.length) - 1] ?? 1000;
    this.setStatus({ state: 'restarting', pid: null, restarts: this.statusValue.restarts + 1, message: `The audio process stopped (${how}); restarting it in ${delay} ms.` });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.statusValue.state === 'restarting') this.spawn();
    }, delay);
    this.restartTimer.unref?.();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private rejectWaiters(e: Error): void {
    for (const w of [...this.readyWaiters]) w.reject(e);
    this.readyWaiters.clear();
    // No worker, no watcher: whoever waits for the routes must not wait for ever.
    for (const w of this.routesReadyWaiters.splice(0)) w();
  }

  private startWatchingRoutes(): void {
    this.routesReady = false;
    this.sendNow({ t: 'watchRoutes', on: true });
  }

  private whenRoutesReady(fn: () => void): void {
    // Without a worker that can ever run, nothing will watch: do not keep the caller waiting.
    if (this.routesReady || !this.usable()) queueMicrotask(fn);
    else this.routesReadyWaiters.push(fn);
  }

  private async onReady(m: Extract<WorkerMessage, { t: 'ready' }>): Promise<void> {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    if (!m.available) {
      // Not a crash: the add-on is not built or has no backend. Nothing to restart.
      this.unavailableReason = m.reason ?? 'The audio add-on is not available.';
      this.setStatus({ state: 'unavailable', message: this.unavailableReason });
      this.rejectWaiters(new AudioProcessError(this.unavailableReason));
      const ch = this.channel;
      this.channel = null;
      ch?.kill();
      return;
    }
    this.clockOffsetMs = m.hrMs !== undefined ? exactOffsetMs(m.nowMs, m.hrMs) : m.nowMs - performance.now();
    // A new worker's canceller starts from nothing: no credit until it has measured again.
    this.echo = { suppressionDb: 0, residualEchoDb: null };
    if (m.echoCancellation === true && this.suppressionDb === undefined) {
      this.suppressionDb = () => this.echo.suppressionDb;
      this.residualEchoDb = () => this.echo.residualEchoDb;
    }
    const wasRestart = this.statusValue.restarts > 0;
    this.setStatus({ state: 'running', pid: this.channel?.pid ?? null, message: wasRestart ? 'The audio process was restarted; audio is back.' : null });
    for (const w of [...this.readyWaiters]) w.resolve();
    this.readyWaiters.clear();
    // Without the OS clock's reading (an older worker), refine the one-way estimate with round trips.
    if (m.hrMs === undefined) void this.syncClock();
    if (this.routeListeners.size > 0) this.startWatchingRoutes();
    if (wasRestart) {
      for (const c of [...this.captures.values()]) void c.reopen();
    }
  }

  private async syncClock(): Promise<void> {
    try {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = await this.call((id) => ({ t: 'ping', id }));
        const t1 = performance.now();
        if (r.nowMs !== undefined && r.hrMs !== undefined) {
          this.clockOffsetMs = exactOffsetMs(r.nowMs, r.hrMs);
          return;
        }
        if (r.nowMs !== undefined && t1 - t0 < best) {
          best = t1 - t0;
          this.clockOffsetMs = r.nowMs - (t0 + t1) / 2;
        }
      }
    } catch {
      // keep the one-way estimate
    }
  }

  private onMessage(raw: unknown): void {
    const parsed = WorkerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.o.log?.('dropped an invalid message from the audio process', { issue: parsed.error.issues[0]?.message });
      return;
    }
    const m = parsed.data;
    switch (m.t) {
      case 'ready':
        void this.onReady(m);
        return;
      case 'reply': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m);
        return;
      }
      case 'chunk':
        if (m.echo !== undefined) this.echo = m.echo;
        this.captures.get(m.sid)?.deliver({ sampleRateHz: m.sampleRateHz, channels: m.channels, format: m.format, data: m.data, frames: m.frames, captureTimestampMs: m.captureTimestampMs, seq: m.seq, preRoll: m.preRoll });
        return;
      case 'level':
        this.captures.get(m.sid)?.deliverLevel({ rmsDbfs: m.rmsDbfs, peakDbfs: m.peakDbfs, timestampMs: m.timestampMs }, m.overruns !== undefined && m.droppedChunks !== undefined ? { overruns: m.overruns, droppedChunks: m.droppedChunks } : null);
        return;
      case 'routesReady':
        this.routesReady = true;
        for (const w of this.routesReadyWaiters.splice(0)) w();
        return;
      case 'route':
        if (m.sid === null) fanOut(this.routeListeners, m.event as AudioRouteEvent, (e) => this.listenerFailed(e));
        else (this.captures.get(m.sid) ?? this.playbacks.get(m.sid))?.deliverRoute(m.event as AudioRouteEvent);
        return;
      case 'position':
        this.playbacks.get(m.sid)?.setPosition(m.position);
        return;
    }
  }
}

/** A capture that outlives worker restarts: reopened with the same request and pause state. */
class RemoteCapture implements CaptureSession {
  private sid = -1;
  private paused: boolean;
  private levels = false;
  private loss: { overruns: number; droppedChunks: number } | null = null;
  private closed = false;
  private readonly chunkListeners = new Set<(c: PcmChunk) => void>();
  private readonly levelListeners = new Set<(l: AudioLevel) => void>();
  private readonly routeListeners = new Set<(e: AudioRouteEvent) => void>();

  constructor(
    private readonly host: AudioProcessHost,
    private readonly req: CaptureRequest,
  ) {
    this.paused = req.paused ?? false;
  }

  async open(): Promise<void> {
    const sid = this.host.newId();
    this.host.registerCapture(sid, this);
    try {
      await this.host.call((id) => ({ t: 'openCapture', id, sid, req: { ...this.req, paused: this.paused } }));
    } catch (e) {
      this.host.forget(sid);
      throw e;
    }
    if (this.closed) {
      this.host.sendNow({ t: 'control', sid, op: 'close' });
      this.host.forget(sid);
      return;
    }
    this.host.forget(this.sid);
    this.sid = sid;
    if (this.levels) this.host.sendNow({ t: 'control', sid, op: 'levels' });
  }

  /** After a worker restart. A failure is reported as a lost input; the next restart tries again. */
  async reopen(): Promise<void> {
    if (this.closed) return;
    try {
      await this.open();
    } catch (e) {
      this.deliverRoute({ type: 'device-lost', direction: 'input', deviceId: this.req.deviceId ?? 'default', reason: 'stream-failed' });
      this.host.listenerFailed(e);
    }
  }

  deliver(c: PcmChunk): void {
    fanOut(this.chunkListeners, c, (e) => this.host.listenerFailed(e));
  }

  deliverLevel(l: AudioLevel, loss: { overruns: number; droppedChunks: number } | null): void {
    if (loss !== null) this.loss = loss;
    fanOut(this.levelListeners, l, (e) => this.host.listenerFailed(e));
  }

  /** Loss counters of the stream, as of the last level report (levels on); undefined before that. */
  stats(): { overruns: number; droppedChunks: number } | undefined {
    return this.loss ?? undefined;
  }

  deliverRoute(e: AudioRouteEvent): void {
    fanOut(this.routeListeners, e, (err) => this.host.listenerFailed(err));
  }

  onChunk(listener: (chunk: PcmChunk) => void): () => void {
    this.chunkListeners.add(listener);
    return () => this.chunkListeners.delete(listener);
  }

  onLevel(listener: (level: AudioLevel) => void): () => void {
    if (!this.levels) {
      this.levels = true;
      this.host.sendNow({ t: 'control', sid: this.sid, op: 'levels' });
    }
    this.levelListeners.add(listener);
    return () => this.levelListeners.delete(listener);
  }

  onRoute(listener: (event: AudioRouteEvent) => void): () => void {
    this.routeListeners.add(listener);
    return () => this.routeListeners.delete(listener);
  }

  pause(): void {
    this.paused = true;
    this.host.sendNow({ t: 'control', sid: this.sid, op: 'pause' });
  }

  resume(): void {
    this.paused = false;
    this.host.sendNow({ t: 'control', sid: this.sid, op: 'resume' });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.sendNow({ t: 'control', sid: this.sid, op: 'close' });
    this.host.forget(this.sid);
    this.chunkListeners.clear();
    this.levelListeners.clear();
  }
}

/** A playback that reopens on the worker that runs now when the one it was opened on died. */
class RemotePlayback implements PlaybackSession {
  private sid = -1;
  private openedGen = -1;
  private opening: Promise<void> | null = null;
  private closed = false;
  private pos: PlaybackPosition = { writtenFrames: 0, playedFrames: 0, playedMs: 0 };
  private readonly routeListeners = new Set<(e: AudioRouteEvent) => void>();

  constructor(
    private readonly host: AudioProcessHost,
    private readonly req: PlaybackRequest,
  ) {}

  ensureOpen(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('playback is closed'));
    if (this.openedGen === this.host.gen) return Promise.resolve();
    this.opening ??= (async () => {
      try {
        await this.host.whenReady();
        const sid = this.host.newId();
        const gen = this.host.gen;
        this.host.registerPlayback(sid, this);
        try {
          await this.host.call((id) => ({ t: 'openPlayback', id, sid, req: this.req }), gen);
        } catch (e) {
          this.host.forget(sid);
          throw e;
        }
        this.host.forget(this.sid);
        this.sid = sid;
        this.openedGen = gen;
        this.pos = { writtenFrames: 0, playedFrames: 0, playedMs: 0 };
      } finally {
        this.opening = null;
      }
    })();
    return this.opening;
  }

  async write(pcm: Int16Array | Float32Array): Promise<void> {
    await this.ensureOpen();
    const sid = this.sid;
    const r = await this.host.call((id) => ({ t: 'write', id, sid, pcm }), this.openedGen);
    if (r.position) this.pos = r.position;
  }

  async drain(): Promise<void> {
    if (this.openedGen !== this.host.gen) return; // nothing written on this worker
    const sid = this.sid;
    const r = await this.host.call((id) => ({ t: 'drain', id, sid }), this.openedGen);
    if (r.position) this.pos = r.position;
  }

  stop(): void {
    if (this.openedGen === this.host.gen) this.host.sendNow({ t: 'control', sid: this.sid, op: 'stop' });
  }

  position(): PlaybackPosition {
    return this.pos;
  }

  setPosition(p: PlaybackPosition): void {
    this.pos = p;
  }

  deliverRoute(e: AudioRouteEvent): void {
    fanOut(this.routeListeners, e, (err) => this.host.listenerFailed(err));
  }

  onRoute(listener: (event: AudioRouteEvent) => void): () => void {
    this.routeListeners.add(listener);
    return () => this.routeListeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.openedGen === this.host.gen) this.host.sendNow({ t: 'control', sid: this.sid, op: 'close' });
    this.host.forget(this.sid);
    this.routeListeners.clear();
  }
}

/** The add-on in its own process (see AudioProcessHost); never throws: an unavailable host says why. */
export function startAudioProcess(opts: AudioProcessOptions = {}): Promise<AudioProcessHost> {
  return AudioProcessHost.start(opts);
}
