/**
 * The real app over Octokit → the fake GitHub server (speaking GitHub's REST contract, validated
 * against its OpenAPI description), for tests of what reaches GitHub. Registers its own vitest
 * hooks: one fake per file, reset before each test; each test's app and data dir are removed after
 * it, and any response the fake could not validate fails the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { OctokitGitHubGateway } from '../../main/github/octokitGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/fakeGitHubServer.js';

export interface LiveAppHarness {
  /** The fake GitHub server (started in beforeAll). */
  readonly fake: FakeGitHub;
  /** A new app in live mode over the fake, with `policy` as settings.json's policy defaults. */
  liveApp(policy?: Record<string, unknown>): Promise<App>;
}

/**
 * Only the fake GitHub, for tests that drive a gateway directly: one per file (or describe), reset
 * before each test; a response it could not validate (or, with `checkServerErrors`, a 5xx it
 * answered) fails the test. Returns the running fake.
 */
export function fakeGitHubPerFile(opts: { checkServerErrors?: boolean } = {}): () => FakeGitHub {
  let fake: FakeGitHub | null = null;
  beforeAll(async () => {
    fake = await startFakeGitHub({ rateLimit: { core: 1e6, search: 1e6 } });
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => fake?.reset());
  afterEach(() => {
    expect(fake?.validationErrors).toEqual([]);
    if (opts.checkServerErrors) expect(fake?.serverErrors).toEqual([]);
  });
  return () => {
    if (fake === null) throw new Error('the fake GitHub starts in beforeAll');
    return fake;
  };
}

/**
 * @param name a short name for the temp data dir
 * @param opts.checkServerErrors also fail a test in which the fake answered 5xx to the app
 */
export function liveAppOverFakeGitHub(name: string, opts: { checkServerErrors?: boolean } = {}): LiveAppHarness {
  const started = fakeGitHubPerFile(opts);
  let app: App | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  return {
    get fake(): FakeGitHub {
      return started();
    },
    // Not a method using `this`: tests destructure it.
    liveApp: async (policy = {}) => {
      const d = mkdtempSync(join(tmpdir(), `hf-${name}-`));
      dir = d;
      writeFileSync(join(d, 'settings.json'), JSON.stringify({ policy: { defaults: policy } }));
      const github = new OctokitGitHubGateway({ token: `ghp_${name.replace(/[^a-z]/g, '')}test`, baseUrl: started().url, circuitBreaker: false, readRetries: 0 });
      app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: d, HANDSFREE_MODE: 'live' }), { logger: SILENT_LOGGER, github });
      return app;
    },
  };
}
