/**
 * Composition root: picks adapters from config (fixture/live GitHub), opens the store, builds the
 * pipeline and exposes it as the AppService every transport calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppService, Caller, CommandRequest, StatusResponse, TokenRequest } from '../../contract/api.js';
import { isAppError } from '../../contract/errors.js';
import { enterpriseHostOf, githubWebBaseUrl, setAllowedGitHubHost } from '../../contract/linkPolicy.js';
import type { CommandResponse } from '../../contract/response.js';
import { CommandPipeline, type PipelineDeps } from '../../core/pipeline/commandPipeline.js';
import type { Clock, Logger } from '../../core/ports/clock.js';
import type { GitHubGateway } from '../../core/ports/github.js';
import { FixtureGitHubGateway } from '../github/fixtureGitHubGateway.js';
import type { SpeechProviders } from '../speech/providers.js';
import { openStore, type Store } from '../store/index.js';
import { REPO_ROOT, type AppConfig } from './config.js';
import { AppEventBus, type EventAudience } from './events.js';
import { StageMetrics } from './metrics.js';
import { isGithubOutage, LastError, recordFailures } from '../log/lastError.js';
import { cryptoRandom, monotonicEpochId, systemClock } from './system.js';
import { AgentService } from '../agent/agentService.js';
import { toTaskView } from '../agent/agentTaskStore.js';
import { dispatchMarkerFor } from '../agent/dispatchMarker.js';
import type { AnnounceSettings, SpeechGate } from '../notifications/announcer.js';
import { NotificationCenter, withStoreInbox } from '../notifications/notificationCenter.js';
import { WebhookReceiver } from '../notifications/webhookReceiver.js';
import { ensurePrivateDataDir } from '../settings/dataDir.js';
import { VoiceRunner, type VoiceRunnerOptions } from '../voice/voiceRunner.js';
import { fvadHealth } from '../speech/vad/fvadVad.js';
import { VoiceProfileStore } from '../speech/adapt/voiceProfile.js';

export interface App {
  config: AppConfig;
  service: AppService;
  pipeline: CommandPipeline;
  store: Store;
  github: GitHubGateway;
  metrics: StageMetrics;
  /** Pushed state for UIs and the tray (pipeline stage, action outcomes, inbox). */
  events: AppEventBus;
  logger: Logger;
  /** Things the user should be told at start (e.g. a restored database). */
  notes: string[];
  /** Stored notifications, subscriptions, the poller and spoken batches. */
  notifications: NotificationCenter;
  /** Agent tasks: guarded dispatch and PR correlation. */
  agent: AgentService;
  /** POST /webhooks/github (see main/notifications/routes.ts). */
  webhooks: WebhookReceiver;
  /** What the notification announcer asks before speaking; the voice loop may replace the parts. */
  speechGate: MutableSpeechGate;
  /** STT/TTS per config, created on first use (the offline grammar is built from the user's repos). */
  speech(): Promise<SpeechProviders>;
  /** The user's voice profile (MLLR adaptation of the offline recognizer); used by speech() automatically. */
  voiceProfile: VoiceProfileStore;
  /**
   * Starts the voice loop (mic, VAD, STT, TTS, speaker) once; later calls return the same runner.
   * Without the audio add-on the runner is unavailable and says why (text-only).
   */
  startVoice(opts?: VoiceRunnerOptions): Promise<VoiceRunner>;
  /** The voice runner if started. */
  voice(): VoiceRunner | null;
  /**
   * The desktop app's launch: starts the voice loop now (unless config.voiceAutostart is false), so
   * spoken batches play and VAD mode listens without a first push-to-talk press. Never throws:
   * without audio the runner is unavailable and its status says why.
   */
  autostartVoice(): void;
  /**
   * Uses a new GitHub token at once (device-flow sign-in, a pasted token): the live gateway swaps its
   * credentials, the status re-reads the account and a poller stopped for want of a token resumes.
   * In demo mode nothing changes until the app restarts in live mode (`live: false`).
   */
  useGitHubToken(token: string): Promise<{ live: boolean; account: string | null }>;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  logger: Logger;
  /** Replaces the gateway chosen from config (tests). */
  github?: GitHubGateway;
  /** Reconcile interrupted actions every this many ms (0 = only at start). */
  reconcileEveryMs?: number;
  /** Replaces the system clock (tests of expiry). */
  clock?: Clock;
  /** Starts the notification poller (and agent PR polling) on timers; tests drive `tick()` instead. */
  startPolling?: boolean;
  notifications?: { settings?: Partial<AnnounceSettings>; localMinutes?: (ms: number) => number; minPollIntervalS?: number };
  /** Logins whose PRs may complete an agent task (default DEFAULT_AGENT_AUTHORS). */
  agentAuthors?: readonly string[];
  /** Webhook secret(s); default from HANDSFREE_WEBHOOK_SECRET (and HANDSFREE_WEBHOOK_SECRET_PREVIOUS). */
  webhookSecret?: { current: string; previous?: readonly string[] } | null;
  /** Tests only: a scheduling point between a confirmation's state check and its compare-and-set. */
  interleave?: PipelineDeps['interleave'];
  /** Opens the voice loop's audio devices; default: the add-on in a forked child process (the Electron shell passes a utilityProcess one). */
  openAudio?: VoiceRunnerOptions['openAudio'];
}

