/**
 * Voice twin: every UI action that does something runs the same spoken command through the
 * pipeline (so a button can never do what a voice cannot), and every voice command has a UI
 * control. The controls come from the command table (contract/commands.ts), one per command;
 * main/ui/voiceTwin.test.ts checks them against what the recognizer hears and the screens render.
 */
import { COMMAND_NAMES, COMMAND_TABLE, type CommandName, type UiTwinArgs } from '../../contract/commands.js';

export interface UiAction {
  /** data-action attribute of the control: the command's intent name. */
  id: string;
  label: string;
  intent: CommandName;
  /**
   * The utterances the control sends, in order (the last one is the action; earlier ones set the
   * spoken context, exactly as a user would: "read item 2", then "mark it done").
   */
  text(args: UiTwinArgs): string[];
}

export const UI_ACTIONS: readonly UiAction[] = COMMAND_NAMES.map((intent) => ({ id: COMMAND_TABLE[intent].ui.id ?? intent, intent, label: COMMAND_TABLE[intent].ui.label, text: COMMAND_TABLE[intent].ui.text }));

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
