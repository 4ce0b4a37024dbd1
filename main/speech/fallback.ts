/**
 * Resilience for cloud speech providers: a per-call deadline (cockatiel timeout), a circuit breaker
 * (opens after 5 consecutive failures, one probe per half-open interval; NET-3) and a fallback to
 * the offline provider that says so once per outage. No retries here: the SDK runs with
 * `maxRetries: 0`, so attempts per call are exactly 1 (NET-2).
 *
 * Non-retryable failures (401 bad key, 403, 404 model, 429 insufficient_quota, no key at all) hold
 * the breaker open (isolate) until the provider's settings fingerprint changes (NET-6): no request
 * reaches the service meanwhile.
 *
 * The cloud adapters (main/speech/openai) translate their SDK errors into CloudSpeechError so this
 * file stays SDK-free.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Logger } from '../../core/ports/clock.js';
import type { PcmAudio, ProviderHealth, Speech, SpeechToText, SynthesizeOptions, TextToSpeech, TranscribeOptions, Transcript } from '../../core/ports/speech.js';

/**
 * Why a cloud call failed:
 * - `unavailable`: 5xx, 408/409, 429 rate limit, connection reset, timeout (counts toward the breaker);
 * - `rejected`: the request itself was refused (400/413/422): falls back, does not count;
 * - `unauthorized`, `quota`, `no_key`, `misconfigured` (403/404): disable the provider until settings change.
 */
export type CloudFailureReason = 'unavailable' | 'rejected' | 'unauthorized' | 'quota' | 'no_key' | 'misconfigured';

const DISABLING: ReadonlySet<CloudFailureReason> = new Set(['unauthorized', 'quota', 'no_key', 'misconfigured']);

