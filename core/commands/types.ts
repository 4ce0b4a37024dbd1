/**
 * The shape of a command module (core/commands/<name>.ts): everything one command is, typed end to
 * end. Its name, kind, entity type and UI twin are declared in contract/commands.ts (the layers
 * that cannot see core/ need them); the module adds how it is said, how it plans, what it reads
 * back, its policy gate, and, for a confirmed command, how the confirmed action executes.
 */
import type { AgentProvider, AgentTaskView } from '../../contract/api.js';
import { COMMAND_TABLE } from '../../contract/commands.js';
import type { AppErrorCode } from '../../contract/errors.js';
import type { IssueSummary, NotificationThread, PullRequestDetail } from '../../contract/github.js';
import type { Intent, IntentEntities, IntentName } from '../../contract/intent.js';
import type { ActionKind, ActionState, Card, Directive, PendingActionView, ResponseStatus } from '../../contract/response.js';
import type { PolicyConfig } from '../actions/policy.js';
import type { Clock, Logger } from '../ports/clock.js';
import type { GitHubGateway } from '../ports/github.js';
import type { InboxRef, PendingActionRecord, Repositories, SessionState } from '../ports/store.js';
import type { Profile } from '../session/profiles.js';

export type CommandIntent = Exclude<IntentName, 'unknown'>;

export interface PatternSpec {
  /** Template in the pattern language. */
  p: string;
  /** Entities fixed by this phrasing ("squash and merge" → method squash). */
  set?: Readonly<Record<string, string | number>>;
  /** Extra cost for a looser phrasing (subtracted from confidence when this pattern wins). */
  cost?: number;
}

/** How a command is said: what the recognizer, the offline grammar and help are built from. */
export interface CommandSpec<K extends CommandIntent = CommandIntent> {
  intent: K;
  /** One line for help text and the UI's voice-twin list. */
  description: string;
  /** 2–4 things a user can say; each must be recognized as `intent` (tested). */
  examples: readonly string[];
  /** Changes something on GitHub (or confirms such a change): from the command's kind in contract/commands.ts. */
  sideEffect: boolean;
  /**
   * For side-effect commands: at least one of these words must be heard (exactly or as a known
   * homophone), so a side effect never comes from a pattern whose verb was guessed.
   */
  anchors: readonly string[];
  /** Entity names this command can produce (keys of IntentEntities[intent]). */
  entities: readonly (keyof IntentEntities[K] & string)[];
  patterns: readonly (string | PatternSpec)[];
}

/** A catalog entry for any intent (distributes over intents so `entities` is checked per intent). */
export type AnyCommandSpec = { [K in CommandIntent]: CommandSpec<K> }[CommandIntent];

/** What one command answers, before budget fitting. */
export interface Outcome {
  status: ResponseStatus;
  spoken: string;
  /** Appended after budget fitting when it fits (e.g. "Say next for more."). */
  tail?: string | undefined;
  cards: Card[];
  pending?: PendingActionView;
  error?: { code: AppErrorCode; message: string };
  /** Read-backs are the thing confirmed: never cut to the word budget. */
  exact?: boolean;
  /** "repeat" must not replace what it repeats. */
  keepLastSpoken?: boolean;
  /** Client-side effects, e.g. open a github.com page ("open it"). */
  directives?: Directive[];
}

/** What a confirmed action's execute or reconcile settles to. */
export interface Settlement {
  state: ActionState;
  outcome: string;
  message: string;
  result?: Record<string, unknown> | null;
}

/** The action as stored: what was read back and confirmed. */
export type ActionTarget = Pick<PendingActionRecord, 'token' | 'repo' | 'number' | 'headSha'>;

/** What a confirmed action may use when it runs. */
export interface ExecuteDeps {
  github: GitHubGateway;
  /** Merge gates and per-repo allow lists, re-checked at confirm time. */
  policy: PolicyConfig;
  agent: AgentDispatchConfig;
  /** The public marker of an agent dispatch for an action token (a keyed MAC, see ActionServiceDeps.dispatchMarker). */
  dispatchMarker: (token: string) => string;
}

/**
 * How "ask the agent to fix issue 918" reaches an agent: `github_issue_dispatch` creates a task
 * issue in `dispatchRepo` (with a hidden marker and `label`) for an agent watching that repo;
 * `copilot` assigns the issue itself to GitHub Copilot's coding agent (REST assignees call).
 */
export interface AgentDispatchConfig {
  /** "owner/name" where dispatch issues are created. */
  dispatchRepo: string;
  label: string;
  /** Default github_issue_dispatch. */
  provider?: AgentProvider;
  /** copilot: the branch Copilot starts from (default: the repo's default branch). */
  copilotBaseBranch?: string;
}

/**
 * The confirmed half of a command: its typed payload (stored with the pending action, parsed back
 * when it runs, possibly after a restart), the one write it sends, and how an ambiguous failure is
 * settled by reading GitHub (never by sending again).
 */
