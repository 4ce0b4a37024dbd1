/**
 * Runs the voice loop (core/voice/voiceLoop.ts) on real devices: add-on capture (open mic, 16 kHz
 * mono 20 ms chunks) → WebRTC VAD → the app's STT → createApp's command path → TTS → add-on
 * playback. State changes go to the app's event bus as 'voice.state', and as 'pipeline.state'
 * listening/speaking/idle for the existing status indicator. Without the add-on the runner reports
 * why and the app stays text-only.
 */
import type { VoiceStateEvent } from '../../contract/events.js';
import type { VoiceStatusView } from '../../contract/ipc.js';
import type { AudioRouteEvent, AudioSink, AudioSource, CaptureSession, PlaybackRequest, PlaybackSession } from '../../core/ports/audio.js';
import type { SpeechToText, TextToSpeech, VoiceActivityDetector, WakePhraseDetector } from '../../core/ports/speech.js';
import { VoiceLoop, type VoiceLoopConfig } from '../../core/voice/voiceLoop.js';
import { voiceClientContext, type AppService } from '../../contract/api.js';
import type { Logger } from '../../core/ports/clock.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { CommandPipeline } from '../../core/pipeline/commandPipeline.js';
import type { AppConfig } from '../app/config.js';
import type { AppEventBus } from '../app/events.js';
import type { SpeechProviders } from '../speech/providers.js';
import type { VoiceProfileStore } from '../speech/adapt/voiceProfile.js';
import { FvadVoiceActivityDetector, type FvadMode } from '../speech/vad/fvadVad.js';
import { loadAddonAudio, type AddonAudio } from '../audio/addonAudio.js';
import { startAudioProcess, type AudioProcessOptions, type AudioProcessStatus } from '../audio/audioProcess.js';
import { RouteAnnouncer } from './routeAnnouncer.js';

export interface VoiceRunnerOptions {
  /** Audio devices (tests pass a loopback); when omitted, `openAudio` opens them and the runner owns them. */
  audio?: AddonAudio;
  /** Opens the audio devices; default openDefaultAudio (the add-on in its own process). */
  openAudio?: () => Promise<AddonAudio>;
  /** VAD; WebRTC VAD (20 ms frames, `vadMode`) by default. */
  vad?: VoiceActivityDetector;
  /** WebRTC VAD aggressiveness 0–3. Default 3. */
  vadMode?: FvadMode;
  loop?: Partial<VoiceLoopConfig>;
  /** Session the voice commands run in (context such as "merge it"). Default "voice". */
  sessionId?: string;
  /** Capture device id (default input when omitted). */
  captureDeviceId?: string;
  /** Playback device id (default output when omitted). */
  playbackDeviceId?: string;
  /** Replace the app's STT / TTS (e.g. a cached TTS in tests). */
  stt?: SpeechToText;
  tts?: TextToSpeech;
  /** Speak 'notification.spoken' batches. Default true. */
  speakNotifications?: boolean;
  /** Wake phrase detector; by default one for app.config.speech.wakePhrase when set (VAD mode only). */
  wake?: WakePhraseDetector;
  /** Announce route changes (glasses connected / disconnected, mic fallback). Default true. */
  announceRoutes?: boolean;
}

/**
 * What the runner uses of the app, passed in explicitly (the composition root hands its parts in;
 * the runner does not import the app, which imports the runner).
 */
export interface VoiceRunnerDeps {
  config: Pick<AppConfig, 'user'> & { speech: Pick<AppConfig['speech'], 'voice' | 'wakePhrase'> };
  service: Pick<AppService, 'runCommand'>;
  pipeline: Pick<CommandPipeline, 'onNumberHints'>;
  metrics: Metrics;
  events: Pick<AppEventBus, 'emit' | 'on'>;
  logger: Logger;
  /** The notification announcer's gate: told while the user speaks. */
  speechGate: { setUserSpeaking(speaking: boolean): void };
  speech(): Promise<SpeechProviders>;
  voiceProfile: VoiceProfileStore;
}

