/**
 * Configuration from the environment and the settings file, validated at the boundary.
 * Defaults run the whole app offline on the fixture account with no keys.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../../contract/errors.js';
import { MERGE_METHODS } from '../../contract/intent.js';
import { providerChoices, providerOf, type SttProviderName, type TtsProviderName } from '../../contract/providers.js';
import { ACTION_KINDS } from '../../contract/response.js';
import { AGENT_PROVIDERS, type AgentProvider } from '../../core/actions/actionService.js';
import { DEFAULT_POLICY, type PolicyConfig } from '../../core/actions/policy.js';
import type { AuthMode, JwtSettings } from '../server/auth.js';
import { OPENAI_DEFAULTS, OPENAI_TTS_FORMATS, type OpenAiSpeechSettings } from '../speech/openai/settings.js';

/** Repository root: the nearest directory above this file (compiled in build/main/app, or run from source) with our package.json. */
export const REPO_ROOT = findRepoRoot(fileURLToPath(new URL('.', import.meta.url)));

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"handsfree-dev-companion"/.test(readFileSync(pkg, 'utf8'))) return dir;
    if (dirname(dir) === dir) return resolve(start, '../../..');
  }
}

/** A git branch name GitHub would accept (no spaces, no "..", no leading "-" or "/"). */
const BRANCH_RE = /^(?![-/])(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

/** Provider names and their aliases (`pocketsphinx` / `espeak` mean `offline`), from contract/providers.ts. */
const SPEECH_STT_CHOICES = providerChoices('stt');
const SPEECH_TTS_CHOICES = providerChoices('tts');
const MODEL_RE = /^[A-Za-z0-9._:-]{1,100}$/;
const VOICE_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** A GitHub REST root: https (GitHub, GitHub Enterprise), or http only to a loopback test server. */
const GitHubApiUrlSchema = z.url().refine((raw) => {
  if (!URL.canParse(raw)) return false;
  const u = new URL(raw);
  return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
}, 'must be an https:// URL such as https://ghe.example.com/api/v3 (http:// only for a loopback test server)');
/** GitHub OAuth app client ids: "Iv1.0123abcd…", "Ov23li…", 20-ish characters. */
const CLIENT_ID_RE = /^[A-Za-z0-9._-]{8,100}$/;
/** Where the OpenAI key may live in browser/Node mode (mode 0600; ignored when readable by others). */
export const OPENAI_KEY_FILE = 'openai-api-key';

const EnvSchema = z.object({
  HANDSFREE_MODE: z.enum(['fixture', 'live']).default('fixture'),
  HANDSFREE_DATA_DIR: z.string().min(1).optional(),
  HANDSFREE_GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_TOKEN: z.string().min(1).optional(),
  HANDSFREE_GITHUB_API_URL: GitHubApiUrlSchema.optional(),
  /** The OAuth app's client id for device-flow sign-in (public, not a secret); sign-in is off without it. */
  HANDSFREE_GITHUB_CLIENT_ID: z.string().regex(CLIENT_ID_RE, 'HANDSFREE_GITHUB_CLIENT_ID must be an OAuth client id (letters, digits, . _ -)').optional(),
  HANDSFREE_FIXTURES_DIR: z.string().min(1).optional(),
  HANDSFREE_PORT: z.coerce.number().int().min(0).max(65535).default(8765),
  /** local (default): the per-install secret; dev: no credentials, tests only; api_key; jwt. */
  HANDSFREE_AUTH_MODE: z.enum(['local', 'dev', 'api_key', 'jwt']).default('local'),
  /** jwt mode: exactly one of an HS256 secret (≥ 32 bytes) or an RS256 public key (PEM); the audience is required. */
  HANDSFREE_JWT_HS256_SECRET: z.string().min(32, 'HANDSFREE_JWT_HS256_SECRET must be at least 32 characters').optional(),
  HANDSFREE_JWT_RS256_PUBLIC_KEY: z.string().includes('BEGIN PUBLIC KEY', { message: 'HANDSFREE_JWT_RS256_PUBLIC_KEY must be a PEM public key' }).optional(),
  HANDSFREE_JWT_AUDIENCE: z.string().min(1).max(200).optional(),
  HANDSFREE_JWT_ISSUER: z.string().min(1).max(200).optional(),
  HANDSFREE_ADMIN_TOKEN: z.string().min(16, 'HANDSFREE_ADMIN_TOKEN must be at least 16 characters').optional(),
  HANDSFREE_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
  HANDSFREE_DISPATCH_REPO: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/).optional(),
  /** Agent delegation: a task issue in the dispatch repo (default) or GitHub Copilot's coding agent. */
  HANDSFREE_AGENT_PROVIDER: z.enum(AGENT_PROVIDERS).optional(),
  /** copilot: the branch Copilot starts from (default: the repo's default branch). */
  HANDSFREE_COPILOT_BASE_BRANCH: z.string().regex(BRANCH_RE).optional(),
  HANDSFREE_USER: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/).default('local'),
  /** Speech providers: offline (pocketsphinx / espeak-ng, the default), openai (falls back to offline) or stub (deterministic, for demos and UI tests). */
  HANDSFREE_STT: z.enum(SPEECH_STT_CHOICES).optional(),
  HANDSFREE_TTS: z.enum(SPEECH_TTS_CHOICES).optional(),
  /** OpenAI speech: key (never logged), OpenAI-compatible base URL, models, voice, output format, deadlines. */
  HANDSFREE_OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  HANDSFREE_OPENAI_BASE_URL: z.url().optional(),
  HANDSFREE_OPENAI_STT_MODEL: z.string().regex(MODEL_RE).optional(),
  HANDSFREE_OPENAI_TTS_MODEL: z.string().regex(MODEL_RE).optional(),
  HANDSFREE_OPENAI_VOICE: z.string().regex(VOICE_RE).optional(),
  HANDSFREE_OPENAI_TTS_FORMAT: z.enum(OPENAI_TTS_FORMATS).optional(),
  /** Per-call deadlines in ms (defaults NET-1: STT 20,000, TTS 10,000) and the breaker's half-open interval. */
  HANDSFREE_OPENAI_STT_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).optional(),
  HANDSFREE_OPENAI_TTS_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).optional(),
  HANDSFREE_OPENAI_HALF_OPEN_MS: z.coerce.number().int().min(50).max(3_600_000).optional(),
  HANDSFREE_TTS_VOICE: z.string().regex(/^[A-Za-z0-9+_-]{1,40}$/).optional(),
  HANDSFREE_STUB_TRANSCRIPT: z.string().min(1).max(200).optional(),
  /** The desktop app starts the voice loop at launch when audio is available (default 1); 0 waits for the first push-to-talk press. */
  HANDSFREE_VOICE_AUTOSTART: z.enum(['0', '1']).optional(),
  /** ptt (default): a press starts a turn; vad: speech does (hands-free). */
  HANDSFREE_VOICE_MODE: z.enum(['ptt', 'vad']).optional(),
  /** 1: also serve the API on the LAN over TLS for a paired phone (like `handsfree serve --lan`). */
  HANDSFREE_LAN: z.enum(['0', '1']).optional(),
  /** The LAN interface's IP literal (default: this machine's first private IPv4 address). */
  HANDSFREE_LAN_HOST: z.union([z.ipv4(), z.ipv6()]).optional(),
  HANDSFREE_LAN_PORT: z.coerce.number().int().min(0).max(65535).default(8766),
});

