/**
 * OpenAI speech providers against a local fake OpenAI server (tests/fakes/openai) with the real
 * `openai` client: success (STT upload, TTS streaming), 500 / timeout / reset → offline fallback
 * with one notice, no retry storm (NET-2), breaker opening and half-open probing (NET-3), 401 and
 * insufficient_quota stopping cloud use until the key changes (NET-6), provider selection through
 * config, and provider health in /v1/status of the real app.
 */
import { fliteAvailable } from '../../main/speech/flite.js';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../contract/api.js';
import type { PcmAudio, ProviderHealth, Speech, SpeechToText, TextToSpeech, Transcript } from '../../core/ports/speech.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig, OPENAI_KEY_FILE } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startHttpServer } from '../../main/server/httpServer.js';
import { CloudSpeechError, FallbackNotices, FallbackSpeechToText, FallbackTextToSpeech, SpeechCallAbortedError } from '../../main/speech/fallback.js';
import { OpenAiSpeechToText, UNSCORED_CONFIDENCE } from '../../main/speech/openai/openAiSpeechToText.js';
import { OPENAI_PCM_RATE_HZ, OpenAiTextToSpeech } from '../../main/speech/openai/openAiTextToSpeech.js';
import { OPENAI_DEFAULTS, type OpenAiSpeechSettings } from '../../main/speech/openai/settings.js';
import { createSpeechProviders } from '../../main/speech/providers.js';
import { FAKE_SPEECH_SAMPLES_PER_WORD, startFakeOpenAi, type FakeOpenAi } from '../fakes/openai/fakeOpenAiServer.js';
import { hasSpeechTools, speak } from './speech-audio.js';

const KEY = 'sk-test-fake-key-0123456789abcdef';
let ai: FakeOpenAi;

beforeEach(async () => {
  ai = await startFakeOpenAi({ apiKey: KEY, transcript: 'Show my inbox.' });
});
afterEach(async () => {
  await ai.close();
});

function settings(over: Partial<OpenAiSpeechSettings> = {}): OpenAiSpeechSettings {
  return { ...OPENAI_DEFAULTS, baseURL: ai.url, apiKey: () => KEY, ...over };
}

/** 0.5 s of a 440 Hz tone at 16 kHz: the fake hears its scripted transcript in any WAV. */
function tone(ms = 500): PcmAudio {
  const n = (16_000 * ms) / 1000;
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000));
  return { sampleRateHz: 16_000, samples };
}

/** An offline stand-in that counts calls and says who it is (the real offline providers are used further down). */
class CountingOfflineStt implements SpeechToText {
  readonly name = 'offline-test';
  calls = 0;
  async transcribe(audio: PcmAudio): Promise<Transcript> {
    this.calls++;
    return { text: 'what needs my attention', confidence: 1, provider: this.name, processingMs: 0, audioMs: (audio.samples.length / audio.sampleRateHz) * 1000 };
  }
  health(): ProviderHealth {
    return { provider: this.name, ok: true, message: null };
  }
}

class CountingOfflineTts implements TextToSpeech {
  readonly name = 'offline-test-tts';
  readonly voices = ['en-us', 'en-gb'];
  said: { text: string; voice: string | undefined }[] = [];
  async synthesize(text: string, opts: { voice?: string } = {}): Promise<Speech> {
    this.said.push({ text, voice: opts.voice });
    return { audio: { sampleRateHz: 16_000, samples: new Int16Array(160) }, provider: this.name, firstAudioMs: 0 };
  }
  health(): ProviderHealth {
    return { provider: this.name, ok: true, message: null };
  }
}

