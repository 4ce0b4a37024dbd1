/**
 * One GitHub sign-in at a time through the OAuth device flow (deviceFlow.ts), shared by the UI
 * (IPC and browser mode) and `handsfree login`: shows and speaks the user code, waits for the user
 * in the background, stores the token through the existing secrets path and applies it.
 *
 * Logging rule: state changes only. The device code, the user code and the token are never passed
 * to the logger (tests/integration/device-flow.test.ts reads the log output of a full sign-in).
 */
import { AppError, isAppError } from '../../contract/errors.js';
import type { DeviceSignInView } from '../../contract/ipc.js';
import type { Logger } from '../../core/ports/clock.js';
import type { SettingsStore } from '../settings/settingsStore.js';
import { DEVICE_FLOW_SCOPES, abortableSleep, requestDeviceCode, waitForToken, type DeviceCode, type DeviceFlowOptions, type DeviceFlowOutcome } from './deviceFlow.js';

export interface DeviceSignInDeps {
  /** null: no OAuth client id configured, sign-in is unavailable (the view says how to enable it). */
  flow: DeviceFlowOptions | null;
  /** Why a token could not be stored here (checked before the user is asked to do anything), or null. */
  storageProblem(): string | null;
  /** Stores the token (keychain in Electron, the 0600 file in browser mode). */
  saveToken(token: string): void;
  /** Makes the running app use the token; resolves the account (null when unknown) and a note to add (e.g. restart to leave demo mode). */
  applyToken(token: string): Promise<{ account: string | null; note: string | null }>;
  /** Speaks a sentence through the app's voice output. */
  say(text: string): void;
  logger: Logger;
  /** Wall clock, epoch ms (default Date.now). */
  nowMs?: () => number;
  /** Monotonic clock, ms (default performance.now). */
  monotonicMs?: () => number;
  /** Sleep between polls (default real timers; tests pass one that records the interval). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Why a token could not be stored through `settings`, said so the user knows what to do; null when it can. */
export function tokenStorageProblem(settings: Pick<SettingsStore, 'view'>): string | null {
  const secret = settings.view().secret;
  if (secret.source === 'env') return 'The GitHub token comes from the HANDSFREE_GITHUB_TOKEN environment variable: unset it to sign in here.';
  return secret.canSave ? null : secret.description;
}

/** "WDJB-MJHT" → "W, D, J, B, dash, M, J, H, T": one character at a time, so speech cannot run letters together. */
export function spellUserCode(code: string): string {
  return [...code].map((c) => (c === '-' ? 'dash' : c)).join(', ');
}

/** https://github.com/login/device → "github.com slash login slash device". */
export function spokenUrl(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/+$/, '').split('/').join(' slash ');
}

const NOT_CONFIGURED =
  'Sign-in with GitHub needs an OAuth app client id: set HANDSFREE_GITHUB_CLIENT_ID (see the README), or paste a token, or stay in demo mode.';

export class DeviceSignIn {
  private view: DeviceSignInView;
  private abort: AbortController | null = null;
  private starting: Promise<DeviceSignInView> | null = null;
  /** The running wait, for tests and the CLI to await. */
  done: Promise<DeviceSignInView> | null = null;
  private readonly log: Logger;

  constructor(private readonly d: DeviceSignInDeps) {
    this.log = d.logger.child({ component: 'device-sign-in' });
    this.view = this.idle(d.flow === null ? NOT_CONFIGURED : 'Not signed in with the device flow yet.');
  }

  private idle(message: string): DeviceSignInView {
    return { state: 'idle', user_code: null, verification_uri: null, expires_at_ms: null, message, account: null, available: this.d.flow !== null, scopes: DEVICE_FLOW_SCOPES };
  }

  status(): DeviceSignInView {
    return this.view;
  }