/** A cloud speech failure, SDK-neutral. `message` never contains the API key. */
export class CloudSpeechError extends Error {
  constructor(
    readonly reason: CloudFailureReason,
    message: string,
    /** HTTP status when the service answered, else null. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'CloudSpeechError';
  }
}

/** The caller aborted (barge-in, "stop"): neither a failure of the service nor a reason to fall back. */
export class SpeechCallAbortedError extends Error {
  constructor() {
    super('The speech call was cancelled.');
    this.name = 'SpeechCallAbortedError';
  }
}

/** What the guard needs from a cloud adapter besides its port. */
export interface CloudSpeechProvider {
  readonly name: string;
  /** Deadline per call, ms (NET-1: STT 20 s, TTS 10 s). */
  readonly deadlineMs: number;
  /** Changes whenever the key, base URL or model changes (a hash, never the key itself). */
  settingsFingerprint(): string;
  /** Why the provider cannot run at all (e.g. no API key), or null. */
  missingSettings(): CloudSpeechError | null;
}

export interface ResilienceOptions {
  /** Consecutive failures that open the breaker (default 5, NET-3). */
  breakerThreshold?: number;
  /** How long the breaker stays open before one probe call, ms (default 30,000). */
  halfOpenAfterMs?: number;
  logger?: Logger;
}

export type CloudState = 'ok' | 'degraded' | 'open' | 'half_open' | 'disabled';

export interface CloudHealthSnapshot {
  state: CloudState;
  /** The last call (or the current state) uses the offline provider. */
  fallbackActive: boolean;
  /** Why the last cloud call failed, or why the provider is disabled. */
  lastError: string | null;
  /** Cloud calls started (requests that may reach the network). */
  cloudCalls: number;
  fallbacks: number;
}

/** One notice per outage, shared by the STT and TTS of the same service so a turn says it once. */
export class FallbackNotices {
  private said = false;
  /** The notice to say now, or undefined when it was already said during this outage. */
  take(reason: CloudFailureReason | 'open'): string | undefined {
    if (this.said) return undefined;
    this.said = true;
    return noticeFor(reason);
  }
  /** The service answered again: the next outage is announced. */
  recovered(): void {
    this.said = false;
  }
}

function noticeFor(reason: CloudFailureReason | 'open'): string {
  switch (reason) {
    case 'unauthorized':
      return 'The cloud speech service rejected the API key; using offline speech until the settings change.';
    case 'quota':
      return 'The cloud speech account is out of quota; using offline speech until the settings change.';
    case 'no_key':
      return 'No cloud speech API key is set; using offline speech.';
    case 'misconfigured':
      return 'The cloud speech settings were refused; using offline speech until the settings change.';
    default:
      return 'The cloud speech service is unavailable; using offline speech.';
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: CloudFailureReason | 'open'; message: string };

/** Deadline + breaker + settings-bound disable around one cloud provider. */
export class CloudGuard {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy;
  private readonly threshold: number;
  private readonly halfOpenAfterMs: number;
  private disabled: { fingerprint: string; reason: CloudFailureReason; message: string; release: () => void } | null = null;
  private lastError: string | null = null;
  private lastFellBack = false;
  private calls = 0;
  private fallbacks = 0;

  constructor(
    private readonly cloud: CloudSpeechProvider,
    private readonly opts: ResilienceOptions = {},
  ) {
    this.threshold = opts.breakerThreshold ?? 5;
    this.halfOpenAfterMs = opts.halfOpenAfterMs ?? 30_000;
    // Disabling errors and caller aborts say nothing about the service's health: not counted.
    const counted = handleWhen((e) => !(e instanceof SpeechCallAbortedError) && !(e instanceof CloudSpeechError && (e.reason === 'rejected' || DISABLING.has(e.reason))));
    this.breaker = circuitBreaker(counted, { halfOpenAfter: this.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.threshold) });
    // Aggressive: the caller gets control back at the deadline even if the adapter ignored the signal.
    this.policy = wrap(this.breaker, timeout(cloud.deadlineMs, TimeoutStrategy.Aggressive));
  }

  /**
   * Runs `fn` (one cloud attempt) under the deadline and breaker. Resolves with the value, or with
   * why the cloud could not be used (the caller then falls back). Throws SpeechCallAbortedError
   * when `outer` was aborted by the caller.
   */
  async run<T>(fn: (signal: AbortSignal) => Promise<T>, outer?: TranscribeOptions['signal']): Promise<Outcome<T>> {
    this.refreshDisabled();
    if (this.disabled === null) {
      const missing = this.cloud.missingSettings();
      if (missing !== null) this.disable(missing);
    }
    if (this.disabled !== null) return this.failed(this.disabled.reason, this.disabled.message);
    const outerSignal = outer instanceof AbortSignal ? outer : undefined;
    outer?.throwIfAborted();
    try {
      const value = await this.policy.execute(async ({ signal }) => {
        this.calls++;
        const combined = outerSignal !== undefined ? AbortSignal.any([signal, outerSignal]) : signal;
        try {
          return await fn(combined);
        } catch (e) {
          if (outer?.aborted === true) throw new SpeechCallAbortedError();
          throw e;
        }
      });
      this.lastError = null;
      this.lastFellBack = false;
      return { ok: true, value };
    } catch (e) {
      if (e instanceof SpeechCallAbortedError || outer?.aborted === true) throw new SpeechCallAbortedError();
      if (e instanceof CloudSpeechError) {
        if (DISABLING.has(e.reason)) this.disable(e);
        return this.failed(e.reason, e.message);
      }
      if (e instanceof IsolatedCircuitError) return this.failed('unavailable', 'the provider is disabled');
      if (e instanceof BrokenCircuitError) return this.failed('open', `circuit open after ${this.threshold} consecutive failures (${this.lastError ?? 'unknown error'})`);
      if (e instanceof TaskCancelledError) return this.failed('unavailable', `no answer within ${this.cloud.deadlineMs} ms`);
      return this.failed('unavailable', e instanceof Error ? e.message : String(e));
    }
  }

  snapshot(): CloudHealthSnapshot {
    this.refreshDisabled();
    let state: CloudState;
    if (this.disabled !== null || this.cloud.missingSettings() !== null) state = 'disabled';
    else if (this.breaker.state === CircuitState.Open) state = 'open';
    else if (this.breaker.state === CircuitState.HalfOpen) state = 'half_open';
    else state = this.lastFellBack ? 'degraded' : 'ok';
    const lastError = this.disabled?.message ?? this.cloud.missingSettings()?.message ?? this.lastError;
    return { state, fallbackActive: state !== 'ok', lastError, cloudCalls: this.calls, fallbacks: this.fallbacks };
  }

  /** Provider health for /v1/status, naming the fallback in use. */
  health(fallback: ProviderHealth): ProviderHealth {
    const s = this.snapshot();
    const off = fallback.ok ? fallback.provider : `${fallback.provider}, which is not ok: ${fallback.message ?? 'unknown'}`;
    const message: Record<CloudState, string | null> = {
      ok: null,
      degraded: `degraded: the last call failed (${s.lastError ?? 'unknown'}); fell back to ${off}`,
      open: `circuit open after ${this.threshold} consecutive failures (${s.lastError ?? 'unknown'}); using ${off}; one probe every ${Math.round(this.halfOpenAfterMs / 1000)} s`,
      half_open: `probing after an outage; using ${off} meanwhile`,
      disabled: `disabled: ${s.lastError ?? 'unknown'}; using ${off} until the settings change`,
    };
    return { provider: this.cloud.name, ok: s.state === 'ok', message: message[s.state] };
  }

  private failed(reason: CloudFailureReason | 'open', message: string): Outcome<never> {
    if (reason !== 'open') this.lastError = message;
    this.lastFellBack = true;
    this.fallbacks++;
    this.opts.logger?.warn({ provider: this.cloud.name, reason, error: message }, 'cloud speech failed; using the offline provider');
    return { ok: false, reason, message };
  }

  private disable(e: CloudSpeechError): void {
    if (this.disabled !== null) return;
    const handle = this.breaker.isolate();
    this.disabled = { fingerprint: this.cloud.settingsFingerprint(), reason: e.reason, message: e.message, release: () => handle.dispose() };
  }

  /** Settings changed since the provider was disabled: try it again. */
  private refreshDisabled(): void {
    if (this.disabled !== null && this.disabled.fingerprint !== this.cloud.settingsFingerprint()) {
      this.disabled.release();
      this.disabled = null;
      this.lastError = null;
      this.lastFellBack = false;
    }
  }
}

/** Cloud STT with the offline STT as fallback. `provider` on the transcript names who produced it. */
export class FallbackSpeechToText implements SpeechToText {
  readonly name: string;
  readonly guard: CloudGuard;

  constructor(
    private readonly cloud: SpeechToText & CloudSpeechProvider,
    private readonly fallback: SpeechToText,
    opts: ResilienceOptions = {},
    private readonly notices = new FallbackNotices(),
  ) {
    this.name = cloud.name;
    this.guard = new CloudGuard(cloud, opts);
  }

  /** Transcribes with the cloud; on failure (or open breaker) with the offline provider, adding a notice once per outage. */
  async transcribe(audio: PcmAudio, opts: TranscribeOptions = {}): Promise<Transcript> {
    const r = await this.guard.run((signal) => this.cloud.transcribe(audio, { signal }), opts.signal);
    if (r.ok) {
      this.notices.recovered();
      return r.value;
    }
    const t = await this.fallback.transcribe(audio, opts);
    const notice = this.notices.take(r.reason);
    return notice !== undefined ? { ...t, notice } : t;
  }

  health(): ProviderHealth {
    return this.guard.health(this.fallback.health());
  }

  /** The offline fallback is what can need building (the cloud has nothing to prepare). */
  prepareFor(sampleRateHz: number): void {
    this.fallback.prepareFor?.(sampleRateHz);
  }
}

/** Cloud TTS with the offline TTS as fallback; the notice is spoken in the fallback audio itself. */
export class FallbackTextToSpeech implements TextToSpeech {
  readonly name: string;
  readonly voices: readonly string[];
  readonly guard: CloudGuard;

  constructor(
    private readonly cloud: TextToSpeech & CloudSpeechProvider,
    private readonly fallback: TextToSpeech,
    opts: ResilienceOptions = {},
    private readonly notices = new FallbackNotices(),
  ) {
    this.name = cloud.name;
    this.voices = cloud.voices;
    this.guard = new CloudGuard(cloud, opts);
  }

  /** Synthesizes with the cloud; on failure with the offline voice (cloud voice names are not passed to it). */
  async synthesize(text: string, opts: SynthesizeOptions = {}): Promise<Speech> {
    const r = await this.guard.run((signal) => this.cloud.synthesize(text, { ...opts, signal }), opts.signal);
    if (r.ok) {
      this.notices.recovered();
      return r.value;
    }
    const notice = this.notices.take(r.reason);
    const voice = opts.voice !== undefined && this.fallback.voices.includes(opts.voice) ? opts.voice : undefined;
    const s = await this.fallback.synthesize(notice !== undefined ? `${notice} ${text}` : text, { ...(voice !== undefined ? { voice } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    return notice !== undefined ? { ...s, notice } : s;
  }

  health(): ProviderHealth {
    return this.guard.health(this.fallback.health());
  }
}
