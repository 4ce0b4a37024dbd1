import { readFileSync } from 'node:fs';

/**
 * The modules `npm run mutate` covers: what is mutated and which test files may kill the mutants.
 * Each module runs on its own (one Stryker run, its own incremental file), so a rerun after a
 * small change only re-tests the mutants that change touched.
 */
export const MODULES = {
  policy: {
    mutate: ['core/actions/policy.ts'],
    tests: ['core/actions/policy*.test.ts', 'core/actions/actionService*.test.ts'],
  },
  actions: {
    mutate: ['core/actions/actionService.ts'],
    tests: ['core/actions/*.test.ts'],
  },
  responses: {
    mutate: ['core/responses/text.ts', 'core/responses/speak.ts'],
    tests: ['core/responses/*.test.ts'],
  },
  pipeline: {
    mutate: ['core/pipeline/commandPipeline.ts'],
    // The unit file drives the pipeline over the demo account and in-memory repositories (ms per
    // test), session-owner refusal included. The tests/integration/pipeline-*.test.ts walk-throughs
    // build the whole app on a store (about a second per test, per mutant) and run under npm test.
    tests: ['core/pipeline/*.test.ts'],
  },
  voice: {
    // The voice loop's guards, not its transcription plumbing (speculative STT, wake phrase,
    // low-confidence hold, TTS streaming): the barge-in echo level (levels.ts), push-to-talk's
    // barge-in and its pre-roll without the tail, the half-duplex tail guard and its re-arm after
    // silence (onIdleFrame), the barge-in gate (onSpeakingFrame, expectedEchoDb, the AEC's capped
    // credit), interrupt (stop's tail, what was said still counts as echo), the echo /
    // self-confirmation check of a transcript, and the end of playback that records the echo and
    // starts the tail; and the whole echo filter. Found by name and text, so they follow the code.
    mutate: [
      'core/voice/levels.ts',
      ...methodRanges('core/voice/voiceLoop.ts', ['pttStart', 'onIdleFrame', 'onSpeakingFrame', 'expectedEchoDb', 'suppressionDb', 'aecTrusted', 'interrupt']),
      // turn(): a transcript that echoes the reply (or is a trusted stop/cancel word).
      textRange('core/voice/voiceLoop.ts', 'const userControl = ', 'return;'),
      // speak(): playback from its start to the end (echo recorded, tail started), and its failure.
      textRange('core/voice/voiceLoop.ts', 'const session = await this.playbackSession(', '} finally {'),
      'core/voice/echoFilter.ts',
    ],
    tests: ['core/voice/*.test.ts'],
  },
  http: {
    mutate: ['main/server/requestPolicy.ts', 'main/server/auth.ts', 'main/server/body.ts'],
    tests: ['main/server/requestPolicy*.test.ts', 'main/server/auth*.test.ts', 'main/server/body*.test.ts'],
  },
  webhooks: {
    mutate: ['main/notifications/webhookReceiver.ts'],
    // The receiver over a bare sql.js database. tests/integration/webhooks-receiver.test.ts (real
    // app + HTTP, 10,000 signature mutations) covers every mutant too and would rerun per mutant.
    tests: ['main/notifications/webhookReceiver*.test.ts'],
  },
  journal: {
    mutate: ['main/store/journal.ts'],
    tests: ['main/store/journal*.test.ts'],
  },
  lock: {
    mutate: ['main/store/lock.ts'],
    // Every lock path through the fs facade (store.test.ts reaches the lock only via openStore, and
    // each of its tests would rerun for every lock mutant).
    tests: ['main/store/lock*.test.ts'],
  },
  'github-writes': {
    // The gateway's write methods only, found by name (line numbers drift as the file grows).
    mutate: methodRanges('main/github/octokitGitHubGateway.ts', [
      'markThreadDone',
      'unsubscribeThread',
      'markAllNotificationsRead',
      'isMerged',
      'mergePullRequest',
      'requestReviewers',
      'createComment',
      'submitReview',
      'rerunFailedJobs',
      'createIssue',
      'addAssignees',
      'write',
    ]),
    // Wire format, results, error mapping, sent-once and deadlines per write over an in-process
    // fetch. The fake-GitHub suites (github-octokit-gateway, merge-faults: a server or the whole app
    // per run) guard the same calls under npm test but cost seconds per mutant here.
    tests: ['main/github/octokitGitHubGateway.writes.test.ts'],
  },
};

/**
 * `file:start-end` (1-based lines) of each named method of a class in `file`: from its signature
 * line (two-space indent) to the first closing brace at that indent. Throws if a name is missing.
 */
function methodRanges(file, names) {
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n');
  return names.map((n) => {
    const start = lines.findIndex((l) => new RegExp(`^  (?:private |async )*${n}[<(]`).test(l));
    const end = lines.findIndex((l, i) => i > start && l === '  }');
    if (start === -1 || end === -1) throw new Error(`stryker.modules.mjs: no method ${n} in ${file}`);
    return `${file}:${start + 1}-${end + 1}`;
  });
}

/**
 * `file:start-end` (1-based lines) from the first line containing `from` to the first line after
 * it containing `to`. Throws if either is missing.
 */
function textRange(file, from, to) {
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.includes(from));
  const end = lines.findIndex((l, i) => i > start && l.includes(to));
  if (start === -1 || end === -1) throw new Error(`stryker.modules.mjs: no lines from "${from}" to "${to}" in ${file}`);
  return `${file}:${start + 1}-${end + 1}`;
}
