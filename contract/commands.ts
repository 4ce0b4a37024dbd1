/**
 * Every command, declared once for the layers that cannot see core/: its name, what kind of command
 * it is, its entities (as a type), and its UI twin. contract/intent.ts (INTENT_NAMES,
 * SIDE_EFFECT_INTENTS, CONFIRMED_INTENTS, IntentEntities), contract/response.ts (ACTION_KINDS) and
 * the renderer's voice-twin controls are derived from this table; the behaviour of each command
 * (phrases, plan, read-back, policy, execution) is its module in core/commands/.
 */
import type { MergeMethod, ProfileName } from './names.js';

/**
 * - `read`: answers from GitHub or the session; changes nothing.
 * - `local`: changes only this app's session (profile, cancel, stop).
 * - `immediate`: a side effect without a read-back (mark done; the confirm itself).
 * - `confirmed`: a side effect planned as a pending action, run only after a confirmation; its
 *   name is an ActionKind.
 */
export type CommandKind = 'read' | 'local' | 'immediate' | 'confirmed';

/** What a voice-twin control sends; the args come from the card or screen it sits on. */
export interface UiTwinArgs {
  position?: number;
  repo?: string;
  number?: number;
  extra?: string;
}

export interface UiTwin {
  /** data-action of the control when it is not the command's name. */
  id?: string;
  label: string;
  /**
   * The utterances the control sends, in order (the last one is the command; earlier ones set the
   * spoken context, exactly as a user would: "read item 2", then "mark it done").
   */
  text(args: UiTwinArgs): string[];
}

export interface CommandDecl<E, K extends CommandKind> {
  kind: K;
  /** Confirmed commands: the gerund the policy gate says ("Your settings do not allow merging …"). */
  doing?: string;
  ui: UiTwin;
  /** Phantom: the entity type of the command (never read at runtime). */
  entities?: E;
}

function cmd<E = Record<string, never>>() {
  return <K extends CommandKind>(kind: K, ui: UiTwin, doing?: string): CommandDecl<E, K> => ({ kind, ui, ...(doing !== undefined ? { doing } : {}) });
}

const item = (a: UiTwinArgs) => `read item ${a.position ?? 1}`;
const pr = (a: UiTwinArgs) => `${a.repo ?? ''} pr ${a.number ?? ''}`;

/**
 * The command table. Order matters: it is the recognizer's tie-break order and the order of help.
 * A missing `number` means "it" (the PR in session context); `repo` is "owner/name" once resolved.
 */