const RepoPolicySchema = z.strictObject({
  requireGreenChecks: z.boolean().optional(),
  requiredApprovals: z.number().int().min(0).max(10).optional(),
  allow: z.union([z.literal('all'), z.array(z.enum(ACTION_KINDS))]).optional(),
  deny: z.array(z.enum(ACTION_KINDS)).optional(),
  defaultMergeMethod: z.enum(MERGE_METHODS).optional(),
});

/** `<dataDir>/settings.json`: optional; only the parts this layer needs. */
const SettingsFileSchema = z.strictObject({
  /** GitHub Enterprise: the REST root (https://HOST/api/v3) and the OAuth app for device-flow sign-in. */
  github: z
    .strictObject({
      apiUrl: GitHubApiUrlSchema.optional(),
      oauthClientId: z.string().regex(CLIENT_ID_RE).optional(),
    })
    .optional(),
  policy: z
    .strictObject({
      defaults: RepoPolicySchema.optional(),
      repos: z.record(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/), RepoPolicySchema).optional(),
    })
    .optional(),
  speech: z
    .strictObject({
      stt: z.enum(SPEECH_STT_CHOICES).optional(),
      tts: z.enum(SPEECH_TTS_CHOICES).optional(),
      openai: z
        .strictObject({
          baseURL: z.url().optional(),
          sttModel: z.string().regex(MODEL_RE).optional(),
          ttsModel: z.string().regex(MODEL_RE).optional(),
          voice: z.string().regex(VOICE_RE).optional(),
          ttsFormat: z.enum(OPENAI_TTS_FORMATS).optional(),
        })
        .optional(),
    })
    .optional(),
  agent: z
    .strictObject({
      dispatchRepo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/).optional(),
      label: z.string().min(1).max(50).optional(),
      provider: z.enum(AGENT_PROVIDERS).optional(),
      copilotBaseBranch: z.string().regex(BRANCH_RE).optional(),
    })
    .optional(),
});

