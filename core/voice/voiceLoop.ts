/**
 * The voice loop: idle → listening (push-to-talk or VAD) → endpoint → transcribing → thinking →
 * speaking → idle, over the speech and audio ports. Pure: no timers and no I/O of its own. Mic
 * audio is pushed in with its capture time; time comes from the injected monotonic clock, so tests
 * drive it with a virtual clock and scripted ports.
 *
 * Guards (product.md voice rules):
 * - pre-roll: the last `preRollMs` of mic audio is kept, so the first word before the VAD onset
 *   (or the push-to-talk press) is not lost;
 * - half-duplex: while a reply plays, mic audio never reaches STT; it only feeds barge-in
 *   detection, which needs speech louder than the expected echo of what is playing. After playback
 *   the mic stays ignored for `tailMs`, and listening re-arms only after a moment of silence, so an
 *   echo still sounding when the tail ends cannot start an utterance;
 * - echo filter: a transcript that starts within `echoWindowMs` of playback ending and matches
 *   what was just said (normalised, fuzzy) is dropped — a read-back ending "say confirm. Confirm."
 *   cannot confirm itself;
 * - barge-in: speech during playback calls PlaybackSession.stop() on the frame that completes the
 *   onset and starts listening (latency = onsetFrames × frame length + up to one frame);
 * - "stop" (spoken, or stop()) silences at once and says nothing;
 * - low confidence: a transcript with a number heard below `lowConfidence` is read back and only
 *   runs when heard again; so is, with push-to-talk only, a side-effect command the recognizer heard
 *   but would not pass on alone (Transcript.unsure; hands-free it stays unheard);
 * - acoustic echo cancellation (when the mic audio comes through an AEC, `echoSuppressionDb`): the
 *   measured suppression lowers the echo the barge-in gate expects; once it reaches `aecTrustDb`,
 *   listening re-arms as soon as the tail ends (speech then is the user's, not the reply's echo),
 *   and a transcript that is only a stop/cancel word is the user's even when it matches the
 *   reply's text ("Say confirm or cancel"). Everything else, "confirm" included, still passes the
 *   text echo filter: a read-back can never confirm itself.
 */
import type { VoiceLoopReason, VoiceLoopState, VoiceStateEvent } from '../../contract/events.js';
import type { CommandResponse } from '../../contract/response.js';
import type { AudioSink, PlaybackSession } from '../ports/audio.js';
import type { Metrics } from '../ports/metrics.js';
import type { PcmAudio, SpeechToText, TextToSpeech, Transcript, VoiceActivityDetector, WakePhraseDetector } from '../ports/speech.js';
import { EchoFilter, playedPart } from './echoFilter.js';
import { NO_SIGNAL_FLOOR_DBFS, ReplyLevels, rmsDbfs } from './levels.js';
import { numberSettled } from './numberEnd.js';
import { SpeechSegmenter } from './segmenter.js';
import { NOT_HEARD } from './turn.js';

export interface VoiceLoopConfig {
  /** 'vad': hands-free, speech starts listening; 'ptt': only pttStart() does. */
  mode: 'ptt' | 'vad';
  /** Mic audio kept for the start of an utterance, ms. Default 300. */
  preRollMs: number;
  /** Mic ignored for this long after playback ends or is stopped, ms. Default 300. */
  tailMs: number;
  /** An utterance starting this long (ms) after playback ended may still be an echo. Default 1500. */
  echoWindowMs: number;
  /** Barge-in by voice during playback. Default true. */
  bargeIn: boolean;
  /** Barge-in needs the mic this many dB above the expected echo. Default 6. */
  bargeInMarginDb: number;
  /** Expected gain of the speaker → mic path, dB (0 = a loopback; a headset is far lower). Default 0. */
  echoGainDb: number;
  /** Longest speaker → mic delay considered for the echo level, ms. Default 1000. */
  echoDelayMaxMs: number;
  /**
   * Echo may come stamped up to this long (ms) *before* its place in the reply: capture
   * timestamps and the loop's clock drift apart by a few hundred ms when streams are reopened on
   * another device. Default 500.
   */
  echoLeadMs: number;
  /** Voiced frames before speech counts (VAD onset). Default 3. */
  onsetFrames: number;
  /** Silence that ends an utterance, ms. Default 300. */
  hangoverMs: number;
  /** Shorter utterances are dropped, ms of voiced audio. Default 200. */
  minSpeechMs: number;
  /**
   * VAD mode: after this much pause (ms) the utterance so far is transcribed speculatively (on
   * the recognizer's thread, while the pause goes on); when the grammar says it is complete
   * (Transcript.grammarComplete) or whole, and the pause lasts long enough (completeEndSilenceMs,
   * finalEndSilenceMs, numberEndSilenceMs), the turn ends there instead of after the full hangover.
   * 0 turns it off. Default 20 (one frame): a speculation dropped by more speech is cancelled if
   * it has not started, so the next one does not queue behind it.
   */
  earlyEndSilenceMs: number;
  /**
   * VAD mode: a speculative transcript the grammar says is complete ends the turn after this much
   * pause (ms; at least one frame past the speculation). A pause counted from the level (see
   * pauseAboveFloorDb) starts at the real end of the word, so this is what keeps the closure
   * inside a word ("st|op", 50–100 ms) from ending the turn. Default 100.
   */
  completeEndSilenceMs: number;
  /**
   * VAD mode: a speculative transcript that is a whole command only a word could still extend
   * (Transcript.grammarFinal, e.g. "next" → "next one") ends the turn after this much silence (ms),
   * between the early end and the full hangover. 0 turns it off. Default 140.
   */
  finalEndSilenceMs: number;
  /**
   * VAD mode: the same for a whole command ending inside a number the grammar could extend
   * (Transcript.grammarNumberOpen, "read PR twelve" → "… eighteen"): people pause between the
   * groups of a number. 0 turns it off. Default 200. Not for a number the user can see that
   * none of the visible ones goes on from (see setNumberHints, numberEnd.ts): that one ends after
   * finalEndSilenceMs.
   */
  numberEndSilenceMs: number;
  /**
   * VAD mode, early end only: a frame the VAD still calls speech but no louder than this many dB
   * above the ambient floor (the quietest frame of the last 1.5 s, at least NO_SIGNAL_FLOOR_DBFS)
   * counts as a pause. WebRTC VAD
   * holds "speech" 60–100 ms past the end of a word (its hangover): without this the early end
   * could not start before that. The full hangover end still follows the VAD alone. 0 turns it
   * off. Default 10.
   */
  pauseAboveFloorDb: number;
  /** Utterances are cut here, ms. Default 15000. */
  maxUtteranceMs: number;
  /** Below this STT confidence a transcript with a number is read back first. Default 0.6. */
  lowConfidence: number;
  /** A held low-confidence transcript runs if heard again within this many ms. Default 15000. */
  lowConfidenceHoldMs: number;
  /** TTS voice. */
  voice?: string;
  /** AEC suppression (dB) from which stop/cancel words are trusted over or right after a reply. Default 12. */
  aecTrustDb: number;
  /** At most this much of the AEC's suppression (dB) lowers the echo the barge-in gate expects. Default 18. */
  aecBargeInCreditDb: number;
  /** With a wake phrase: after the phrase alone (or a reply), speech runs without it for this long, ms. Default 8000. */
  wakeWindowMs: number;
}

