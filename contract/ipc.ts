/**
 * The UI contract: every call the renderer can make and every event it can receive, used by the
 * Electron IPC handlers, the preload bridge and the browser-mode HTTP + WebSocket transport alike,
 * so the transports cannot drift. Built on api.ts (requests, status) and events.ts (push events).
 */
import { STT_PROVIDERS, TTS_PROVIDERS } from './providers.js';
import { z } from 'zod';
import { CommandRequestSchema, TokenRequestSchema, TtsRequestSchema, type CommandRequest, type StatusResponse, type TokenRequest, type TtsProviderName, type TtsRequest, type TtsResult } from './api.js';
import type { AppEvents, VoiceLoopState } from './events.js';
import { acceleratorProblem } from './accelerator.js';
import { PROFILE_NAMES } from './intent.js';
import type { CommandResponse, NotificationCard } from './response.js';
import type { PairingOffer, PairingStatus } from './pairing.js';

/** An Electron accelerator for a global shortcut, refused with the reason when Electron could not register it. */
const AcceleratorSchema = z.string().superRefine((v, ctx) => {
  const problem = acceleratorProblem(v);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `"${v.slice(0, 60)}" is not a valid shortcut: ${problem}` });
});

/** User settings the UI edits; persisted by main (conf / electron-store). Secrets are never here. */
export const SettingsSchema = z.strictObject({
  mode: z.enum(['fixture', 'live']),
  profile: z.enum(PROFILE_NAMES),
  sttProvider: z.enum(STT_PROVIDERS),
  ttsProvider: z.enum(TTS_PROVIDERS),
  voice: z.string().min(1).max(64),
  inputDevice: z.string().max(200),
  outputDevice: z.string().max(200),
  spokenNotifications: z.strictObject({
    muted: z.boolean(),
    reasons: z.array(z.string().max(40)).max(20),
    quietHours: z.strictObject({ enabled: z.boolean(), start: z.string().regex(/^\d{2}:\d{2}$/), end: z.string().regex(/^\d{2}:\d{2}$/) }),
  }),
  pushToTalkShortcut: AcceleratorSchema,
  /**
   * Toggles push-to-talk like pushToTalkShortcut; default MediaPlayPause, which is what a headset's
   * play/pause button (the glasses' temple tap, AVRCP) arrives as where the OS maps it to a media key.
   * Empty: off.
   */
  headsetTapShortcut: z.union([z.literal(''), AcceleratorSchema]),
  /** Offline wake phrase in VAD mode (main/speech/wakePhrase.ts): 1–4 words; off by default. Read at start. */
  wakePhrase: z.strictObject({ enabled: z.boolean(), phrase: z.string().regex(/^[a-z']+( [a-z']+){0,3}$/, 'one to four lowercase words') }),
  /** How a turn starts: 'ptt' (push-to-talk, the default) or 'vad' (hands-free: speech starts listening). */
  voiceInputMode: z.enum(['ptt', 'vad']),
  /** The user accepted storing the GitHub token in plaintext where no OS keychain is available. */
  allowPlaintextSecrets: z.boolean(),
  /** Start the desktop app at login (main/electron/loginItem.ts); no effect in browser mode. */
  launchAtLogin: z.boolean(),
  /** Serve the API on the LAN (TLS, API keys only) so a paired phone can reach it; read at start. */
  lanPairing: z.boolean(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const SetTokenRequestSchema = z.strictObject({ token: z.string().max(400) });

/** Where the GitHub token lives, said plainly in the UI. */
export interface SecretStatus {
  configured: boolean;
  /** keychain: OS keychain via safeStorage; env: HANDSFREE_GITHUB_TOKEN; file: 0600 file; none. */
  source: 'keychain' | 'env' | 'file' | 'plaintext' | 'none';
  description: string;
  /** Whether the UI may save a token here (false: set it via env/file, or opt in to plaintext). */
  canSave: boolean;
}

/**
 * GitHub sign-in with the OAuth device flow, as the UI shows it. `message` is the sentence shown
 * and spoken for the current state (the code spelled out while waiting; what to do next on errors).
 */
export interface DeviceSignInView {
  state: 'idle' | 'waiting' | 'signed_in' | 'expired' | 'denied' | 'failed';
  /** The code to enter on GitHub (e.g. WDJB-MJHT) while waiting; null otherwise. */
  user_code: string | null;
  /** Where to enter it (https://github.com/login/device, or the Enterprise host's). */
  verification_uri: string | null;
  /** When the code expires, epoch ms; null when not waiting. */
  expires_at_ms: number | null;
  message: string;
  /** The GitHub login once signed in (null when it could not be read). */
  account: string | null;
  /** Whether sign-in can start here: an OAuth client id is configured (HANDSFREE_GITHUB_CLIENT_ID). */
  available: boolean;
  /** The scopes asked for, stated to the user. */
  scopes: readonly string[];
}

/** Settings read when the app starts (they pick the GitHub gateway, speech providers and devices). */
export const RESTART_SETTINGS = ['mode', 'sttProvider', 'ttsProvider', 'voice', 'inputDevice', 'outputDevice', 'voiceInputMode', 'lanPairing'] as const;
export type RestartSetting = (typeof RESTART_SETTINGS)[number];

export interface SettingsView {
  settings: Settings;
  secret: SecretStatus;
  /** Where settings are stored. */
  path: string;
  /** Saved values the running app does not use yet: they apply at the next start (unless the environment sets them). */
  restartNeeded: RestartSetting[];
  /** The GitHub instance in use: its web root, and its host when it is GitHub Enterprise (links to it are allowed too). */
  github: { web_url: string; enterprise_host: string | null };
  /** Show the first-run screen: no GitHub token yet and the user has not chosen (demo, sign-in or token). */
  first_run: boolean;
}

/** The voice loop as the UI sees it; voice starts on the first push-to-talk press. */
export interface VoiceStatusView {
  available: boolean;
  /** Why voice is off (add-on not built, no microphone, not started yet, …). */
  reason: string | null;
  state: VoiceLoopState;
  mode: 'ptt' | 'vad' | null;
}

export interface LevelsSample {
  /** Peak and RMS of the last window, dBFS (−∞..0 clamped to −100). */
  peakDbfs: number;
  rmsDbfs: number;
  atMs: number;
  /** Audio lost since the meter started: device overruns, chunks dropped on the way to JS, and capture gaps (main/audio/dropouts.ts). Input only. */
  dropouts?: number;
  /** Which side: the capture device (default) or the output, metered through its monitor source. */
  source?: 'input' | 'output';
}

export interface AudioDiagnosticsView {
  addon: { available: boolean; reason: string | null; buildHint: string | null; backends: readonly string[] };
  route: { input: string | null; output: string | null; bluetoothProfile: string | null; sampleRateHz: number | null };
  devices: readonly { id: string; name: string; direction: 'input' | 'output'; transport: string }[];
  metering: boolean;
  /** The output device metered through its monitor while the meter is on; null when off or when the audio server has no monitor for it. */
  outputMonitor: string | null;
  warnings: readonly string[];
}

/** Result of a one-off diagnostics job (test tone, 3 s record + playback, loopback latency). */
export interface DiagnosticsJobResult {
  ok: boolean;
  message: string;
  latencyMs?: number | null;
}
export const DIAGNOSTICS_JOBS = ['testTone', 'recordPlayback', 'latency'] as const;
export type DiagnosticsJob = (typeof DIAGNOSTICS_JOBS)[number];

export interface Calls {
  'command.run': { req: CommandRequest; res: CommandResponse };
  'action.confirm': { req: TokenRequest & { via: 'click' }; res: CommandResponse };
  'action.cancel': { req: TokenRequest; res: CommandResponse };
  'inbox.list': { req: void; res: { items: NotificationCard[] } };
  'status.get': { req: void; res: StatusResponse };
  'settings.get': { req: void; res: SettingsView };
  'settings.update': { req: SettingsPatch; res: SettingsView };
  /** The first-run screen was answered (done: true) or is asked for again from Settings (done: false). */
  'settings.firstRun': { req: { done: boolean }; res: SettingsView };
  'secret.setToken': { req: { token: string }; res: SettingsView };
  /** Starts GitHub sign-in (device flow): the user code is shown and spoken; polling runs in the host. */
  'auth.deviceStart': { req: void; res: DeviceSignInView };
  /** The sign-in's current state (the UI polls it while waiting). */
  'auth.deviceStatus': { req: void; res: DeviceSignInView };
  /** Stops waiting for the user (nothing is stored). */
  'auth.deviceCancel': { req: void; res: DeviceSignInView };
  'diagnostics.get': { req: void; res: AudioDiagnosticsView };
  'diagnostics.meter': { req: { on: boolean }; res: AudioDiagnosticsView };
  'diagnostics.run': { req: { job: DiagnosticsJob }; res: DiagnosticsJobResult };
  'shell.openExternal': { req: { url: string }; res: { opened: boolean } };
  /** TTS test screen: the same synthesis and cache as POST /v1/tts, audio as base64. */
  'tts.synthesize': { req: TtsRequest; res: TtsResult };
  'tts.voices': { req: void; res: { providers: { provider: TtsProviderName; voices: string[] }[]; default_provider: TtsProviderName } };
  /** Does not start the voice loop. */
  'voice.status': { req: void; res: VoiceStatusView };
  /** Push-to-talk pressed (starts the loop on first use) or released (the utterance is transcribed and run). */
  'voice.ptt': { req: { pressed: boolean }; res: VoiceStatusView & { ok: boolean } };
  /** Silences the reply at once. */
  'voice.stop': { req: void; res: VoiceStatusView };
  /** Voice profile (offline recognizer adapted to the user's voice): state and prompts. */
  'voiceProfile.status': { req: void; res: VoiceProfileView };
  /** Records prompt `index` from the mic (until a pause); replaces an earlier take. */
  'voiceProfile.record': { req: { index: number }; res: VoiceProfileView };
  /** Adapts the recognizer to the recorded prompts (≥ 10) and saves the profile. */
  'voiceProfile.adapt': { req: void; res: VoiceProfileView };
  /** Deletes the profile and the recordings. */
  'voiceProfile.reset': { req: void; res: VoiceProfileView };
  /** Settings → Pair a phone: LAN listener state and paired phones. */
  'pairing.status': { req: void; res: PairingStatus };
  /** A new one-time code and its QR (replaces the previous code). */
  'pairing.offer': { req: void; res: PairingOffer };
  /** Forgets the shown code (the panel closed). */
  'pairing.cancel': { req: void; res: PairingStatus };
  /** Unpairs a phone (revokes its API key). */
  'pairing.revoke': { req: { key_id: string }; res: PairingStatus };
}

export interface VoiceProfileView {
  enrolled: boolean;
  /** When the profile was made, epoch ms. */
  updated_at_ms: number | null;
  /** Whether enrollment can run here, and why not (e.g. sphinxtrain missing). */
  available: boolean;
  reason: string | null;
  prompts: readonly string[];
  /** Indexes of the prompts recorded in this enrollment so far. */
  recorded: number[];
  /** Fewest recordings adaptation accepts. */
  min_recordings: number;
}
export type CallName = keyof Calls;

export interface Events extends AppEvents {
  'diagnostics.levels': LevelsSample;
}
export type EventName = keyof Events;

/** Runtime validators per call, applied by every transport before the handler runs. */
export const CALL_SCHEMAS: { readonly [K in CallName]: z.ZodType } = {
  'command.run': CommandRequestSchema,
  'action.confirm': TokenRequestSchema.extend({ via: z.literal('click') }),
  'action.cancel': TokenRequestSchema,
  'inbox.list': z.undefined(),
  'status.get': z.undefined(),
  'settings.get': z.undefined(),
  'settings.update': SettingsPatchSchema,
  'settings.firstRun': z.strictObject({ done: z.boolean() }),
  'secret.setToken': SetTokenRequestSchema,
  'auth.deviceStart': z.undefined(),
  'auth.deviceStatus': z.undefined(),
  'auth.deviceCancel': z.undefined(),
  'diagnostics.get': z.undefined(),
  'diagnostics.meter': z.strictObject({ on: z.boolean() }),
  'diagnostics.run': z.strictObject({ job: z.enum(DIAGNOSTICS_JOBS) }),
  'shell.openExternal': z.strictObject({ url: z.string().max(2_000) }),
  'tts.synthesize': TtsRequestSchema,
  'tts.voices': z.undefined(),
  'voice.status': z.undefined(),
  'voice.ptt': z.strictObject({ pressed: z.boolean() }),
  'voice.stop': z.undefined(),
  'voiceProfile.status': z.undefined(),
  'voiceProfile.record': z.strictObject({ index: z.number().int().min(0).max(99) }),
  'voiceProfile.adapt': z.undefined(),
  'voiceProfile.reset': z.undefined(),
  'pairing.status': z.undefined(),
  'pairing.offer': z.undefined(),
  'pairing.cancel': z.undefined(),
  'pairing.revoke': z.strictObject({ key_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
};

export const CALL_NAMES = Object.keys(CALL_SCHEMAS) as CallName[];
export const EVENT_NAMES: readonly EventName[] = ['pipeline.state', 'action.changed', 'inbox.changed', 'diagnostics.levels', 'voice.state', 'conversation.turn', 'notification.new', 'notification.alert', 'audio.warning'];

/** Browser mode: each call is one POST to `/v1/ui/call/<name>` (body `{req}`); events arrive on this WebSocket path as `{event, payload}`. */
export const UI_CALL_PATH_PREFIX = '/v1/ui/call/';
export const UI_EVENTS_PATH = '/v1/ui/events';
/** Electron: IPC channel per call is `call:<name>`; events on `event:<name>`. */
export const ipcCallChannel = (name: CallName): string => `call:${name}`;
export const ipcEventChannel = (name: EventName): string => `event:${name}`;

export interface WsMessage<K extends EventName = EventName> {
  event: K;
  payload: Events[K];
}

/** What the host exposes to the renderer (preload's `window.handsfree`, or the browser bridge). */
export interface HostApi {
  call<K extends CallName>(name: K, req: Calls[K]['req']): Promise<Calls[K]['res']>;
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
}

export const DEFAULT_SETTINGS: Settings = {
  mode: 'fixture',
  profile: 'default',
  sttProvider: 'offline',
  ttsProvider: 'offline',
  voice: 'default',
  inputDevice: 'default',
  outputDevice: 'default',
  spokenNotifications: { muted: false, reasons: ['review_requested', 'mention', 'ci_activity'], quietHours: { enabled: false, start: '22:00', end: '07:00' } },
  pushToTalkShortcut: 'CommandOrControl+Shift+Space',
  headsetTapShortcut: 'MediaPlayPause',
  wakePhrase: { enabled: false, phrase: 'hey companion' },
  voiceInputMode: 'ptt',
  allowPlaintextSecrets: false,
  launchAtLogin: false,
  lanPairing: false,
};
