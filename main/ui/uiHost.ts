/**
 * The host side of contract/ipc.ts: one handler per call, validated with CALL_SCHEMAS, shared by
 * the browser-mode HTTP transport (main/ui/browserMode.ts) and the Electron IPC handlers
 * (main/electron/ipc.ts), so the two cannot drift.
 */
import type { Caller, TtsFormatName, TtsRequest } from '../../contract/api.js';
import type { NotificationThread } from '../../contract/github.js';
import { AppError } from '../../contract/errors.js';
import { CALL_SCHEMAS, DEFAULT_SETTINGS, type CallName, type Calls, type EventName, type Events, type VoiceStatusView } from '../../contract/ipc.js';
import { notificationCard } from '../../core/responses/speak.js';
import type { AppService } from '../../contract/api.js';
import type { GitHubGateway } from '../../core/ports/github.js';
import type { PendingActionRepository } from '../../core/ports/store.js';
import type { AudioDiagnosticsService } from '../audio/diagnostics.js';
import type { SettingsStore } from '../settings/settingsStore.js';
import type { TtsService } from '../speech/ttsService.js';
import { EnrollSession, type EnrollDeps } from '../voice/enrollSession.js';
import type { VoiceRunner } from '../voice/voiceRunner.js';
import type { DeviceSignIn } from '../auth/deviceSignIn.js';
import type { PairingService } from '../lan/pairing.js';

export type CallHandlers = { [K in CallName]: (req: Calls[K]['req'], caller: Caller) => Promise<Calls[K]['res']> };

/** The app services the UI calls reach (main/app/wiring.ts passes the running app). */
export interface UiServices extends EnrollDeps {
  service: Pick<AppService, 'runCommand' | 'confirm' | 'cancel' | 'status'>;
  store: { repos: { pendingActions: Pick<PendingActionRepository, 'get'> } };
  github: Pick<GitHubGateway, 'listNotifications'>;
  /** The voice runner if started. */
  voice(): VoiceRunner | null;
  /** Starts the voice runner once; later calls return the same one. */
  startVoice(): Promise<VoiceRunner>;
  /** Uses a new GitHub token at once (App.useGitHubToken); absent: it applies at the next start. */
  useGitHubToken?(token: string): Promise<unknown>;
}

export interface UiHostDeps {
  app: UiServices;
  /** The app's one TTS service (shared cache with /v1/tts). */
  tts: TtsService;
  settings: SettingsStore;
  diagnostics: AudioDiagnosticsService;
  /** Opens an already policy-checked https://github.com URL; browser mode lets the page open it. */
  openExternal(url: string): Promise<boolean>;
  /**
   * Asks the user outside the renderer (Electron: a native dialog showing the read-back) before a
   * click confirms, so a compromised renderer cannot confirm alone (CF-9). Resolves true to go on.
   * Absent in browser mode, where the page is not isolated from the user's own browser anyway.
   */
  confirmOutsideRenderer?(readBack: string): Promise<boolean>;
  /**
   * Asks the user outside the renderer (Electron: a native dialog) before plaintext token storage
   * is allowed, so no renderer call can opt in alone. Resolves true to allow. Absent in browser
   * mode, whose callers already hold the per-install secret.
   */
  confirmPlaintextOptIn?(): Promise<boolean>;
  /** Phone pairing (Settings → Pair a phone); absent: the pairing calls answer not_supported. */
  pairing?: PairingService;
  /** Start fetching the inbox now, for the window's first render. */
  prefetchInbox?: boolean;
  /** Wall clock, epoch ms (tests). */
  nowMs?: () => number;
  /** GitHub device-flow sign-in (main/app/deviceSignIn.ts wires one to the app); absent: sign-in is not offered here. */
  deviceSignIn?: DeviceSignIn;
}

/** A click's confirm: through the native gate when there is one, then the same exactly-once path as voice. */
async function confirmClick(d: UiHostDeps, token: string, caller: Caller) {
  const gate = d.confirmOutsideRenderer;
  if (gate) {
    const rec = d.app.store.repos.pendingActions.get(token);
    // Only a pending action of this user is worth asking about; anything else gets the service's own typed error.
    if (rec && rec.userId === caller.userId && rec.state === 'pending' && !(await gate(rec.readBack))) {
      throw new AppError('confirmation_declined', 'Not confirmed in the dialog; the action is still pending.');
    }
  }
  return d.app.service.confirm({ token }, caller, 'click');
}

const VOICE_NOT_STARTED: VoiceStatusView = { available: false, reason: 'Voice starts on the first push-to-talk press.', state: 'idle', mode: null };

/** How long a prefetched inbox may stand in for the first inbox.list, in ms. */
export const INBOX_PREFETCH_MAX_AGE_MS = 10_000;

