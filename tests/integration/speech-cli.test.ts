/**
 * `handsfree listen --wav` end to end (espeak-ng speech in → pocketsphinx → pipeline on the fixture
 * account → espeak-ng reply out) and `handsfree say`. The reply WAV is checked against the spoken
 * text by rendering that text again with the same TTS and comparing durations (±5%) and level;
 * the reply is not transcribed (the offline STT only knows the command grammar).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../main/speech/wav.js';
import { hasSpeechTools, speakToWav } from './speech-audio.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'hf-speech-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, HANDSFREE_DATA_DIR: join(dir, 'data'), HANDSFREE_MODE: 'fixture' };

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', ['bin/handsfree.js', ...args], { env, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const seconds = (path: string): number => {
  const a = parseWav(readFileSync(path));
  return a.samples.length / a.sampleRateHz;
};

describe.skipIf(!hasSpeechTools())('handsfree listen / say', () => {
  it('runs one voice turn from a WAV and writes a reply WAV that speaks the spoken_text', async () => {
    const input = await speakToWav('what needs my attention', 'en-us');
    const out = join(dir, 'reply.wav');
    const r = await cli(['listen', '--wav', input, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { transcript: string; spoken_text: string; response: { intent: { name: string } } };
    expect(res.transcript).toBe('what needs my attention');
    expect(res.response.intent.name).toBe('inbox.summary');
    expect(res.spoken_text).toMatch(/notifications/);
    const again = join(dir, 'again.wav');
    expect((await cli(['say', res.spoken_text, '--out', again])).code).toBe(0);
    const d1 = seconds(out);
    const d2 = seconds(again);
    expect(d1).toBeGreaterThan(3);
    expect(Math.abs(d1 - d2) / d2).toBeLessThan(0.05);
  }, 120_000);

  it('says which command it heard but would not act on (Transcript.unsure), and runs nothing', async () => {
    const { render } = await import('./speech-eval.js');
    const { encodeWav } = await import('../../main/speech/wav.js');
    // Headset-band clips the offline rule rejected by its background margin when this was written.
    const clips = [['mark it done', 'espeak:en-us+f3'], ['ask the agent to fix issue nine eighteen', 'espeak:en-us']] as const;
    let offered = 0;
    for (const [text, voice] of clips) {
      const path = join(dir, `unsure-${offered}-${voice.replace(/\W/g, '')}.wav`);
      writeFileSync(path, encodeWav(await render(text, voice, { noise: 'clean', snrDb: 0, channel: 'hfp8' }, 0)));
      const r = await cli(['listen', '--wav', path, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as { transcript: string; unsure: string | null; response: unknown };
      if (res.transcript !== '') continue;
      if (res.unsure === null) continue;
      expect(res.response).toBeNull();
      const human = await cli(['listen', '--wav', path]);
      expect(human.stderr).toContain(`handsfree: heard "${res.unsure}" but not clearly enough to act on it; if that is right, run: handsfree ask "${res.unsure}"`);
      offered++;
    }
    expect(offered).toBeGreaterThan(0);
  }, 240_000);

  it('answers "I didn\'t catch that" for noise, without running a command', async () => {
    const noise = join(dir, 'silence.wav');
    const samples = new Int16Array(16000);
    const { encodeWav } = await import('../../main/speech/wav.js');
    writeFileSync(noise, encodeWav({ sampleRateHz: 16000, samples }));
    const r = await cli(['listen', '--wav', noise, '--json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as { transcript: string; spoken_text: string; response: unknown };
    expect(res.transcript).toBe('');
    expect(res.response).toBeNull();
    expect(res.spoken_text).toMatch(/didn't catch that/);
  }, 120_000);

  it('refuses corrupt and unknown audio with a clear message', async () => {
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEjunk'));
    const r1 = await cli(['listen', '--wav', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/WAV/);
    const txt = join(dir, 'notes.mp3');
    writeFileSync(txt, 'hello, this is text pretending to be audio');
    const r2 = await cli(['listen', '--wav', txt]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/Unrecognized audio format/);
    expect((await cli(['say', 'hello'])).stderr).toMatch(/--out/);
  }, 60_000);
});
