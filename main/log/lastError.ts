/**
 * The last failure of a provider (STT, TTS, GitHub) and when it happened, for Status: a provider
 * that is healthy again still shows what went wrong last and how long ago. Recorded where the calls
 * are made (recordFailures), not from health snapshots, so an error followed by a success is kept.
 */
import { isAppError } from '../../contract/errors.js';

export interface LastErrorView {
  message: string;
  /** When it happened, ISO 8601 (UTC). */
  at: string;
}

const MAX_MESSAGE = 300;

export class LastError {
  private value: LastErrorView | null = null;

  /** @param nowMs wall clock, epoch ms. */
  constructor(private readonly nowMs: () => number = Date.now) {}

  record(e: unknown): void {
    const raw = isAppError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    const line = raw.split('\n')[0]!.trim() || (e instanceof Error ? e.name : 'error');
    this.value = { message: line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line, at: new Date(this.nowMs()).toISOString() };
  }

  get last(): LastErrorView | null {
    return this.value;
  }
}

/** An abort (barge-in, a cancelled turn) is the user's doing, not a provider failure. */
export const notAnAbort = (e: unknown): boolean => !(e instanceof Error && e.name === 'AbortError');

/**
 * `target` with every method call watched: a throw or a rejected promise for which `counts(e)` holds
 * is recorded in `log`, then passes on unchanged. Properties and `this` inside methods are the target's.
 */
export function recordFailures<T extends object>(target: T, log: LastError, counts: (e: unknown) => boolean = notAnAbort): T {
  const note = (e: unknown): never => {
    if (counts(e)) log.record(e);
    throw e;
  };
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      const v: unknown = Reflect.get(t, prop, t);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      let w = wrapped.get(prop);
      if (w === undefined || (w as { original?: unknown }).original !== v) {
        const fn = v as (...a: unknown[]) => unknown;
        w = Object.assign(
          (...args: unknown[]): unknown => {
            let r: unknown;
            try {
              r = fn.apply(t, args);
            } catch (e) {
              return note(e);
            }
            return r instanceof Promise ? r.catch(note) : r;
          },
          { original: v },
        );
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}

/** GitHub failures that say the service is unwell (auth, limits, outages), not answers such as "no such PR". */
const GITHUB_OUTAGE_CODES: ReadonlySet<string> = new Set(['no_token', 'github_unauthorized', 'github_forbidden', 'github_rate_limited', 'github_unavailable', 'github_timeout', 'outcome_unknown', 'internal']);

export function isGithubOutage(e: unknown): boolean {
  if (isAppError(e)) return GITHUB_OUTAGE_CODES.has(e.code);
  return notAnAbort(e);
}