export interface ActionModule<K extends ActionKind = ActionKind, P = unknown> {
  kind: K;
  /**
   * How the action is named in "2 actions waiting: merge PR 12 in acme/api, …". `inbox`: the
   * action spans every repo (mark everything read); it is named by the verb alone.
   */
  target: { verb: string; noun: 'PR' | 'issue' | 'thread' | 'inbox' };
  /** How a failure at confirm time begins ("Not merged: …"). Default "Not done". */
  notDone?: string;
  /** Validates stored params back into the payload; throws AppError('internal') on a bad record. */
  payload(params: Readonly<Record<string, unknown>>): P;
  /** Sends the one write this action stands for. Throws AppError on failure; never retries. */
  execute(rec: ActionTarget, payload: P, deps: ExecuteDeps): Promise<Settlement>;
  /**
   * After an ambiguous failure: reads GitHub to tell whether the write happened. Absent (or null)
   * when there is no cheap read-back: the outcome is reported unknown and nothing is resent.
   */
  reconcile?(rec: ActionTarget, payload: P, deps: ExecuteDeps): Promise<Settlement | null>;
}

/** The pending action a command plans; the payload is typed by its action module. */
export interface PlannedAction<P> {
  repo: string;
  number: number | null;
  headSha: string | null;
  payload: P;
  readBack: string;
  cards: Card[];
}

/**
 * What a command may use while it runs: the session, the ports, and the pipeline's shared steps
 * (resolving "it" and repos, grounding spoken numbers, policy, planning a pending action).
 */
export interface CommandTools {
  session: SessionState;
  profile: Profile;
  userId: string;
  correlationId: string;
  /** Set when a dialog confirms this command's "confirm" (see CommandInput.confirmGate). */
  confirmGate?: (readBack: string) => Promise<boolean>;
  github: GitHubGateway;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  policy: PolicyConfig;
  agent: AgentDispatchConfig;
  /** The user's agent tasks, newest first, when the agent layer is wired. */
  agentTasks?: (userId: string) => readonly AgentTaskView[];
  /** Switches the profile for this and later commands of the session. */
  setProfile(profile: Profile): void;
  /** The PR a command names (or "it"); a spoken number GitHub does not know becomes a "did you mean" question. */
  fetchPr(e: { repo?: string; number?: number }): Promise<PullRequestDetail>;
  /** The issue a command names, grounded like fetchPr. */
  fetchIssue(repo: string, number: number): Promise<IssueSummary>;
  canonicalRepo(repo: string): Promise<string>;
  /** The repo for a bare number: the UI's repo, the session's ("use acme/api"), the inbox, the last PR, or the only repo. */
  guessRepo(number: number): Promise<string>;
  /** The notification read last ("it" for notification commands). */
  currentNotification(): InboxRef;
  /** Notifications in attention order; resets the open-PR cache when `fresh` (the user now sees a new list). */
  listNotifications(opts?: { fresh?: boolean }): Promise<NotificationThread[]>;
  /** Throws policy_denied when the repo's settings do not allow `kind`. */
  allow(repo: string, kind: ActionKind): void;
  /** Stores a pending action and answers with its read-back. */
  pending<P>(action: ActionModule<ActionKind, P>, planned: PlannedAction<P>): Outcome;
  /** Pending actions of this session, newest first. */
  pendingActions(): PendingActionRecord[];
  /** "merge PR 12 in acme/api": how a pending action is named to the user. */
  describeAction(rec: PendingActionRecord): string;
  /** Confirms by token and answers with the outcome. */
  confirmAction(rec: PendingActionRecord): Promise<Outcome>;
  cancelAction(rec: PendingActionRecord): PendingActionRecord;
  recordWrongConfirmation(rec: PendingActionRecord): number;
  /** Help examples: the first of each command, or those of one intent. */
  helpExamples(intent?: CommandIntent): string[];
  /** The intent being run (spoken or structured). */
  intent: Intent;
}

/** One command: how it is said, and how it runs. */
export interface CommandModule<K extends CommandIntent = CommandIntent> {
  spec: CommandSpec<K>;
  /** Answers, or plans a pending action (confirmed commands) through tools.pending. */
  run(entities: IntentEntities[K], tools: CommandTools): Promise<Outcome> | Outcome;
  /** Confirmed commands only: the action it plans and how that executes. */
  action?: ActionModule;
}

/** Declares a command module; `sideEffect` comes from the command's kind in contract/commands.ts. */
export function defineCommand<K extends CommandIntent>(
  intent: K,
  m: Omit<CommandSpec<K>, 'intent' | 'sideEffect'> & { run: CommandModule<K>['run']; action?: ActionModule },
): CommandModule<K> {
  const { run, action, ...spec } = m;
  const kind = COMMAND_TABLE[intent].kind;
  if ((kind === 'confirmed') !== (action !== undefined)) throw new Error(`${intent}: a confirmed command has an action module, others none`);
  return { spec: { intent, sideEffect: kind === 'immediate' || kind === 'confirmed', ...spec }, run, ...(action ? { action } : {}) };
}

/** Declares the confirmed half of a command (typed payload P). */
export function defineAction<K extends ActionKind, P>(a: ActionModule<K, P>): ActionModule<K, P> {
  return a;
}

/** Action param: planned behind a confirm gate, so every confirmation needs that gate too. */
export const NEEDS_DIALOG = 'needsDialog';
