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
    // low-confidence hold, TTS streaming): the barge-in echo level (rmsDbfs, ReplyLevels), push-to-
    // talk's barge-in and its pre-roll without the tail, the half-duplex tail guard and its re-arm
    // after silence (onIdleFrame), the barge-in gate (onSpeakingFrame, expectedEchoDb, the AEC's
    // capped credit), interrupt (stop's tail, what was said still counts as echo), the echo /
    // self-confirmation check of a transcript, and the end of playback that records the echo and
    // starts the tail; and the whole echo filter. Line ranges: update them when voiceLoop.ts moves.
    mutate: [
      'core/voice/voiceLoop.ts:163-203',
      'core/voice/voiceLoop.ts:309-317',
      'core/voice/voiceLoop.ts:384-407',
      'core/voice/voiceLoop.ts:453-491',
      'core/voice/voiceLoop.ts:520-536',
      'core/voice/voiceLoop.ts:628-634',
      'core/voice/voiceLoop.ts:685-718',
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
    tests: ['main/notifications/webhookReceiver*.test.ts', 'tests/integration/webhooks-receiver.test.ts'],
  },
  journal: {
    mutate: ['main/store/journal.ts'],
    tests: ['main/store/journal*.test.ts'],
  },
  lock: {
    mutate: ['main/store/lock.ts'],
    tests: ['main/store/lock*.test.ts', 'main/store/store.test.ts'],
  },
  'github-writes': {
    // The write calls only (merge, reviewers, comment, issue, assignees): lines of the gateway.
    mutate: ['main/github/octokitGitHubGateway.ts:421-540'],
    tests: ['tests/integration/merge-faults.test.ts', 'tests/integration/github-octokit-gateway.test.ts'],
  },
};
