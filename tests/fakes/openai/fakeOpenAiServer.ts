/**
 * A fake OpenAI audio API on 127.0.0.1 (node:http, port 0) speaking the real HTTP contract, so the
 * real `openai` client is what tests exercise (point its baseURL at `fake.url`):
 * - POST /v1/audio/transcriptions: multipart (file, model, response_format, language, prompt,
 *   include[]); the file must be a WAV; answers `{text, usage}` JSON (+ `logprobs` when
 *   `include[]=logprobs` with a gpt-4o model), or `text` for response_format=text.
 * - POST /v1/audio/speech: JSON {model, input, voice, response_format}; answers audio of the
 *   requested format (pcm: 24 kHz s16le mono; wav: streamed WAV with 0xFFFFFFFF sizes, as OpenAI
 *   sends), chunked with pauses so clients really stream. The audio is one 150 ms tone per word,
 *   so tests can check the decoded length.
 * - Errors in OpenAI's JSON shape: 401 invalid_api_key, 429 insufficient_quota / rate_limit_exceeded,
 *   500 server_error, 400 invalid_request_error.
 * Scriptable faults (status, connection reset, slow answer, body stall) and a log of every request
 * with whether the client gave up on it.
 *
 *   const ai = await startFakeOpenAi({ apiKey: 'sk-test', transcript: 'show my inbox' });
 *   new OpenAI({ baseURL: ai.url, apiKey: 'sk-test', maxRetries: 0 })
 *   ai.faults.serverError({ times: 5 }); ai.count('transcriptions'); await ai.close();
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type FakeEndpoint = 'transcriptions' | 'speech' | 'other';

export interface FakeOpenAiUpload {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
  /** From the WAV header; null when the file is not a PCM WAV. */
  sampleRateHz: number | null;
  /** 16-bit mono samples in the data chunk; null when not a PCM WAV. */
  samples: number | null;
}

export interface FakeOpenAiRequest {
  seq: number;
  method: string;
  path: string;
  endpoint: FakeEndpoint;
  /** Bearer token presented matched (or any token when none is configured). */
  authorized: boolean;
  /** Multipart text fields or the JSON body. */
  fields: Record<string, unknown>;
  upload: FakeOpenAiUpload | null;
  /** Status sent; null when the connection was reset or the client left before an answer. */
  status: number | null;
  /** The client closed the connection before the response finished (e.g. its deadline passed). */
  clientAborted: boolean;
  /** performance.now() at arrival and when the exchange ended (finished, reset or aborted). */
  startedAtMs: number;
  endedAtMs: number | null;
}

export type FakeOpenAiFaultAction =
  /** Answer this status with OpenAI's error body for it (or the given type/code/message). */
  | { kind: 'status'; status: number; type?: string; code?: string | null; message?: string; headers?: Record<string, string> }
  /** Destroy the connection without answering. */
  | { kind: 'reset' }
  /** Wait, then answer normally (the wait ends early if the client leaves). */
  | { kind: 'delay'; ms: number }
  /** speech: send the headers and the first chunk, then nothing for `ms`, then the rest. */
  | { kind: 'stallBody'; ms: number };

export interface FakeOpenAiFault {
  endpoint?: FakeEndpoint;
  /** How many matching requests it affects (default 1; Infinity for all). */
  times?: number;
  action: FakeOpenAiFaultAction;
}

type Scope = { times?: number; endpoint?: FakeEndpoint };

export interface FakeOpenAiFaults {
  add(fault: FakeOpenAiFault): void;
  clear(): void;
  pending(): number;
  serverError(opts?: Scope): void;
  unauthorized(opts?: Scope): void;
  insufficientQuota(opts?: Scope): void;
  rateLimited(opts?: Scope & { retryAfterS?: number }): void;
  slow(ms: number, opts?: Scope): void;
  resetConnection(opts?: Scope): void;
}

export interface StartFakeOpenAiOptions {
  /** Only this key is accepted (401 invalid_api_key otherwise); default: any non-empty key. */
  apiKey?: string;
  /** What the transcription endpoint hears (default "show my inbox"). */
  transcript?: string | ((upload: FakeOpenAiUpload) => string);
  /** Log-probability reported per token when logprobs are asked for (default −0.05 ≈ 0.95 confidence). */
  logprob?: number;
  /** Speech is sent in this many chunks with this pause between them (defaults 4 and 30 ms). */
  speechChunks?: number;
  speechChunkDelayMs?: number;
}