export const DEFAULT_VOICE_LOOP_CONFIG: VoiceLoopConfig = {
  mode: 'vad',
  preRollMs: 300,
  tailMs: 300,
  echoWindowMs: 1500,
  bargeIn: true,
  bargeInMarginDb: 6,
  echoGainDb: 0,
  echoDelayMaxMs: 1000,
  echoLeadMs: 500,
  onsetFrames: 3,
  hangoverMs: 300,
  earlyEndSilenceMs: 20,
  completeEndSilenceMs: 100,
  finalEndSilenceMs: 140,
  numberEndSilenceMs: 200,
  pauseAboveFloorDb: 10,
  minSpeechMs: 200,
  maxUtteranceMs: 15_000,
  lowConfidence: 0.6,
  lowConfidenceHoldMs: 15_000,
  aecTrustDb: 12,
  aecBargeInCreditDb: 18,
  wakeWindowMs: 8000,
};

/** Words that only stop or cancel: safe to take from the user even when the reply just said them. */
const SAFE_CONTROL = /^(?:(?:please )?(?:cancel|stop|stop it|stop talking|be quiet|quiet|never mind|nevermind|cancel that|cancel it|abort)(?: please)?)$/;

/** TranscribeOptions.signal of a speculative transcription: raised once the loop can no longer use its result. */
class CancelFlag {
  aborted = false;
  throwIfAborted(): void {
    if (this.aborted) throw Object.assign(new Error('The speculative transcription is no longer needed.'), { name: 'AbortError' });
  }
}

export interface VoiceLoopDeps {
  vad: VoiceActivityDetector;
  stt: SpeechToText;
  tts: TextToSpeech;
  sink: AudioSink;
  clock: { monotonicMs(): number };
  metrics: Metrics;
  /** Runs a transcript as a voice command (the same path as typed text and clicks). */
  /** `numberAlternatives`: Transcript.numberAlternatives, when the recognizer gave any. */
  runCommand(text: string, sttConfidence: number, numberAlternatives?: readonly number[]): Promise<CommandResponse>;
  /** Every state change. */
  emit(event: VoiceStateEvent): void;
  /** VAD hears the user (true) or stopped hearing them (false); for the notification gate. */
  onUserSpeaking?(speaking: boolean): void;
  /**
   * When mic audio is echo-cancelled: how far (dB) the echo of playback is lowered right now, as
   * measured by the canceller. Absent (or 0): no AEC, the half-duplex guards apply in full.
   */
  echoSuppressionDb?(): number;
  /**
   * When mic audio is echo-cancelled: the reply's echo level in it relative to the reply's own
   * level, dB, measured for the reply playing (a high percentile over its last seconds); null
   * until measured. The barge-in gate then expects that echo instead of echoGainDb less the
   * suppression: the acoustic path's own loss counts, and a changed echo path shows at once.
   * While null, the gate gives no credit (echoGainDb alone).
   */
  echoResidualDb?(): number | null;
  /** Optional wake phrase: in VAD mode an utterance runs only when it starts with the phrase (or follows it within wakeWindowMs). */
  wake?: WakePhraseDetector;
}

/** When a barge-in happened, on the loop's clock (ms). */
export interface BargeInRecord {
  /** First voiced frame of the onset that triggered it. */
  onsetMs: number;
  /** When PlaybackSession.stop() was called. */
  stoppedAtMs: number;
  latencyMs: number;
}

export interface VoiceTurnRecord {
  transcript: string;
  confidence: number;
  /** Why it did not run, or 'ran'. */
  outcome: 'ran' | 'echo' | 'not-heard' | 'low-confidence' | 'stale';
  response: CommandResponse | null;
  startedAtMs: number;
}

const NUMBER_WORD = /\b(\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)\b/i;

interface Frame {
  samples: Int16Array;
  atMs: number;
  /** The VAD's decision on this frame, once the loop has heard it. */
  voiced?: boolean;
}