function guardedStt(over: Partial<OpenAiSpeechSettings> = {}, opts: { halfOpenAfterMs?: number } = {}) {
  const offline = new CountingOfflineStt();
  const stt = new FallbackSpeechToText(new OpenAiSpeechToText(settings(over)), offline, { halfOpenAfterMs: opts.halfOpenAfterMs ?? 60_000 });
  return { stt, offline };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OpenAI providers, success', () => {
  it('STT uploads the utterance as a 16-bit mono WAV and returns normalized text with a log-probability confidence', async () => {
    const stt = new OpenAiSpeechToText(settings());
    stt.setVocabulary({ knownRepos: ['acme/api'], people: ['sam-dev'] });
    const audio = tone(700);
    const t = await stt.transcribe(audio);
    expect(t).toMatchObject({ text: 'show my inbox', provider: 'openai' });
    expect(t.confidence).toBeCloseTo(Math.exp(-0.05), 5);
    expect(t.audioMs).toBeCloseTo(700, 5);
    expect(ai.count('transcriptions')).toBe(1);
    const req = ai.requests[0]!;
    expect(req.authorized).toBe(true);
    expect(req.fields).toMatchObject({ model: 'gpt-4o-mini-transcribe', response_format: 'json', language: 'en', 'include[]': 'logprobs' });
    expect(req.fields['prompt']).toContain('acme/api');
    expect(req.upload).toMatchObject({ filename: 'utterance.wav', contentType: 'audio/wav', sampleRateHz: 16_000, samples: audio.samples.length });
  });

  it('STT with whisper-1 asks for no log-probabilities and reports an unscored confidence', async () => {
    const t = await new OpenAiSpeechToText(settings({ sttModel: 'whisper-1' })).transcribe(tone());
    expect(t.text).toBe('show my inbox');
    expect(t.confidence).toBe(UNSCORED_CONFIDENCE);
    expect(ai.requests[0]!.fields['include[]']).toBeUndefined();
  });

  it('TTS streams PCM: audio decoded to the right length, first audio before the whole body', async () => {
    await ai.close();
    ai = await startFakeOpenAi({ apiKey: KEY, speechChunks: 4, speechChunkDelayMs: 200 });
    const tts = new OpenAiTextToSpeech(settings());
    const t0 = performance.now();
    const s = await tts.synthesize('Merged PR 12 in acme api.', { voice: 'en-us' });
    const totalMs = performance.now() - t0;
    expect(s.provider).toBe('openai');
    expect(s.audio.sampleRateHz).toBe(OPENAI_PCM_RATE_HZ);
    expect(s.audio.samples.length).toBe(6 * FAKE_SPEECH_SAMPLES_PER_WORD);
    // Three 200 ms pauses come after the first chunk: the first audio is measured before them.
    expect(s.firstAudioMs).toBeLessThan(totalMs - 400);
    // An espeak voice name is not sent to OpenAI: the configured default is.
    expect(ai.requests[0]!.fields).toMatchObject({ model: 'gpt-4o-mini-tts', voice: 'alloy', response_format: 'pcm', input: 'Merged PR 12 in acme api.' });
  });

  it('TTS in WAV (streamed header sizes) and with a chosen OpenAI voice', async () => {
    const s = await new OpenAiTextToSpeech(settings({ ttsFormat: 'wav' })).synthesize('one two three', { voice: 'coral' });
    expect(s.audio.samples.length).toBe(3 * FAKE_SPEECH_SAMPLES_PER_WORD);
    expect(s.audio.sampleRateHz).toBe(24_000);
    expect(ai.requests[0]!.fields).toMatchObject({ voice: 'coral', response_format: 'wav' });
  });

  it('a caller abort (barge-in) cancels the call without falling back', async () => {
    ai.faults.slow(5_000);
    const { stt, offline } = guardedStt();
    const ac = new AbortController();
    const p = stt.transcribe(tone(), { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(SpeechCallAbortedError);
    expect(offline.calls).toBe(0);
    expect(stt.health().ok).toBe(true);
  });
});

describe('failures fall back to the offline provider, said once', () => {
  it('500 → offline transcript with one notice; the next failure in the same outage says nothing; recovery re-arms it', async () => {
    ai.faults.serverError({ times: 2 });
    const { stt, offline } = guardedStt();
    const a = await stt.transcribe(tone());
    expect(a).toMatchObject({ provider: 'offline-test', text: 'what needs my attention', notice: 'The cloud speech service is unavailable; using offline speech.' });
    expect(stt.health()).toMatchObject({ provider: 'openai', ok: false, message: expect.stringMatching(/^degraded: .*OpenAI answered 500.*offline-test/) });
    const b = await stt.transcribe(tone());
    expect(b.provider).toBe('offline-test');
    expect(b.notice).toBeUndefined();
    const c = await stt.transcribe(tone());
    expect(c).toMatchObject({ provider: 'openai', text: 'show my inbox' });
    expect(c.notice).toBeUndefined();
    expect(stt.health()).toEqual({ provider: 'openai', ok: true, message: null });
    ai.faults.serverError();
    expect((await stt.transcribe(tone())).notice).toBeDefined();
    expect(offline.calls).toBe(3);
    expect(ai.count('transcriptions')).toBe(4);
  });

  it('timeout: the request is aborted at the deadline, then the offline provider answers', async () => {
    ai.faults.slow(10_000, { times: 1 });
    const { stt } = guardedStt({ sttDeadlineMs: 400 });
    const t0 = performance.now();
    const t = await stt.transcribe(tone());
    const took = performance.now() - t0;
    expect(t.provider).toBe('offline-test');
    expect(t.notice).toBeDefined();
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(5_000); // far below the fake's 10 s: the deadline, not the server, ended it
    expect(stt.health().message).toMatch(/no answer within 400 ms/);
    await sleep(50);
    const req = ai.requests[0]!;
    expect(req.clientAborted).toBe(true);
    expect(req.status).toBeNull();
    expect(req.endedAtMs! - req.startedAtMs).toBeLessThan(5_000);
  });

  it('TTS: a body that stalls past the deadline falls back to the offline voice, which speaks the notice', async () => {
    ai.faults.add({ endpoint: 'speech', action: { kind: 'stallBody', ms: 10_000 } });
    const offline = new CountingOfflineTts();
    const tts = new FallbackTextToSpeech(new OpenAiTextToSpeech(settings({ ttsDeadlineMs: 500 })), offline);
    const s = await tts.synthesize('Merged PR 12.', { voice: 'alloy' });
    expect(s.provider).toBe('offline-test-tts');
    expect(s.notice).toBe('The cloud speech service is unavailable; using offline speech.');
    // The notice is in the audio itself; the OpenAI voice name is not passed to the offline voice.
    expect(offline.said).toEqual([{ text: 'The cloud speech service is unavailable; using offline speech. Merged PR 12.', voice: undefined }]);
    await sleep(50);
    expect(ai.requests[0]!).toMatchObject({ status: 200, clientAborted: true });
  });

  it('connection reset → fallback', async () => {
    ai.faults.resetConnection();
    const { stt } = guardedStt();
    expect((await stt.transcribe(tone())).provider).toBe('offline-test');
    expect(stt.health().message).toMatch(/connection failed or reset/);
  });

  it('no retry storm: 500, 503, reset, 429 rate limit, slow → exactly one request per call (NET-2)', async () => {
    ai.faults.serverError();
    ai.faults.add({ action: { kind: 'status', status: 503 } });
    ai.faults.resetConnection();
    ai.faults.rateLimited({ retryAfterS: 0 });
    ai.faults.slow(5_000);
    const { stt, offline } = guardedStt({ sttDeadlineMs: 300 });
    for (let i = 0; i < 5; i++) expect((await stt.transcribe(tone())).provider).toBe('offline-test');
    expect(ai.count()).toBe(5);
    expect(offline.calls).toBe(5);
    // TTS too: one request per failing call.
    const tts = new OpenAiTextToSpeech(settings());
    ai.faults.serverError({ times: 3, endpoint: 'speech' });
    for (let i = 0; i < 3; i++) await expect(tts.synthesize('hello')).rejects.toBeInstanceOf(CloudSpeechError);
    expect(ai.count('speech')).toBe(3);
  });
});

describe('circuit breaker (NET-3)', () => {
  it('opens after 5 consecutive failures: later calls do not reach the server and fall back at once', async () => {
    ai.faults.serverError({ times: Infinity });
    const { stt, offline } = guardedStt();
    for (let i = 0; i < 5; i++) await stt.transcribe(tone());
    expect(ai.count()).toBe(5);
    expect(stt.guard.snapshot().state).toBe('open');
    for (let i = 0; i < 20; i++) expect((await stt.transcribe(tone())).provider).toBe('offline-test');
    expect(ai.count()).toBe(5);
    expect(offline.calls).toBe(25);
    expect(stt.health()).toMatchObject({ ok: false, message: expect.stringMatching(/^circuit open after 5 consecutive failures/) });
  });

  it('4 failures then a success keep it closed (consecutive, not total)', async () => {
    ai.faults.serverError({ times: 4 });
    const { stt } = guardedStt();
    for (let i = 0; i < 5; i++) await stt.transcribe(tone());
    ai.faults.serverError({ times: 4 });
    for (let i = 0; i < 4; i++) await stt.transcribe(tone());
    expect(stt.guard.snapshot().state).toBe('degraded');
    expect(ai.count()).toBe(9);
  });

  it('half-open: one probe per interval while down (concurrent callers do not all probe), closes after recovery', async () => {
    ai.faults.serverError({ times: Infinity });
    const { stt } = guardedStt({}, { halfOpenAfterMs: 300 });
    for (let i = 0; i < 5; i++) await stt.transcribe(tone());
    expect(ai.count()).toBe(5);
    await sleep(400);
    const burst = await Promise.all([stt.transcribe(tone()), stt.transcribe(tone()), stt.transcribe(tone())]);
    expect(burst.map((t) => t.provider)).toEqual(['offline-test', 'offline-test', 'offline-test']);
    expect(ai.count()).toBe(6); // exactly one probe, which failed: open again
    expect(stt.guard.snapshot().state).toBe('open');
    expect((await stt.transcribe(tone())).provider).toBe('offline-test');
    expect(ai.count()).toBe(6);
    ai.faults.clear();
    await sleep(400);
    expect(await stt.transcribe(tone())).toMatchObject({ provider: 'openai', text: 'show my inbox' });
    expect(stt.guard.snapshot().state).toBe('ok');
    expect(stt.health().ok).toBe(true);
    expect(ai.count()).toBe(7);
  });
});

describe('non-retryable errors stop cloud use until the settings change (NET-6)', () => {
  it('401: one request, then offline only; a new key re-enables it', async () => {
    let key = 'sk-test-revoked-key-000000000000';
    const { stt, offline } = guardedStt({ apiKey: () => key });
    const a = await stt.transcribe(tone());
    expect(a).toMatchObject({ provider: 'offline-test', notice: 'The cloud speech service rejected the API key; using offline speech until the settings change.' });
    for (let i = 0; i < 10; i++) {
      const t = await stt.transcribe(tone());
      expect(t.provider).toBe('offline-test');
      expect(t.notice).toBeUndefined();
    }
    expect(ai.count()).toBe(1);
    expect(offline.calls).toBe(11);
    const h = stt.health();
    expect(h).toMatchObject({ provider: 'openai', ok: false, message: expect.stringMatching(/^disabled: OpenAI answered 401 \(invalid_api_key\).*until the settings change/) });
    expect(JSON.stringify(h)).not.toContain(key);
    key = KEY;
    expect(await stt.transcribe(tone())).toMatchObject({ provider: 'openai', text: 'show my inbox' });
    expect(ai.count()).toBe(2);
  });

  it('429 insufficient_quota: not retried, not probed, said once', async () => {
    ai.faults.insufficientQuota({ times: Infinity });
    const { stt } = guardedStt({}, { halfOpenAfterMs: 100 });
    expect((await stt.transcribe(tone())).notice).toMatch(/out of quota/);
    await sleep(200); // longer than the half-open interval: still no probe
    for (let i = 0; i < 5; i++) expect((await stt.transcribe(tone())).notice).toBeUndefined();
    expect(ai.count()).toBe(1);
    expect(stt.guard.snapshot()).toMatchObject({ state: 'disabled', lastError: 'OpenAI answered 429 (insufficient_quota)' });
  });

  it('a plain 429 rate limit is transient: the next call tries again', async () => {
    ai.faults.rateLimited();
    const { stt } = guardedStt();
    expect((await stt.transcribe(tone())).provider).toBe('offline-test');
    expect((await stt.transcribe(tone())).provider).toBe('openai');
    expect(ai.count()).toBe(2);
  });

  it('no key: no request at all, offline with a notice', async () => {
    const { stt } = guardedStt({ apiKey: () => undefined });
    expect((await stt.transcribe(tone())).notice).toBe('No cloud speech API key is set; using offline speech.');
    expect(ai.count()).toBe(0);
    expect(stt.health().message).toMatch(/^disabled: no OpenAI API key is set/);
  });
});

describe('provider selection through config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hf-openai-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const env = (over: Record<string, string> = {}) => ({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'openai', HANDSFREE_TTS: 'openai', HANDSFREE_OPENAI_BASE_URL: ai.url, HANDSFREE_OPENAI_API_KEY: KEY, ...over });

  it('validates the choices and settings, with clear errors', () => {
    expect(loadConfig({ HANDSFREE_DATA_DIR: dir }).speech).toMatchObject({ stt: 'offline', tts: 'offline' });
    expect(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'pocketsphinx', HANDSFREE_TTS: 'espeak' }).speech).toMatchObject({ stt: 'offline', tts: 'offline' });
    const c = loadConfig(env({ HANDSFREE_OPENAI_STT_MODEL: 'whisper-1', HANDSFREE_OPENAI_VOICE: 'nova', HANDSFREE_OPENAI_TTS_FORMAT: 'wav', HANDSFREE_OPENAI_STT_TIMEOUT_MS: '1500' }));
    expect(c.speech).toMatchObject({ stt: 'openai', tts: 'openai', openai: { baseURL: ai.url, sttModel: 'whisper-1', ttsModel: 'gpt-4o-mini-tts', voice: 'nova', ttsFormat: 'wav', sttDeadlineMs: 1500, ttsDeadlineMs: 10_000 } });
    expect(c.speech.openai!.apiKey()).toBe(KEY);
    expect(JSON.stringify(c)).not.toContain(KEY); // the key is behind a function: never serialized
    expect(() => loadConfig(env({ HANDSFREE_STT: 'whisper' }))).toThrowError(/HANDSFREE_STT/);
    expect(() => loadConfig(env({ HANDSFREE_OPENAI_BASE_URL: 'not a url' }))).toThrowError(/HANDSFREE_OPENAI_BASE_URL/);
    expect(() => loadConfig(env({ HANDSFREE_OPENAI_TTS_FORMAT: 'mp3' }))).toThrowError(/HANDSFREE_OPENAI_TTS_FORMAT/);
    expect(() => loadConfig(env({ HANDSFREE_OPENAI_TTS_TIMEOUT_MS: '0' }))).toThrowError(/HANDSFREE_OPENAI_TTS_TIMEOUT_MS/);
  });

  it('settings.json selects openai; the key comes from a 0600 file (ignored when others can read it)', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ speech: { stt: 'openai', openai: { baseURL: ai.url, sttModel: 'gpt-4o-transcribe' } } }));
    const path = join(dir, OPENAI_KEY_FILE);
    writeFileSync(path, `${KEY}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
    const c = loadConfig({ HANDSFREE_DATA_DIR: dir });
    expect(c.speech).toMatchObject({ stt: 'openai', tts: 'offline', openai: { sttModel: 'gpt-4o-transcribe' } });
    expect(c.speech.openai!.apiKey()).toBe(KEY);
    chmodSync(path, 0o644);
    expect(c.speech.openai!.apiKey()).toBeUndefined();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ speech: { stt: 'openai', openai: { model: 'x' } } }));
    expect(() => loadConfig({ HANDSFREE_DATA_DIR: dir })).toThrowError(/speech\.openai/);
  });

  it('openai via config: cloud first, real offline providers (pocketsphinx, espeak-ng) on failure, one notice per turn', { timeout: 60_000 }, async () => {
    const speech = createSpeechProviders(loadConfig(env()).speech);
    try {
      expect(speech.stt.name).toBe('openai');
      expect(speech.tts.name).toBe('openai');
      expect(await speech.stt.transcribe(tone())).toMatchObject({ provider: 'openai', text: 'show my inbox' });
      expect((await speech.tts.synthesize('hello there')).provider).toBe('openai');
      expect(speech.health()).toEqual({ stt: { provider: 'openai', ok: true, message: null, last_error: null }, tts: { provider: 'openai', ok: true, message: null, last_error: null } });
      if (!hasSpeechTools()) return;
      ai.faults.serverError({ times: 2 });
      const t = await speech.stt.transcribe(await speak('what needs my attention', 'en-us'));
      expect(t).toMatchObject({ provider: 'offline-pocketsphinx', text: 'what needs my attention', notice: expect.stringMatching(/using offline speech/) });
      // Same outage, same turn: the TTS fallback does not repeat the notice.
      const s = await speech.tts.synthesize('You have three pull requests.');
      expect(s.provider).toBe(fliteAvailable() ? 'offline-flite' : 'offline-espeak-ng');
      expect(s.notice).toBeUndefined();
      expect(s.audio.samples.length).toBeGreaterThan(s.audio.sampleRateHz / 2);
      expect(speech.health().stt.message).toMatch(/degraded: .*offline-pocketsphinx/);
      // The cloud's failure is kept with its time, though the fallback answered.
      expect(speech.health().stt.last_error).toMatchObject({ message: expect.any(String), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      expect(speech.health().tts.last_error).toMatchObject({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    } finally {
      speech.close();
    }
  });
});

describe('/v1/status on the real app', () => {
  let dir: string;
  let app: App | undefined;
  let server: { url: string; close(): Promise<void> } | undefined;
  afterEach(async () => {
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the OpenAI provider ok, then the open breaker with its fallback, never the key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-openai-app-'));
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir, HANDSFREE_STT: 'openai', HANDSFREE_TTS: 'stub', HANDSFREE_OPENAI_BASE_URL: ai.url, HANDSFREE_OPENAI_API_KEY: KEY }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
    server = await startHttpServer({ service: app.service, apiKeys: app.store.repos.apiKeys, authMode: 'dev', port: 0, logger: SILENT_LOGGER });
    const status = async () => {
      const res = await fetch(new URL('/v1/status', server!.url));
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).not.toContain(KEY);
      return JSON.parse(text) as StatusResponse;
    };
    const speech = await app.speech();
    expect(await speech.stt.transcribe(tone())).toMatchObject({ provider: 'openai' });
    expect((await status()).speech).toEqual({ stt: { provider: 'openai', ok: true, message: null, last_error: null }, tts: { provider: 'stub', ok: true, message: expect.any(String), last_error: null }, vad: { provider: 'webrtc-vad', ok: true, message: null } });
    ai.faults.serverError({ times: Infinity });
    for (let i = 0; i < 5; i++) await speech.stt.transcribe(tone());
    const open = (await status()).speech!.stt;
    expect(open).toMatchObject({ provider: 'openai', ok: false });
    expect(open.message).toMatch(/^circuit open after 5 consecutive failures \(OpenAI answered 500 \(server_error\)\); using offline-pocketsphinx/);
    // Status keeps the cloud's last failure and when it happened.
    expect(open.last_error).toMatchObject({ message: expect.stringMatching(/500/), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    expect(ai.count('transcriptions')).toBe(6);
  });
});

describe('notices', () => {
  it('STT and TTS sharing one FallbackNotices say the outage once', () => {
    const n = new FallbackNotices();
    expect(n.take('unavailable')).toBeDefined();
    expect(n.take('open')).toBeUndefined();
    n.recovered();
    expect(n.take('quota')).toMatch(/quota/);
  });
});
