/**
 * POST /v1/tts over real HTTP against the real app: WAV / MP3 / Ogg-Opus bytes with the right
 * content type (checked by sniffing and decoding them), the time-to-first-audio header, the LRU
 * cache keyed by (provider, voice, format, text) — a second identical call does not reach the
 * provider — and the text limit and sanitizing (PI-5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TtsProviderName } from '../../contract/api.js';
import type { Speech, SynthesizeOptions, TextToSpeech } from '../../core/ports/speech.js';
import { NO_METRICS } from '../../core/ports/metrics.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startHttpServer, type RunningHttpServer } from '../../main/server/httpServer.js';
import { EspeakTextToSpeech, espeakAvailable } from '../../main/speech/espeak.js';
import { fliteAvailable } from '../../main/speech/flite.js';
import { appSpeechRoutes } from '../../main/app/wiring.js';
import { speechRoutes } from '../../main/speech/routes.js';
import { StubTextToSpeech } from '../../main/speech/stub.js';
import { TtsService } from '../../main/speech/ttsService.js';
import { decodeAudio, oggCodec, parseWav, sniffAudio } from '../../main/speech/wav.js';
import { CAN_MP3, CAN_OPUS } from './speech-audio.js';


/** The real provider, with every call to it counted and its texts recorded. */
class CountingTts implements TextToSpeech {
  calls: string[] = [];
  constructor(private readonly inner: TextToSpeech) {}
  get name(): string {
    return this.inner.name;
  }
  get voices(): readonly string[] {
    return this.inner.voices;
  }
  synthesize(text: string, opts?: SynthesizeOptions): Promise<Speech> {
    this.calls.push(text);
    return this.inner.synthesize(text, opts);
  }
  health() {
    return this.inner.health();
  }
}

let dir: string;
let app: App;
let server: RunningHttpServer;
let offline: CountingTts;
let stub: CountingTts;

