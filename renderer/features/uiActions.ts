/**
 * Voice twin: every UI action that does something runs the same spoken command through the
 * pipeline (so a button can never do what a voice cannot), and every voice command has a UI
 * control. tests/e2e/voice-twin.test.ts checks this table against core's COMMANDS both ways.
 */
import type { IntentName } from '../../contract/intent.js';

export interface UiAction {
  /** data-action attribute of the control. */
  id: string;
  label: string;
  intent: Exclude<IntentName, 'unknown'>;
  /**
   * The utterances the control sends, in order (the last one is the action; earlier ones set the
   * spoken context, exactly as a user would: "read item 2", then "mark it done").
   */
  text(args: { position?: number; repo?: string; number?: number; extra?: string }): string[];
}

export const UI_ACTIONS: readonly UiAction[] = [
  { id: 'inbox.refresh', label: 'Summarize inbox', intent: 'inbox.summary', text: () => ['what needs my attention'] },
  { id: 'inbox.next', label: 'Next notification', intent: 'inbox.next', text: () => ['next'] },
  { id: 'inbox.read', label: 'Read aloud', intent: 'inbox.read', text: (a) => [`read item ${a.position ?? 1}`] },
  { id: 'notification.done', label: 'Mark done', intent: 'notification.done', text: (a) => [`read item ${a.position ?? 1}`, 'mark it done'] },
  { id: 'notification.unsubscribe', label: 'Unsubscribe', intent: 'notification.unsubscribe', text: (a) => [`read item ${a.position ?? 1}`, 'unsubscribe from this'] },
  // The response carries an open_url directive; the store opens it through the host's link policy.
  { id: 'notification.open', label: 'Open on GitHub', intent: 'notification.open', text: (a) => [`read item ${a.position ?? 1}`, 'open it'] },
  { id: 'pr.summarize', label: 'Summarize PR', intent: 'pr.summarize', text: (a) => [`summarize ${a.repo ?? ''} pr ${a.number ?? ''}`] },
  { id: 'pr.checks', label: 'Checks', intent: 'pr.checks', text: (a) => [`are the checks passing on ${a.repo ?? ''} pr ${a.number ?? ''}`] },
  { id: 'pr.merge', label: 'Merge…', intent: 'pr.merge', text: (a) => [`merge pr ${a.number ?? ''} in ${a.repo ?? ''}`] },
  { id: 'pr.request_review', label: 'Request review…', intent: 'pr.request_review', text: (a) => [`ask ${a.extra ?? ''} to review ${a.repo ?? ''} pr ${a.number ?? ''}`] },
  { id: 'pr.comment', label: 'Comment…', intent: 'pr.comment', text: (a) => [`comment on ${a.repo ?? ''} pr ${a.number ?? ''} saying ${a.extra ?? ''}`] },
  { id: 'agent.delegate', label: 'Delegate to agent…', intent: 'agent.delegate', text: (a) => [`ask the agent to fix issue ${a.number ?? ''} in ${a.repo ?? ''}`] },
  { id: 'agent.status', label: 'Agent status', intent: 'agent.status', text: () => ['what is the agent doing'] },
  { id: 'system.confirm', label: 'Confirm', intent: 'system.confirm', text: () => ['confirm'] },
  { id: 'system.cancel', label: 'Cancel', intent: 'system.cancel', text: () => ['cancel'] },
  { id: 'system.repeat', label: 'Repeat', intent: 'system.repeat', text: () => ['repeat that'] },
  { id: 'system.stop', label: 'Stop speaking', intent: 'system.stop', text: () => ['stop'] },
  { id: 'system.help', label: 'Help', intent: 'system.help', text: () => ['help'] },
  { id: 'system.set_profile', label: 'Profile', intent: 'system.set_profile', text: (a) => [`switch to ${a.extra ?? 'default'} mode`] },
];

/** UI-only controls that change no GitHub or pipeline state (navigation, settings, diagnostics). */
export const UI_ONLY_CONTROLS: readonly { id: string; why: string }[] = [
  { id: 'voice.ptt', why: 'push-to-talk is the voice input itself: holding it opens the microphone for the spoken command, so it has no spoken twin' },
  { id: 'tts.play', why: 'TTS test screen: synthesizes typed text to check a voice; changes no GitHub or pipeline state, and speaking "say <text>" would be the same text-to-speech path it tests' },
];

export function uiAction(id: string): UiAction {
  const a = UI_ACTIONS.find((x) => x.id === id);
  if (!a) throw new Error(`unknown UI action ${id}`);
  return a;
}
