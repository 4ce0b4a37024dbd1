/**
 * `handsfree` command line: ask, confirm, cancel, status, serve, start.
 *
 * When a `handsfree serve` is already running on this data dir (it holds the store), the CLI talks
 * to it over loopback HTTP, so the CLI and HTTP clients share sessions and pending actions; otherwise
 * it opens the store itself. Spoken text goes to stdout; hints and logs go to stderr.
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { PairingOfferSchema } from '../../contract/pairing.js';
import { formatOfferForTerminal } from '../lan/printOffer.js';
import type { CommandRequest } from '../../contract/api.js';
import { AppError, isAppError } from '../../contract/errors.js';
import { PROFILE_NAMES } from '../../contract/intent.js';
import type { CommandResponse } from '../../contract/response.js';
import type { App } from '../app/app.js';
import { composeApp } from '../app/compose.js';
import { loadConfig, type AppConfig } from '../app/config.js';
import { createLogger } from '../log/logger.js';
import { readServerInfo, requestServer } from './serverClient.js';
import { runServe } from './serve.js';
import { runListen, runSay } from '../speech/cli.js';
import { runStart } from '../ui/start.js';

const USAGE = `Usage: handsfree <command> [options]

Commands:
  ask "<text>"        Run one command, e.g. handsfree ask "what needs my attention"
  confirm [token]     Confirm a pending action (no token: the one waiting in this session)
  cancel [token]      Cancel a pending action (no token: everything waiting in this session)
  status              Show mode, GitHub account, store and pending actions
  listen --wav <file> [--out reply.wav]  Run one voice turn from an audio file (speech → command → spoken reply)
  say "<text>" --out <file.wav>          Speak text to a WAV file
  enroll [--wav-dir <dir>] [--reset] [--status]  Adapt offline speech to your voice: read 20 prompts into
                      the mic (or give NN.wav files); --reset deletes the profile
  login [--allow-plaintext]  Sign in to GitHub with a code shown here (OAuth device flow; needs
                      HANDSFREE_GITHUB_CLIENT_ID). Through the running desktop app when there is one;
                      otherwise the token goes to a 0600 file, which --allow-plaintext consents to
  serve [--lan]       Run the loopback HTTP API (127.0.0.1); --lan also serves it on the LAN over TLS for a
                      paired phone (API keys only) and prints a pairing QR code
  pair                Show a new one-time pairing code and QR for a phone (needs serve --lan running)
  start               Start the desktop app (Electron where installed; otherwise the same UI in browser mode)

Options:
  --json              Print the whole response as JSON
  --session <id>      Continue a session (default: <user>.default)
  --profile <name>    default | terse | workout | commute | kitchen (this command only)
  --repo <owner/name> Repo to use when the command names none
  --port <n>          serve/start: port (default $HANDSFREE_PORT or 8765; 0 = any free port)
  --lan-host <ip>     serve --lan: the LAN interface's address (default $HANDSFREE_LAN_HOST or the first private IPv4)
  --lan-port <n>      serve --lan: port (default $HANDSFREE_LAN_PORT or 8766)

Environment: HANDSFREE_MODE=fixture|live, HANDSFREE_GITHUB_TOKEN, HANDSFREE_GITHUB_CLIENT_ID, HANDSFREE_GITHUB_API_URL, HANDSFREE_DATA_DIR, HANDSFREE_AUTH_MODE,
HANDSFREE_ADMIN_TOKEN, HANDSFREE_API_KEY (for a server in api_key mode), HANDSFREE_LOG_LEVEL, HANDSFREE_LAN=1,
HANDSFREE_LAN_HOST, HANDSFREE_LAN_PORT.`;

/** Exit codes: 0 ok / needs confirmation, 1 command answered with an error, 2 usage or start-up error. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        session: { type: 'string' },
        profile: { type: 'string' },
        repo: { type: 'string' },
        port: { type: 'string' },
        lan: { type: 'boolean', default: false },
        'lan-host': { type: 'string' },
        'lan-port': { type: 'string' },
        wav: { type: 'string' },
        out: { type: 'string' },
        voice: { type: 'string' },
        'wav-dir': { type: 'string' },
        reset: { type: 'boolean', default: false },
        status: { type: 'boolean', default: false },
        'allow-plaintext': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`handsfree: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    process.stderr.write(`handsfree: ${(e as Error).message}\n`);
    return 2;
  }
  if (values.profile !== undefined && !(PROFILE_NAMES as readonly string[]).includes(values.profile)) {
    process.stderr.write(`handsfree: --profile must be one of ${PROFILE_NAMES.join(', ')}\n`);
    return 2;
  }
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) {
    process.stderr.write('handsfree: --port must be a number from 0 to 65535\n');
    return 2;
  }
  const port = values.port !== undefined ? Number(values.port) : config.port;
  if (values['lan-port'] !== undefined && !/^\d{1,5}$/.test(values['lan-port'])) {
    process.stderr.write('handsfree: --lan-port must be a number from 0 to 65535\n');
    return 2;
  }
  if (values['lan-host'] !== undefined && isIP(values['lan-host']) === 0) {
    process.stderr.write('handsfree: --lan-host must be an IP address of this machine (e.g. 192.168.1.20)\n');
    return 2;
  }
  const lanHost = values['lan-host'] ?? config.lan?.host;
  const lan = values.lan || config.lan?.enabled === true ? { ...(lanHost !== undefined ? { host: lanHost } : {}), port: values['lan-port'] !== undefined ? Number(values['lan-port']) : (config.lan?.port ?? 8766) } : undefined;

  switch (command) {
    case 'serve':
      return runServe(config, { port, ...(lan !== undefined ? { lan } : {}) });
    case 'pair':
      return pair(config);
    case 'start':
      return runStart(config, { port });
    case 'ask': {
      const text = rest.join(' ');
      const req: CommandRequest = { text };
      if (values.session) req.session_id = values.session;
      if (values.profile) req.profile = values.profile as CommandRequest['profile'];
      if (values.repo) req.client_context = { current_repo: values.repo };
      return withTransport(config, (t) => t.command(req), values.json);
    }
    case 'confirm':
    case 'cancel': {
      const token = rest[0];
      if (token === undefined) {
        // Same path as the spoken word: the session's waiting action.
        const req: CommandRequest = { text: command };
        if (values.session) req.session_id = values.session;
        return withTransport(config, (t) => t.command(req), values.json);
      }
      return withTransport(config, (t) => (command === 'confirm' ? t.confirm(token) : t.cancel(token)), values.json);
    }
    case 'status':
      return status(config, values.json);
    case 'login': {
      const { runLogin } = await import('./login.js');
      return runLogin(config, { allowPlaintext: values['allow-plaintext'], json: values.json });
    }
    case 'say':
      return runSay(config, rest.join(' '), { out: values.out, voice: values.voice, json: values.json });
    case 'listen':
      return runListen(config, { wav: values.wav, out: values.out, voice: values.voice, session: values.session, json: values.json });
    case 'enroll': {
      const { runEnroll } = await import('../speech/adapt/enrollCli.js');
      return runEnroll(config, { wavDir: values['wav-dir'], reset: values.reset, status: values.status, json: values.json });
    }
    default:
      process.stderr.write(`handsfree: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

interface Transport {
  command(req: CommandRequest): Promise<CommandResponse>;
  confirm(token: string): Promise<CommandResponse>;
  cancel(token: string): Promise<CommandResponse>;
}

async function withTransport(config: AppConfig, f: (t: Transport) => Promise<CommandResponse>, json: boolean): Promise<number> {
  const server = readServerInfo(config.dataDir);
  let app: App | undefined;
  try {
    let transport: Transport;
    if (server) {
      const call = (path: string, body: unknown) => requestServer(server, config, path, body) as Promise<CommandResponse>;
      transport = {
        command: (req) => call('/v1/command', req),
        confirm: (token) => call('/v1/commands/confirm', { token }),
        cancel: (token) => call('/v1/commands/cancel', { token }),
      };
    } else {
      app = await composeApp('cli', config, { logger: createLogger({ level: config.logLevel }) });
      for (const note of app.notes) process.stderr.write(`handsfree: ${note}\n`);
      const caller = { userId: config.user, transport: 'cli' as const };
      const svc = app.service;
      transport = {
        command: (req) => svc.runCommand(req, caller),
        confirm: (token) => svc.confirm({ token }, caller, 'api'),
        cancel: (token) => svc.cancel({ token }, caller),
      };
    }
    const res = await f(transport);
    print(res, json);
    return res.status === 'error' ? 1 : 0;
  } catch (e) {
    return fail(e, json);
  } finally {
    await app?.close();
  }
}

/** `handsfree pair`: a new pairing code from the running server (its LAN listener must be on). */
async function pair(config: AppConfig): Promise<number> {
  const server = readServerInfo(config.dataDir);
  if (!server) {
    process.stderr.write('handsfree: no server is running for this data dir: start one with handsfree serve --lan\n');
    return 2;
  }
  try {
    const offer = PairingOfferSchema.parse(await requestServer(server, config, '/v1/pairing/offer', {}));
    process.stdout.write(await formatOfferForTerminal(offer));
    return 0;
  } catch (e) {
    return fail(e, false);
  }
}