async function tts(body: unknown) {
  const res = await fetch(`${server.url}/v1/tts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const json = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as { error: string; code: string; message: string }) : null;
  return { status: res.status, headers: res.headers, bytes, json };
}

describe.skipIf(!espeakAvailable())('POST /v1/tts', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-tts-'));
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
    offline = new CountingTts(new EspeakTextToSpeech());
    stub = new CountingTts(new StubTextToSpeech());
    const providers: Record<TtsProviderName, TextToSpeech> = { offline, stub, openai: stub };
    // The app's routes, with the TTS service's providers counted (the rest is the app's own).
    const real = appSpeechRoutes(app).filter((r) => r.path !== '/v1/tts');
    const ttsOnly = speechRoutes({
      service: app.service,
      speech: () => app.speech(),
      tts: new TtsService({ providerFor: (k) => providers[k], defaultProvider: 'offline', metrics: app.metrics, monotonicMs: () => performance.now() }),
      metrics: app.metrics,
      monotonicMs: () => performance.now(),
      nowMs: () => Date.now(),
      authMode: 'dev',
      devAudioDir: join(dir, 'dev-audio'),
    }).filter((r) => r.path === '/v1/tts');
    server = await startHttpServer({ service: app.service, apiKeys: app.store.repos.apiKeys, authMode: 'dev', logger: SILENT_LOGGER, rateLimitPerMin: 100_000, extraRoutes: [...real, ...ttsOnly] });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('WAV: audio/wav bytes of the spoken text, time-to-first-audio header', async () => {
    const r = await tts({ text: 'Merged PR 12 in acme/api.', format: 'wav' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/wav');
    expect(sniffAudio(r.bytes)).toBe('wav');
    const pcm = parseWav(r.bytes);
    expect(pcm.samples.length / pcm.sampleRateHz).toBeGreaterThan(1);
    expect(Number(r.headers.get('x-tts-first-audio-ms'))).toBeGreaterThan(0);
    expect(r.headers.get('x-tts-cache')).toBe('miss');
    expect(r.headers.get('x-tts-provider')).toBe('offline-espeak-ng');
    expect(r.headers.get('x-tts-voice')).toBe('en-us');
  });

  it('a second identical call is served from the cache: the provider is not called again', async () => {
    const body = { text: 'Cache me if you can.', voice: 'en-us+f3', format: 'wav' };
    const first = await tts(body);
    const callsAfterFirst = offline.calls.length;
    const second = await tts(body);
    expect(second.status).toBe(200);
    expect(offline.calls.length).toBe(callsAfterFirst);
    expect(offline.calls.filter((t) => t === 'Cache me if you can.')).toHaveLength(1);
    expect(second.headers.get('x-tts-cache')).toBe('hit');
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    // Any part of the key differing is a new synthesis: voice, format, provider, text.
    await tts({ ...body, voice: 'en-us' });
    await tts({ ...body, text: 'Cache me if you can!' });
    expect(offline.calls.filter((t) => t.startsWith('Cache me'))).toHaveLength(3);
    await tts({ ...body, provider: 'stub', voice: 'stub' });
    expect(stub.calls).toEqual(['Cache me if you can.']);
    const m = (await (await fetch(`${server.url}/v1/metrics`)).json()) as { counters: Record<string, number> };
    expect(m.counters['tts.cache_hit']).toBeGreaterThanOrEqual(1);
  });

  it('concurrent identical requests share one synthesis', async () => {
    const before = offline.calls.length;
    const rs = await Promise.all(Array.from({ length: 5 }, () => tts({ text: 'All at once.', format: 'wav' })));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(offline.calls.length - before).toBe(1);
  });

  it.skipIf(!CAN_MP3)('MP3: audio/mpeg that decodes back to the same length', async () => {
    const r = await tts({ text: 'Checks are passing on PR 12.', format: 'mp3' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/mpeg');
    expect(sniffAudio(r.bytes)).toBe('mp3');
    const pcm = await decodeAudio(r.bytes);
    const ms = (pcm.samples.length / pcm.sampleRateHz) * 1000;
    expect(Math.abs(ms - Number(r.headers.get('x-audio-duration-ms')))).toBeLessThan(200);
  });

  it.skipIf(!CAN_OPUS)('Opus: Ogg/Opus bytes with audio/ogg; codecs=opus', async () => {
    const r = await tts({ text: 'Checks are passing on PR 12.', format: 'opus' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/ogg; codecs=opus');
    expect(sniffAudio(r.bytes)).toBe('ogg');
    expect(oggCodec(r.bytes)).toBe('opus');
    const pcm = await decodeAudio(r.bytes);
    expect(pcm.samples.length / pcm.sampleRateHz).toBeGreaterThan(1);
  });

  it('text over 4,096 chars, empty text, unknown format/voice/provider → 400 with the field', async () => {
    const long = await tts({ text: 'a'.repeat(4097), format: 'wav' });
    expect(long.status).toBe(400);
    expect(long.json!.message).toMatch(/4096/);
    expect((await tts({ text: 'a'.repeat(4096), format: 'wav' })).status).toBe(200);
    expect((await tts({ text: '', format: 'wav' })).status).toBe(400);
    const fmt = await tts({ text: 'hi', format: 'flac' });
    expect(fmt.status).toBe(400);
    expect(fmt.json!.message).toMatch(/format/);
    const voice = await tts({ text: 'hi', voice: 'klingon' });
    expect(voice.status).toBe(400);
    expect(voice.json!.message).toMatch(/Unknown voice "klingon"/);
    expect((await tts({ text: 'hi', provider: 'acme' })).status).toBe(400);
    expect((await tts({ text: 'hi', extra: 1 })).status).toBe(400);
  }, 60_000);

  it('text is sanitized: invisible/control characters dropped before synthesis and keying', async () => {
    const before = offline.calls.length;
    const r = await tts({ text: 'Hello\u202e\u200b world\u0007 https://evil.example/x?y=1', format: 'wav' });
    expect(r.status).toBe(200);
    expect(offline.calls.slice(before)).toEqual(['Hello world a link to evil.example']);
    const onlyInvisible = await tts({ text: '\u200b\u202e\u0007', format: 'wav' });
    expect(onlyInvisible.status).toBe(400);
    expect(onlyInvisible.json!.message).toMatch(/empty/);
  });

  it('the app-wired route (no injected provider) synthesizes with the configured offline provider', async () => {
    const s = await startHttpServer({ service: app.service, apiKeys: app.store.repos.apiKeys, authMode: 'dev', logger: SILENT_LOGGER, extraRoutes: appSpeechRoutes(app) });
    try {
      const res = await fetch(`${s.url}/v1/tts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Real app.', format: 'wav' }) });
      expect(res.status).toBe(200);
      // The default offline voice is flite's kal16 (clearer) when flite is installed, else espeak-ng's.
      expect(res.headers.get('x-tts-provider')).toBe(fliteAvailable() ? 'offline-flite' : 'offline-espeak-ng');
      expect(sniffAudio(new Uint8Array(await res.arrayBuffer()))).toBe('wav');
      // An espeak-ng voice is spoken by espeak-ng; a flite voice by flite.
      const e = await fetch(`${s.url}/v1/tts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Real app.', format: 'wav', voice: 'en-us' }) });
      expect(e.headers.get('x-tts-provider')).toBe('offline-espeak-ng');
      if (fliteAvailable()) {
        const f = await fetch(`${s.url}/v1/tts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Real app.', format: 'wav', voice: 'flite-kal16' }) });
        expect(f.status).toBe(200);
        expect(f.headers.get('x-tts-provider')).toBe('offline-flite');
        const pcm = parseWav(new Uint8Array(await f.arrayBuffer()));
        expect(pcm.samples.length / pcm.sampleRateHz).toBeGreaterThan(0.3);
      }
    } finally {
      await s.close();
    }
  });
});

describe('TtsService cache bounds', () => {
  it('evicts least recently used entries beyond maxEntries', async () => {
    const inner = new CountingTts(new StubTextToSpeech());
    const svc = new TtsService({ providerFor: () => inner, defaultProvider: 'stub', metrics: NO_METRICS, monotonicMs: () => performance.now(), maxEntries: 2 });
    const say = (text: string) => svc.synthesize({ text, format: 'wav' });
    await say('one');
    await say('two');
    await say('one'); // one is now most recent
    await say('three'); // evicts two
    expect(svc.stats().entries).toBe(2);
    await say('one');
    expect(inner.calls).toEqual(['one', 'two', 'three']);
    await say('two');
    expect(inner.calls).toEqual(['one', 'two', 'three', 'two']);
  });

  it('keeps total bytes under maxBytes', async () => {
    const inner = new StubTextToSpeech();
    const svc = new TtsService({ providerFor: () => inner, defaultProvider: 'stub', metrics: NO_METRICS, monotonicMs: () => performance.now(), maxBytes: 100_000 });
    for (let i = 0; i < 20; i++) await svc.synthesize({ text: `word ${i} and some more words here`, format: 'wav' });
    expect(svc.stats().bytes).toBeLessThanOrEqual(100_000);
    expect(svc.stats().entries).toBeGreaterThan(0);
  });
});
