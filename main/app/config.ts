/**
 * Configuration from the environment and the settings file, validated at the boundary.
 * Defaults run the whole app offline on the fixture account with no keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../../contract/errors.js';
import { MERGE_METHODS } from '../../contract/intent.js';
import { ACTION_KINDS } from '../../contract/response.js';
import { AGENT_PROVIDERS, type AgentProvider } from '../../core/actions/actionService.js';
import { DEFAULT_POLICY, type PolicyConfig } from '../../core/actions/policy.js';

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

const EnvSchema = z.object({
  HANDSFREE_MODE: z.enum(['fixture', 'live']).default('fixture'),
  HANDSFREE_DATA_DIR: z.string().min(1).optional(),
  HANDSFREE_GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_TOKEN: z.string().min(1).optional(),
  HANDSFREE_GITHUB_API_URL: z.url().optional(),
  HANDSFREE_FIXTURES_DIR: z.string().min(1).optional(),
  HANDSFREE_PORT: z.coerce.number().int().min(0).max(65535).default(8765),
  HANDSFREE_AUTH_MODE: z.enum(['dev', 'api_key']).default('dev'),
  HANDSFREE_ADMIN_TOKEN: z.string().min(16, 'HANDSFREE_ADMIN_TOKEN must be at least 16 characters').optional(),
  HANDSFREE_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
  HANDSFREE_DISPATCH_REPO: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/).optional(),
  /** Agent delegation: a task issue in the dispatch repo (default) or GitHub Copilot's coding agent. */
  HANDSFREE_AGENT_PROVIDER: z.enum(AGENT_PROVIDERS).optional(),
  /** copilot: the branch Copilot starts from (default: the repo's default branch). */
  HANDSFREE_COPILOT_BASE_BRANCH: z.string().regex(BRANCH_RE).optional(),
  HANDSFREE_USER: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/).default('local'),
  /** Speech providers: offline (pocketsphinx / espeak-ng, the default) or stub (deterministic, for demos and UI tests). */
  HANDSFREE_STT: z.enum(['offline', 'stub']).default('offline'),
  HANDSFREE_TTS: z.enum(['offline', 'stub']).default('offline'),
  HANDSFREE_TTS_VOICE: z.string().regex(/^[A-Za-z0-9+_-]{1,40}$/).optional(),
  HANDSFREE_STUB_TRANSCRIPT: z.string().min(1).max(200).optional(),
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
  policy: z
    .strictObject({
      defaults: RepoPolicySchema.optional(),
      repos: z.record(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/), RepoPolicySchema).optional(),
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
  githubApiUrl: string | undefined;
  fixturesDir: string;
  port: number;
  authMode: 'dev' | 'api_key';
  adminToken: string | undefined;
  logLevel: NonNullable<z.infer<typeof EnvSchema>['HANDSFREE_LOG_LEVEL']>;
  policy: PolicyConfig;
  agent: { dispatchRepo: string; label: string; provider: AgentProvider; copilotBaseBranch?: string };
  user: string;
  speech: { stt: 'offline' | 'stub'; tts: 'offline' | 'stub'; voice?: string; stubTranscript?: string };
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
    githubApiUrl: e.HANDSFREE_GITHUB_API_URL,
    fixturesDir: e.HANDSFREE_FIXTURES_DIR ?? join(REPO_ROOT, 'fixtures', 'github'),
    port: e.HANDSFREE_PORT,
    authMode: e.HANDSFREE_AUTH_MODE,
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
    speech: {
      stt: e.HANDSFREE_STT,
      tts: e.HANDSFREE_TTS,
      ...(e.HANDSFREE_TTS_VOICE !== undefined ? { voice: e.HANDSFREE_TTS_VOICE } : {}),
      ...(e.HANDSFREE_STUB_TRANSCRIPT !== undefined ? { stubTranscript: e.HANDSFREE_STUB_TRANSCRIPT } : {}),
    },
    ...overrides,
  };
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
