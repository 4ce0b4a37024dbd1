/**
 * Composition: how a running app's services are handed to the transports. Route modules and the
 * UI host take only the services they name (their `*Deps`); only this folder sees the whole App.
 */
import { join } from 'node:path';
import type { TtsProviderName } from '../../contract/providers.js';
import { agentRoutes } from '../agent/routes.js';
import { notificationRoutes } from '../notifications/routes.js';
import { audioCommandRunner, seedRoutes } from '../seed/routes.js';
import type { RouteSpec } from '../server/router.js';
import type { AudioCommandRunner } from '../server/v1Routes.js';
import type { SpeechProviders } from '../speech/providers.js';
import { speechRoutes } from '../speech/routes.js';
import { TtsService } from '../speech/ttsService.js';
import { voiceRoutes } from '../voice/routes.js';
import type { App } from './app.js';

/** Every route a transport mounts besides the built-in /v1 ones. */
export function appRoutes(app: App): RouteSpec[] {
  return [...appNotificationRoutes(app), ...appAgentRoutes(app), ...appVoiceRoutes(app), ...appSpeechRoutes(app), ...appSeedRoutes(app)];
}

/** The seed routes of a running app. */
export function appSeedRoutes(app: App): RouteSpec[] {
  return seedRoutes({
    notifications: app.notifications,
    pipeline: app.pipeline,
    github: app.github,
    authMode: app.config.authMode,
    devAudioDir: join(app.config.dataDir, 'dev-audio'),
    nowMs: () => Date.now(),
  });
}

/** The audio runner of a running app. */
export function appAudioCommandRunner(app: App): AudioCommandRunner {
  return audioCommandRunner({
    runCommand: (req, caller) => app.service.runCommand(req, caller),
    stt: async () => (await app.speech()).stt,
    authMode: app.config.authMode,
    devAudioDir: join(app.config.dataDir, 'dev-audio'),
  });
}

/** The agent routes of a running app. */
export function appAgentRoutes(app: App): RouteSpec[] {
  return agentRoutes({ agent: app.agent, pipeline: app.pipeline });
}

/** The notification and webhook routes of a running app: every transport that serves the API mounts these. */
export function appNotificationRoutes(app: App): RouteSpec[] {
  return notificationRoutes({ notifications: app.notifications, webhooks: app.webhooks, nowMs: () => Date.now() });
}

/** The routes over the app's voice runner (App.startVoice). */
export function appVoiceRoutes(app: App): RouteSpec[] {
  return voiceRoutes({ runner: () => app.startVoice(), current: () => app.voice() });
}

const services = new WeakMap<App, TtsService>();

/** The app's one TtsService (one cache shared by /v1/tts and the UI's TTS test screen). */
export function appTtsService(app: App): TtsService {
  let s = services.get(app);
  if (s === undefined) {
    const cfg = app.config.speech;
    const own = new Map<TtsProviderName, Promise<SpeechProviders['tts']>>();
    s = new TtsService({
      defaultProvider: cfg.tts,
      metrics: app.metrics,
      monotonicMs: () => performance.now(),
      providerFor: (kind) => {
        // The configured provider is the app's own (shared health and fallback state).
        if (kind === cfg.tts) return app.speech().then((sp) => sp.tts);
        let p = own.get(kind);
        if (p === undefined) {
          p = import('../speech/providers.js').then((m) => m.TTS_FACTORIES[kind](cfg));
          own.set(kind, p);
        }
        return p;
      },
    });
    services.set(app, s);
  }
  return s;
}

/** The speech routes of a running app: every transport that serves the API mounts these. */
export function appSpeechRoutes(app: App): RouteSpec[] {
  return speechRoutes({
    service: app.service,
    speech: () => app.speech(),
    tts: appTtsService(app),
    metrics: app.metrics,
    monotonicMs: () => performance.now(),
    nowMs: () => Date.now(),
    authMode: app.config.authMode,
    devAudioDir: join(app.config.dataDir, 'dev-audio'),
    ...(app.config.speech.voice !== undefined ? { voice: app.config.speech.voice } : {}),
  });
}