export interface AppConfig {
  mode: 'fixture' | 'live';
  dataDir: string;
  githubToken: string | undefined;
  /** REST root (HANDSFREE_GITHUB_API_URL or settings.json github.apiUrl); undefined: api.github.com. Also sets the web host for links and sign-in. */
  githubApiUrl: string | undefined;
  /** OAuth app client id for device-flow sign-in (HANDSFREE_GITHUB_CLIENT_ID or settings.json github.oauthClientId). */
  githubClientId?: string;
  fixturesDir: string;
  port: number;
  authMode: AuthMode;
  /** jwt mode only. */
  jwt?: JwtSettings;
  adminToken: string | undefined;
  logLevel: NonNullable<z.infer<typeof EnvSchema>['HANDSFREE_LOG_LEVEL']>;
  policy: PolicyConfig;
  agent: { dispatchRepo: string; label: string; provider: AgentProvider; copilotBaseBranch?: string };
  user: string;
  speech: {
    stt: SttProviderName;
    tts: TtsProviderName;
    voice?: string;
    stubTranscript?: string;
    openai?: OpenAiSpeechSettings;
    /** The wake phrase the voice loop waits for in VAD mode (settings: wakePhrase); none when absent. */
    wakePhrase?: string;
  };
  /** Capture / playback device ids for the voice loop (desktop settings); the system defaults when absent. */
  audio?: { inputDevice?: string; outputDevice?: string };
  /** Start the voice loop with the desktop app (true unless HANDSFREE_VOICE_AUTOSTART=0). */
  voiceAutostart?: boolean;
  /** How voice turns start: push-to-talk (default) or VAD (hands-free); HANDSFREE_VOICE_MODE or the desktop setting. */
  voiceMode?: 'ptt' | 'vad';
  /**
   * The LAN listener for a paired phone (HANDSFREE_LAN, `serve --lan`, the desktop's "Pair a phone"
   * setting): TLS, API keys only. `host` absent: this machine's first private IPv4 address.
   */
  lan?: { enabled: boolean; host?: string; port: number };
}

