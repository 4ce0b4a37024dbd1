/**
 * How the desktop settings (contract/ipc.ts Settings, saved by the UI) take effect:
 * - at start-up, configWithSettings() folds them into the AppConfig: the environment wins when it
 *   sets a value explicitly, then saved desktop settings, then settings.json and defaults;
 * - while running, announceSettingsFrom() feeds the spoken-notification filters, quiet hours and
 *   mute into the notification center at once (SettingsStore's onChange).
 * Mode, providers, voice and devices pick gateways and streams at start-up: changes to them are
 * reported as restartNeeded (settingsInEffect).
 */
import { DEFAULT_SETTINGS, type RestartSetting, type Settings, type SettingsView } from '../../contract/ipc.js';
import { enterpriseHostOf, githubWebBaseUrl } from '../../contract/linkPolicy.js';
import type { NotificationReason } from '../../contract/github.js';
import type { AppConfig } from '../app/config.js';
import type { AnnounceSettings, QuietHours } from '../notifications/announcer.js';
import type { NotificationCenter } from '../notifications/notificationCenter.js';

/**
 * The AppConfig the desktop app starts with. `saved`: the user has saved settings (else defaults
 * would override settings.json). `savedToken`: the GitHub token from the keychain / 0600 file,
 * used when the environment gives none.
 */
export function configWithSettings(config: AppConfig, s: Settings, saved: boolean, env: NodeJS.ProcessEnv, savedToken?: string): AppConfig {
  const withToken = config.githubToken === undefined && savedToken ? { ...config, githubToken: savedToken } : config;
  if (!saved) return withToken;
  config = withToken;
  const explicit = (name: string) => env[name] !== undefined && env[name] !== '';
  const voice = s.voice !== DEFAULT_SETTINGS.voice ? s.voice : undefined;
  return {
    ...config,
    mode: explicit('HANDSFREE_MODE') ? config.mode : s.mode,
    speech: {
      ...config.speech,
      stt: explicit('HANDSFREE_STT') ? config.speech.stt : s.sttProvider,
      tts: explicit('HANDSFREE_TTS') ? config.speech.tts : s.ttsProvider,
      ...(!explicit('HANDSFREE_TTS_VOICE') && voice !== undefined ? { voice } : {}),
      ...(s.wakePhrase.enabled ? { wakePhrase: s.wakePhrase.phrase } : {}),
    },
    voiceMode: explicit('HANDSFREE_VOICE_MODE') ? (config.voiceMode ?? 'ptt') : s.voiceInputMode,
    lan: { port: 8766, ...config.lan, enabled: explicit('HANDSFREE_LAN') ? config.lan?.enabled === true : s.lanPairing },
    audio: {
      ...(s.inputDevice !== DEFAULT_SETTINGS.inputDevice ? { inputDevice: s.inputDevice } : {}),
      ...(s.outputDevice !== DEFAULT_SETTINGS.outputDevice ? { outputDevice: s.outputDevice } : {}),
    },
  };
}

/** The start-up settings as the running app actually uses them, to tell which saved ones wait for a restart. */
export function settingsInEffect(config: AppConfig): Pick<Settings, RestartSetting> {
  return {
    mode: config.mode,
    sttProvider: config.speech.stt,
    ttsProvider: config.speech.tts,
    voice: config.speech.voice ?? DEFAULT_SETTINGS.voice,
    inputDevice: config.audio?.inputDevice ?? DEFAULT_SETTINGS.inputDevice,
    outputDevice: config.audio?.outputDevice ?? DEFAULT_SETTINGS.outputDevice,
    voiceInputMode: config.voiceMode ?? DEFAULT_SETTINGS.voiceInputMode,
    lanPairing: config.lan?.enabled ?? DEFAULT_SETTINGS.lanPairing,
  };
}

/** The GitHub instance the app talks to, for the UI (links to an Enterprise host are allowed there too). */
export function githubViewOf(config: Pick<AppConfig, 'githubApiUrl'>): SettingsView['github'] {
  return { web_url: githubWebBaseUrl(config.githubApiUrl), enterprise_host: enterpriseHostOf(config.githubApiUrl) };
}

/** "22:30" → minutes after midnight. The schema guarantees HH:MM. */
function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return Math.min(23, h!) * 60 + Math.min(59, m!);
}

/** The notification center's speaking rules from the desktop settings (applied live). */
export function announceSettingsFrom(s: Settings): Partial<AnnounceSettings> {
  const q = s.spokenNotifications.quietHours;
  const quietHours: QuietHours | null = q.enabled ? { startMin: minutesOf(q.start), endMin: minutesOf(q.end) } : null;
  return {
    autoSpeak: !s.spokenNotifications.muted,
    profile: s.profile,
    quietHours,
    // An empty list means "all reasons"; the schema only bounds the strings, unknown ones never match.
    ...(s.spokenNotifications.reasons.length > 0 ? { reasons: s.spokenNotifications.reasons as NotificationReason[] } : {}),
  };
}

/** Applies what can change while the app runs: spoken-notification rules (mute, filters, quiet hours, profile). */
export function applyLiveSettings(app: { notifications: Pick<NotificationCenter, 'settings'> }, s: Settings): void {
  app.notifications.settings = { ...app.notifications.settings, ...announceSettingsFrom(s) };
}
