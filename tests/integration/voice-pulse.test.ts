/**
 * The voice loop on real audio devices: a private PulseAudio server with two null sinks, "hf_mic"
 * (the test plays a spoken command into it; the loop captures its monitor through the add-on) and
 * "hf_spk" (the loop plays its reply there; the test records its monitor). Real add-on capture and
 * playback, WebRTC VAD, pocketsphinx, the fixture pipeline and espeak-ng.
 * Skipped, saying why, when the add-on is not built or PulseAudio / espeak-ng / sox are missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceStateEvent } from '../../contract/events.js';
import type { PcmChunk } from '../../core/ports/audio.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { encodeWav, resample } from '../../main/speech/wav.js';
import { loadAddonAudio, type AddonAudio, type AudioAddonModule } from '../../main/audio/addonAudio.js';
import { VoiceRunner } from '../../main/voice/voiceRunner.js';
import { findTemplate, toFloat32 } from '../../native/audio-addon/lib/dsp.js';
import { hasPulseTools, paplay, startPulse, type PulseServer } from '../../native/audio-addon/bench/pulseServer.js';
import { hasSpeechTools, speakToWav } from './speech-audio.js';

const loader = async (): Promise<AudioAddonModule> => (await import('../../native/audio-addon/lib/index.js')) as unknown as AudioAddonModule;

let skipReason: string | null = null;
if (!hasSpeechTools()) skipReason = 'espeak-ng, sox or the pocketsphinx model is not installed';
else if (!hasPulseTools()) skipReason = 'PulseAudio (pulseaudio, pactl) is not installed';
else {
  const probe = await loadAddonAudio(loader);
  if (!probe.source.available) skipReason = `the audio add-on is not available: ${probe.source.unavailableReason ?? ''}`;
}
if (skipReason !== null) process.stdout.write(`voice-pulse: skipped because ${skipReason}\n`);

let pulse: PulseServer;
let app: App;
let dir: string;
let audio: AddonAudio;

beforeAll(async () => {
  if (skipReason !== null) return;
  pulse = await startPulse();
  await pulse.loadModule('module-null-sink', 'sink_name=hf_mic', 'rate=16000', 'channels=1', 'sink_properties=device.description=TestMic');
  await pulse.loadModule('module-null-sink', 'sink_name=hf_spk', 'rate=48000', 'channels=2', 'sink_properties=device.description=TestSpeaker');
  audio = await loadAddonAudio(loader);
  dir = mkdtempSync(join(tmpdir(), 'hf-voice-pulse-'));
  app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'offline', HANDSFREE_TTS: 'offline' }), { logger: SILENT_LOGGER });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await pulse?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipReason !== null)('voice loop through PulseAudio null sinks', () => {
  it('hears a spoken command from the capture device and plays the reply to the playback device', async () => {
    const events: VoiceStateEvent[] = [];
    const done = new Promise<void>((resolve, reject) => {
      app.events.on('voice.state', (e) => {
        events.push(e);
        if (e.state === 'idle' && e.previous === 'speaking') resolve();
        if (e.reason === 'error') reject(new Error(e.message));
      });
    });
    const runner = await VoiceRunner.start(app, { audio, loop: { mode: 'vad' }, captureDeviceId: 'pulse:hf_mic.monitor', playbackDeviceId: 'pulse:hf_spk', speakNotifications: false });
    expect(runner.status()).toMatchObject({ available: true, mode: 'vad' });
    // The recorder is a measuring instrument: without echoCancellation: false the app's canceller, whose
    // reference is this very reply, would cancel it from the recording as it converges.
    const recorder = await audio.source.openCapture({ deviceId: 'pulse:hf_spk.monitor', sampleRateHz: 16_000, channels: 1, format: 'int16', echoCancellation: false });
    const recorded: Int16Array[] = [];
    recorder.onChunk((c: PcmChunk) => recorded.push(c.data as Int16Array));
    try {
      await new Promise((r) => setTimeout(r, 500));
      await paplay(pulse, await speakToWav('what needs my attention', 'en-us'), 'hf_mic');
      await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`no reply played within 60 s; states: ${events.map((e) => `${e.state}:${e.reason}`).join(' ')}`)), 60_000))]);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      recorder.close();
      runner.close();
    }
    const turn = runner.loop!.turns.find((t) => t.outcome === 'ran');
    expect(turn?.transcript).toBe('what needs my attention');
    expect(turn?.response?.intent.name).toBe('inbox.summary');
    const spoken = events.find((e) => e.state === 'speaking')?.spoken_text ?? '';
    expect(spoken).toBe(turn?.response?.spoken_text);
    // The reply recorded from the speaker is the default offline voice's rendering of the spoken text.
    const total = recorded.reduce((n, c) => n + c.length, 0);
    const captured = new Int16Array(total);
    let o = 0;
    for (const c of recorded) {
      captured.set(c, o);
      o += c.length;
    }
    const reply = await (await app.speech()).tts.synthesize(spoken);
    const template = resample(reply.audio.samples, reply.audio.sampleRateHz, 16_000);
    // The first 2 s of the reply must be found in what the speaker played.
    const head = template.subarray(0, Math.min(template.length, 32_000));
    const match = findTemplate(toFloat32(captured), toFloat32(head));
    process.stdout.write(`voice-pulse: heard "${turn?.transcript ?? ''}", reply ${(template.length / 16_000).toFixed(1)} s, correlation ${match.score.toFixed(2)} at ${(match.lag / 16).toFixed(0)} ms\n`);
    if (match.score < 0.6) writeFileSync(join(tmpdir(), 'hf-voice-pulse-captured.wav'), encodeWav({ sampleRateHz: 16_000, samples: captured }));
    expect(match.score, 'normalised correlation of the reply with what the speaker played').toBeGreaterThanOrEqual(0.6);
    expect(runner.loop!.lastBargeIn).toBeNull();
  }, 120_000);
});