/** Sentences waiting for the loop to be idle (a notification batch while the user talks), at most. */
const MAX_WAITING_SENTENCES = 5;
/** Longest wait (ms) at start for the route watcher's first snapshot (one libpulse round trip when well). */
const ROUTES_READY_MS = 3_000;

/** The runner's status: the UI contract's view (contract/ipc.ts). */
export type VoiceStatus = VoiceStatusView;

/**
 * The audio devices the app uses by default: the add-on hosted in its own process (a forked Node
 * child; the Electron shell passes a utilityProcess `spawn`), so a native crash or a throwing
 * listener costs seconds of audio, not the app. HANDSFREE_AUDIO_IN_PROCESS=1 loads it in this
 * process instead (debugging).
 */
export async function openDefaultAudio(app: Pick<VoiceRunnerDeps, 'logger'>, opts: AudioProcessOptions = {}): Promise<AddonAudio> {
  if (process.env['HANDSFREE_AUDIO_IN_PROCESS'] === '1') return loadAddonAudio();
  return startAudioProcess({ log: (msg, fields) => app.logger.warn(fields ?? {}, msg), ...opts });
}

/** What the user hears after the output device disappeared mid-reply (on whatever output is left). */
export const OUTPUT_LOST_MESSAGE = 'The audio output was disconnected. I will use the default output until it is back.';

export class VoiceRunner {
  private constructor(
    private readonly app: VoiceRunnerDeps,
    readonly loop: VoiceLoop | null,
    private readonly capture: CaptureSession | null,
    private reason: string | null,
    private readonly offs: (() => void)[],
    private readonly audio: AddonAudio | null = null,
    /** The runner opened the audio devices (then it closes them). */
    private readonly ownsAudio = false,
  ) {}

