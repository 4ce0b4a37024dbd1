/**
 * Settings store: one zod schema (contract/ipc.ts), one backend per environment. Node/browser
 * mode uses a JSON file in electron-store's format (openJsonFileBackend); the Electron shell passes
 * an electron-store instance through the same `SettingsBackend` shape. Secrets never go in here.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, nodeFs, writeTempThenRename, type StoreFs } from '../store/fsFacade.js';
import { AppError } from '../../contract/errors.js';
import { DEFAULT_SETTINGS, RESTART_SETTINGS, SettingsSchema, type SecretStatus, type Settings, type SettingsPatch, type SettingsView } from '../../contract/ipc.js';

/** The subset of conf / electron-store this module uses. */
export interface SettingsBackend {
  readonly store: Record<string, unknown>;
  set(key: string, value: unknown): void;
  readonly path: string;
}

/** Where the GitHub token lives; browser mode: env or a 0600 file; Electron: safeStorage (main/electron). */
export interface SecretBackend {
  status(allowPlaintext: boolean): SecretStatus;
  save(token: string, allowPlaintext: boolean): void;
  read(): string | undefined;
}

/** The settings file's name in the data dir: electron-store's `ui-settings.json`, so both shells read the same file. */
export const SETTINGS_FILE = 'ui-settings.json';

/**
 * Browser/Node mode: the settings as one JSON object in `<dataDir>/ui-settings.json` (the format
 * electron-store writes), saved with the store's temp + fsync + rename. Not `conf`: it loads ajv
 * for schema checks zod already does here, ~150 ms of the desktop app's start-up. A file that is
 * not a JSON object is moved aside (`.corrupt-<ms>`, nothing deleted) and defaults apply.
 * `fsx` replaces the file system (tests simulate power loss through it).
 */
export function openJsonFileBackend(dataDir: string, fsx: StoreFs = nodeFs): SettingsBackend {
  const path = join(dataDir, SETTINGS_FILE);
  const read = (): Record<string, unknown> => {
    let text: string;
    try {
      text = fsx.readFileSync(path).toString('utf8');
    } catch {
      return {}; // no file yet
    }
    try {
      const v: unknown = JSON.parse(text);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through: quarantine
    }
    try {
      fsx.renameSync(path, `${path}.corrupt-${Date.now()}`);
    } catch {
      // another reader moved it first
    }
    return {};
  };
  return {
    path,
    // Read on each access, like conf, so a file edited by hand (or the other shell) is seen.
    get store() {
      return read();
    },
    set(key, value) {
      if (fsx === nodeFs) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      else fsx.mkdirSync(dataDir);
      writeTempThenRename(fsx, path, Buffer.from(`${JSON.stringify({ ...read(), [key]: value }, null, '\t')}\n`));
      fsyncDir(fsx, dataDir);
    },
  };
}

/** Reads stored values over the defaults; a stored value that fails the schema falls back to its default. */
export function parseSettings(raw: Record<string, unknown>): Settings {
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    if (raw[key] === undefined) continue;
    const one = SettingsSchema.shape[key].safeParse(raw[key]);
    if (one.success) merged[key] = one.data;
  }
  return SettingsSchema.parse(merged);
}

export interface SettingsStoreOptions {
  /** What the running app uses for the start-up settings (see settingsInEffect): the rest is reported as restartNeeded. */
  inEffect?: Pick<Settings, (typeof RESTART_SETTINGS)[number]>;
  /** Called after every successful update, to apply what can change while running. */
  onChange?: (next: Settings) => void;
  /** The GitHub instance in use (default github.com). */
  github?: SettingsView['github'];
}

/** Backend key of the first-run answer: outside the Settings schema, so answering it does not make `saved` true. */
const FIRST_RUN_KEY = 'firstRunDone';

export class SettingsStore {
  constructor(
    private readonly backend: SettingsBackend,
    private readonly secrets: SecretBackend,
    private readonly opts: SettingsStoreOptions = {},
  ) {}