/** Default data dir: $XDG_DATA_HOME/handsfree-dev-companion or ~/.local/share/handsfree-dev-companion. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env['XDG_DATA_HOME'] && env['XDG_DATA_HOME'] !== '' ? env['XDG_DATA_HOME'] : join(homedir(), '.local', 'share');
  return join(base, 'handsfree-dev-companion');
}

/** Reads and validates configuration; throws AppError('validation_failed') naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('validation_failed', `Configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = overrides.dataDir ?? e.HANDSFREE_DATA_DIR ?? defaultDataDir(env);
  const settings = readSettings(join(dataDir, 'settings.json'));
  const policy: PolicyConfig = {
    defaults: { ...DEFAULT_POLICY.defaults, ...(settings.policy?.defaults ?? {}) },
    repos: Object.fromEntries(Object.entries(settings.policy?.repos ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return {
    mode: e.HANDSFREE_MODE,
    dataDir,
    githubToken: e.HANDSFREE_GITHUB_TOKEN ?? e.GITHUB_TOKEN,
    githubApiUrl: e.HANDSFREE_GITHUB_API_URL ?? settings.github?.apiUrl,
    ...((e.HANDSFREE_GITHUB_CLIENT_ID ?? settings.github?.oauthClientId) !== undefined ? { githubClientId: (e.HANDSFREE_GITHUB_CLIENT_ID ?? settings.github?.oauthClientId)! } : {}),
    fixturesDir: e.HANDSFREE_FIXTURES_DIR ?? join(REPO_ROOT, 'fixtures', 'github'),
    port: e.HANDSFREE_PORT,
    authMode: e.HANDSFREE_AUTH_MODE,
    ...(e.HANDSFREE_AUTH_MODE === 'jwt' ? { jwt: jwtSettings(e) } : {}),
    adminToken: e.HANDSFREE_ADMIN_TOKEN,
    logLevel: e.HANDSFREE_LOG_LEVEL ?? 'warn',
    policy,
    agent: {
      dispatchRepo: e.HANDSFREE_DISPATCH_REPO ?? settings.agent?.dispatchRepo ?? 'acme/agent-tasks',
      label: settings.agent?.label ?? 'agent-task',
      provider: e.HANDSFREE_AGENT_PROVIDER ?? settings.agent?.provider ?? 'github_issue_dispatch',
      ...((e.HANDSFREE_COPILOT_BASE_BRANCH ?? settings.agent?.copilotBaseBranch) !== undefined ? { copilotBaseBranch: (e.HANDSFREE_COPILOT_BASE_BRANCH ?? settings.agent?.copilotBaseBranch)! } : {}),
    },
    user: e.HANDSFREE_USER,
    voiceAutostart: e.HANDSFREE_VOICE_AUTOSTART !== '0',
    voiceMode: e.HANDSFREE_VOICE_MODE ?? 'ptt',
    lan: { enabled: e.HANDSFREE_LAN === '1', port: e.HANDSFREE_LAN_PORT, ...(e.HANDSFREE_LAN_HOST !== undefined ? { host: e.HANDSFREE_LAN_HOST } : {}) },
    speech: {
      stt: providerOf('stt', e.HANDSFREE_STT ?? settings.speech?.stt ?? 'offline') ?? 'offline',
      tts: providerOf('tts', e.HANDSFREE_TTS ?? settings.speech?.tts ?? 'offline') ?? 'offline',
      openai: {
        baseURL: e.HANDSFREE_OPENAI_BASE_URL ?? settings.speech?.openai?.baseURL ?? OPENAI_DEFAULTS.baseURL,
        apiKey: () => e.HANDSFREE_OPENAI_API_KEY ?? e.OPENAI_API_KEY ?? readKeyFile(join(dataDir, OPENAI_KEY_FILE)),
        sttModel: e.HANDSFREE_OPENAI_STT_MODEL ?? settings.speech?.openai?.sttModel ?? OPENAI_DEFAULTS.sttModel,
        ttsModel: e.HANDSFREE_OPENAI_TTS_MODEL ?? settings.speech?.openai?.ttsModel ?? OPENAI_DEFAULTS.ttsModel,
        voice: e.HANDSFREE_OPENAI_VOICE ?? settings.speech?.openai?.voice ?? OPENAI_DEFAULTS.voice,
        ttsFormat: e.HANDSFREE_OPENAI_TTS_FORMAT ?? settings.speech?.openai?.ttsFormat ?? OPENAI_DEFAULTS.ttsFormat,
        sttDeadlineMs: e.HANDSFREE_OPENAI_STT_TIMEOUT_MS ?? OPENAI_DEFAULTS.sttDeadlineMs,
        ttsDeadlineMs: e.HANDSFREE_OPENAI_TTS_TIMEOUT_MS ?? OPENAI_DEFAULTS.ttsDeadlineMs,
        halfOpenAfterMs: e.HANDSFREE_OPENAI_HALF_OPEN_MS ?? OPENAI_DEFAULTS.halfOpenAfterMs,
      },
      ...(e.HANDSFREE_TTS_VOICE !== undefined ? { voice: e.HANDSFREE_TTS_VOICE } : {}),
      ...(e.HANDSFREE_STUB_TRANSCRIPT !== undefined ? { stubTranscript: e.HANDSFREE_STUB_TRANSCRIPT } : {}),
    },
    ...overrides,
  };
}

function jwtSettings(e: z.infer<typeof EnvSchema>): JwtSettings {
  if ((e.HANDSFREE_JWT_HS256_SECRET === undefined) === (e.HANDSFREE_JWT_RS256_PUBLIC_KEY === undefined)) {
    throw new AppError('validation_failed', 'Configuration: HANDSFREE_AUTH_MODE=jwt needs exactly one of HANDSFREE_JWT_HS256_SECRET or HANDSFREE_JWT_RS256_PUBLIC_KEY.');
  }
  if (e.HANDSFREE_JWT_AUDIENCE === undefined) throw new AppError('validation_failed', 'Configuration: HANDSFREE_AUTH_MODE=jwt needs HANDSFREE_JWT_AUDIENCE.');
  return {
    audience: e.HANDSFREE_JWT_AUDIENCE,
    ...(e.HANDSFREE_JWT_HS256_SECRET !== undefined ? { hs256Secret: e.HANDSFREE_JWT_HS256_SECRET } : {}),
    ...(e.HANDSFREE_JWT_RS256_PUBLIC_KEY !== undefined ? { rs256PublicKeyPem: e.HANDSFREE_JWT_RS256_PUBLIC_KEY } : {}),
    ...(e.HANDSFREE_JWT_ISSUER !== undefined ? { issuer: e.HANDSFREE_JWT_ISSUER } : {}),
  };
}

/** The key file's content, read at each use so a new key takes effect (and re-enables a disabled provider). */
function readKeyFile(path: string): string | undefined {
  try {
    if ((statSync(path).mode & 0o077) !== 0) return undefined;
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readSettings(path: string): z.infer<typeof SettingsFileSchema> {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AppError('validation_failed', `Settings file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const r = SettingsFileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('validation_failed', `Settings file ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return r.data;
}