export interface FakeOpenAi {
  /** Base URL for the client, e.g. http://127.0.0.1:43123/v1 */
  readonly url: string;
  readonly requests: FakeOpenAiRequest[];
  readonly faults: FakeOpenAiFaults;
  /** Requests that reached the fake for an endpoint (faulted ones included). */
  count(endpoint?: FakeEndpoint): number;
  setTranscript(t: StartFakeOpenAiOptions['transcript']): void;
  setApiKey(key: string | undefined): void;
  close(): Promise<void>;
}

export const TRANSCRIBE_MODELS = ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe'];
export const SPEECH_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'];
export const SPEECH_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];
/** Samples per word in the fake's speech (150 ms at 24 kHz). */
export const FAKE_SPEECH_SAMPLES_PER_WORD = 3_600;
const PCM_RATE_HZ = 24_000;

function errorBody(status: number, a: { type?: string; code?: string | null; message?: string } = {}): { error: { message: string; type: string; param: string | null; code: string | null } } {
  const preset: Record<number, { message: string; type: string; code: string | null }> = {
    400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
    401: { message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', code: 'invalid_api_key' },
    403: { message: 'Project does not have access to this model.', type: 'invalid_request_error', code: 'model_not_found' },
    429: { message: 'Rate limit reached for requests. Please try again in 20ms.', type: 'requests', code: 'rate_limit_exceeded' },
    500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
    503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
  };
  const p = preset[status] ?? { message: `Error ${status}`, type: 'server_error', code: null };
  return { error: { message: a.message ?? p.message, type: a.type ?? p.type, param: null, code: a.code === undefined ? p.code : a.code } };
}

const QUOTA = { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.' };

function wavInfo(b: Uint8Array): { sampleRateHz: number; samples: number } | null {
  if (b.length < 44) return null;
  const ascii = (o: number): string => String.fromCharCode(...b.subarray(o, o + 4));
  if (ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 12;
  let rate: number | null = null;
  let bits = 0;
  let channels = 0;
  while (p + 8 <= b.length) {
    const id = ascii(p);
    const size = dv.getUint32(p + 4, true);
    if (id === 'fmt ') {
      channels = dv.getUint16(p + 10, true);
      rate = dv.getUint32(p + 12, true);
      bits = dv.getUint16(p + 22, true);
    } else if (id === 'data') {
      if (rate === null || bits !== 16 || channels !== 1) return null;
      return { sampleRateHz: rate, samples: Math.floor(Math.min(size, b.length - p - 8) / 2) };
    }
    p += 8 + size + (size % 2);
  }
  return null;
}

/** One 150 ms tone per word, 24 kHz 16-bit mono little-endian. */
function speechPcm(input: string): Uint8Array {
  const words = input.split(/\s+/).filter((w) => w !== '').length;
  const n = Math.max(1, words) * FAKE_SPEECH_SAMPLES_PER_WORD;
  const out = new Uint8Array(n * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) dv.setInt16(i * 2, Math.round(6000 * Math.sin((2 * Math.PI * 330 * i) / PCM_RATE_HZ)), true);
  return out;
}

function streamedWavHeader(): Uint8Array {
  const h = new Uint8Array(44);
  const dv = new DataView(h.buffer);
  const put = (o: number, s: string): void => {
    for (let i = 0; i < s.length; i++) h[o + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  dv.setUint32(4, 0xffffffff, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, PCM_RATE_HZ, true);
  dv.setUint32(28, PCM_RATE_HZ * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  put(36, 'data');
  dv.setUint32(40, 0xffffffff, true);
  return h;
}

/** Starts the fake on an ephemeral loopback port. */
export async function startFakeOpenAi(opts: StartFakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const requests: FakeOpenAiRequest[] = [];
  const armed: { endpoint?: FakeEndpoint; left: number; action: FakeOpenAiFaultAction }[] = [];
  let transcript = opts.transcript ?? 'show my inbox';
  let apiKey = opts.apiKey;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number, res: ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
      res.once('close', () => {
        clearTimeout(t);
        timers.delete(t);
        resolve();
      });
    });

  const takeFault = (endpoint: FakeEndpoint): FakeOpenAiFaultAction | null => {
    const i = armed.findIndex((f) => f.endpoint === undefined || f.endpoint === endpoint);
    if (i < 0) return null;
    const f = armed[i]!;
    if (--f.left <= 0) armed.splice(i, 1);
    return f.action;
  };

  const sendJson = (res: ServerResponse, rec: FakeOpenAiRequest, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.destroyed) return;
    rec.status = status;
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomUUID().replace(/-/g, '')}`, 'openai-processing-ms': '12', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const endpoint: FakeEndpoint = path === '/v1/audio/transcriptions' ? 'transcriptions' : path === '/v1/audio/speech' ? 'speech' : 'other';
    const auth = req.headers.authorization ?? '';
    const presented = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const rec: FakeOpenAiRequest = {
      seq: requests.length + 1,
      method: req.method ?? 'GET',
      path,
      endpoint,
      authorized: presented !== '' && (apiKey === undefined || presented === apiKey),
      fields: {},
      upload: null,
      status: null,
      clientAborted: false,
      startedAtMs: performance.now(),
      endedAtMs: null,
    };
    requests.push(rec);
    let resetByFake = false;
    res.once('close', () => {
      rec.endedAtMs ??= performance.now();
      // Closed before the whole answer was sent, and not by a reset fault: the client gave up.
      if (!res.writableFinished && !resetByFake) rec.clientAborted = true;
    });
    res.once('finish', () => {
      rec.endedAtMs = performance.now();
    });

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);

    // Parse the body first, as the real service does, so tests can inspect what was sent.
    if (endpoint === 'transcriptions' && req.method === 'POST') {
      try {
        const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: raw }).formData();
        for (const [k, v] of form.entries()) {
          if (typeof v === 'string') {
            const prev = rec.fields[k];
            rec.fields[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
          } else {
            const bytes = new Uint8Array(await v.arrayBuffer());
            const info = wavInfo(bytes);
            rec.upload = { filename: v.name, contentType: v.type, bytes, sampleRateHz: info?.sampleRateHz ?? null, samples: info?.samples ?? null };
          }
        }
      } catch {
        // left empty: answered 400 below
      }
    } else if (endpoint === 'speech' && req.method === 'POST') {
      try {
        rec.fields = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        sendJson(res, rec, 400, errorBody(400, { message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)" }));
        return;
      }
    }

    if (!rec.authorized) {
      sendJson(res, rec, 401, errorBody(401, presented === '' ? { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", code: null } : {}));
      return;
    }
    const fault = takeFault(endpoint);
    if (fault?.kind === 'reset') {
      resetByFake = true;
      req.socket.destroy();
      rec.endedAtMs = performance.now();
      return;
    }
    if (fault?.kind === 'status') {
      sendJson(res, rec, fault.status, errorBody(fault.status, fault), fault.headers);
      return;
    }
    if (fault?.kind === 'delay') {
      await sleep(fault.ms, res);
      if (res.destroyed || res.writableEnded) return;
    }
    if (endpoint === 'transcriptions' && req.method === 'POST') return transcriptions(res, rec);
    if (endpoint === 'speech' && req.method === 'POST') return speech(res, rec, fault?.kind === 'stallBody' ? fault.ms : 0);
    sendJson(res, rec, 404, errorBody(404, { type: 'invalid_request_error', message: `Invalid URL (${req.method ?? 'GET'} ${path})` }));
  }

  function transcriptions(res: ServerResponse, rec: FakeOpenAiRequest): void {
    const model = rec.fields['model'];
    if (rec.upload === null) return sendJson(res, rec, 400, errorBody(400, { message: "you must provide a 'file' field", code: null }));
    if (typeof model !== 'string' || !TRANSCRIBE_MODELS.includes(model)) return sendJson(res, rec, 400, errorBody(400, { message: `Invalid model ${String(model)}.`, code: 'model_not_found' }));
    if (rec.upload.sampleRateHz === null) return sendJson(res, rec, 400, errorBody(400, { message: "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']", code: 'invalid_value' }));
    const text = typeof transcript === 'function' ? transcript(rec.upload) : transcript;
    const format = rec.fields['response_format'] ?? 'json';
    if (format === 'text') {
      rec.status = 200;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${text}\n`);
      return;
    }
    if (format !== 'json') return sendJson(res, rec, 400, errorBody(400, { message: `The fake answers response_format json or text, not ${String(format)}.` }));
    const include = rec.fields['include[]'];
    const wantsLogprobs = (Array.isArray(include) ? include : [include]).includes('logprobs') && model.startsWith('gpt-4o');
    const tokens = text.split(/(?=\s)/).filter((t) => t !== '');
    sendJson(res, rec, 200, {
      text,
      ...(wantsLogprobs ? { logprobs: tokens.map((t) => ({ token: t, logprob: opts.logprob ?? -0.05, bytes: [...Buffer.from(t)] })) } : {}),
      usage: { type: 'tokens', input_tokens: 20, input_token_details: { text_tokens: 0, audio_tokens: 20 }, output_tokens: tokens.length, total_tokens: 20 + tokens.length },
    });
  }

  async function speech(res: ServerResponse, rec: FakeOpenAiRequest, stallMs: number): Promise<void> {
    const b = rec.fields;
    const format = b['response_format'] ?? 'mp3';
    if (typeof b['model'] !== 'string' || !SPEECH_MODELS.includes(b['model'])) return sendJson(res, rec, 400, errorBody(400, { message: `Invalid model: ${String(b['model'])}`, code: 'model_not_found' }));
    if (typeof b['input'] !== 'string' || b['input'] === '') return sendJson(res, rec, 400, errorBody(400, { message: "Missing required parameter: 'input'.", code: 'missing_required_parameter' }));
    if (b['input'].length > 4096) return sendJson(res, rec, 400, errorBody(400, { message: "Invalid 'input': string too long. Expected a string with maximum length 4096.", code: 'string_above_max_length' }));
    if (typeof b['voice'] !== 'string' || !SPEECH_VOICES.includes(b['voice'])) return sendJson(res, rec, 400, errorBody(400, { message: `Invalid value for 'voice': ${String(b['voice'])}.`, code: 'invalid_value' }));
    if (format !== 'pcm' && format !== 'wav') return sendJson(res, rec, 400, errorBody(400, { message: `The fake speaks pcm and wav, not ${String(format)}.` }));
    const pcm = speechPcm(b['input']);
    const body = format === 'wav' ? Buffer.concat([streamedWavHeader(), pcm]) : Buffer.from(pcm);
    rec.status = 200;
    res.writeHead(200, { 'content-type': format === 'wav' ? 'audio/wav' : 'audio/pcm', 'transfer-encoding': 'chunked', 'x-request-id': `req_${randomUUID().replace(/-/g, '')}` });
    const n = Math.max(1, opts.speechChunks ?? 4);
    const size = Math.ceil(body.length / n);
    for (let i = 0; i < n && !res.destroyed; i++) {
      if (i > 0) await sleep(i === 1 && stallMs > 0 ? stallMs : (opts.speechChunkDelayMs ?? 30), res);
      if (res.destroyed) return;
      res.write(body.subarray(i * size, (i + 1) * size));
    }
    if (!res.destroyed) res.end();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody(500, { message: `fake crashed: ${String(e)}` })));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const add = (f: FakeOpenAiFault): void => {
    armed.push({ ...(f.endpoint !== undefined ? { endpoint: f.endpoint } : {}), left: f.times ?? 1, action: f.action });
  };
  const faults: FakeOpenAiFaults = {
    add,
    clear: () => void armed.splice(0),
    pending: () => armed.length,
    serverError: (o = {}) => add({ ...o, action: { kind: 'status', status: 500 } }),
    unauthorized: (o = {}) => add({ ...o, action: { kind: 'status', status: 401 } }),
    insufficientQuota: (o = {}) => add({ ...o, action: { kind: 'status', status: 429, ...QUOTA } }),
    rateLimited: (o = {}) => add({ ...o, action: { kind: 'status', status: 429, headers: { 'retry-after': String(o.retryAfterS ?? 1) } } }),
    slow: (ms, o = {}) => add({ ...o, action: { kind: 'delay', ms } }),
    resetConnection: (o = {}) => add({ ...o, action: { kind: 'reset' } }),
  };

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    faults,
    count: (endpoint) => requests.filter((r) => endpoint === undefined || r.endpoint === endpoint).length,
    setTranscript: (t) => {
      transcript = t ?? 'show my inbox';
    },
    setApiKey: (k) => {
      apiKey = k;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
