/**
 * A fake of GitHub's OAuth device flow endpoints, speaking the documented HTTP contract:
 * - POST /login/device/code (client_id, scope) → device_code, user_code, verification_uri, expires_in, interval;
 * - POST /login/oauth/access_token (client_id, device_code, grant_type) → access_token, or HTTP 200
 *   with `error`: authorization_pending | slow_down (+ interval) | expired_token | access_denied |
 *   incorrect_device_code | unsupported_grant_type | incorrect_client_credentials.
 * Bodies may be form-encoded or JSON; answers are JSON with `Accept: application/json`, else
 * form-encoded (GitHub's default).
 *
 * Use standalone (startFakeDeviceFlow) or mount `handle` into another fake server (fakeGitHubServer).
 *
 *   const gh = await startFakeDeviceFlow({ clientId: 'Iv1.test' });
 *   gh.script.push('pending', 'slow_down', 'token');   // answers to the next polls, in order
 *   gh.approve();                                      // or: the user approved (next poll gets the token)
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PollAnswer = 'pending' | 'slow_down' | 'expired' | 'denied' | 'token' | 'bad_device_code' | 'http_500';

export interface DevicePoll {
  atMs: number;
  contentType: string;
  accept: string;
  body: Record<string, string>;
  answer: string;
}

export interface FakeDeviceFlowOptions {
  clientId?: string;
  /** Seconds, as sent to the client (GitHub: 5). */
  interval?: number;
  /** Seconds (GitHub: 900). */
  expiresIn?: number;
  userCode?: string;
  /** The token handed out on approval. */
  token?: string;
  /** Base of verification_uri (default: this server's own URL). */
  verificationBase?: string;
  /** Answer to /login/device/code with this OAuth error instead (e.g. device_flow_disabled). */
  codeError?: string;
}

export interface FakeDeviceFlow {
  /** Handles the two endpoints; returns false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<boolean>;
  /** Answers for the next polls, consumed in order; when empty: pending until approve()/deny(). */
  script: PollAnswer[];
  approve(): void;
  deny(): void;
  codeRequests: Record<string, string>[];
  polls: DevicePoll[];
  readonly deviceCode: string | null;
  readonly token: string;
  readonly userCode: string;
}

async function readBody(req: IncomingMessage): Promise<{ text: string; type: string }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return { text: Buffer.concat(chunks).toString('utf8'), type: String(req.headers['content-type'] ?? '') };
}

function parse(text: string, type: string): Record<string, string> {
  if (type.includes('application/json')) {
    try {
      const v = JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: Record<string, string | number>): void {
  const json = String(req.headers['accept'] ?? '').includes('application/json');
  const text = json ? JSON.stringify(body) : new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString();
  res.writeHead(status, { 'Content-Type': json ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8' });
  res.end(text);
}

export function createFakeDeviceFlow(opts: FakeDeviceFlowOptions = {}): FakeDeviceFlow {
  const clientId = opts.clientId ?? 'Iv1.fakeclient0001';
  const token = opts.token ?? `fakeoauth${randomBytes(16).toString('hex')}`;
  const userCode = opts.userCode ?? 'WDJB-MJHT';
  let deviceCode: string | null = null;
  let decided: 'approved' | 'denied' | null = null;
  let issuedAt = 0;
  let used = false;
  const flow: FakeDeviceFlow = {
    script: [],
    codeRequests: [],
    polls: [],
    get deviceCode() {
      return deviceCode;
    },
    token,
    userCode,
    approve() {
      decided = 'approved';
    },
    deny() {
      decided = 'denied';
    },
    async handle(req, res, baseUrl) {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || (path !== '/login/device/code' && path !== '/login/oauth/access_token')) return false;
      const { text, type } = await readBody(req);
      const body = parse(text, type);
      if (path === '/login/device/code') {
        flow.codeRequests.push(body);
        if (body['client_id'] !== clientId) return send(req, res, 200, { error: 'incorrect_client_credentials', error_description: 'The client_id is not valid.' }), true;
        if (opts.codeError) return send(req, res, 200, { error: opts.codeError }), true;
        deviceCode = randomBytes(20).toString('hex');
        decided = null;
        used = false;
        issuedAt = Date.now();
        send(req, res, 200, {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: `${opts.verificationBase ?? baseUrl}/login/device`,
          expires_in: opts.expiresIn ?? 900,
          interval: opts.interval ?? 5,
        });
        return true;
      }
      const record = (answer: string) => flow.polls.push({ atMs: Date.now(), contentType: type, accept: String(req.headers['accept'] ?? ''), body, answer });
      if (body['client_id'] !== clientId) return record('incorrect_client_credentials'), send(req, res, 200, { error: 'incorrect_client_credentials' }), true;
      if (body['grant_type'] !== 'urn:ietf:params:oauth:grant-type:device_code') return record('unsupported_grant_type'), send(req, res, 200, { error: 'unsupported_grant_type' }), true;
      if (deviceCode === null || body['device_code'] !== deviceCode || used) return record('incorrect_device_code'), send(req, res, 200, { error: 'incorrect_device_code' }), true;
      const scripted = flow.script.shift();
      const answer: PollAnswer =
        scripted ??
        (Date.now() - issuedAt > (opts.expiresIn ?? 900) * 1000 ? 'expired' : decided === 'approved' ? 'token' : decided === 'denied' ? 'denied' : 'pending');
      record(answer);
      switch (answer) {
        case 'pending':
          send(req, res, 200, { error: 'authorization_pending', error_description: 'The authorization request is still pending.' });
          break;
        case 'slow_down':
          send(req, res, 200, { error: 'slow_down', error_description: 'Too many requests have been made in the same timeframe.', interval: (opts.interval ?? 5) + 5 });
          break;
        case 'expired':
          send(req, res, 200, { error: 'expired_token', error_description: 'The device_code has expired.' });
          break;
        case 'denied':
          send(req, res, 200, { error: 'access_denied', error_description: 'The authorization request was denied.' });
          break;
        case 'bad_device_code':
          send(req, res, 200, { error: 'incorrect_device_code' });
          break;
        case 'http_500':
          res.writeHead(500, { 'Content-Type': 'text/html' });
          res.end('<h1>oops</h1>');
          break;
        case 'token':
          used = true;
          send(req, res, 200, { access_token: token, token_type: 'bearer', scope: 'repo' });
          break;
      }
      return true;
    },
  };
  return flow;
}

export interface RunningFakeDeviceFlow extends FakeDeviceFlow {
  url: string;
  close(): Promise<void>;
}

/** The device-flow fake alone on 127.0.0.1 (port 0). */
export async function startFakeDeviceFlow(opts: FakeDeviceFlowOptions = {}): Promise<RunningFakeDeviceFlow> {
  const flow = createFakeDeviceFlow(opts);
  let url = '';
  const server = createServer((req, res) => {
    flow.handle(req, res, url).then(
      (handled) => {
        if (!handled) {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          res.end('{"message":"Not Found"}');
        }
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(flow, {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  }) as RunningFakeDeviceFlow;
}
