/**
 * The calibration set for the offline STT's rejection threshold: other phrasings, other espeak-ng
 * voices and other out-of-grammar sentences than the accuracy test set (speech-audio.ts), so the
 * threshold in main/speech/pocketsphinx.ts is not fitted to the clips that judge it.
 * tests/bench/voice.ts (`npm run bench voice`) prints both sets' figures for a threshold.
 */

/** espeak-ng US English variants not used by the test set (which uses en-us, +f3, +m3). */
export const CALIBRATION_VOICES = ['en-us+m1', 'en-us+f2', 'en-us+m7'] as const;

/** In-grammar commands, none of them a test-set phrase. */
export const CALIBRATION_COMMANDS: readonly { text: string; intent: string }[] = [
  { text: 'what requires my attention', intent: 'inbox.summary' },
  { text: 'give me a summary of my inbox', intent: 'inbox.summary' },
  { text: 'brief me', intent: 'inbox.summary' },
  { text: 'skip this one', intent: 'inbox.next' },
  { text: 'go to the next item', intent: 'inbox.next' },
  { text: 'read the second one', intent: 'inbox.read' },
  { text: 'open entry five', intent: 'inbox.read' },
  { text: 'summarize pr forty two', intent: 'pr.summarize' },
  { text: 'explain pr one twenty three in acme slash api', intent: 'pr.summarize' },
  { text: 'what does pr seven do', intent: 'pr.summarize' },
  { text: 'is pr eighteen passing', intent: 'pr.checks' },
  { text: 'how are the tests looking on it', intent: 'pr.checks' },
  { text: 'any failing checks on pr sixty', intent: 'pr.checks' },
  { text: 'merge pr forty five', intent: 'pr.merge' },
  { text: 'squash and merge it', intent: 'pr.merge' },
  { text: 'merge it into main', intent: 'pr.merge' },
  { text: 'ask sam dev to review it', intent: 'pr.request_review' },
  { text: 'add marco b as a reviewer on pr thirty', intent: 'pr.request_review' },
  { text: 'comment on it saying thanks', intent: 'pr.comment' },
  { text: 'reply saying nice work', intent: 'pr.comment' },
  { text: 'tell copilot to fix issue seventy seven', intent: 'agent.delegate' },
  { text: 'hand issue four oh two to the agent', intent: 'agent.delegate' },
  { text: 'how is the agent doing', intent: 'agent.status' },
  { text: 'any news from the agent', intent: 'agent.status' },
  { text: 'archive this thread', intent: 'notification.done' },
  { text: 'mark this as done', intent: 'notification.done' },
  { text: 'unsubscribe me', intent: 'notification.unsubscribe' },
  { text: 'stop following this', intent: 'notification.unsubscribe' },
  { text: 'confirm the comment', intent: 'system.confirm' },
  { text: 'i confirm', intent: 'system.confirm' },
  { text: 'forget it', intent: 'system.cancel' },
  { text: 'abort that', intent: 'system.cancel' },
  { text: 'come again', intent: 'system.repeat' },
  { text: 'one more time', intent: 'system.repeat' },
  { text: 'shut up', intent: 'system.stop' },
  { text: 'that is enough', intent: 'system.stop' },
  { text: 'what are my options', intent: 'system.help' },
  { text: 'how does this work', intent: 'system.help' },
  { text: 'enable terse mode', intent: 'system.set_profile' },
  { text: 'change my profile to workout', intent: 'system.set_profile' },
];

/** Speech that is not a command, none of it a test-set sentence (some with command words in it). */
export const CALIBRATION_OUT_OF_GRAMMAR: readonly string[] = [
  'i will be home late tonight so start dinner without me',
  'the train was delayed by twenty minutes again',
  'we need more coffee filters in the kitchen',
  'did you see the new movie everybody talks about',
  'our team merged with the sales department last year',
  'remind my sister about the birthday party on friday',
  'the library closes early on sundays',
  'i could not find my keys anywhere this morning',
  'they painted the fence a lovely shade of green',
  'an agent called about the insurance policy',
];
