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

export interface AppEvents {
  'pipeline.state': PipelineStateEvent;
  'action.changed': ActionChangedEvent;
  /** Voice loop state changes (listening, endpoint, transcribing, thinking, speaking, idle). */
  'voice.state': VoiceStateEvent;
  'inbox.changed': { items: NotificationCard[] };
  /** One per notification seen for the first time (or with new activity): tray / OS notification / UI card. */
  'notification.new': { user_id: string; source: 'poll' | 'webhook'; item: NotificationCard };
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
