/**
 * Events main pushes to every client (renderer over IPC or WebSocket, tray, voice loop). One map
 * of names to payloads so the transports cannot drift.
 */
import type { CommandResponse, NotificationCard, PendingActionView, ActionState } from './response.js';
import type { AgentTaskView } from './api.js';

/** The voice/command pipeline's visible state, for the status indicator and screen readers. */
export type PipelineStage = 'idle' | 'listening' | 'thinking' | 'speaking' | 'error';

export interface PipelineStateEvent {
  stage: PipelineStage;
  session_id: string | null;
  /** Live or final transcript / typed text being handled. */
  transcript?: string;
  /** Spoken text once known. */
  spoken_text?: string;
}

/** The voice loop's states (core/voice/voiceLoop.ts). */
export type VoiceLoopState = 'unavailable' | 'idle' | 'listening' | 'endpoint' | 'transcribing' | 'thinking' | 'speaking';

/** Why the voice loop changed state or dropped what it heard, for the UI and logs. */
export type VoiceLoopReason =
  | 'start'
  | 'ptt'
  | 'vad'
  | 'barge-in'
  | 'endpoint'
  | 'too-short'
  | 'max-length'
  | 'transcribed'
  | 'not-heard'
  | 'echo'
  | 'low-confidence'
  | 'replied'
  | 'done'
  | 'stop'
  | 'error'
  | 'unavailable';

/** One voice loop state change; `at_ms` is monotonic ms on the loop's clock. */
export interface VoiceStateEvent {
  state: VoiceLoopState;
  previous: VoiceLoopState;
  reason: VoiceLoopReason;
  at_ms: number;
  /** Final transcript (transcribing → thinking), or what was dropped (echo, low confidence). */
  transcript?: string;
  /** What is being spoken (speaking). */
  spoken_text?: string;
  /** Why the loop cannot run (state 'unavailable'), or an error message. */
  message?: string;
}

export interface ActionChangedEvent {
  token: string;
  state: ActionState;
  outcome: string | null;
  message: string | null;
  /** Present while pending. */
  action?: PendingActionView;
}

/** One finished turn of the conversation, typed or spoken, for the conversation panel. */
export interface ConversationTurnEvent {
  session_id: string;
  /** How the command arrived: typed/clicked in a UI or an API client, or heard by the voice loop. */
  source: 'text' | 'voice';
  /** What was typed or heard (transcript), at most 500 characters. */
  heard: string;
  response: CommandResponse;
}

export interface NotificationAlertEvent {
  user_id: string;
  /** e.g. "acme/api: review request" (repo and type of the first item). */
  title: string;
  /** The first item's (sanitised) title, plus "and N more". */
  body: string;
  count: number;
  thread_ids: string[];
}

/**
 * 'glasses-connected': the default input is now a Bluetooth headset; 'glasses-disconnected': a
 * Bluetooth device went away; 'fallback-mic': the input fell back to a non-Bluetooth mic;
 * 'narrowband': a Bluetooth input in HFP/HSP at 8 or 16 kHz.
 */
export type AudioWarningKind = 'glasses-connected' | 'glasses-disconnected' | 'fallback-mic' | 'narrowband';

export interface AudioWarningEvent {
  kind: AudioWarningKind;
  /** What is shown and spoken, naming the devices. */
  message: string;
  /** 'warning' needs attention (fallback, disconnect, narrowband); 'info' is good news (connected). */
  level: 'warning' | 'info';
  /** Device names involved (from → to where known). */
  from: string | null;
  to: string | null;
  /** Wall clock, ISO 8601. */
  at: string;
}

export interface AppEvents {
  'pipeline.state': PipelineStateEvent;
  'action.changed': ActionChangedEvent;
  /** Voice loop state changes (listening, endpoint, transcribing, thinking, speaking, idle). */
  'voice.state': VoiceStateEvent;
  /**
   * The inbox as the notification store holds it (unread threads, newest first), pushed after every
   * poll or webhook that changed it and after the user asks for it; `unread` counts them all.
   */
  'inbox.changed': { items: NotificationCard[]; unread?: number };
  /** One per notification seen for the first time (or with new activity): tray / OS notification / UI card. */
  'notification.new': { user_id: string; source: 'poll' | 'webhook'; item: NotificationCard };
  /**
   * One per delivered batch that passes the same filters, quiet hours and mute as the spoken batch:
   * the tray's OS notification (repo, type, title of the first item; `count` in all).
   */
  'notification.alert': NotificationAlertEvent;
  /** The audio route changed in a way the user must know about (glasses, mic fallback, narrowband). */
  'audio.warning': AudioWarningEvent;
  /** A spoken batch of new notifications, for the voice loop's TTS (already within the word budget). */
  'notification.spoken': { user_id: string; text: string; thread_ids: string[] };
  /** Poller health for the status bar: backing off, or stopped until the user acts (e.g. token). */
  'notification.poller': { state: 'ok' | 'backoff' | 'stopped'; message: string | null; next_poll_at: string | null };
  /** A command (typed or spoken) was answered: what was heard, the reply, cards and timings. */
  'conversation.turn': ConversationTurnEvent;
  /** An agent task was created or changed state. */
  'agent.task': AgentTaskView;
}

export type AppEventName = keyof AppEvents;
