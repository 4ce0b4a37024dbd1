/** Time, injected so tests control it. */
export interface Clock {
  /** Wall-clock epoch ms: for display and retention only. */
  nowMs(): number;
  /** Monotonic ms since an arbitrary origin: for expiry and durations (immune to wall-clock jumps). */
  monotonicMs(): number;
}

/** Randomness for tokens and ids, injected because core has no crypto. */
export interface RandomSource {
  /** `bytes` cryptographically random bytes as lowercase hex (2 × bytes chars). */
  hex(bytes: number): string;
}

/** Structured logger (pino-compatible subset). Never pass secrets in `obj`. */
export interface Logger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
