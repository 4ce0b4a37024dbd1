/**
 * Structured JSON logs (pino) with secrets redacted: known secret fields are censored by path, and
 * token-shaped substrings anywhere in logged strings are masked (SEC-13).
 */
import { pino, type Logger as PinoLogger } from 'pino';
import type { Logger } from '../../core/ports/clock.js';

const SECRET_PATTERN = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}|hfk_[A-Za-z0-9_-]{16,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;

/** Masks token-shaped substrings (GitHub, OpenAI, our API keys, bearer headers). */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, (m) => `${m.slice(0, 4)}…[redacted]`);
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = scrub(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** File descriptor or stream for output; default stderr, so CLI stdout stays clean. */
  destination?: NodeJS.WritableStream | number;
}

/** Creates the app logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = opts.destination ?? 2;
  const p = pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'handsfree' },
      redact: {
        paths: ['token', 'apiKey', 'key', 'authorization', 'password', 'secret', '*.token', '*.apiKey', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-admin-token"]'],
        censor: '[redacted]',
      },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : dest,
  );
  return wrap(p);
}

function wrap(p: PinoLogger): Logger {
  return {
    debug: (o, m) => p.debug(o, m),
    info: (o, m) => p.info(o, m),
    warn: (o, m) => p.warn(o, m),
    error: (o, m) => p.error(o, m),
    child: (b) => wrap(p.child(b)),
  };
}

/** A logger that drops everything (benchmarks, quiet CLI paths). */
export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => SILENT_LOGGER };