/**
 * With a wake phrase: speech after the phrase means a command follows when the VAD hears at least
 * WAKE_REST_SPEECH_MS of it from WAKE_REST_GUARD_MS after the phrase's end. The length of the rest
 * alone does not tell: the VAD's hangover and the loop's tail keep ~0.4 s of silence after "hey
 * companion", and the recognizer heard "eighth" or "enough" in it. Measured on the wake utterances
 * of 19 voices (fvad mode 3, 20 ms frames): after the bare phrase at most 20 ms voiced from 100 ms
 * past its end (80 ms with noise at RMS 300), after a command at least 220 ms (120 ms in that
 * noise, but for 2 of 76 whose command the phrase's alignment swallowed).
 */
const WAKE_REST_GUARD_MS = 100;
const WAKE_REST_SPEECH_MS = 100;

/** Voiced ms among `voiced` (one flag per `frameMs` frame from the audio's start) from `fromMs` on. */
function voicedMsFrom(voiced: readonly boolean[], frameMs: number, fromMs: number): number {
  let ms = 0;
  for (let i = Math.max(0, Math.ceil(fromMs / frameMs)); i < voiced.length; i++) if (voiced[i] === true) ms += frameMs;
  return ms;
}

function joinFrames(frames: readonly Frame[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.samples.length, 0));
  let o = 0;
  for (const f of frames) {
    out.set(f.samples, o);
    o += f.samples.length;
  }
  return out;
}