  /** Starts listening per config; never throws for a missing add-on or device (status() says why). */
  static async start(app: VoiceRunnerDeps, opts: VoiceRunnerOptions = {}): Promise<VoiceRunner> {
    const owned = opts.audio === undefined;
    const audio = opts.audio ?? (await (opts.openAudio ?? (() => openDefaultAudio(app)))());
    const unavailable = (reason: string): VoiceRunner => {
      app.logger.warn({ reason }, 'voice loop unavailable: text only');
      app.events.emit('voice.state', { state: 'unavailable', previous: 'idle', reason: 'unavailable', at_ms: audio.nowMs(), message: reason });
      if (owned) audio.close?.();
      return new VoiceRunner(app, null, null, reason, []);
    };
    if (!audio.source.available || !audio.sink.available) return unavailable(audio.source.unavailableReason ?? 'The audio add-on is not available.');
    const ownVad = opts.vad === undefined ? await FvadVoiceActivityDetector.create({ frameMs: 20, mode: opts.vadMode ?? 3 }) : null;
    const vad = opts.vad ?? (ownVad as FvadVoiceActivityDetector);
    // The mic first: without one (no audio server, no device) the speech stack is not worth loading at launch.
    let capture: CaptureSession;
    try {
      capture = await openMic(audio.source, vad.sampleRateHz, opts.captureDeviceId);
    } catch (e) {
      ownVad?.close();
      return unavailable(`The microphone could not be opened: ${e instanceof Error ? e.message : String(e)}`);
    }
    let speech: SpeechProviders;
    try {
      speech = await app.speech();
    } catch (e) {
      capture.close();
      ownVad?.close();
      throw e;
    }
    const stt = opts.stt ?? speech.stt;
    // Before the loop takes audio: built on the first utterance instead, the offline decoders held
    // the event loop for a second or more (seconds under load), long enough for the capture ring
    // to overflow and the rest of that first command to be lost.
    try {
      stt.prepareFor?.(vad.sampleRateHz);
    } catch (e) {
      app.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'speech recognizer could not be prepared: it is built on first use');
    }
    speech.warmUp?.(); // the first reply's voice, loaded while the loop waits for a command
    const sessionId = opts.sessionId ?? 'voice';
    const ownWake = opts.wake === undefined ? await openWakePhrase(app) : null;
    const wake = opts.wake ?? ownWake ?? undefined;
    const caller = { userId: app.config.user, transport: 'ipc' as const };
    // Output device handling: the configured device first, the default one when it is missing; a
    // device lost mid-reply is announced on what is left, and the next reply tries the configured one again.
    let announce: string | null = null;
    let onFallback = false;
    let current: PlaybackSession | null = null;
    let loopRef: VoiceLoop | null = null;
    const sink: AudioSink = {
      available: true,
      openPlayback: async (req: PlaybackRequest): Promise<PlaybackSession> => {
        let session: PlaybackSession;
        onFallback = false;
        if (opts.playbackDeviceId === undefined) session = await audio.sink.openPlayback(req);
        else {
          try {
            session = await audio.sink.openPlayback({ ...req, deviceId: opts.playbackDeviceId });
          } catch (e) {
            app.logger.warn({ device: opts.playbackDeviceId, err: e instanceof Error ? e.message : String(e) }, 'configured output unavailable: using the default output');
            session = await audio.sink.openPlayback(req);
            onFallback = true;
          }
        }
        current = session;
        let reported = false;
        session.onRoute((r: AudioRouteEvent) => {
          // Late events of a session the loop has already replaced say nothing new.
          if (r.type !== 'device-lost' || r.direction !== 'output' || reported || session !== current) return;
          reported = true;
          app.logger.warn({ device: r.deviceId, reason: r.reason }, 'audio output lost');
          announce = OUTPUT_LOST_MESSAGE;
        });
        return session;
      },
    };
    // Spoken batches and route announcements wait for the loop to be idle instead of being dropped.
    const waiting: string[] = [];
    const sayWhenIdle = (text: string): void => {
      if (loopRef?.say(text)) return;
      waiting.push(text);
      if (waiting.length > MAX_WAITING_SENTENCES) waiting.shift();
    };
    const emit = (e: VoiceStateEvent): void => {
      app.events.emit('voice.state', e);
      if (e.state === 'idle' && waiting.length > 0 && announce === null) {
        // After the transition settles (emit runs inside setState).
        queueMicrotask(() => {
          const next = waiting[0];
          if (next !== undefined && loopRef?.say(next)) waiting.shift();
        });
      }
      if (e.state === 'idle' && loopRef !== null) {
        const l = loopRef;
        // Back to the configured output as soon as it exists again: do not keep the fallback session.
        if (onFallback) l.resetOutput();
        if (announce !== null) {
          const text = announce;
          announce = null;
          setImmediate(() => l.say(text));
        }
      }
      // The indicator's stages; 'thinking' and its 'idle' come from the command path itself.
      if (e.state === 'listening') app.events.emit('pipeline.state', { stage: 'listening', session_id: sessionId });
      else if (e.state === 'speaking') app.events.emit('pipeline.state', { stage: 'speaking', session_id: sessionId, ...(e.spoken_text !== undefined ? { spoken_text: e.spoken_text } : {}) });
      else if (e.state === 'idle' && e.previous !== 'thinking') app.events.emit('pipeline.state', { stage: e.reason === 'error' ? 'error' : 'idle', session_id: sessionId });
    };
    const loop = new VoiceLoop(
      {
        vad,
        stt,
        tts: opts.tts ?? speech.tts,
        sink,
        clock: { monotonicMs: () => audio.nowMs() },
        metrics: app.metrics,
        runCommand: (text, conf, numbers) => app.service.runCommand({ text, session_id: sessionId, client_context: voiceClientContext(conf, numbers) }, caller),
        emit,
        onUserSpeaking: (v) => app.speechGate.setUserSpeaking(v),
        ...(audio.suppressionDb !== undefined ? { echoSuppressionDb: audio.suppressionDb } : {}),
        ...(audio.residualEchoDb !== undefined ? { echoResidualDb: audio.residualEchoDb } : {}),
        ...(wake !== undefined ? { wake } : {}),
      },
      { ...(app.config.speech.voice !== undefined ? { voice: app.config.speech.voice } : {}), ...opts.loop },
    );
    loopRef = loop;
    const offs = [() => ownVad?.close(), () => ownWake?.close(), capture.onChunk((c) => loop.pushAudio(c.data instanceof Int16Array ? c.data : toInt16(c.data), c.captureTimestampMs))];
    if (opts.speakNotifications ?? true) offs.push(app.events.on('notification.spoken', (n) => sayWhenIdle(n.text)));
    // The recognizer expects the band the mic really captures (an HFP headset's 8 kHz arrives resampled to the loop's rate).
    let bandDevice: string | null = null; // the Bluetooth mic whose rate the loop was told
    const onBand = (e: AudioRouteEvent): void => {
      const hz = captureRateAfter(e, opts.captureDeviceId !== undefined, bandDevice);
      if (hz === undefined) return;
      bandDevice = hz === null ? null : bandDeviceOf(e);
      loop.setCaptureRate(hz);
      // That band's decoders now, not on the first utterance (see prepareFor above).
      if (hz === null) return;
      try {
        stt.prepareFor?.(hz);
        wake?.prepareFor?.(hz);
      } catch (err) {
        app.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'speech recognizer could not be prepared for the headset band: it is built on first use');
      }
    };
    if (opts.announceRoutes ?? true) {
      const routes = new RouteAnnouncer({
        listDevices: () => audio.source.listDevices(),
        warn: (w) => app.events.emit('audio.warning', w),
        say: sayWhenIdle,
        nowMs: () => Date.now(),
        setTimer: (fn, ms) => {
          const t = setTimeout(fn, ms);
          t.unref();
          return { cancel: () => clearTimeout(t) };
        },
      });
      await routes.refresh();
      const onRoute = (e: AudioRouteEvent): void => {
        // A reply after an output change must open a stream on the new route, not the vanished one.
        if (e.type !== 'narrowband-input' && e.direction === 'output') loop.resetOutput();
        onBand(e);
        routes.onRoute(e);
      };
      let watching!: () => void;
      const ready = new Promise<void>((resolve) => (watching = resolve));
      const onWatching = (): void => {
        watching();
        void routes.catchUp();
      };
      offs.push(audio.source.watchRoutes(onRoute, onWatching), capture.onRoute(onRoute), () => routes.close());
      // The watcher reports changes after its first look at the routes (devices gone before it are
      // found by catchUp): the loop counts as started (and says so) only once it has looked, or
      // after ROUTES_READY_MS if it cannot.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const looked = await Promise.race([ready.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ROUTES_READY_MS)))]);
      clearTimeout(timer);
      if (!looked) app.logger.warn({ waitedMs: ROUTES_READY_MS }, 'the audio route watcher has not looked yet; devices gone before it does are reported when it has');
    } else {
      offs.push(capture.onRoute(onBand), audio.source.watchRoutes(onBand));
    }
    // The numbers the user can see bias STT's number slot (recognizers that support hints).
    offs.push(app.pipeline.onNumberHints((numbers) => loop.setNumberHints(numbers)));
    const runner = new VoiceRunner(app, loop, capture, null, offs, audio, owned);
    if (audio.onStatus) offs.push(audio.onStatus((st) => runner.onAudioStatus(st)));
    app.logger.info({ mode: loop.config.mode }, 'voice loop started');
    return runner;
  }

  /** The audio process (when out of process): state, pid, restarts. */
  audioStatus(): AudioProcessStatus | null {
    return this.audio?.status?.() ?? null;
  }

  private onAudioStatus(st: AudioProcessStatus): void {
    const at = this.audio?.nowMs() ?? performance.now();
    if (st.state === 'restarting' && st.pid === null) {
      this.app.logger.warn({ restarts: st.restarts }, st.message ?? 'audio process restarting');
      this.loop?.stop(); // what was heard or playing is gone with the process
    } else if (st.state === 'running' && st.restarts > 0) {
      this.app.logger.info({ restarts: st.restarts }, 'audio process restarted; audio is back');
      this.loop?.resetOutput();
    } else if (st.state === 'failed') {
      this.reason = st.message;
      this.loop?.stop();
      this.app.events.emit('voice.state', { state: 'unavailable', previous: this.loop?.state ?? 'idle', reason: 'unavailable', at_ms: at, ...(st.message !== null ? { message: st.message } : {}) });
    }
  }

  status(): VoiceStatus {
    if (this.loop !== null && this.audioStatus()?.state === 'failed') return { available: false, reason: this.reason, state: 'unavailable', mode: this.loop.config.mode };
    return { available: this.loop !== null, reason: this.reason, state: this.loop?.state ?? 'unavailable', mode: this.loop?.config.mode ?? null };
  }

  /** Push-to-talk pressed. */
  pttStart(): VoiceStatus & { ok: boolean } {
    if (this.audioStatus()?.state === 'failed') return { ...this.status(), ok: false };
    const r = this.loop?.pttStart() ?? { ok: false };
    return { ...this.status(), ok: r.ok };
  }

  /** Push-to-talk released. */
  pttStop(): VoiceStatus & { ok: boolean } {
    const r = this.loop?.pttStop() ?? { ok: false };
    return { ...this.status(), ok: r.ok };
  }

  /** Silence at once. */
  stop(): VoiceStatus {
    this.loop?.stop();
    return this.status();
  }

  close(): void {
    this.capture?.close();
    this.loop?.close();
    for (const off of this.offs.splice(0)) off();
    if (this.ownsAudio) this.audio?.close?.();
    this.app.speechGate.setUserSpeaking(false);
  }
}

