/**
 * "confirm" / "confirm 12": picks the one pending action the user means (the number must match
 * when several wait, or when the profile asks for it), asks the dialog when one guards this
 * command, and confirms it by token. Three wrong numbers cancel the action.
 */
import { AppError } from '../../contract/errors.js';
import type { PendingActionRecord } from '../ports/store.js';
import { joinNames, plural } from '../responses/text.js';
import { defineCommand, NEEDS_DIALOG, type CommandTools } from './types.js';

export const systemConfirm = defineCommand('system.confirm', {
  description: 'Confirm the action that was just read back.',
  examples: ['confirm', 'confirm 123', 'confirm merge 12'],
  anchors: ['confirm'],
  entities: ['number'],
  patterns: ['[i] confirm [<confirm_what>] [[of] [pr | number | issue] {number}]'],
  async run(e, t) {
    const pending = t.pendingActions();
    if (pending.length === 0) throw new AppError('no_pending_action', 'Nothing is waiting for confirmation.');
    const chosen = choose(e.number, pending, t);
    if (chosen.params[NEEDS_DIALOG] === true && !t.confirmGate) {
      throw new AppError('confirmation_declined', 'That action was started on screen, so it needs the on-screen confirmation: click Confirm and answer the dialog. It is still pending.');
    }
    if (t.confirmGate && !(await t.confirmGate(chosen.readBack))) {
      throw new AppError('confirmation_declined', 'Not confirmed in the dialog; the action is still pending.');
    }
    return t.confirmAction(chosen);
  },
});

function choose(number: number | undefined, pending: PendingActionRecord[], t: CommandTools): PendingActionRecord {
  if (number !== undefined) {
    const matches = pending.filter((p) => p.number === number);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new AppError('ambiguous_confirmation', whichOne(matches, t));
    if (pending.length === 1) {
      const only = pending[0]!;
      const n = t.recordWrongConfirmation(only);
      if (n >= 3) throw new AppError('action_cancelled', 'That number did not match three times, so I cancelled it. Nothing was done.');
      // An action with no number (mark all read) is confirmed without one.
      const say = only.number === null ? 'confirm' : `confirm ${only.number}`;
      throw new AppError('ambiguous_confirmation', `That number doesn't match. The waiting action is for ${t.describeAction(only)}. Say ${say} or cancel.`.replace(/ +\./g, '.'));
    }
    throw new AppError('ambiguous_confirmation', `Nothing waiting matches ${number}. ${whichOne(pending, t)}`);
  }
  if (pending.length > 1) throw new AppError('ambiguous_confirmation', whichOne(pending, t));
  const only = pending[0]!;
  if (t.profile.voiceConfirmNeedsNumber && only.number !== null) {
    throw new AppError('ambiguous_confirmation', `In the ${t.profile.name} profile, say the number too: confirm ${only.number}.`);
  }
  return only;
}

function whichOne(pending: readonly PendingActionRecord[], t: CommandTools): string {
  const list = pending.slice(0, 3).map((p) => t.describeAction(p));
  const nums = pending.filter((p) => p.number !== null).slice(0, 2).map((p) => `confirm ${p.number}`);
  return `${plural(pending.length, 'action')} waiting: ${joinNames(list)}. Say ${nums.length ? nums.join(' or ') : 'cancel'}.`;
}
