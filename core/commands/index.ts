/**
 * The command registry: one module per command, keyed by intent. The key set is checked against
 * contract/commands.ts at compile time (a command without a module, or a module without a
 * command, does not build); the order is the contract table's, which is the recognizer's tie-break
 * order and the order of help.
 */
import { COMMAND_NAMES } from '../../contract/commands.js';
import type { ActionKind } from '../../contract/response.js';
import { agentDelegate } from './agentDelegate.js';
import { agentStatus } from './agentStatus.js';
import { inboxNext } from './inboxNext.js';
import { inboxRead } from './inboxRead.js';
import { inboxSummary } from './inboxSummary.js';
// focus commands (issue 15)
import { inboxMarkAllRead } from './inboxMarkAllRead.js';
import { inboxMyPrs } from './inboxMyPrs.js';
import { inboxReviewRequests } from './inboxReviewRequests.js';
import { notificationSnooze } from './notificationSnooze.js';
import { sessionUseRepo } from './sessionUseRepo.js';
// end focus commands
import { notificationDone } from './notificationDone.js';
import { notificationOpen } from './notificationOpen.js';
import { notificationUnsubscribe } from './notificationUnsubscribe.js';
import { prApprove } from './prApprove.js';
import { prChecks } from './prChecks.js';
// issue 15, CI and PR depth (c15)
import { prChecksFailure } from './prChecksFailure.js';
import { prComments } from './prComments.js';
import { prDiffSummary } from './prDiffSummary.js';
import { prRerunChecks } from './prRerunChecks.js';
import { prComment } from './prComment.js';
import { prMerge } from './prMerge.js';
import { prRequestChanges } from './prRequestChanges.js';
import { prRequestReview } from './prRequestReview.js';
import { prSummarize } from './prSummarize.js';
import { systemCancel } from './systemCancel.js';
import { systemConfirm } from './systemConfirm.js';
import { systemHelp } from './systemHelp.js';
import { systemRepeat } from './systemRepeat.js';
import { systemSetProfile } from './systemSetProfile.js';
import { systemStop } from './systemStop.js';
import type { ActionModule, AnyCommandSpec, CommandIntent, CommandModule } from './types.js';

const MODULES: { readonly [K in CommandIntent]: CommandModule<K> } = {
  'inbox.summary': inboxSummary,
  'inbox.next': inboxNext,
  'inbox.read': inboxRead,
  'pr.summarize': prSummarize,
  'pr.checks': prChecks,
  'pr.merge': prMerge,
  'pr.request_review': prRequestReview,
  'pr.comment': prComment,
  'pr.approve': prApprove,
  'pr.request_changes': prRequestChanges,
  // issue 15, CI and PR depth (c15)
  'pr.diff_summary': prDiffSummary,
  'pr.comments': prComments,
  'pr.checks_failure': prChecksFailure,
  'pr.rerun_checks': prRerunChecks,
  'agent.delegate': agentDelegate,
  'agent.status': agentStatus,
  'notification.done': notificationDone,
  'notification.unsubscribe': notificationUnsubscribe,
  'notification.open': notificationOpen,
  // focus commands (issue 15)
  'notification.snooze': notificationSnooze,
  'inbox.mark_all_read': inboxMarkAllRead,
  'inbox.my_prs': inboxMyPrs,
  'inbox.review_requests': inboxReviewRequests,
  'session.use_repo': sessionUseRepo,
  // end focus commands
  'system.confirm': systemConfirm,
  'system.cancel': systemCancel,
  'system.repeat': systemRepeat,
  'system.stop': systemStop,
  'system.help': systemHelp,
  'system.set_profile': systemSetProfile,
};

/** The module of a command. */
export function commandModule<K extends CommandIntent>(intent: K): CommandModule<K> {
  return MODULES[intent];
}

/** Every command's spec, in contract table order (the catalog the recognizer and grammar read). */
export const COMMAND_SPECS: readonly AnyCommandSpec[] = COMMAND_NAMES.map((n) => MODULES[n].spec);

/** The action module of a pending-action kind. */
export function actionModule(kind: ActionKind): ActionModule {
  const a = MODULES[kind].action;
  if (a === undefined) throw new Error(`${kind} has no action module`);
  return a;
}
