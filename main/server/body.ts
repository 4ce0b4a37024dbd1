/**
 * Request-body reading and decoding: size limit enforced while streaming, strict UTF-8, JSON,
 * then a zod schema. Each step fails with an AppError whose message is safe to show.
 */
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { AppError } from '../../contract/errors.js';

/** The client went away mid-body; nothing can be answered. */
export class ClientAbortedError extends Error {
  constructor() {
    super('client closed the connection before the body was complete');
    this.name = 'ClientAbortedError';
  }
}

/**
 * Reads `stream` to the end, refusing as soon as more than `maxBytes` arrived: reading stops at
 * once (the stream is paused and abandoned), so at most `maxBytes` + one socket chunk (≤ 64 KiB)
 * is ever held. The caller must then answer and close the connection. With `discard`, nothing is
 * kept (used to drain the body of a request that is refused before its body was read).
 */
export function readBodyLimited(stream: Readable, maxBytes: number, opts: { discard?: boolean } = {}): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;

    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      cleanup();
      chunks.length = 0;
      reject(e);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += buf.length;
      if (total > maxBytes) {
        stream.pause();
        fail(new AppError('payload_too_large', `Request body exceeds the limit of ${maxBytes} bytes.`));
        return;
      }
      if (opts.discard !== true) chunks.push(buf);
    };
    const onEnd = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (): void => fail(new ClientAbortedError());
    // 'close' before 'end' means the peer aborted (IncomingMessage emits 'close' after 'end' otherwise).
    const onClose = (): void => fail(new ClientAbortedError());

    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decode (a leading BOM is dropped); invalid sequences → invalid_encoding. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AppError('invalid_encoding', 'Request body is not valid UTF-8.');
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Includes RangeError from absurd nesting; the parser's message is not echoed.
    throw new AppError('invalid_json', 'Request body is not valid JSON.');
  }
}

const MAX_ISSUES_IN_MESSAGE = 3;
const MAX_FIELD_CHARS = 64;

function fieldSegment(key: PropertyKey): string {
  if (typeof key === 'number') return `[${key}]`;
  const s = String(key);
  const shown = /^[A-Za-z0-9_]+$/.test(s) ? s : JSON.stringify(s);
  return shown.length > MAX_FIELD_CHARS ? `${shown.slice(0, MAX_FIELD_CHARS)}…` : shown;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    const s = fieldSegment(seg);
    out += s.startsWith('[') || out === '' ? s : `.${s}`;
  }
  return out;
}

/** One readable sentence naming the offending field(s), e.g. `unknown field "client_context.foo"`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts: string[] = [];
  for (const issue of issues.slice(0, MAX_ISSUES_IN_MESSAGE)) {
    const at = fieldPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.slice(0, MAX_ISSUES_IN_MESSAGE).map((k) => fieldPath([...issue.path, k]));
      parts.push(`unknown field${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}`);
    } else {
      parts.push(`${at === '' ? 'body' : `"${at}"`}: ${issue.message}`);
    }
  }
  if (issues.length > MAX_ISSUES_IN_MESSAGE) parts.push(`and ${issues.length - MAX_ISSUES_IN_MESSAGE} more`);
  return `Invalid request: ${parts.join('; ')}.`;
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('validation_failed', describeIssues(r.error.issues));
  return r.data;
}

/** `application/json`, optionally with `charset=utf-8`; anything else is refused. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}