/** The configured wake phrase's detector, or null (off, or pocketsphinx unavailable: logged). */
async function openWakePhrase(app: VoiceRunnerDeps): Promise<WakePhraseDetector | null> {
  const phrase = app.config.speech.wakePhrase;
  if (phrase === undefined) return null;
  try {
    const { PocketsphinxWakePhrase } = await import('../speech/wakePhrase.js');
    const { voiceProfileArgs } = await import('../speech/providers.js');
    return new PocketsphinxWakePhrase({ phrase, decoderArgs: voiceProfileArgs(app.voiceProfile) });
  } catch (e) {
    app.logger.warn({ err: String(e) }, 'wake phrase unavailable: every VAD utterance is a command');
    return null;
  }
}

/** Opens the mic at the VAD's rate (Hz), mono 16-bit, 20 ms chunks. */
/**
 * The mic's capture rate (Hz) after a route event, for VoiceLoop.setCaptureRate: the rate the
 * add-on reports for a narrowband (HFP) input; a Bluetooth input's own rate when the default mic
 * moves to it, and null (the loop's rate) when it moves to any other mic, falls back from
 * Bluetooth, or when `bandDevice` (the Bluetooth mic whose rate was told) is removed. Default-mic
 * moves do not apply to a capture pinned to a device (`pinned`). undefined: the event says nothing
 * about it.
 */
export function captureRateAfter(e: AudioRouteEvent, pinned: boolean, bandDevice: string | null = null): number | null | undefined {
  if (e.type === 'narrowband-input') return e.sampleRateHz;
  if (e.direction !== 'input') return undefined;
  if (e.type === 'device-lost') return e.reason === 'removed' && e.deviceId === bandDevice ? null : undefined;
  if (pinned) return undefined;
  if (e.type === 'fallback-to-non-bluetooth') return null;
  if (e.type !== 'default-changed') return undefined;
  return e.to !== null && e.to.transport === 'bluetooth' ? e.to.defaultSampleRateHz : null;
}

/** The mic a rate told after `e` belongs to: the narrowband input reported, or the default mic moved to. */
function bandDeviceOf(e: AudioRouteEvent): string | null {
  if (e.type === 'narrowband-input') return e.deviceId;
  return e.type === 'default-changed' ? e.toId : null;
}

async function openMic(source: AudioSource, sampleRateHz: number, deviceId: string | undefined): Promise<CaptureSession> {
  return source.openCapture({ ...(deviceId !== undefined ? { deviceId } : {}), sampleRateHz, channels: 1, frameMs: 20, format: 'int16' });
}

function toInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round((x[i] as number) * 32767)));
  return out;
}
