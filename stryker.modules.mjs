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
    tests: ['core/pipeline/*.test.ts', 'tests/integration/pipeline-context.test.ts'],
  },
  voice: {
    mutate: ['core/voice/voiceLoop.ts', 'core/voice/echoFilter.ts'],
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
