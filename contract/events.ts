/**
 * Events main pushes to every client (renderer over IPC or WebSocket, tray, voice loop). One map
 * of names to payloads so the transports cannot drift.
 */
import type { NotificationCard, PendingActionView, ActionState } from './response.js';

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

export interface ActionChangedEvent {
  token: string;
  state: ActionState;
  outcome: string | null;
  message: string | null;
  /** Present while pending. */
  action?: PendingActionView;
}

export interface AppEvents {
  'pipeline.state': PipelineStateEvent;
  'action.changed': ActionChangedEvent;
  'inbox.changed': { items: NotificationCard[] };
}

export type AppEventName = keyof AppEvents;