/**
 * SpeechGate whose answers come from the app by default (a command running or a read-back pending)
 * and which the voice loop refines: `setUserSpeaking(true)` while VAD hears the user.
 */
export interface MutableSpeechGate extends SpeechGate {
  setUserSpeaking(speaking: boolean): void;
}

export const APP_VERSION: string = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Builds the app. Throws AppError when the store cannot be opened (e.g. another instance holds it). */
export async function createApp(config: AppConfig, opts: CreateAppOptions): Promise<App> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  ensurePrivateDataDir(config.dataDir);
  // A GitHub Enterprise API root also allows links to its web host (everything else stays refused).
  setAllowedGitHubHost(enterpriseHostOf(config.githubApiUrl));
  // Compact after 4000 writes and once the journal is as large as the snapshot: each compaction
  // stalls the event loop for an export (10–60 ms), so it must stay rare as the database grows;
  // the journal replayed after a crash stays a few MB (≈ 1.5 KB per command).
  const store = await openStore({ path: join(config.dataDir, 'handsfree.sqlite'), clock, logger, compactEveryWrites: 4000, journalToSnapshotRatio: 1 });
  const notes: string[] = [];
  if (!store.startupReport.ok) notes.push(store.startupReport.message);
  // GitHub outages (not "no such PR"), from commands and the poller alike, are kept with their time for Status.
  const githubErrors = new LastError(() => clock.nowMs());
  const made = opts.github ? { gateway: opts.github, setToken: null } : await makeGateway(config, logger, clock.nowMs());
  const rawGithub = recordFailures(made.gateway, githubErrors, isGithubOutage);
  const metrics = new StageMetrics();
  const events = new AppEventBus();
  // Pending actions from another boot (or, off Linux, another process) are expired: their
  // monotonic deadlines mean nothing here.
  const bootId = monotonicEpochId();
  const nowMs = () => clock.nowMs();
  let userSpeaking = false;
  let listening = false;
  events.on('pipeline.state', (s) => {
    listening = s.stage === 'listening';
  });
  const speechGate: MutableSpeechGate = {
    isUserSpeaking: () => userSpeaking || listening,
    hasPendingConfirmation: () => store.repos.pendingActions.listByState(['pending']).some((p) => p.expiresAtMs > clock.nowMs()),
    setUserSpeaking(v) {
      userSpeaking = v;
      if (!v) notifications.flush();
    },
  };
  const notifications = new NotificationCenter({
    store,
    github: rawGithub,
    events,
    userId: config.user,
    nowMs,
    gate: speechGate,
    logger,
    snoozes: store.repos.snoozes,
    ...(opts.notifications?.settings ? { settings: opts.notifications.settings } : {}),
    ...(opts.notifications?.localMinutes ? { localMinutes: opts.notifications.localMinutes } : {}),
    ...(opts.notifications?.minPollIntervalS !== undefined ? { minPollIntervalS: opts.notifications.minPollIntervalS } : {}),
  });
  // One inbox: the pipeline's rundown, the Inbox screen and the tray read the notification store.
  const github = withStoreInbox(rawGithub, notifications);
  // Agent dispatch markers are keyed MACs of the action token, not a part of it (issue 13).
  const dispatchMarker = dispatchMarkerFor(config.dataDir);
  const agent = new AgentService({
    store,
    github,
    events,
    nowMs,
    dispatchRepo: config.agent.dispatchRepo,
    ...(opts.agentAuthors ? { allowedAuthors: opts.agentAuthors } : {}),
    say: (userId, text) => {
      notifications.announcer.enqueueSentence(userId, text);
      notifications.flush();
    },
    randomId: () => cryptoRandom.hex(8),
    dispatchMarker,
    logger,
  });
  const envSecret = process.env['HANDSFREE_WEBHOOK_SECRET'];
  const webhookSecret =
    opts.webhookSecret !== undefined
      ? opts.webhookSecret
      : envSecret
        ? { current: envSecret, previous: (process.env['HANDSFREE_WEBHOOK_SECRET_PREVIOUS'] ?? '').split(',').filter((x) => x !== '') }
        : null;
  const webhooks = new WebhookReceiver({
    store,
    secret: () => webhookSecret,
    nowMs,
    userId: config.user,
    ingest: (userId, t) => notifications.ingest(userId, t, 'webhook'),
    onPullRequest: (pr) => {
      if (['opened', 'edited', 'reopened', 'ready_for_review'].includes(pr.action)) agent.onPullRequest(pr);
    },
    logger,
  });
  // A settled confirmation may free a held spoken batch; a confirmed "unsubscribe from this" also
  // stops the thread from being spoken here.
  events.on('action.changed', (a) => {
    if (a.state === 'done' && a.outcome === 'unsubscribed') {
      const rec = store.repos.pendingActions.get(a.token);
      const threadId = rec?.params['threadId'];
      if (rec && typeof threadId === 'string') notifications.subscriptions.put(rec.userId, 'thread', threadId, 'unsubscribed', clock.nowMs(), rec.token);
    }
    if (a.state !== 'pending') notifications.flush();
  });
  const pipeline = new CommandPipeline({
    agentTasks: (userId) => agent.tasks.list({ userId, limit: 20 }).map(toTaskView),
    github: agent.dispatchGateway(github),
    repos: store.repos,
    clock,
    random: cryptoRandom,
    logger,
    metrics,
    policy: config.policy,
    bootId,
    agent: config.agent,
    dispatchMarker,
    ...(opts.interleave ? { interleave: opts.interleave } : {}),
  });
  try {
    const r = await pipeline.reconcile();
    if (r.reconciled > 0) notes.push(`Checked ${r.reconciled} action(s) interrupted by the last shutdown; none was sent again.`);
  } catch (e) {
    logger.warn({ err: String(e) }, 'start-up reconciliation failed; will retry');
  }
  // Retention: commands and notifications older than 90 days go, at start and then daily.
  const prune = () => {
    try {
      const r = store.prune(clock.nowMs());
      if (r.commands + r.notifications > 0) logger.info({ ...r }, 'pruned old history');
    } catch (e) {
      logger.warn({ err: String(e) }, 'retention pruning failed; will retry');
    }
  };
  prune();
  let lastPruneMs = clock.monotonicMs();
  let timer: NodeJS.Timeout | undefined;
  if (opts.reconcileEveryMs && opts.reconcileEveryMs > 0) {
    timer = setInterval(() => {
      pipeline.reconcile().catch((e: unknown) => logger.warn({ err: String(e) }, 'periodic reconciliation failed'));
      if (clock.monotonicMs() - lastPruneMs > 24 * 3_600_000) {
        lastPruneMs = clock.monotonicMs();
        prune();
      }
    }, opts.reconcileEveryMs);
    timer.unref();
  }
  let pollTimer: NodeJS.Timeout | undefined;
  if (opts.startPolling) {
    notifications.poller.start();
    let agentBusy = false;
    pollTimer = setInterval(() => {
      try {
        webhooks.prune(clock.nowMs());
      } catch (e) {
        logger.warn({ err: String(e) }, 'webhook delivery pruning failed');
      }
      if (agentBusy || agent.tasks.list({ states: ['created', 'running', 'needs_input'], limit: 1 }).length === 0) return;
      agentBusy = true;
      agent
        .reconcile()
        .catch((e: unknown) => logger.warn({ err: String(e) }, 'agent reconcile failed'))
        .finally(() => {
          agentBusy = false;
        });
    }, 120_000);
    pollTimer.unref();
  }
  let speech: SpeechProviders | null = null;
  const voiceProfile = new VoiceProfileStore(config.dataDir, config.user);
  const getSpeech = async (): Promise<SpeechProviders> => {
    if (speech === null) {
      // Loaded on first use: the speech stack (koffi, cockatiel, the OpenAI client) is a good part of start-up otherwise.
      const { createSpeechProviders } = await import('../speech/providers.js');
      speech = createSpeechProviders({ ...config.speech, voiceProfile });
      try {
        speech.prepare({ knownRepos: await github.listRepos() });
      } catch (e) {
        logger.warn({ err: String(e) }, 'speech grammar without repo names: listing repos failed');
      }
    }
    return speech;
  };
  /** Health of the speech providers; before speech is first used, of a set made for the check and closed after it. */
  const speechHealth = async (): Promise<ReturnType<SpeechProviders['health']>> => {
    if (speech !== null) return speech.health();
    const probe = (await import('../speech/providers.js')).createSpeechProviders(config.speech);
    try {
      return probe.health();
    } finally {
      probe.close();
    }
  };
  let voiceRunner: VoiceRunner | null = null;
  let voiceStarting: Promise<VoiceRunner> | null = null;
  let firstVoiceOpts: VoiceRunnerOptions | undefined;
  const started = clock.monotonicMs();
  let viewer: { login: string } | null = null;

  /** Wraps a command so every client sees thinking → idle, and action state changes. */
  // Every event a command causes is addressed to its caller: shared transports (the WebSocket)
  // deliver tokens and session ids only to the client that owns them.
  const observed = async (caller: Caller, sessionId: string | undefined, transcript: string | undefined, run: () => Promise<CommandResponse>, source: 'text' | 'voice' = 'text'): Promise<CommandResponse> => {
    const to: EventAudience = { userId: caller.userId, ...(caller.principal !== undefined ? { principal: caller.principal } : {}) };
    events.emit('pipeline.state', { stage: 'thinking', session_id: sessionId ?? null, ...(transcript !== undefined ? { transcript } : {}) }, to);
    try {
      const res = await run();
      for (const card of res.cards) {
        if (card.kind === 'confirmation') events.emit('action.changed', { token: card.action.token, state: 'pending', outcome: null, message: null, action: card.action }, to);
        if (card.kind === 'outcome') events.emit('action.changed', { token: card.token, state: card.state, outcome: card.outcome, message: card.message }, to);
      }
      // The rundown read the store (and may have polled): every UI shows the same inbox.
      if (res.intent.name === 'inbox.summary' && res.status === 'ok') notifications.pushInbox();
      // A snoozed thread leaves every UI's inbox at once.
      if (res.intent.name === 'notification.snooze' && res.status === 'ok') notifications.pushInbox();
      events.emit('pipeline.state', { stage: res.status === 'error' ? 'error' : 'idle', session_id: res.session_id, spoken_text: res.spoken_text }, to);
      if (transcript !== undefined) events.emit('conversation.turn', { session_id: res.session_id, source, heard: transcript, response: res }, to);
      return res;
    } catch (e) {
      events.emit('pipeline.state', { stage: 'error', session_id: sessionId ?? null }, to);
      throw e;
    }
  };

  const service: AppService = {
    runCommand: (req: CommandRequest, caller: Caller, runOpts?: { confirmGate?: (readBack: string) => Promise<boolean> }) =>
      observed(caller, req.session_id, req.text.slice(0, 500), () => pipeline.run({
        text: req.text,
        userId: caller.userId,
        source: req.client_context?.input === 'voice' ? 'voice' : caller.transport,
        sessionId: req.session_id,
        profile: req.profile,
        currentRepo: req.client_context?.current_repo,
        correlationId: caller.correlationId,
        ...(runOpts?.confirmGate ? { confirmGate: runOpts.confirmGate } : {}),
        // Typed numbers have no other readings.
        ...(req.client_context?.input === 'voice' && req.client_context.number_alternatives ? { numberAlternatives: req.client_context.number_alternatives } : {}),
      }), req.client_context?.input === 'voice' ? 'voice' : 'text'),
    confirm: (req: TokenRequest, caller: Caller, via) => observed(caller, undefined, undefined, () => pipeline.confirmToken(req.token, caller.userId, via, caller.correlationId)),
    cancel: (req: TokenRequest, caller: Caller) => observed(caller, undefined, undefined, () => pipeline.cancelToken(req.token, caller.userId, caller.correlationId)),
    async status(): Promise<StatusResponse> {
      let ghOk = true;
      let ghError: string | null = null;
      try {
        viewer ??= await github.viewer();
      } catch (e) {
        ghOk = false;
        ghError = isAppError(e) ? `${e.code}: ${e.message}` : 'GitHub is not reachable.';
      }
      return {
        version: APP_VERSION,
        mode: github.mode,
        uptime_ms: Math.round(clock.monotonicMs() - started),
        github: { ok: ghOk, account: viewer?.login ?? null, rate_limit: github.rateLimit(), error: ghError, last_error: githubErrors.last },
        store: { ok: store.startupReport.ok, path: store.path, message: store.startupReport.ok ? null : store.startupReport.message },
        pending_actions: store.repos.pendingActions.listByState(['pending']).length,
        auth_mode: config.authMode,
        speech: { ...(await speechHealth()), vad: await fvadHealth() },
        voice: voiceRunner
          ? { started: true, ...voiceRunner.status() }
          : { started: false, available: true, reason: 'Not started yet: it starts with the app when audio is available, or on the first push-to-talk press.', state: 'idle' },
      };
    },
    metrics: () => metrics.snapshot(),
  };

  const app: App = {
    config,
    service,
    pipeline,
    store,
    github,
    metrics,
    events,
    logger,
    notes,
    speech: getSpeech,
    voiceProfile,
    notifications,
    agent,
    webhooks,
    speechGate,
    startVoice(voiceOpts) {
      const devices = {
        ...(config.audio?.inputDevice !== undefined ? { captureDeviceId: config.audio.inputDevice } : {}),
        ...(config.audio?.outputDevice !== undefined ? { playbackDeviceId: config.audio.outputDevice } : {}),
      };
      // Unavailable at launch (no audio server, no mic yet): a later press tries again, as first configured.
      if (voiceRunner !== null && !voiceRunner.status().available) {
        voiceRunner = null;
        voiceStarting = null;
      }
      if (voiceOpts !== undefined) firstVoiceOpts ??= voiceOpts;
      voiceStarting ??= VoiceRunner.start(app, { loop: { mode: config.voiceMode ?? 'ptt' }, ...devices, ...(opts.openAudio ? { openAudio: opts.openAudio } : {}), ...(voiceOpts ?? firstVoiceOpts) }).then(
        (r) => (voiceRunner = r),
        (e: unknown) => {
          voiceStarting = null; // a later press may try again
          throw e;
        },
      );
      return voiceStarting;
    },
    voice: () => voiceRunner,
    autostartVoice() {
      if (config.voiceAutostart === false) return;
      app.startVoice().catch((e: unknown) => logger.warn({ err: String(e) }, 'voice loop did not start at launch; push-to-talk will try again'));
    },
    async useGitHubToken(token) {
      if (made.setToken === null) return { live: false, account: null };
      made.setToken(token);
      viewer = null;
      notifications.poller.resume();
      try {
        viewer = await github.viewer();
      } catch (e) {
        logger.warn({ code: isAppError(e) ? e.code : 'internal' }, 'the new GitHub token could not read the account');
      }
      return { live: true, account: viewer?.login ?? null };
    },
    async close() {
      voiceRunner?.close();
      if (timer) clearInterval(timer);
      speech?.close();
      if (pollTimer) clearInterval(pollTimer);
      notifications.poller.stop();
      await store.close();
    },
  };
  return app;
}

/** Octokit loads only in live mode: it is most of the start-up cost in demo mode. */
async function makeGateway(config: AppConfig, logger: Logger, nowMs: number): Promise<{ gateway: GitHubGateway; setToken: ((token: string) => void) | null }> {
  // The demo world is moved to today so its notifications keep their written ages.
  if (config.mode === 'fixture') {
    return { gateway: new FixtureGitHubGateway({ fixturesDir: config.fixturesDir, journalPath: join(config.dataDir, 'demo-github-writes.jsonl'), shiftToMs: nowMs }), setToken: null };
  }
  if (!config.githubToken) {
    logger.warn({}, 'live mode without a GitHub token: every GitHub call will answer no_token');
  }
  const { OctokitGitHubGateway } = await import('../github/octokitGitHubGateway.js');
  // Links point at the instance the API belongs to (GitHub Enterprise: its own host).
  const gateway = new OctokitGitHubGateway({ token: config.githubToken, baseUrl: config.githubApiUrl, htmlBaseUrl: githubWebBaseUrl(config.githubApiUrl), logger });
  return { gateway, setToken: (t) => gateway.setToken(t) };
}