export const COMMAND_TABLE = {
  'inbox.summary': cmd()('read', { id: 'inbox.refresh', label: 'Summarize inbox', text: () => ['what needs my attention'] }),
  'inbox.next': cmd()('read', { label: 'Next notification', text: () => ['next'] }),
  /** `position`: 1-based position in the inbox list last read to the user. */
  'inbox.read': cmd<{ position: number }>()('read', { label: 'Read aloud', text: (a) => [item(a)] }),
  'pr.summarize': cmd<{ repo?: string; number?: number }>()('read', { label: 'Summarize PR', text: (a) => [`summarize ${pr(a)}`] }),
  'pr.checks': cmd<{ repo?: string; number?: number }>()('read', { label: 'Checks', text: (a) => [`are the checks passing on ${pr(a)}`] }),
  /** A missing `method` means the configured default for the repo. */
  'pr.merge': cmd<{ repo?: string; number?: number; method?: MergeMethod }>()('confirmed', { label: 'Merge…', text: (a) => [`merge pr ${a.number ?? ''} in ${a.repo ?? ''}`] }, 'merging'),
  'pr.request_review': cmd<{ repo?: string; number?: number; reviewers: string[] }>()(
    'confirmed',
    { label: 'Request review…', text: (a) => [`ask ${a.extra ?? ''} to review ${pr(a)}`] },
    'requesting reviews',
  ),
  'pr.comment': cmd<{ repo?: string; number?: number; body: string }>()('confirmed', { label: 'Comment…', text: (a) => [`comment on ${pr(a)} saying ${a.extra ?? ''}`] }, 'commenting'),
  /** `body`: an optional review comment, said after the command ("approve it, nice work"). */
  'pr.approve': cmd<{ repo?: string; number?: number; body?: string }>()('confirmed', { label: 'Approve…', text: (a) => [`approve ${pr(a)}`] }, 'approving'),
  /** `body`: what to change; GitHub requires it, so the command asks for it when missing. */
  'pr.request_changes': cmd<{ repo?: string; number?: number; body?: string }>()(
    'confirmed',
    { label: 'Request changes…', text: (a) => [`request changes on ${pr(a)} saying ${a.extra ?? ''}`] },
    'requesting changes',
  ),
  // ---- issue 15, CI and PR depth (c15)
  'pr.diff_summary': cmd<{ repo?: string; number?: number }>()('read', { label: 'What changed', text: (a) => [`what changed in ${pr(a)}`] }),
  /** `count`: how many comments to read, newest first (1 for "the last comment"; default as many as fit). */
  'pr.comments': cmd<{ repo?: string; number?: number; count?: number }>()('read', { label: 'Comments', text: (a) => [`read the comments on ${pr(a)}`] }),
  'pr.checks_failure': cmd<{ repo?: string; number?: number }>()('read', { label: 'Why failing', text: (a) => [`why did the checks fail on ${pr(a)}`] }),
  'pr.rerun_checks': cmd<{ repo?: string; number?: number }>()('confirmed', { label: 'Rerun failed…', text: (a) => [`rerun the failed checks on ${pr(a)}`] }, 're-running checks'),
  // ---- end issue 15 (c15)
  'agent.delegate': cmd<{ repo?: string; issue: number; instruction?: string }>()(
    'confirmed',
    { label: 'Delegate to agent…', text: (a) => [`ask the agent to fix issue ${a.number ?? ''} in ${a.repo ?? ''}`] },
    'delegating to the agent',
  ),
  'agent.status': cmd()('read', { label: 'Agent status', text: () => ['what is the agent doing'] }),
  'notification.done': cmd()('immediate', { label: 'Mark done', text: (a) => [item(a), 'mark it done'] }),
  'notification.unsubscribe': cmd()('confirmed', { label: 'Unsubscribe', text: (a) => [item(a), 'unsubscribe from this'] }, 'unsubscribing'),
  /**
   * "open it": the current notification (or the PR "it" refers to) on github.com in the desktop
   * app's browser; an explicit PR ("open PR 12 on GitHub") or issue ("open issue 918 on GitHub")
   * opens that one. Opens a page, changes nothing on GitHub. The response carries an open_url
   * directive; the store opens it through the host's link policy.
   */
  'notification.open': cmd<{ repo?: string; number?: number; issue?: number }>()('read', { label: 'Open on GitHub', text: (a) => [item(a), 'open it'] }),
  // ---- focus commands (issue 15): snooze, mark all read, my PRs, review requests ----
  /**
   * "snooze this for an hour": hides the current thread here (not on GitHub) until due, then brings
   * it back and announces it. `minutes` / `hours` as said; `until` 'tomorrow' is 09:00 local time
   * the next day; nothing said means an hour.
   */
  'notification.snooze': cmd<{ minutes?: number; hours?: number; until?: 'tomorrow' }>()('local', { label: 'Snooze 1 h', text: (a) => [item(a), 'snooze this for an hour'] }),
  /** "mark everything as read": PUT /notifications with the newest read-back thread's time as last_read_at. */
  'inbox.mark_all_read': cmd()('confirmed', { label: 'Mark all read…', text: () => ['mark everything as read'] }, 'marking everything as read'),
  'inbox.my_prs': cmd()('read', { label: 'My pull requests', text: () => ['my pull requests'] }),
  'inbox.review_requests': cmd()('read', { label: 'Review requests', text: () => ['what do I need to review'] }),
  /** "use acme slash api": `repo` as heard (owner/name, or a name the pipeline resolves against your repos). */
  'session.use_repo': cmd<{ repo: string }>()('local', { label: 'Use this repo', text: (a) => [`use ${a.repo ?? ''} repo`] }),
  // ---- end focus commands ----
  'system.confirm': cmd<{ number?: number }>()('immediate', { label: 'Confirm', text: () => ['confirm'] }),
  'system.cancel': cmd()('local', { label: 'Cancel', text: () => ['cancel'] }),
  'system.repeat': cmd()('local', { label: 'Repeat', text: () => ['repeat that'] }),
  'system.stop': cmd()('local', { label: 'Stop speaking', text: () => ['stop'] }),
  'system.help': cmd()('local', { label: 'Help', text: () => ['help'] }),
  'system.set_profile': cmd<{ profile: ProfileName }>()('local', { label: 'Profile', text: (a) => [`switch to ${a.extra ?? 'default'} mode`] }),
} as const;

export type CommandName = keyof typeof COMMAND_TABLE;

/** Entities per command, from the table's declarations. */
export type CommandEntities = { [K in CommandName]: NonNullable<(typeof COMMAND_TABLE)[K]['entities']> };

/** Names of the commands whose kind is `confirmed`: the pending-action kinds. */
export type ConfirmedCommand = { [K in CommandName]: (typeof COMMAND_TABLE)[K]['kind'] extends 'confirmed' ? K : never }[CommandName];

/** Every command name, in table order. */
export const COMMAND_NAMES = Object.keys(COMMAND_TABLE) as CommandName[];

/** Command names of one or more kinds, in table order. */
export function commandsOfKind<K extends CommandKind>(...kinds: K[]): CommandName[] {
  return COMMAND_NAMES.filter((n) => (kinds as CommandKind[]).includes(COMMAND_TABLE[n].kind));
}
