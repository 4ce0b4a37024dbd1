/**
 * The store's state: every slice's interface and AppState, in one module that imports no slice,
 * so the slices and store.ts import these types without importing each other.
 */
import type { StatusResponse, TtsFormatName, TtsProviderName, TtsRequest, TtsResult } from '../../contract/api.js';
import type { AudioWarningEvent, PipelineStateEvent, VoiceStateEvent } from '../../contract/events.js';
import type { PairingOffer, PairingStatus } from '../../contract/pairing.js';
import type { AudioDiagnosticsView, DeviceSignInView, DiagnosticsJob, DiagnosticsJobResult, LevelsSample, SettingsPatch, SettingsView, VoiceProfileView, VoiceStatusView } from '../../contract/ipc.js';
import type { ActionState, CommandResponse, NotificationCard, PendingActionView } from '../../contract/response.js';

export interface ConfirmationEntry {
  action: PendingActionView;
  /** Local monotonic deadline (performance.now() ms) derived from expires_in_ms. */
  deadlineMs: number;
  state: ActionState;
  outcome: string | null;
  message: string | null;
  busy: boolean;
}

export interface InboxSlice {
  inbox: NotificationCard[];
  /** Unread threads in the store (may exceed the cards shown); null until the first push. */
  unread: number | null;
  /** Audio route warnings pushed by main (glasses, mic fallback, narrowband), newest last. */
  audioWarnings: AudioWarningEvent[];
  /** Hides one warning (there is at most one per kind: a newer one replaces it). */
  dismissAudioWarning(kind: AudioWarningEvent['kind']): void;
  inboxLoaded: boolean;
  inboxError: string | null;
  loadInbox(): Promise<void>;
}

export interface ConfirmationsSlice {
  confirmations: Record<string, ConfirmationEntry>;
  confirm(token: string): Promise<void>;
  cancel(token: string): Promise<void>;
}

export interface SessionSlice {
  connected: boolean;
  pipeline: PipelineStateEvent;
  lastResponse: CommandResponse | null;
  commandError: string | null;
  announcement: string;
  runCommand(text: string, input?: 'text' | 'voice'): Promise<CommandResponse | null>;
  /** A UI action's utterances in order (see features/uiActions.ts); stops at the first error. */
  runSteps(steps: readonly string[]): Promise<CommandResponse | null>;
}

export interface DiagnosticsSlice {
  diagnostics: AudioDiagnosticsView | null;
  levels: LevelsSample | null;
  /** The last LEVEL_HISTORY_MS of level samples, oldest first, for the level history chart. */
  levelHistory: LevelsSample[];
  /** The same for the output (levels with source 'output', metered through the output's monitor). */
  outputLevelHistory: LevelsSample[];
  /** Loopback latencies (ms) measured in this window, for the histogram. */
  latencies: number[];
  /** Runs the loopback latency job `times` times, adding each result to `latencies`. */
  measureLatency(times: number): Promise<void>;
  loadDiagnostics(): Promise<void>;
  setMeter(on: boolean): Promise<void>;
  jobResult: DiagnosticsJobResult | null;
  jobRunning: DiagnosticsJob | null;
  runDiagnostics(job: DiagnosticsJob): Promise<void>;
}

export interface SettingsSlice {
  settings: SettingsView | null;
  settingsError: string | null;
  settingsSaved: boolean;
  loadSettings(): Promise<void>;
  saveSettings(patch: SettingsPatch): Promise<void>;
  saveToken(token: string): Promise<void>;
}

/** GitHub sign-in with the device flow, and the first-run screen's answer. */
export interface SignInSlice {
  signIn: DeviceSignInView | null;
  signInError: string | null;
  /** Asks the host for a code; then follows the sign-in until it ends (polls auth.deviceStatus). */
  startSignIn(): Promise<void>;
  cancelSignIn(): Promise<void>;
  loadSignIn(): Promise<void>;
  /** Records the first-run answer (true) or shows the first-run screen again (false). */
  finishFirstRun(done: boolean): Promise<void>;
}

export interface StatusSlice {
  status: StatusResponse | null;
  lastError: string | null;
  loadStatus(): Promise<void>;
}

export interface StageTimings {
  capture?: number;
  stt?: number;
  intent: number;
  github: number;
  tts?: number;
}

export interface Turn {
  id: number;
  source: 'text' | 'voice';
  heard: string;
  response: CommandResponse;
  /** Wall-clock time the turn was answered (Date.now() ms). */
  atMs: number;
  timings: StageTimings;
  /** A spoken turn waits for 'speaking' to know its synthesis time. */
  awaitingSpeech: boolean;
}

export interface ConversationSlice {
  turns: Turn[];
  /** The voice loop's last state-change times (loop ms), to time spoken turns. */
  voiceMarks: { listening?: number; transcribing?: number; thinking?: number };
  /** The replayed reply's audio (blob: URL) and which turn it belongs to. */
  replay: { turnId: number; url: string } | null;
  replayError: string | null;
  /** Synthesizes a turn's reply again (same TTS as the voice loop) for the page to play. */
  replayTurn(id: number): Promise<void>;
}

export interface TtsSlice {
  ttsChoices: { providers: { provider: TtsProviderName; voices: string[] }[]; default_provider: TtsProviderName } | null;
  ttsRunning: boolean;
  /** The last result without its bytes (they live in ttsAudioUrl). */
  ttsResult: Omit<TtsResult, 'audio_base64'> | null;
  ttsAudioUrl: string | null;
  ttsError: string | null;
  loadTtsChoices(): Promise<void>;
  synthesize(req: TtsRequest & { format: TtsFormatName }): Promise<void>;
}

export interface VoiceProfileSlice {
  voiceProfile: VoiceProfileView | null;
  /** What is running: 'record:<n>', 'adapt', 'reset', or null. */
  voiceProfileBusy: string | null;
  voiceProfileError: string | null;
  loadVoiceProfile(): Promise<void>;
  recordPrompt(index: number): Promise<void>;
  adaptVoiceProfile(): Promise<void>;
  resetVoiceProfile(): Promise<void>;
}

export interface VoiceSlice {
  voice: VoiceStatusView | null;
  /** The last loop event (state, transcript, dropped echo, …). */
  voiceEvent: VoiceStateEvent | null;
  /** The last transcript the loop acted on (kept while it thinks and speaks). */
  voiceHeard: string | null;
  voiceError: string | null;
  /** The button is held (set before the host answers, so a quick release is not lost). */
  pttHeld: boolean;
  loadVoice(): Promise<void>;
  pushToTalk(pressed: boolean): Promise<void>;
}

export interface PairingSlice {
  pairing: PairingStatus | null;
  /** The code and QR on screen, or null. */
  pairingOffer: PairingOffer | null;
  pairingError: string | null;
  loadPairing(): Promise<void>;
  showPairingCode(): Promise<void>;
  hidePairingCode(): Promise<void>;
  unpairPhone(keyId: string): Promise<void>;
}

export type AppState = InboxSlice & ConfirmationsSlice & SessionSlice & DiagnosticsSlice & SettingsSlice & StatusSlice & TtsSlice & VoiceSlice & ConversationSlice & VoiceProfileSlice & SignInSlice & PairingSlice;