export class VoiceLoop {
  readonly config: VoiceLoopConfig;
  private stateValue: VoiceLoopState = 'idle';
  private readonly frameMs: number;
  private readonly segmenter: SpeechSegmenter;
  private readonly bargeSegmenter: SpeechSegmenter;
  private readonly echo: EchoFilter;
  private readonly preRoll: Frame[] = [];
  private readonly preRollFrames: number;
  private pending: Int16Array = new Int16Array(0);
  private pendingAtMs = 0;
  /** Bumped by stop and barge-in: async work of an older generation is discarded. */
  private generation = 0;
  private utterance: Frame[] = [];
  /** See setCaptureRate. */
  private captureRateHz: number | null = null;
  private utteranceStartMs = 0;
  private lastVoicedMs = 0;
  /** Pause frames in a row while listening (VAD mode: silent, or at the ambient floor), for the early end. */
  private silentFrames = 0;
  /** Level (dBFS) of the last 1.5 s of mic frames, oldest first: the ambient floor is their minimum. */
  private recentDb: number[] = [];
  /** The utterance being heard started over a reply (barge-in). */
  private bargedIn = false;
  /** A speculative transcription of the utterance so far: pending, then its result. */
  private early: { id: number; result: Transcript | null; frames: number; failed?: boolean; cancel: CancelFlag } | null = null;
  private earlyIds = 0;
  private listenBy: 'ptt' | 'vad' = 'vad';
  /** The utterance being heard was started by the VAD alone and must begin with the wake phrase. */
  private needsWake = false;
  /** Until then (loop clock, ms) no wake phrase is needed. */
  private awakeUntilMs = -Infinity;
  private guardUntilMs = -Infinity;
  private armed = true;
  private silentSinceGuard = 0;
  private userSpeaking = false;
  private session: PlaybackSession | null = null;
  private sessionRate = 0;
  /** What is playing: per-frame level of the reply (growing while it streams) and when it started. */
  private playing: { levelsDb: number[]; startMs: number; text: string } | null = null;
  /** The previous reply and when it ended (drained, stopped or failed): its echo can still be in flight. */
  private lastPlayed: { levelsDb: number[]; startMs: number; endMs: number } | null = null;
  private held: { text: string; atMs: number } | null = null;
  private closed = false;
  private numberHints: readonly number[] = [];
  /** Last barge-in, for metrics and tests. */
  lastBargeIn: BargeInRecord | null = null;
  /** Every transcript and what became of it (last 50). */
  readonly turns: VoiceTurnRecord[] = [];
  /** Settles when the current turn (transcribe → speak) is over; for tests and the runner. */
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: VoiceLoopDeps,
    config: Partial<VoiceLoopConfig> = {},
  ) {
    this.config = { ...DEFAULT_VOICE_LOOP_CONFIG, ...config };
    this.frameMs = (deps.vad.frameSamples / deps.vad.sampleRateHz) * 1000;
    const seg = { frameMs: this.frameMs, onsetFrames: this.config.onsetFrames, hangoverMs: this.config.hangoverMs, minSpeechMs: this.config.minSpeechMs };
    this.segmenter = new SpeechSegmenter(seg);
    this.bargeSegmenter = new SpeechSegmenter(seg);
    this.echo = new EchoFilter(this.config.echoWindowMs);
    this.preRollFrames = Math.ceil(this.config.preRollMs / this.frameMs);
  }

  get state(): VoiceLoopState {
    return this.stateValue;
  }

  /** Sample rate mic audio must be pushed at (the VAD's). */
  get sampleRateHz(): number {
    return this.deps.vad.sampleRateHz;
  }

  /**
   * The rate the microphone really captures at (Hz), e.g. an HFP headset's 8 kHz delivered
   * resampled to the loop's rate; null (or the loop's own rate) when it is the loop's. Each
   * utterance carries it (PcmAudio.captureRateHz), so the recognizer expects the band it holds.
   */
  setCaptureRate(hz: number | null): void {
    this.captureRateHz = hz !== null && hz > 0 && hz < this.sampleRateHz ? hz : null;
  }

  /** An utterance's audio as the recognizer gets it. */
  private audioOf(samples: Int16Array): PcmAudio {
    return { sampleRateHz: this.sampleRateHz, samples, ...(this.captureRateHz !== null ? { captureRateHz: this.captureRateHz } : {}) };
  }

  /** Resolves when the turn in progress has finished (immediately when none). */
  settled(): Promise<void> {
    return this.work;
  }

  /**
   * Mono 16-bit mic audio at `sampleRateHz`; `startMs` is the capture time of its first sample on
   * the loop's clock (monotonic ms). Any chunk size: it is cut into VAD frames here.
   */
  pushAudio(samples: Int16Array, startMs: number): void {
    if (this.closed) return;
    const n = this.deps.vad.frameSamples;
    let buf = samples;
    let at = startMs;
    if (this.pending.length > 0) {
      const joined = new Int16Array(this.pending.length + samples.length);
      joined.set(this.pending);
      joined.set(samples, this.pending.length);
      buf = joined;
      at = this.pendingAtMs;
    }
    let off = 0;
    for (; off + n <= buf.length; off += n) this.onFrame({ samples: buf.slice(off, off + n), atMs: at + (off / this.sampleRateHz) * 1000 });
    this.pending = buf.slice(off);
    this.pendingAtMs = at + (off / this.sampleRateHz) * 1000;
  }

  /** Push-to-talk pressed: listen now (stopping any reply: that is a barge-in). */
  pttStart(): { ok: boolean; state: VoiceLoopState } {
    if (this.closed) return { ok: false, state: this.stateValue };
    const now = this.deps.clock.monotonicMs();
    if (this.stateValue === 'speaking') this.interrupt(now, 'barge-in');
    if (this.stateValue !== 'idle') return { ok: false, state: this.stateValue };
    // Pre-roll, without anything captured while the reply (or its tail) was sounding.
    this.startListening('ptt', this.preRoll.filter((f) => f.atMs >= this.guardUntilMs), now, 'ptt');
    return { ok: true, state: this.stateValue };
  }

  /** Push-to-talk released: the utterance ends here. */
  pttStop(): { ok: boolean; state: VoiceLoopState } {
    if (this.stateValue !== 'listening' || this.listenBy !== 'ptt') return { ok: false, state: this.stateValue };
    this.endUtterance('endpoint', this.deps.clock.monotonicMs());
    return { ok: true, state: this.stateValue };
  }

  /** "Stop": silence at once, drop whatever is in progress, say nothing. */
  stop(): void {
    const now = this.deps.clock.monotonicMs();
    if (this.stateValue === 'speaking') this.interrupt(now, 'stop');
    else {
      this.generation++;
      this.utterance = [];
      this.segmenter.reset();
    }
    if (this.stateValue !== 'idle') this.setState('idle', 'stop', now);
  }

  /** Speaks `text` when idle (e.g. a notification batch); false when busy. */
  say(text: string): boolean {
    if (this.closed || this.stateValue !== 'idle' || text.trim() === '') return false;
    this.track(this.speak(text, 'replied', this.generation, null));
    return true;
  }

  /** Numbers the user can see (from the pipeline), passed to STT as hints from the next utterance on. */
  setNumberHints(numbers: readonly number[]): void {
    this.numberHints = [...numbers];
  }

  /**
   * Closes the playback session when nothing is playing, so the next reply opens a new one (e.g. on
   * the preferred output once it is back). While speaking, the reply keeps its session.
   */
  resetOutput(): void {
    if (this.stateValue !== 'speaking') this.dropOutput();
  }

  close(): void {
    this.closed = true;
    this.generation++;
    this.session?.stop();
    this.session?.close();
    this.session = null;
  }

  // ---- audio frames ------------------------------------------------------------------------

  private onFrame(f: Frame): void {
    this.preRoll.push(f);
    if (this.preRoll.length > this.preRollFrames) this.preRoll.shift();
    const voiced = this.deps.vad.isSpeech(f.samples);
    f.voiced = voiced;
    const levelDb = rmsDbfs(f.samples);
    this.recentDb.push(levelDb);
    if (this.recentDb.length > Math.round(1500 / this.frameMs)) this.recentDb.shift();
    switch (this.stateValue) {
      case 'idle':
        return this.onIdleFrame(f, voiced);
      case 'listening':
        return this.onListeningFrame(f, voiced);
      case 'speaking':
        return this.onSpeakingFrame(f, voiced, levelDb);
      default:
        return; // endpoint / transcribing / thinking: the mic is not used
    }
  }

  private onIdleFrame(f: Frame, voiced: boolean): void {
    if (f.atMs < this.guardUntilMs) {
      this.armed = false;
      this.silentSinceGuard = 0;
      return;
    }
    if (!this.armed) {
      // Re-arm only after silence: speech already sounding when the tail ends is the reply's echo
      // (unless the echo is cancelled in the audio: then it is the user answering at once).
      this.silentSinceGuard = voiced ? 0 : this.silentSinceGuard + 1;
      if (this.silentSinceGuard < this.config.onsetFrames + 2 && !this.aecTrusted()) return;
      this.armed = true;
      this.segmenter.reset();
    }
    if (this.config.mode !== 'vad') return;
    const edge = this.segmenter.push(voiced);
    if (edge.type === 'start') {
      const onset = this.preRoll.filter((p) => p.atMs >= this.guardUntilMs);
      const onsetMs = (this.preRoll[this.preRoll.length - edge.framesBack] ?? f).atMs;
      this.lastVoicedMs = f.atMs;
      this.startListening('vad', onset, onsetMs, 'vad');
      this.needsWake = this.deps.wake !== undefined && onsetMs > this.awakeUntilMs;
    }
  }

  /** A frame the early end may count as a pause: the VAD hears none, or it is at the ambient floor (see pauseAboveFloorDb). */
  private isPause(voiced: boolean): boolean {
    if (!voiced) return true;
    // Not over a reply (barge-in): the last 1.5 s are the reply's echo, not the room.
    if (this.bargedIn) return false;
    const margin = this.config.pauseAboveFloorDb;
    return margin > 0 && (this.recentDb.at(-1) as number) <= Math.max(Math.min(...this.recentDb), NO_SIGNAL_FLOOR_DBFS) + margin;
  }

  private onListeningFrame(f: Frame, voiced: boolean): void {
    const pause = this.listenBy === 'vad' ? this.isPause(voiced) : !voiced;
    if (this.listenBy === 'vad' && this.early?.result && pause && this.endsEarly(this.early.result, this.silentFrames + 1)) {
      // The grammar says the command is complete (or whole, after a shorter pause) and the mic
      // still holds a pause: end here.
      this.endEarly(this.early.result, this.early.frames, f.atMs);
      return;
    }
    this.utterance.push(f);
    if (!pause) {
      this.lastVoicedMs = f.atMs;
      this.silentFrames = 0;
      this.dropEarly(); // more speech: whatever was transcribed is not the whole utterance
    } else {
      this.silentFrames++;
    }
    if (f.atMs + this.frameMs - this.utteranceStartMs >= this.config.maxUtteranceMs) {
      this.endUtterance('max-length', f.atMs);
      return;
    }
    if (this.listenBy === 'ptt') return;
    if (this.config.earlyEndSilenceMs > 0 && this.deps.stt.reportsGrammarComplete === true && this.early === null && this.silentFrames === this.earlyFrames()) this.speculate();
    const edge = this.segmenter.push(voiced);
    if (edge.type === 'end') {
      this.deps.metrics.observe('voice.vad_endpoint', f.atMs + this.frameMs - this.lastVoicedMs);
      // Nothing voiced since the speculative transcription (a voiced frame drops it): it heard all
      // of the speech, so it is the utterance's transcript, and STT need not run again. Not with a
      // wake phrase to strip first (the speculation heard the phrase too).
      const spec = this.early;
      if (spec?.result && spec.failed !== true && !this.needsWake) {
        this.deps.metrics.increment('voice.speculation_reused');
        this.endUtterance('endpoint', f.atMs, spec.result);
      } else this.endUtterance('endpoint', f.atMs);
    } else if (edge.type === 'discard') {
      this.setUserSpeaking(false);
      this.utterance = [];
      this.setState('idle', 'too-short', f.atMs);
    }
  }

  /** @param levelDb the frame's level, dBFS. */
  private onSpeakingFrame(f: Frame, voiced: boolean, levelDb: number): void {
    if (!this.config.bargeIn) return;
    // Louder than the loudest echo the playing reply could cause right now, with a margin.
    const expected = this.expectedEchoDb(f.atMs);
    const loudEnough = levelDb > expected + this.config.bargeInMarginDb;
    const edge = this.bargeSegmenter.push(voiced && loudEnough);
    if (edge.type !== 'start') return;
    // With the echo cancelled the pre-roll is the user's audio, not the reply's: keep all of it, so
    // an unvoiced start (/s/ of "stop") that the VAD did not call speech is not lost. So too when
    // the gate knows this reply's echo level (measured) but the canceller has not re-learnt a new
    // path yet: the start of the word lies under that echo, and cut off, "stop" was heard as
    // "builds" or "archive". Untrusted, what the echo adds still goes through the text echo filter.
    const keepAll = this.aecTrusted() || this.deps.echoResidualDb?.() != null;
    const onsetFrames = this.preRoll.slice(keepAll ? 0 : -edge.framesBack);
    const onsetMs = (onsetFrames[0] ?? f).atMs;
    this.interrupt(this.deps.clock.monotonicMs(), 'barge-in', onsetMs);
    this.lastVoicedMs = f.atMs;
    // Listen from the onset; the segmenter is primed as in speech so it ends on the hangover.
    this.segmenter.reset();
    for (let i = 0; i < this.config.onsetFrames; i++) this.segmenter.push(true);
    this.startListening('vad', onsetFrames, onsetMs, 'barge-in');
  }

  /**
   * The loudest level (dBFS) of the replies' audio that could be sounding in the mic frame at
   * `atMs`: what was written from echoDelayMaxMs before it to echoLeadMs after it, of the reply
   * playing and of the one before it. A sink can start late (a device just opened) and a
   * synthesizer can fall behind, so past the end of what was written the reply's last
   * echoDelayMaxMs may still be sounding until it has drained.
   */
  private echoLevelDb(atMs: number): number {
    const window = (levels: readonly number[], startMs: number, endIdx: number): number => {
      const delayFrames = Math.ceil(this.config.echoDelayMaxMs / this.frameMs);
      const hi = Math.min(endIdx - 1, Math.floor((atMs + this.frameMs + this.config.echoLeadMs - startMs) / this.frameMs));
      let lo = Math.floor((atMs - this.config.echoDelayMaxMs - startMs) / this.frameMs);
      lo = Math.max(0, Math.min(lo, endIdx - delayFrames));
      let max = -Infinity;
      for (let i = lo; i <= hi; i++) max = Math.max(max, levels[i] as number);
      return max;
    };
    let max = -Infinity;
    const p = this.playing;
    if (p !== null) max = window(p.levelsDb, p.startMs, p.levelsDb.length);
    const q = this.lastPlayed;
    if (q !== null && atMs <= q.endMs + this.config.echoDelayMaxMs) {
      const endIdx = Math.min(q.levelsDb.length, Math.ceil((q.endMs - q.startMs) / this.frameMs));
      max = Math.max(max, window(q.levelsDb, q.startMs, endIdx));
    }
    return max;
  }

  private expectedEchoDb(atMs: number): number {
    const max = this.echoLevelDb(atMs);
    if (max === -Infinity) return -Infinity;
    if (this.deps.echoResidualDb !== undefined) {
      // Measured for this reply: that echo. Not yet (its first moments): no credit at all, since
      // the echo path may have changed since the last reply and the canceller not know it yet.
      const residual = this.deps.echoResidualDb();
      return max + (residual !== null && Number.isFinite(residual) ? residual : this.config.echoGainDb);
    }
    // The AEC's credit is capped: its figure is an average, and single frames of residual echo
    // (a changed path, a reflection) can be louder than the average says.
    return max + this.config.echoGainDb - Math.min(this.suppressionDb(), this.config.aecBargeInCreditDb);
  }

  private suppressionDb(): number {
    const v = this.deps.echoSuppressionDb?.() ?? 0;
    // Negative (more echo than sent?) or broken (NaN, Infinity) figures are no suppression.
    return Number.isFinite(v) ? Math.max(0, v) : 0;
  }

  private aecTrusted(): boolean {
    return this.suppressionDb() >= this.config.aecTrustDb;
  }

  // ---- transitions -------------------------------------------------------------------------

  private setState(state: VoiceLoopState, reason: VoiceLoopReason, atMs: number, extra: { transcript?: string; spoken_text?: string; message?: string } = {}): void {
    const previous = this.stateValue;
    this.stateValue = state;
    this.deps.emit({ state, previous, reason, at_ms: atMs, ...extra });
  }

  private setUserSpeaking(v: boolean): void {
    if (v === this.userSpeaking) return;
    this.userSpeaking = v;
    this.deps.onUserSpeaking?.(v);
  }

  private startListening(by: 'ptt' | 'vad', initial: Frame[], startMs: number, reason: VoiceLoopReason): void {
    this.listenBy = by;
    this.bargedIn = reason === 'barge-in';
    this.needsWake = false;
    this.dropEarly();
    this.silentFrames = 0;
    this.utterance = [...initial];
    this.utteranceStartMs = startMs;
    this.held = this.held && startMs - this.held.atMs <= this.config.lowConfidenceHoldMs ? this.held : null;
    if (by === 'vad') this.setUserSpeaking(true);
    this.setState('listening', reason, startMs);
  }

  /**
   * Stops playback now (barge-in or stop); what was said so far still counts for the echo filter.
   * `onsetMs`: the voice onset of a VAD barge-in (push-to-talk and stop have none), for its record.
   */
  private interrupt(nowMs: number, reason: 'barge-in' | 'stop', onsetMs?: number): void {
    this.generation++;
    this.session?.stop();
    // Only what can have been played may come back as echo: the rest of the reply was never heard.
    if (this.playing) this.echo.spoken(playedPart(this.playing.text, nowMs - this.playing.startMs, this.playing.levelsDb.length * this.frameMs), nowMs);
    this.endPlaying(nowMs);
    this.bargeSegmenter.reset();
    if (onsetMs !== undefined) {
      this.lastBargeIn = { onsetMs, stoppedAtMs: nowMs, latencyMs: nowMs - onsetMs };
      this.deps.metrics.observe('voice.barge_in', nowMs - onsetMs);
    }
    if (reason === 'stop') {
      this.guardUntilMs = nowMs + this.config.tailMs;
      this.armed = false;
      this.silentSinceGuard = 0;
    }
    this.setState('idle', reason, nowMs);
  }

  /**
   * STT with the numbers the user can see as hints, when there are any. An utterance that started
   * over a reply or within the echo window after it, with no echo canceller to trust, may be the
   * reply coming back: the recognizer judges it as strictly as a command that acts (`strict`); the
   * echo filter below only catches transcripts that read like the reply.
   */
  private transcribe(audio: PcmAudio, startedAtMs: number, signal?: CancelFlag): Promise<Transcript> {
    const strict = !this.aecTrusted() && this.echo.inWindow(startedAtMs);
    const opts = { ...(this.numberHints.length > 0 ? { hints: { numbers: this.numberHints } } : {}), ...(signal !== undefined ? { signal } : {}), ...(strict ? { strict } : {}) };
    return Object.keys(opts).length > 0 ? this.deps.stt.transcribe(audio, opts) : this.deps.stt.transcribe(audio);
  }

  /**
   * Forgets the speculative transcription. One still pending is cancelled: a recognizer that
   * queues its decodes skips it, so the next speculation (or the final decode) does not wait
   * behind audio that is no longer the utterance.
   */
  private dropEarly(): void {
    if (this.early !== null && this.early.result === null) this.early.cancel.aborted = true;
    this.early = null;
  }

  /**
   * Whether a speculative transcript may end the turn after `pauseFrames` frames of pause (the
   * frames counted so far, plus the one being handled, if any).
   */
  private endsEarly(tr: Transcript, pauseFrames: number): boolean {
    // Too little voiced audio is dropped at the hangover ('too-short'); an early end must not keep it.
    if (this.segmenter.voicedMs < this.config.minSpeechMs) return false;
    // The pause must have gone on past the frame the speculation was taken at (the VAD agrees).
    if (pauseFrames <= this.earlyFrames()) return false;
    if (tr.grammarComplete === true) return pauseFrames * this.frameMs >= this.config.completeEndSilenceMs;
    // A number the user can see, that no visible number goes on from, needs no longer wait.
    const fin = tr.grammarNumberOpen === true && !numberSettled(tr.text, this.numberHints) ? this.config.numberEndSilenceMs : this.config.finalEndSilenceMs;
    return tr.grammarFinal === true && fin > 0 && pauseFrames * this.frameMs >= fin;
  }

  /** Pause frames after which the utterance so far is transcribed speculatively. */
  private earlyFrames(): number {
    return Math.max(1, Math.round(this.config.earlyEndSilenceMs / this.frameMs));
  }

  /** Ends the turn with the speculative transcript, at `atMs` (the end of the audio it covers or of the pause so far). */
  private endEarly(tr: Transcript, frames: number, atMs: number): void {
    this.deps.metrics.observe('voice.vad_endpoint', atMs - this.lastVoicedMs);
    this.deps.metrics.increment('voice.early_endpoint');
    this.utterance = this.utterance.slice(0, frames);
    this.endUtterance('endpoint', atMs, tr);
  }

  /** Transcribes the utterance so far while the user pauses; the result is used only if the pause goes on. */

  private speculate(): void {
    const id = ++this.earlyIds;
    const frames = this.utterance.length;
    const entry: { id: number; result: Transcript | null; frames: number; cancel: CancelFlag } = { id, result: null, frames, cancel: new CancelFlag() };
    this.early = entry;
    this.deps.metrics.increment('voice.speculations');
    const samples = joinFrames(this.utterance);
    this.transcribe(this.audioOf(samples), this.utteranceStartMs, entry.cancel).then(
      (tr) => {
        if (this.early !== entry || this.stateValue !== 'listening') return;
        entry.result = tr;
        // The pause may be long enough already: end now, not on the next frame (one frame and
        // the audio process's delivery later).
        const last = this.utterance.at(-1);
        if (last !== undefined && this.endsEarly(tr, this.silentFrames)) this.endEarly(tr, entry.frames, last.atMs + this.frameMs);
      },
      () => {
        if (this.early === entry) this.early = { ...entry, result: { text: '', confidence: 0, provider: '', processingMs: 0, audioMs: 0 }, failed: true };
      },
    );
  }

  private endUtterance(reason: 'endpoint' | 'max-length', atMs: number, transcript?: Transcript): void {
    this.setUserSpeaking(false);
    this.segmenter.reset();
    this.dropEarly();
    this.silentFrames = 0;
    const samples = joinFrames(this.utterance);
    const voiced = this.utterance.map((f) => f.voiced === true);
    this.utterance = [];
    this.setState('endpoint', reason, atMs);
    const gen = ++this.generation;
    this.track(this.turn(this.audioOf(samples), this.utteranceStartMs, atMs, gen, transcript, voiced));
  }

  private track(p: Promise<void>): void {
    this.work = this.work.then(() => p);
  }

  private record(r: VoiceTurnRecord): void {
    this.turns.push(r);
    if (this.turns.length > 50) this.turns.shift();
  }

  /** `voiced`: the VAD's decision per frame of `audio`, from its start. */
  private async turn(audio: PcmAudio, startedAtMs: number, endpointMs: number, gen: number, early?: Transcript, voiced: readonly boolean[] = []): Promise<void> {
    const { clock, metrics } = this.deps;
    const by = this.listenBy;
    const needsWake = this.needsWake;
    try {
      this.setState('transcribing', 'endpoint', clock.monotonicMs());
      if (needsWake && this.deps.wake !== undefined) {
        const endMs = this.deps.wake.spot(audio);
        if (endMs === null) {
          // Not addressed to us: dropped silently, like noise.
          this.record({ transcript: '', confidence: 0, startedAtMs, outcome: 'not-heard', response: null });
          this.setState('idle', 'not-heard', clock.monotonicMs());
          return;
        }
        const rest = audio.samples.subarray(Math.min(audio.samples.length, Math.round((endMs / 1000) * audio.sampleRateHz)));
        if (rest.length < 0.4 * audio.sampleRateHz || voicedMsFrom(voiced, this.frameMs, endMs + WAKE_REST_GUARD_MS) < WAKE_REST_SPEECH_MS) {
          // The phrase alone: the next utterance is the command.
          this.awakeUntilMs = clock.monotonicMs() + this.config.wakeWindowMs;
          this.setState('idle', 'vad', clock.monotonicMs());
          return;
        }
        audio = { ...audio, samples: rest };
        // An early end's transcript heard the phrase too: the command is what the rest says.
        early = undefined;
      }
      const t0 = clock.monotonicMs();
      // An early end already has the transcript (decoded during the pause).
      const tr = early ?? (await this.transcribe(audio, startedAtMs));
      if (early === undefined) metrics.observe('voice.stt', clock.monotonicMs() - t0);
      if (gen !== this.generation) return;
      // Push-to-talk (the user meant to speak to us): a side-effect command the recognizer heard but
      // would not pass on alone (Transcript.unsure) goes on like a low-confidence one: read back, and
      // run when heard the same way again. Hands-free it stays unheard: that may be chit-chat.
      const unsure = tr.text.trim() === '' && by === 'ptt' ? (tr.unsure ?? '').trim() : '';
      const text = unsure !== '' ? unsure : tr.text.trim();
      const base = { transcript: text, confidence: tr.confidence, startedAtMs };
      if (text === '') {
        this.record({ ...base, outcome: 'not-heard', response: null });
        metrics.increment('voice.not_heard');
        // Hands-free: noise is not worth a reply. Push-to-talk: the user meant to say something.
        if (by === 'ptt') return await this.speak(NOT_HEARD, 'not-heard', gen, endpointMs);
        this.setState('idle', 'not-heard', clock.monotonicMs());
        return;
      }
      const userControl = this.aecTrusted() && SAFE_CONTROL.test(text.toLowerCase());
      if (!userControl && this.echo.isEcho(text, startedAtMs)) {
        this.record({ ...base, outcome: 'echo', response: null });
        metrics.increment('voice.echo_dropped');
        this.setState('idle', 'echo', clock.monotonicMs(), { transcript: text });
        return;
      }
      const heldAgain = this.held !== null && this.held.text === text && startedAtMs - this.held.atMs <= this.config.lowConfidenceHoldMs;
      if (!heldAgain && (unsure !== '' || (tr.confidence < this.config.lowConfidence && NUMBER_WORD.test(text)))) {
        this.held = { text, atMs: startedAtMs };
        this.record({ ...base, outcome: 'low-confidence', response: null });
        if (unsure !== '') metrics.increment('voice.unsure');
        return await this.speak(`I heard: ${text}. If that is right, say it again.`, 'low-confidence', gen, endpointMs);
      }
      this.held = null;
      this.setState('thinking', 'transcribed', clock.monotonicMs(), { transcript: text });
      const t1 = clock.monotonicMs();
      const response = await this.deps.runCommand(text, tr.confidence, tr.numberAlternatives);
      metrics.observe('voice.pipeline', clock.monotonicMs() - t1);
      // The command ran (its effects stand) even if a stop came meanwhile; only the reply is dropped.
      this.record({ ...base, outcome: gen === this.generation ? 'ran' : 'stale', response });
      if (gen !== this.generation) return;
      if (response.intent.name === 'system.stop' || response.spoken_text.trim() === '') {
        this.setState('idle', response.intent.name === 'system.stop' ? 'stop' : 'done', clock.monotonicMs());
        return;
      }
      await this.speak(response.spoken_text, 'replied', gen, endpointMs);
    } catch (e) {
      if (gen === this.generation) this.setState('idle', 'error', clock.monotonicMs(), { message: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * TTS → playback; returns when playback ended, was stopped, or failed. A streaming TTS
   * (synthesizeStream) is played from its first chunk on; stop and barge-in cancel its synthesis.
   */
  private async speak(text: string, reason: VoiceLoopReason, gen: number, endpointMs: number | null): Promise<void> {
    const { clock, metrics, tts } = this.deps;
    let cancel: (() => void) | null = null;
    try {
      this.setState('speaking', reason, clock.monotonicMs(), { spoken_text: text });
      this.bargeSegmenter.reset();
      const opts = this.config.voice !== undefined ? { voice: this.config.voice } : {};
      let reply: { sampleRateHz: number; firstAudioMs: number; chunks: AsyncIterable<Int16Array> | Int16Array[] };
      // Streamed through an echo canceller too: the AEC suite (voice-aec) passes with streamed
      // replies (100/100 quick answers, 0/100 self-confirmations); whole replies there were a
      // workaround for echo barge-ins that no longer occur.
      if (tts.synthesizeStream !== undefined) {
        const st = await tts.synthesizeStream(text, opts);
        cancel = () => st.cancel();
        reply = st;
      } else {
        const whole = await tts.synthesize(text, opts);
        reply = { sampleRateHz: whole.audio.sampleRateHz, firstAudioMs: whole.firstAudioMs, chunks: [whole.audio.samples] };
      }
      metrics.observe('voice.tts_first_audio', reply.firstAudioMs);
      if (gen !== this.generation) return;
      const session = await this.playbackSession(reply.sampleRateHz);
      if (gen !== this.generation) return;
      const startMs = clock.monotonicMs();
      const levels = new ReplyLevels(this.frameMs, reply.sampleRateHz);
      this.playing = { levelsDb: levels.db, startMs, text };
      if (endpointMs !== null) metrics.observe('voice.turn_to_first_audio', startMs - endpointMs);
      for await (const chunk of reply.chunks) {
        if (gen !== this.generation) return;
        // Levels before the write: the barge-in gate must know the echo before it can sound.
        levels.push(chunk);
        await session.write(chunk);
      }
      cancel = null; // synthesized to the end: nothing to cancel
      levels.flush();
      // A stop or barge-in during the last write: stop() resolved it, nothing is queued, so drain
      // resolves at once and the check after it returns.
      await session.drain();
      if (gen !== this.generation) return;
      const endMs = clock.monotonicMs();
      this.endPlaying(endMs);
      this.echo.spoken(text, endMs);
      this.guardUntilMs = endMs + this.config.tailMs;
      this.armed = false;
      this.silentSinceGuard = 0;
      // A reply to the user's turn: the follow-up ("confirm") needs no wake phrase.
      if (endpointMs !== null) this.awakeUntilMs = endMs + this.config.wakeWindowMs;
      this.setState('idle', 'done', endMs);
    } catch (e) {
      this.endPlaying(clock.monotonicMs());
      // A session that failed (its device is gone) is not reused: the next reply opens a new one.
      this.dropOutput();
      if (gen === this.generation) {
        const now = clock.monotonicMs();
        this.echo.spoken(text, now);
        this.guardUntilMs = now + this.config.tailMs;
        this.setState('idle', 'error', now, { message: e instanceof Error ? e.message : String(e) });
      }
    } finally {
      cancel?.(); // a stream stopped early (barge-in, stop, failure) stops synthesizing
    }
  }

  /** The reply stopped playing at `atMs` (drained, stopped or failed); its echo may still arrive. */
  private endPlaying(atMs: number): void {
    const p = this.playing;
    if (p !== null) this.lastPlayed = { levelsDb: p.levelsDb, startMs: p.startMs, endMs: atMs };
    this.playing = null;
  }

  private dropOutput(): void {
    const s = this.session;
    this.session = null;
    try {
      s?.close();
    } catch {
      // already gone
    }
  }

  private async playbackSession(rate: number): Promise<PlaybackSession> {
    if (this.session !== null && this.sessionRate === rate) return this.session;
    this.session?.close();
    this.session = null;
    this.session = await this.deps.sink.openPlayback({ sampleRateHz: rate, channels: 1 });
    this.sessionRate = rate;
    return this.session;
  }
}
