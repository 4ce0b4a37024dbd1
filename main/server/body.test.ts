import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { z } from 'zod';
import { CommandRequestSchema } from '../../contract/api.js';
import { AppError } from '../../contract/errors.js';
import { ClientAbortedError, decodeUtf8, describeIssues, isJsonContentType, parseJson, readBodyLimited, validate } from './body.js';

const CHUNK = 16 * 1024;

/** An endless body source that counts what the reader pulled out of it. */
function endless(): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      pulled += CHUNK;
      this.push(Buffer.alloc(CHUNK, 0x61));
    },
  });
  return { stream, pulled: () => pulled };
}

function codeOf(e: unknown): string | undefined {
  return e instanceof AppError ? e.code : undefined;
}

describe('readBodyLimited', () => {
  it('returns the whole body when within the limit', async () => {
    const buf = await readBodyLimited(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 100);
    expect(buf.toString()).toBe('{"a":1}');
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    await expect(readBodyLimited(Readable.from([Buffer.alloc(100)]), 100)).resolves.toHaveLength(100);
    await expect(readBodyLimited(Readable.from([Buffer.alloc(50), Buffer.alloc(51)]), 100)).rejects.toMatchObject({
      code: 'payload_too_large',
    });
  });

  it('stops pulling from an endless stream soon after the limit (≤ limit + 64 KiB)', async () => {
    const limit = 64 * 1024;
    const { stream, pulled } = endless();
    const err = await readBodyLimited(stream, limit).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('payload_too_large');
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled()).toBeLessThanOrEqual(limit + 64 * 1024);
    expect(stream.isPaused()).toBe(true);
  });

  it('reports a client abort distinctly', async () => {
    const s = new Readable({ read() {} });
    const p = readBodyLimited(s, 100);
    s.push('abc');
    s.destroy(new Error('ECONNRESET'));
    await expect(p).rejects.toBeInstanceOf(ClientAbortedError);
  });
});

describe('decodeUtf8 / parseJson', () => {
  it('rejects invalid UTF-8', () => {
    for (const bytes of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      expect(() => decodeUtf8(Uint8Array.from([0x22, ...bytes, 0x22]))).toThrowError(expect.objectContaining({ code: 'invalid_encoding' }));
    }
  });
  it('decodes valid UTF-8 and drops a BOM', () => {
    expect(decodeUtf8(Buffer.from('\uFEFF{"t":"héllo ✓"}'))).toBe('{"t":"héllo ✓"}');
  });
  it('round-trips any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        fc.pre(!s.startsWith('\uFEFF'));
        expect(decodeUtf8(Buffer.from(s, 'utf8'))).toBe(s);
      }),
    );
  });
  it('rejects malformed JSON without echoing the parser message', () => {
    for (const t of ['', '{', '{"a":}', "{'a':1}", 'NaN', '[1,]', '{"a":1}x']) {
      expect(() => parseJson(t)).toThrowError(expect.objectContaining({ code: 'invalid_json', message: 'Request body is not valid JSON.' }));
    }
  });
  it('survives absurd nesting', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    try {
      parseJson(deep);
    } catch (e) {
      expect(codeOf(e)).toBe('invalid_json');
    }
  });
});

describe('validate / describeIssues', () => {
  it('names unknown fields, nested ones with their path', () => {
    expect(() => validate(CommandRequestSchema, { text: 'x', foo: 1 })).toThrowError(/unknown field "foo"/);
    expect(() => validate(CommandRequestSchema, { text: 'x', client_context: { bar: 1 } })).toThrowError(/unknown field "client_context\.bar"/);
    expect(() => validate(CommandRequestSchema, { text: 'x', __proto__x: 1, ['__proto__']: 1 })).toThrowError(/unknown field/);
    expect(() => validate(CommandRequestSchema, JSON.parse('{"text":"x","__proto__":{"admin":true}}'))).toThrowError(/unknown field "__proto__"/);
  });
  it('names the failing field', () => {
    expect(() => validate(CommandRequestSchema, {})).toThrowError(/"text"/);
    expect(() => validate(CommandRequestSchema, { text: 'x', profile: 'loud' })).toThrowError(/"profile"/);
    expect(() => validate(CommandRequestSchema, { text: 'x', client_context: { stt_confidence: 2 } })).toThrowError(/"client_context\.stt_confidence"/);
    expect(() => validate(CommandRequestSchema, [])).toThrowError(/body: /);
  });
  it('keeps messages short for huge or hostile keys', () => {
    const key = 'k'.repeat(10_000) + '\u202e';
    const obj = Object.fromEntries([[key, 1], ['text', 1], ...Array.from({ length: 50 }, (_, i) => [`x${i}`, i])]);
    const r = CommandRequestSchema.safeParse(obj);
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error.issues).length).toBeLessThan(500);
  });
  it('returns the parsed value', () => {
    expect(validate(CommandRequestSchema, { text: 'inbox' })).toEqual({ text: 'inbox' });
  });
});

