/** "switch to workout mode": the session's profile (word budget, read-back length, confirm rules). */
import { PROFILES, type Profile } from '../session/profiles.js';
import { defineCommand } from './types.js';

export const systemSetProfile = defineCommand('system.set_profile', {
  description: 'Switch the voice profile: default, terse, workout or commute.',
  examples: ['switch to workout mode', 'use the terse profile', 'commute mode'],
  anchors: [],
  entities: ['profile'],
  patterns: [
    '(switch | change | go | set | move | turn) [back] to [the] {profile} [mode | profile]',
    '(use | enable | activate | start | turn on) [the] {profile} [mode | profile]',
    '{profile} (mode | profile)',
    '(set | change | switch) [the | my] (profile | mode) to {profile}',
    '<i_am> [at the | in the] {profile}',
    'make it {profile}',
  ],
  run(e, t) {
    const profile = PROFILES[e.profile];
    t.setProfile(profile);
    return { status: 'ok', spoken: announcement(profile), cards: [] };
  },
});

function announcement(p: Profile): string {
  const numberRule = p.voiceConfirmNeedsNumber ? ' To confirm, say confirm and the number.' : '';
  return `Switched to the ${p.name} profile: up to ${p.wordBudget} words per answer.${numberRule}`;
}
