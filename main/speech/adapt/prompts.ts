/**
 * What the user reads at enrollment: 20 short phrases in the product's own vocabulary (commands,
 * numbers, repo words) plus a few everyday sentences, chosen so every en-us phone occurs several
 * times. Pure data. None of them is in the accuracy test's command corpus, so an enrollment test
 * measures on phrases the adaptation never saw.
 */
export const ENROLLMENT_PROMPTS: readonly string[] = [
  'what is new in my notifications today',
  'summarize pull request thirty seven',
  'merge pr fourteen in acme slash api',
  'check the build on pr sixty two',
  'ask the agent to fix issue four hundred eight',
  'request a review from omar h on it',
  'comment on pr twenty six saying thank you',
  'read the fifth one',
  'squash and merge pr eighty three',
  'delegate issue seventy nine to copilot',
  'mark this notification as done',
  'unsubscribe me from the payments thread',
  'switch to the commute profile please',
  'confirm fifty five',
  'never mind cancel that',
  'the quick brown fox jumped over the lazy dog',
  'she sells sea shells by the sea shore',
  'joy and zeal measure the voice of each user',
  'how much wood would a woodchuck chuck',
  'good morning this is my own voice',
];