describe('isJsonContentType', () => {
  it.each(['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset=UTF-8'])('accepts %s', (h) =>
    expect(isJsonContentType(h)).toBe(true),
  );
  it.each([undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=latin1', 'application/jsonx', 'text/json'])(
    'refuses %s',
    (h) => expect(isJsonContentType(h)).toBe(false),
  );
});

describe('body edges', () => {
  it('counts string chunks in UTF-8 bytes', async () => {
    await expect(readBodyLimited(Readable.from(['é', 'ab']), 4)).resolves.toEqual(Buffer.from('éab'));
    await expect(readBodyLimited(Readable.from(['é', 'abc']), 4)).rejects.toMatchObject({ code: 'payload_too_large', message: 'Request body exceeds the limit of 4 bytes.' });
  });

  it('drains without keeping anything when discarding, still enforcing the limit', async () => {
    await expect(readBodyLimited(Readable.from([Buffer.from('abc'), Buffer.from('de')]), 5, { discard: true })).resolves.toHaveLength(0);
    await expect(readBodyLimited(Readable.from([Buffer.from('abc'), Buffer.from('def')]), 5, { discard: true })).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(readBodyLimited(Readable.from([Buffer.from('abc')]), 5, { discard: false })).resolves.toEqual(Buffer.from('abc'));
  });

  it('stops listening once settled', async () => {
    const ok = Readable.from([Buffer.from('abc')]);
    await readBodyLimited(ok, 10);
    const big = new Readable({ read() {} });
    const p = readBodyLimited(big, 2);
    big.push('abc');
    await expect(p).rejects.toMatchObject({ code: 'payload_too_large' });
    for (const s of [ok, big]) for (const ev of ['data', 'end', 'error', 'close']) expect(s.listenerCount(ev), ev).toBe(0);
  });

  it('a peer that closes without an error (no end) is a client abort too', async () => {
    const s = new Readable({ read() {} });
    const p = readBodyLimited(s, 100);
    s.push('abc');
    s.destroy();
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ClientAbortedError);
    expect(e).toMatchObject({ name: 'ClientAbortedError', message: 'client closed the connection before the body was complete' });
  });

  it('says what is wrong with the encoding', () => {
    expect(() => decodeUtf8(Uint8Array.from([0xff]))).toThrow('Request body is not valid UTF-8.');
    expect(parseJson('{"a":[1]}')).toEqual({ a: [1] });
  });

  it('describes issues: at most three, the rest counted; paths with indexes and quoted odd keys', () => {
    const issue = (path: PropertyKey[], message = 'bad'): z.core.$ZodIssue => ({ code: 'custom', path, message, input: undefined }) as z.core.$ZodIssue;
    expect(describeIssues([issue([])])).toBe('Invalid request: body: bad.');
    expect(describeIssues([issue(['items', 0, 'name'])])).toBe('Invalid request: "items[0].name": bad.');
    expect(describeIssues([issue([2, 'x'])])).toBe('Invalid request: "[2].x": bad.');
    expect(describeIssues([issue(['a-b', 'c d'])])).toBe('Invalid request: ""a-b"."c d"": bad.');
    expect(describeIssues([issue(['k'.repeat(70)])])).toBe(`Invalid request: "${'k'.repeat(64)}…": bad.`);
    expect(describeIssues([issue(['k'.repeat(64)])])).toBe(`Invalid request: "${'k'.repeat(64)}": bad.`);
    expect(describeIssues([1, 2, 3, 4, 5].map((i) => issue([`f${i}`])))).toBe('Invalid request: "f1": bad; "f2": bad; "f3": bad; and 2 more.');
    expect(describeIssues([1, 2, 3].map((i) => issue([`f${i}`])))).toBe('Invalid request: "f1": bad; "f2": bad; "f3": bad.');
    const unknown = (keys: string[]): z.core.$ZodIssue => ({ code: 'unrecognized_keys', keys, path: ['ctx'], message: 'x', input: undefined }) as z.core.$ZodIssue;
    expect(describeIssues([unknown(['a'])])).toBe('Invalid request: unknown field "ctx.a".');
    expect(describeIssues([unknown(['a', 'b', 'c', 'd'])])).toBe('Invalid request: unknown fields "ctx.a", "ctx.b", "ctx.c".');
  });

  it('validation errors are typed', () => {
    expect(() => validate(CommandRequestSchema, {})).toThrowError(expect.objectContaining({ code: 'validation_failed' }));
  });

  it.each(['application/json;', 'application/json; charset="utf-8"', ' application/json '])('accepts content type %j', (h) => expect(isJsonContentType(h)).toBe(true));
  it.each(['application/json; charset=utf-8; x=1', 'application/json; charset=utf-16'])('refuses content type %j', (h) => expect(isJsonContentType(h)).toBe(false));
});
