/**
 * Push-to-talk over HTTP (POST /v1/voice/ptt/start|stop, /v1/voice/stop, GET /v1/voice/status):
 * without the audio add-on the app stays text-only and the routes say why (409 + reason); with
 * audio devices (a simulated room here) a press listens, a release runs the command, and the state
 * is pushed on the event bus as 'voice.state' and as the indicator's 'pipeline.state'.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineStateEvent, VoiceStateEvent } from '../../contract/events.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startHttpServer } from '../../main/server/httpServer.js';
import { loadAddonAudio } from '../../main/audio/addonAudio.js';
import { appVoiceRoutes } from '../../main/app/wiring.js';
import { hasSpeechTools, speak } from './speech-audio.js';
import { SimulatedRoom } from './voice-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(env: Record<string, string> = {}): Promise<{ app: App; call: (method: string, path: string) => Promise<{ status: number; json: Record<string, unknown> }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-voice-routes-'));
  const app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, ...env }), { logger: SILENT_LOGGER });
  const server = await startHttpServer({ service: app.service, apiKeys: app.store.repos.apiKeys, authMode: 'dev', port: 0, logger: SILENT_LOGGER, extraRoutes: appVoiceRoutes(app) });
  cleanups.push(async () => {
    await server.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = async (method: string, path: string) => {
    const r = await fetch(new URL(path, server.url), { method });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  return { app, call };
}

describe('voice routes', () => {
  it('without the add-on: status says not started, a press answers 409 with the reason, text commands still work', async () => {
    const { app, call } = await setup({ HANDSFREE_STT: 'stub', HANDSFREE_TTS: 'stub' });
    const events: VoiceStateEvent[] = [];
    app.events.on('voice.state', (e) => events.push(e));
    expect((await call('GET', '/v1/voice/status')).json).toMatchObject({ available: false, state: 'idle' });
    // The add-on package missing, as on a machine where it was never built.
    await app.startVoice({
      audio: await loadAddonAudio(async () => {
        throw new Error("Cannot find package '@handsfree/audio-addon'");
      }),
    });
    const r = await call('POST', '/v1/voice/ptt/start');
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ ok: false, available: false, state: 'unavailable' });
    expect(String(r.json['reason'])).toMatch(/audio add-on could not be loaded.*npm --prefix native\/audio-addon run build/);
    expect((await call('POST', '/v1/voice/ptt/stop')).status).toBe(409);
    // Each press tries again (the loop may have been unavailable only at launch) and says why again.
    expect(events.length).toBeGreaterThanOrEqual(1);
    for (const e of events) expect(e).toMatchObject({ state: 'unavailable', reason: 'unavailable' });
    const text = await app.service.runCommand({ text: 'help' }, { userId: app.config.user, transport: 'http' });
    expect(text.status).toBe('ok');
  });

  it.skipIf(!hasSpeechTools())('push-to-talk press and release run the spoken command; states are pushed', async () => {
    const { app, call } = await setup({ HANDSFREE_STT: 'offline', HANDSFREE_TTS: 'stub' });
    const room = new SimulatedRoom();
    const voice: VoiceStateEvent[] = [];
    const stages: PipelineStateEvent['stage'][] = [];
    app.events.on('voice.state', (e) => {
      voice.push(e);
      room.onState(e.state);
    });
    app.events.on('pipeline.state', (e) => stages.push(e.stage));
    await app.startVoice({ audio: room.audio, loop: { mode: 'ptt' } });
    await room.run(300);
    const press = await call('POST', '/v1/voice/ptt/start');
    expect(press.status).toBe(200);
    expect(press.json).toMatchObject({ ok: true, available: true, state: 'listening', mode: 'ptt' });
    room.say(room.t + 100, (await speak('agent status', 'en-us')).samples);
    await room.run(1800);
    const release = await call('POST', '/v1/voice/ptt/stop');
    expect(release.status).toBe(200);
    await room.runUntilQuiet(500);
    expect(voice.map((e) => e.state)).toEqual(['listening', 'endpoint', 'transcribing', 'thinking', 'speaking', 'idle']);
    expect(voice.find((e) => e.state === 'thinking')?.transcript).toBe('agent status');
    expect(stages).toEqual(['listening', 'thinking', 'idle', 'speaking', 'idle']);
    expect((await call('GET', '/v1/voice/status')).json).toMatchObject({ available: true, state: 'idle' });
    // A release with no press is refused, saying the state.
    expect(await call('POST', '/v1/voice/ptt/stop')).toMatchObject({ status: 409, json: { ok: false, state: 'idle' } });
    expect((await call('POST', '/v1/voice/stop')).status).toBe(200);
  });
});