async function status(config: AppConfig, json: boolean): Promise<number> {
  const server = readServerInfo(config.dataDir);
  let app: App | undefined;
  try {
    const s = server
      ? await requestServer(server, config, '/v1/status', undefined)
      : await (app = await composeApp('cli', config, { logger: createLogger({ level: config.logLevel }) })).service.status();
    if (json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else {
      const st = s as Awaited<ReturnType<App['service']['status']>>;
      process.stdout.write(
        [
          `HandsFree Dev Companion ${st.version} — ${st.mode === 'fixture' ? 'demo (fixture) mode' : 'live mode'}${server ? `, server at ${server.url}` : ''}`,
          `GitHub: ${st.github.ok ? `signed in as ${st.github.account}` : `not available (${st.github.error})`}`,
          `Store: ${st.store.path}${st.store.message ? ` — ${st.store.message}` : ''}`,
          `Pending actions: ${st.pending_actions}`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    return fail(e, json);
  } finally {
    await app?.close();
  }
}

function print(res: CommandResponse, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${res.spoken_text}\n`);
  if (res.pending_action) {
    process.stderr.write(`(waiting for confirmation, expires in ${Math.round(res.pending_action.expires_in_ms / 1000)} s: handsfree confirm, or handsfree confirm ${res.pending_action.token})\n`);
  }
}

function fail(e: unknown, json: boolean): number {
  const err = isAppError(e) ? e : new AppError('internal', (e as Error)?.message ?? String(e));
  if (json) process.stdout.write(`${JSON.stringify({ error: err.toJSON() }, null, 2)}\n`);
  else process.stderr.write(`handsfree: ${err.message}\n`);
  return 2;
}