  get(): Settings {
    return parseSettings(this.backend.store);
  }

  /** Whether the user has saved settings at all (then they win over settings.json and defaults). */
  get saved(): boolean {
    return Object.keys(DEFAULT_SETTINGS).some((k) => this.backend.store[k] !== undefined);
  }

  view(): SettingsView {
    const settings = this.get();
    const inEffect = this.opts.inEffect;
    const restartNeeded = inEffect ? RESTART_SETTINGS.filter((k) => settings[k] !== inEffect[k]) : [];
    const secret = this.secrets.status(settings.allowPlaintextSecrets);
    return {
      settings,
      secret,
      path: this.backend.path,
      restartNeeded,
      github: this.opts.github ?? { web_url: 'https://github.com', enterprise_host: null },
      first_run: !secret.configured && this.backend.store[FIRST_RUN_KEY] !== true,
    };
  }

  /** Records the first-run screen's answer (true), or asks for it again (false). */
  setFirstRunDone(done: boolean): SettingsView {
    this.backend.set(FIRST_RUN_KEY, done);
    return this.view();
  }

  update(patch: SettingsPatch): SettingsView {
    const next = SettingsSchema.parse({ ...this.get(), ...patch });
    for (const [k, v] of Object.entries(next)) this.backend.set(k, v);
    this.opts.onChange?.(next);
    return this.view();
  }

  setToken(token: string): SettingsView {
    this.secrets.save(token, this.get().allowPlaintextSecrets);
    return this.view();
  }
}

const TOKEN_FILE = 'github-token';

/**
 * Browser/Node mode: no OS keychain is reachable from here, so the token comes from
 * HANDSFREE_GITHUB_TOKEN or `<dataDir>/github-token` (mode 0600). Saving from the UI writes that
 * file, which is plaintext at rest: refused unless the user opted in.
 */
export class FileSecretBackend implements SecretBackend {
  private readonly path: string;
  constructor(
    dataDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.path = join(dataDir, TOKEN_FILE);
  }

  read(): string | undefined {
    const fromEnv = this.env['HANDSFREE_GITHUB_TOKEN'];
    if (fromEnv) return fromEnv;
    if (!existsSync(this.path)) return undefined;
    if ((statSync(this.path).mode & 0o077) !== 0) return undefined;
    return readFileSync(this.path, 'utf8').trim() || undefined;
  }

  status(allowPlaintext: boolean): SecretStatus {
    if (this.env['HANDSFREE_GITHUB_TOKEN']) {
      return { configured: true, source: 'env', canSave: false, description: 'GitHub token is read from the HANDSFREE_GITHUB_TOKEN environment variable (browser mode has no OS keychain).' };
    }
    if (existsSync(this.path)) {
      const loose = (statSync(this.path).mode & 0o077) !== 0;
      return {
        configured: !loose,
        source: 'file',
        canSave: allowPlaintext,
        description: loose
          ? `GitHub token file ${this.path} is readable by other users and is ignored: run chmod 600 on it.`
          : `GitHub token is stored in plaintext in ${this.path} (mode 0600; browser mode has no OS keychain).`,
      };
    }
    return {
      configured: false,
      source: 'none',
      canSave: allowPlaintext,
      description: allowPlaintext
        ? `No GitHub token. Saving one here writes it in plaintext to ${this.path} (mode 0600), as you allowed.`
        : 'No GitHub token. Browser mode has no OS keychain: set HANDSFREE_GITHUB_TOKEN, or allow plaintext storage in a 0600 file below.',
    };
  }

  save(token: string, allowPlaintext: boolean): void {
    if (!allowPlaintext) {
      throw new AppError('forbidden', 'Refusing to store the GitHub token in plaintext: no OS keychain in browser mode. Allow plaintext storage first, or set HANDSFREE_GITHUB_TOKEN.');
    }
    writeFileSync(this.path, token, { mode: 0o600 });
    chmodSync(this.path, 0o600);
  }
}