  /**
   * Asks GitHub for a code, shows and speaks it, and starts waiting in the background. While a
   * sign-in is waiting, returns it unchanged (a second press does not issue a second code).
   * @throws AppError 'not_supported' (no client id), 'forbidden' (the token could not be stored here),
   *   or what requestDeviceCode throws.
   */
  start(): Promise<DeviceSignInView> {
    if (this.view.state === 'waiting') return Promise.resolve(this.view);
    // Two presses at once share one request: one code, one spoken sentence.
    this.starting ??= this.begin().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async begin(): Promise<DeviceSignInView> {
    const flow = this.d.flow;
    if (flow === null) throw new AppError('not_supported', NOT_CONFIGURED);
    const problem = this.d.storageProblem();
    if (problem !== null) throw new AppError('forbidden', problem);
    const monotonic = this.d.monotonicMs ?? (() => performance.now());
    const now = this.d.nowMs ?? Date.now;
    const startedAt = monotonic();
    let code: DeviceCode;
    try {
      code = await requestDeviceCode(flow);
    } catch (e) {
      this.log.warn({ code: isAppError(e) ? e.code : 'internal' }, 'device flow could not start');
      throw e;
    }
    // The user is sent to this page: only the configured GitHub host's.
    if (new URL(code.verification_uri).origin !== new URL(flow.webBaseUrl).origin) {
      this.log.warn({}, 'device flow answered with a verification page on another host; refused');
      throw new AppError('github_validation', 'GitHub sent a sign-in page on another host; sign-in refused.');
    }
    const message = `To sign in to GitHub, open ${spokenUrl(code.verification_uri)} and enter the code ${spellUserCode(code.user_code)}. The code is also on screen.`;
    this.view = {
      ...this.idle(message),
      state: 'waiting',
      user_code: code.user_code,
      verification_uri: code.verification_uri,
      expires_at_ms: now() + code.expires_in * 1000,
    };
    this.log.info({ expiresInS: code.expires_in, intervalS: code.interval }, 'device flow started; waiting for the user');
    this.d.say(message);
    const abort = new AbortController();
    this.abort = abort;
    this.done = waitForToken(flow, code, startedAt, {
      sleep: this.d.sleep ?? abortableSleep,
      monotonicMs: monotonic,
      signal: abort.signal,
      onPoll: (r, nextMs) => {
        if (r.kind === 'slow_down') this.log.info({ nextIntervalMs: nextMs }, 'device flow: GitHub asked to slow down');
        else if (r.kind === 'network_error') this.log.warn({ reason: r.reason }, 'device flow poll failed; will retry');
      },
    }).then((outcome) => this.finish(outcome, abort));
    return this.view;
  }

  /** Stops waiting; nothing is stored. */
  cancel(): DeviceSignInView {
    if (this.view.state !== 'waiting') return this.view;
    this.abort?.abort();
    this.abort = null;
    this.view = this.idle('Sign-in stopped. Nothing was saved.');
    this.log.info({}, 'device flow cancelled here');
    return this.view;
  }

  private async finish(outcome: DeviceFlowOutcome, abort: AbortController): Promise<DeviceSignInView> {
    // A cancel (or a newer start) owns the view now.
    if (outcome.kind === 'cancelled' || this.abort !== abort) return this.view;
    this.abort = null;
    const ended = (state: DeviceSignInView['state'], message: string, account: string | null = null): DeviceSignInView => {
      this.view = { ...this.idle(message), state, account };
      this.log.info({ state }, 'device flow ended');
      this.d.say(message);
      return this.view;
    };
    switch (outcome.kind) {
      case 'expired':
        return ended('expired', 'The sign-in code expired before it was entered. Start sign-in again for a new code.');
      case 'denied':
        return ended('denied', 'Sign-in cancelled: access was not granted on GitHub. Nothing was saved.');
      case 'failed':
        return ended(
          'failed',
          outcome.reason.startsWith('network')
            ? 'Sign-in failed: GitHub could not be reached. Check the connection and start sign-in again.'
            : `Sign-in failed: GitHub refused it (${outcome.reason}). Start sign-in again.`,
        );
      case 'token':
        break;
    }
    try {
      this.d.saveToken(outcome.token);
    } catch (e) {
      return ended('failed', `Signed in, but the token could not be stored: ${isAppError(e) ? e.message : 'storage failed'}. Nothing was saved.`);
    }
    let applied: { account: string | null; note: string | null };
    try {
      applied = await this.d.applyToken(outcome.token);
    } catch {
      applied = { account: null, note: null };
    }
    const who = applied.account !== null ? `Signed in to GitHub as ${applied.account}.` : 'Signed in to GitHub.';
    return ended('signed_in', applied.note !== null ? `${who} ${applied.note}` : who, applied.account);
  }
}