export function createCallHandlers(d: UiHostDeps): CallHandlers {
  // The first screen is the inbox: fetch it while the window loads (a GitHub round trip in live
  // mode), and let the first inbox.list take that result if it is fresh. A failed prefetch is
  // ignored: the request then asks GitHub itself and reports its own error.
  const clock = d.nowMs ?? Date.now;
  let prefetch: { at: number; threads: Promise<NotificationThread[] | null> } | null = d.prefetchInbox
    ? { at: clock(), threads: d.app.github.listNotifications().catch(() => null) }
    : null;
  const takePrefetch = (): Promise<NotificationThread[]> | null => {
    const p = prefetch;
    prefetch = null;
    if (p === null || clock() - p.at > INBOX_PREFETCH_MAX_AGE_MS) return null;
    return p.threads.then((t) => t ?? d.app.github.listNotifications());
  };
  const deviceSignIn = (): DeviceSignIn => {
    if (d.deviceSignIn === undefined) throw new AppError('not_supported', 'GitHub sign-in is not available in this host.');
    return d.deviceSignIn;
  };
  let enrollSession: EnrollSession | null = null;
  const enroll = (): EnrollSession => (enrollSession ??= new EnrollSession(d.app));
  return {
    'command.run': (req, caller) => d.app.service.runCommand(req, caller, d.confirmOutsideRenderer ? { confirmGate: d.confirmOutsideRenderer } : undefined),
    'action.confirm': (req, caller) => confirmClick(d, req.token, caller),
    'action.cancel': (req, caller) => d.app.service.cancel(req, caller),
    'inbox.list': async () => {
      const threads = await (takePrefetch() ?? d.app.github.listNotifications());
      return { items: threads.map((t, i) => notificationCard(t, i + 1)) };
    },
    'status.get': () => d.app.service.status(),
    'settings.get': async () => d.settings.view(),
    'settings.update': async (req) => {
      await checkVoice(d, req);
      if (req.allowPlaintextSecrets === true && !d.settings.get().allowPlaintextSecrets && d.confirmPlaintextOptIn && !(await d.confirmPlaintextOptIn())) {
        throw new AppError('confirmation_declined', 'Plaintext token storage was not allowed in the dialog; nothing was saved.');
      }
      return d.settings.update(req);
    },
    'settings.firstRun': async (req) => d.settings.setFirstRunDone(req.done),
    'secret.setToken': async (req) => {
      const view = d.settings.setToken(req.token);
      // A pasted token takes effect at once in live mode, like a signed-in one.
      await d.app.useGitHubToken?.(req.token);
      return view;
    },
    'auth.deviceStart': () => deviceSignIn().start(),
    'auth.deviceStatus': async () => deviceSignIn().status(),
    'auth.deviceCancel': async () => deviceSignIn().cancel(),
    'diagnostics.get': () => d.diagnostics.get(),
    'diagnostics.meter': (req) => d.diagnostics.meter(req.on),
    'diagnostics.run': (req) => d.diagnostics.run(req.job),
    'shell.openExternal': async (req) => ({ opened: await d.openExternal(req.url) }),
    'tts.synthesize': async (req) => {
      const a = await d.tts.synthesize(req as TtsRequest & { format: TtsFormatName });
      return {
        audio_base64: Buffer.from(a.bytes).toString('base64'),
        content_type: a.contentType,
        format: a.format,
        provider: a.provider,
        voice: a.voice,
        first_audio_ms: Math.round(a.firstAudioMs),
        duration_ms: a.durationMs,
        cached: a.cached,
        notice: a.notice,
      };
    },
    'voice.status': async () => d.app.voice()?.status() ?? VOICE_NOT_STARTED,
    'voice.ptt': async (req) => {
      const runner = await d.app.startVoice();
      return req.pressed ? runner.pttStart() : runner.pttStop();
    },
    'voice.stop': async () => d.app.voice()?.stop() ?? VOICE_NOT_STARTED,
    'voiceProfile.status': async () => enroll().view(),
    'voiceProfile.record': async (req) => enroll().recordPrompt(req.index),
    'voiceProfile.adapt': async () => enroll().adapt(),
    'voiceProfile.reset': async () => enroll().reset(),
    'tts.voices': async () => ({ providers: await d.tts.voices(), default_provider: d.tts.defaultProvider }),
    'pairing.status': async () => pairingOf(d).status(),
    'pairing.offer': async () => pairingOf(d).offer(),
    'pairing.cancel': async () => {
      const p = pairingOf(d);
      p.cancel();
      return p.status();
    },
    'pairing.revoke': async (req) => {
      const p = pairingOf(d);
      if (!p.revoke(req.key_id)) throw new AppError('not_found', 'No paired phone with that key id.');
      return p.status();
    },
  };
}

function pairingOf(d: UiHostDeps): PairingService {
  if (d.pairing === undefined) throw new AppError('not_supported', 'Phone pairing is not available in this window.');
  return d.pairing;
}

/**
 * The saved voice must be one the chosen TTS provider offers (its own list, e.g. this machine's
 * espeak-ng voices), or 'default'. Checked when the voice or the provider changes.
 */
async function checkVoice(d: UiHostDeps, req: Calls['settings.update']['req']): Promise<void> {
  if (req.voice === undefined && req.ttsProvider === undefined) return;
  const current = d.settings.get();
  const voice = req.voice ?? current.voice;
  const provider = req.ttsProvider ?? current.ttsProvider;
  if (voice === DEFAULT_SETTINGS.voice) return;
  const voices = (await d.tts.voices()).find((p) => p.provider === provider)?.voices ?? [];
  if (!voices.includes(voice)) {
    throw new AppError('validation_failed', `settings.update: voice: "${voice.slice(0, 64)}" is not a voice of the ${provider} text-to-speech provider; choose one of: default, ${voices.join(', ')}.`);
  }
}

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(CALL_SCHEMAS, name);
}

/** Validates and dispatches one call; throws AppError('validation_failed' | 'not_found'). */
export async function dispatchCall(handlers: CallHandlers, name: string, rawReq: unknown, caller: Caller): Promise<unknown> {
  if (!isCallName(name)) throw new AppError('not_found', `No such call: ${name.slice(0, 60)}`);
  const parsed = CALL_SCHEMAS[name].safeParse(rawReq);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('validation_failed', `${name}: ${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'invalid request'}`);
  }
  const handler = handlers[name] as (req: unknown, caller: Caller) => Promise<unknown>;
  return handler(parsed.data, caller);
}

/** Subscribes to every pushed event (app bus + diagnostics levels) and forwards them. */
export interface EventSource {
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
}
