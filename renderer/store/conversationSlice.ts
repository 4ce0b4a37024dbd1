/**
 * The conversation panel's history: every answered turn, typed or spoken, newest first, with a
 * per-stage timing split. Server stages come from the response (intent, handle = GitHub and
 * planning); for spoken turns the voice loop's state changes (monotonic `at_ms`) add capture
 * (listening → transcribing), speech-to-text (transcribing → thinking) and speech synthesis
 * (thinking → speaking, less the server's processing time).
 */
import type { StateCreator } from 'zustand';
import type { ConversationTurnEvent, VoiceStateEvent } from '../../contract/events.js';
import type { HostApi } from '../../contract/ipc.js';
import type { CommandResponse } from '../../contract/response.js';
import { audioUrl } from './ttsSlice.js';
import type { AppState, ConversationSlice, StageTimings, Turn } from './types.js';

export const MAX_TURNS = 50;




export const conversationSlice =
  (host: HostApi): StateCreator<AppState, [], [], ConversationSlice> =>
  (set, get) => ({
    turns: [],
    voiceMarks: {},
    replay: null,
    replayError: null,
    async replayTurn(id) {
      const turn = get().turns.find((t) => t.id === id);
      if (!turn || turn.response.spoken_text.trim() === '') return;
      try {
        const { audio_base64, content_type } = await host.call('tts.synthesize', { text: turn.response.spoken_text, format: 'wav' });
        const old = get().replay;
        if (old) URL.revokeObjectURL(old.url);
        set({ replay: { turnId: id, url: audioUrl(audio_base64, content_type) }, replayError: null });
      } catch (e) {
        set({ replayError: e instanceof Error ? e.message : String(e) });
      }
    },
  });

let nextId = 1;

/**
 * A finished turn arrives (typed or spoken): pushed by the host, or, for a command this window sent,
 * from its own response, so a turn made while the event connection is down is not lost. The same
 * response (by correlation id) is added once, whichever comes first.
 */
export function onTurn(set: (fn: (s: AppState) => Partial<AppState>) => void, e: ConversationTurnEvent, nowMs: number = Date.now()): void {
  set((s) => {
    if (s.turns.some((t) => t.response.debug.correlation_id === e.response.debug.correlation_id)) return {};
    const t = e.response.debug.timings_ms;
    const timings: StageTimings = { intent: t?.intent ?? 0, github: t?.handle ?? e.response.debug.processing_time_ms };
    const m = s.voiceMarks;
    if (e.source === 'voice') {
      if (m.listening !== undefined && m.transcribing !== undefined) timings.capture = Math.max(0, m.transcribing - m.listening);
      if (m.transcribing !== undefined && m.thinking !== undefined) timings.stt = Math.max(0, m.thinking - m.transcribing);
    }
    const turn: Turn = { id: nextId++, source: e.source, heard: e.heard, response: e.response, atMs: nowMs, timings, awaitingSpeech: e.source === 'voice' };
    return { turns: [turn, ...s.turns].slice(0, MAX_TURNS) };
  });
}

/** Voice loop state changes: marks for timing, and the synthesis time of the last spoken turn. */
export function onVoiceMark(set: (fn: (s: AppState) => Partial<AppState>) => void, e: VoiceStateEvent): void {
  set((s) => {
    if (e.state === 'listening') return { voiceMarks: { listening: e.at_ms } };
    if (e.state === 'transcribing') return { voiceMarks: { ...s.voiceMarks, transcribing: e.at_ms } };
    if (e.state === 'thinking') return { voiceMarks: { ...s.voiceMarks, thinking: e.at_ms } };
    if (e.state === 'speaking' && s.voiceMarks.thinking !== undefined) {
      const [last, ...rest] = s.turns;
      if (!last || !last.awaitingSpeech) return {};
      const server = last.response.debug.processing_time_ms;
      const tts = Math.max(0, e.at_ms - s.voiceMarks.thinking - server);
      return { turns: [{ ...last, awaitingSpeech: false, timings: { ...last.timings, tts } }, ...rest] };
    }
    return {};
  });
}
