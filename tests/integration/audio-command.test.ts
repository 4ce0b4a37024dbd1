/**
 * POST /v1/command with an audio body over real HTTP, against the real app (offline pocketsphinx +
 * espeak-ng, demo GitHub): the same route path as JSON commands, chosen by Content-Type; the
 * format is sniffed from the bytes; limits and broken uploads get clear typed errors. Plus
 * /v1/dev/audio uploads (dev auth mode only). Audio is spoken by espeak-ng at test time and
 * converted with sox / opusenc.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioCommandResponse, DevAudioView } from '../../contract/api.js';
import { createApp, type App } from '../../main/app/app.js';
import { loadConfig } from '../../main/app/config.js';
import { FixtureGitHubGateway } from '../../main/github/fixtureGitHubGateway.js';
import { SILENT_LOGGER } from '../../main/log/logger.js';
import { startHttpServer, type RunningHttpServer } from '../../main/server/httpServer.js';
import { appSpeechRoutes } from '../../main/app/wiring.js';
import { encodeWav, parseWav } from '../../main/speech/wav.js';
import { CAN_MP3, CAN_OPUS_ENC, hasSpeechTools, speakToWav } from './speech-audio.js';

const SOX_MP3 = CAN_MP3;
const OPUSENC = CAN_OPUS_ENC;

let dir: string;
let app: App;
let server: RunningHttpServer;
let wav: Uint8Array;

async function postAudio(body: Uint8Array, contentType: string, query = '', headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/v1/command${query}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const ct = res.headers.get('content-type') ?? '';
  const raw = new Uint8Array(await res.arrayBuffer());
  const json = ct.startsWith('application/json') ? (JSON.parse(Buffer.from(raw).toString('utf8')) as AudioCommandResponse & { error?: string; code?: string; message?: string }) : null;
  return { status: res.status, headers: res.headers, raw, json };
}

function convert(input: string, ext: string, cmd: 'sox' | 'opusenc'): Uint8Array {
  const out = join(dir, `cmd.${ext}`);
  if (cmd === 'sox') execFileSync('sox', [input, out]);
  else execFileSync('opusenc', ['--quiet', input, out]);
  return readFileSync(out);
}

describe.skipIf(!hasSpeechTools())('POST /v1/command with audio', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-audio-cmd-'));
    app = await createApp(loadConfig({ HANDSFREE_DATA_DIR: dir }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
    server = await startHttpServer({
      service: app.service,
      apiKeys: app.store.repos.apiKeys,
      authMode: 'dev',
      logger: SILENT_LOGGER,
      rateLimitPerMin: 100_000,
      requestTimeoutMs: 30_000,
      extraRoutes: appSpeechRoutes(app),
    });
    wav = readFileSync(await speakToWav('what needs my attention', 'en-us'));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a spoken WAV runs the command: transcript + command response JSON', async () => {
    const r = await postAudio(wav, 'audio/wav');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json!.transcript.text).toBe('what needs my attention');
    expect(r.json!.transcript.provider).toMatch(/pocketsphinx/);
    expect(r.json!.response!.intent.name).toBe('inbox.summary');
    expect(r.json!.spoken_text).toMatch(/notifications/);
    expect(r.json!.timings_ms.stt).toBeGreaterThan(0);
  }, 60_000);

  it('JSON commands on the same path still work (routing by Content-Type)', async () => {
    const res = await fetch(`${server.url}/v1/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'what needs my attention' }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { intent: { name: string } }).intent.name).toBe('inbox.summary');
  });

  it('?reply=wav answers with the spoken reply as WAV and the transcript in headers', async () => {
    const r = await postAudio(wav, 'audio/wav', '?reply=wav');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/wav');
    expect(decodeURIComponent(r.headers.get('x-transcript') ?? '')).toBe('what needs my attention');
    expect(r.headers.get('x-command-status')).toBe('ok');
    const reply = parseWav(r.raw);
    expect(reply.samples.length / reply.sampleRateHz).toBeGreaterThan(1);
    // Accept: audio/wav does the same.
    const viaAccept = await postAudio(wav, 'audio/wav', '', { accept: 'audio/wav' });
    expect(viaAccept.headers.get('content-type')).toBe('audio/wav');
  }, 60_000);

  it.skipIf(!SOX_MP3)('MP3 (sniffed, even when labelled octet-stream) runs the same command', async () => {
    const mp3 = convert(await speakToWav('what needs my attention', 'en-us'), 'mp3', 'sox');
    const r = await postAudio(mp3, 'application/octet-stream');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json!.response!.intent.name).toBe('inbox.summary');
  }, 60_000);

  it('OGG/Vorbis runs the same command', async () => {
    const ogg = convert(await speakToWav('what needs my attention', 'en-us'), 'ogg', 'sox');
    const r = await postAudio(ogg, 'audio/ogg');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json!.response!.intent.name).toBe('inbox.summary');
  }, 60_000);

  it.skipIf(!OPUSENC)('OGG/Opus runs the same command, whatever the header claims', async () => {
    const opus = convert(await speakToWav('what needs my attention', 'en-us'), 'opus', 'opusenc');
    // Labelled as WAV: the bytes decide, not the header.
    const r = await postAudio(opus, 'audio/wav');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json!.response!.intent.name).toBe('inbox.summary');
  }, 60_000);

  it('over 10 MB → 413 while streaming', async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(wav.subarray(0, 44));
    const r = await postAudio(big, 'audio/wav');
    expect(r.status).toBe(413);
    expect(r.json!.code).toBe('payload_too_large');
  }, 60_000);

  it('longer than 60 s → 422 with the length and the limit', async () => {
    const long = encodeWav({ sampleRateHz: 8000, samples: new Int16Array(8000 * 61) });
    expect(long.length).toBeLessThan(10 * 1024 * 1024);
    const r = await postAudio(long, 'audio/wav');
    expect(r.status).toBe(422);
    expect(r.json!).toMatchObject({ error: 'validation_failed', code: 'validation_failed', message: 'Audio is 61.0 s long; the limit is 60 s.' });
  });

  it.skipIf(!SOX_MP3)('a compressed file that decodes past 60 s → 422 (decoder output capped)', async () => {
    const src = join(dir, 'long.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', src, 'synth', '70', 'sine', '300']);
    const r = await postAudio(convert(src, 'mp3', 'sox'), 'audio/mpeg');
    expect(r.status).toBe(422);
    expect(r.json!.message!).toMatch(/longer than the limit of 60 s/);
  }, 60_000);

  it('corrupt audio → 422 with a clear message; unknown bytes → 415', async () => {
    const truncated = wav.slice(0, 30); // RIFF/WAVE header cut inside the fmt chunk
    const r1 = await postAudio(truncated, 'audio/wav');
    expect(r1.status).toBe(422);
    expect(r1.json!.code).toBe('validation_failed');
    expect(r1.json!.message!).toMatch(/WAV/);

    const badOgg = new Uint8Array(4000);
    badOgg.set(Buffer.from('OggS'));
    const r2 = await postAudio(badOgg, 'audio/ogg');
    expect(r2.status).toBe(415);
    expect(r2.json!.message!).toMatch(/neither Opus nor Vorbis/);

    const r3 = await postAudio(new TextEncoder().encode('definitely not audio, just text pretending'), 'audio/mpeg');
    expect(r3.status).toBe(415);
    expect(r3.json!).toMatchObject({ code: 'unsupported_media_type', message: expect.stringMatching(/Unrecognized audio format/) });
  });

  it.skipIf(!SOX_MP3)('an MP3 header followed by garbage → 422 (could not be decoded)', async () => {
    const junk = new Uint8Array(20_000);
    junk.set(Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000', 'latin1'));
    for (let i = 10; i < junk.length; i++) junk[i] = (i * 7919) % 251;
    const r = await postAudio(junk, 'audio/mpeg');
    expect([415, 422]).toContain(r.status);
    expect(r.json!.message!.length).toBeGreaterThan(10);
  }, 60_000);

  it('a content type neither JSON nor audio → 415 naming what is accepted', async () => {
    const r = await postAudio(wav, 'text/plain');
    expect(r.status).toBe(415);
    expect(r.json!.code).toBe('unsupported_media_type');
    expect(r.json!.message!).toContain('application/json');
    expect(r.json!.message!).toContain('audio/wav');
  });

  it('bad query options → 400', async () => {
    const r = await postAudio(wav, 'audio/wav', '?reply=mp4');
    expect(r.status).toBe(400);
    expect(r.json!.code).toBe('validation_failed');
  });

  it('/v1/dev/audio stores validated uploads, lists and deletes them (dev mode)', async () => {
    const up = await fetch(`${server.url}/v1/dev/audio`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav });
    expect(up.status).toBe(201);
    const view = (await up.json()) as DevAudioView;
    expect(view).toMatchObject({ container: 'wav', bytes: wav.length });
    expect(view.duration_ms).toBeGreaterThan(500);
    expect(existsSync(join(dir, 'dev-audio', `${view.id}.wav`))).toBe(true);
    // The same bytes again: the same entry, not a second file.
    expect((await fetch(`${server.url}/v1/dev/audio`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wav })).status).toBe(200);
    const bad = await fetch(`${server.url}/v1/dev/audio`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: new TextEncoder().encode('nope') });
    expect(bad.status).toBe(415);
    const list = (await (await fetch(`${server.url}/v1/dev/audio`)).json()) as { items: DevAudioView[] };
    expect(list.items.map((i) => i.id)).toEqual([view.id]);
    expect((await fetch(`${server.url}/v1/dev/audio/${view.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(join(dir, 'dev-audio', `${view.id}.wav`))).toBe(false);
    expect((await fetch(`${server.url}/v1/dev/audio/${view.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe.skipIf(!hasSpeechTools())('/v1/dev/audio outside dev mode', () => {
  it('is refused in api_key mode', async () => {
    const d = mkdtempSync(join(tmpdir(), 'hf-audio-key-'));
    const a = await createApp(loadConfig({ HANDSFREE_DATA_DIR: d, HANDSFREE_AUTH_MODE: 'api_key' }), { logger: SILENT_LOGGER, github: new FixtureGitHubGateway() });
    const admin = 'admin-token-for-tests-0123456789';
    const s = await startHttpServer({ service: a.service, apiKeys: a.store.repos.apiKeys, authMode: 'api_key', adminToken: admin, logger: SILENT_LOGGER, extraRoutes: appSpeechRoutes(a) });
    try {
      const k = await fetch(`${s.url}/v1/admin/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-token': admin }, body: JSON.stringify({ name: 't', user_id: 'u1' }) });
      const { key } = (await k.json()) as { key: string };
      const r = await fetch(`${s.url}/v1/dev/audio`, { method: 'POST', headers: { 'content-type': 'audio/wav', 'x-api-key': key }, body: encodeWav({ sampleRateHz: 16000, samples: new Int16Array(1600) }) });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { code: string }).code).toBe('forbidden');
      expect(existsSync(join(d, 'dev-audio'))).toBe(false);
    } finally {
      await s.close();
      await a.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
