/**
 * Push-to-talk over HTTP, added to the server through `extraRoutes` like the notification routes
 * (same Host/Origin checks, auth, rate limit and error shape):
 *   POST /v1/voice/ptt/start  → starts the voice loop on first use, then listens
 *   POST /v1/voice/ptt/stop   → ends the utterance (it is transcribed and run)
 *   POST /v1/voice/stop       → silences at once
 *   GET  /v1/voice/status     → { available, reason, state, mode } (does not start it)
 * 200 with the status when the press took effect; 409 with `ok: false` and the status when it did
 * not (voice unavailable — the reason says why, e.g. the add-on is not built — or the loop busy).
 */
import { z } from 'zod';
import { plainRoute, type RouteResult, type RouteSpec } from '../server/router.js';
import type { VoiceRunner, VoiceStatus } from './voiceRunner.js';

export interface VoiceRouteDeps {
  /** The running voice loop, started on first use. */
  runner(): Promise<VoiceRunner>;
  /** The voice loop if started (status must not open the mic). */
  current(): VoiceRunner | null;
}

const NOT_STARTED: VoiceStatus = { available: false, reason: 'Voice is not started; POST /v1/voice/ptt/start starts it.', state: 'idle', mode: null };

/** The voice loop's state; 409 answers it too when the press could not be served. */
const VoiceStatusSchema = z.looseObject({ available: z.boolean(), state: z.string() });
const voiceDoc = (summary: string) => ({ summary, responses: { 200: VoiceStatusSchema, 409: VoiceStatusSchema } });

const answer = (r: VoiceStatus & { ok: boolean }): RouteResult => ({ status: r.ok ? 200 : 409, json: r });

export function voiceRoutes(deps: VoiceRouteDeps): RouteSpec[] {
  return [
    plainRoute({ method: 'POST', path: '/v1/voice/ptt/start', auth: 'caller', doc: voiceDoc('Push-to-talk pressed'), handler: async () => answer((await deps.runner()).pttStart()) }),
    plainRoute({ method: 'POST', path: '/v1/voice/ptt/stop', auth: 'caller', doc: voiceDoc('Push-to-talk released'), handler: async () => answer((await deps.runner()).pttStop()) }),
    plainRoute({
      method: 'POST',
      path: '/v1/voice/stop',
      auth: 'caller',
      doc: voiceDoc('Stop speaking and listening'),
      handler: async () => {
        const s = (await deps.runner()).stop();
        return answer({ ...s, ok: s.available });
      },
    }),
    plainRoute({ method: 'GET', path: '/v1/voice/status', auth: 'caller', doc: voiceDoc('Voice loop state'), handler: async () => ({ status: 200, json: deps.current()?.status() ?? NOT_STARTED }) }),
  ];
}

