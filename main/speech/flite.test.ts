import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fliteAvailable, FliteTextToSpeech, pcmFromWav, pdeathsigAvailable, splitClauses, trimLeadingSilence } from './flite.js';
import { OfflineTextToSpeech } from './offlineTts.js';
import { parseWav } from './wav.js';

describe('splitClauses', () => {
  it('splits after sentence and clause marks, keeping short pieces with the next (the first may be shorter)', () => {
    expect(splitClauses('17 notifications: 6 updates, 4 review requests and 3 mentions. First, review requested on PR 12 in acme/api.')).toEqual([
      '17 notifications:',
      '6 updates, 4 review requests and 3 mentions.',
      'First, review requested on PR 12 in acme/api.',
    ]);
    expect(splitClauses('Merged. Say next for the next one.')).toEqual(['Merged. Say next for the next one.']);
    // A short tail goes with the clause before it, never alone.
    expect(splitClauses('Merge PR 12 in acme slash api. Say confirm.')).toEqual(['Merge PR 12 in acme slash api. Say confirm.']);
    expect(splitClauses('Yes.')).toEqual(['Yes.']);
    expect(splitClauses('')).toEqual([]);
  });
});

describe('pcmFromWav', () => {
  it('reads 16-bit mono PCM and refuses anything else', () => {
    const h = Buffer.alloc(44);
    h.write('RIFF', 0, 'latin1');
    h.write('WAVE', 8, 'latin1');
    h.write('fmt ', 12, 'latin1');
    h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20);
    h.writeUInt16LE(1, 22);
    h.writeUInt32LE(16_000, 24);
    h.writeUInt16LE(16, 34);
    h.write('data', 36, 'latin1');
    const wav = Buffer.concat([h, Buffer.from([1, 0, 0xff, 0xff])]);
    const a = pcmFromWav(wav);
    expect(a.sampleRateHz).toBe(16_000);
    expect([...a.samples]).toEqual([1, -1]);
    expect(() => pcmFromWav(Buffer.alloc(0))).toThrow(/no audio/);
    expect(() => pcmFromWav(Buffer.from('RIFX....WAVE', 'latin1'))).toThrow(/unexpected WAV/);
  });
});

/** What the flite CLI says for `text` read from a file, in kal16 (with its leading silence). */
function cli(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'flite-ref-'));
  try {
    writeFileSync(join(dir, 'in.txt'), text);
    execFileSync('flite', ['-voice', 'kal16', '-f', join(dir, 'in.txt'), '-o', join(dir, 'o.wav')]);
    return parseWav(readFileSync(join(dir, 'o.wav')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!fliteAvailable())('FliteTextToSpeech', () => {
  it('says the same as the flite CLI, whole and clause by clause, from a fresh process and the spare', async () => {
    const tts = new FliteTextToSpeech();
    try {
      const text = 'Pull request twelve: fix the login redirect. Checks are passing, and two reviews are in.';
      const whole = await tts.synthesize(text);
      const ref = cli(text);
      expect(whole.provider).toBe('offline-flite');
      expect(whole.audio.sampleRateHz).toBe(ref.sampleRateHz);
      // flite's own audio, without all but 5 ms of its leading silence.
      expect([...whole.audio.samples]).toEqual([...trimLeadingSilence(ref.samples, ref.sampleRateHz)]);
      expect(whole.audio.samples.length).toBeLessThan(ref.samples.length - 0.15 * ref.sampleRateHz);
      for (let round = 0; round < 2; round++) {
        const st = await tts.synthesizeStream(text);
        const parts: Int16Array[] = [];
        for await (const c of st.chunks) parts.push(c);
        expect(parts.length).toBe(splitClauses(text).length);
        expect(parts.length).toBeGreaterThan(1);
        // Each clause is flite's own rendering of it.
        const first = cli(splitClauses(text)[0]!);
        expect(parts[0]!.length).toBe(trimLeadingSilence(first.samples, first.sampleRateHz).length);
      }
      expect(tts.health()).toEqual({ provider: 'offline-flite', ok: true, message: null });
    } finally {
      tts.close();
    }
  });

  it('cancel ends the stream without the clauses not yet made', async () => {
    const tts = new FliteTextToSpeech();
    try {
      const st = await tts.synthesizeStream('One clause is here, then another one follows. And a third one after it. And a fourth one to end.');
      const it = st.chunks[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      st.cancel();
      st.cancel();
      expect((await it.next()).done).toBe(true);
    } finally {
      tts.close();
    }
  });

  it('refuses a voice it does not have, and leaves no files behind after close', async () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('handsfree-flite-')).length;
    const tts = new FliteTextToSpeech();
    await expect(tts.synthesize('hello', { voice: 'en-us' })).rejects.toThrow(/unknown voice "en-us"/);
    await tts.synthesize('hello', { voice: 'flite-rms' });
    tts.close();
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('handsfree-flite-')).length).toBe(before);
  });

  it.skipIf(!pdeathsigAvailable())('its spare does not outlive an app killed without close() (kill -9)', async () => {
    // An app that starts a spare flite, prints its pid and waits; killed with SIGKILL, it cannot close().
    const script = `import { FliteTextToSpeech } from ${JSON.stringify(join(import.meta.dirname, 'flite.ts'))};
const t = new FliteTextToSpeech(); t.warmUp('flite-kal16');
for (let i = 0; i < 250 && !t['spare']; i++) await new Promise((r) => setTimeout(r, 20));
console.log(t['spare']?.child.child.pid ?? 'none'); setInterval(() => {}, 1000);`;
    const app = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(await new Promise<string>((resolve) => app.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    expect(pid).toBeGreaterThan(0);
    expect(running(pid)).toBe(true);
    app.kill('SIGKILL');
    await expect.poll(() => running(pid), { timeout: 5_000 }).toBe(false);
  });
});

/** Whether `pid` is a live process (a zombie, dead but not yet reaped, is not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('OfflineTextToSpeech', () => {
  const fake = (name: string, voices: string[]) => {
    const calls: (string | undefined)[] = [];
    return {
      calls,
      tts: {
        name,
        voices,
        synthesize: async (_t: string, o: { voice?: string } = {}) => (calls.push(o.voice), { audio: { sampleRateHz: 16_000, samples: new Int16Array(1) }, provider: name, firstAudioMs: 0 }),
        synthesizeStream: async (_t: string, o: { voice?: string } = {}) => (calls.push(o.voice), { sampleRateHz: 16_000, provider: name, firstAudioMs: 0, cancel: () => undefined, chunks: [] as never }),
        health: () => ({ provider: name, ok: true, message: null }),
        close: () => undefined,
        warmUp: () => undefined,
      },
    };
  };
  const make = (hasFlite: boolean) => {
    const f = fake('offline-flite', ['flite-kal16', 'flite-rms']);
    const e = fake('offline-espeak-ng', ['en-us', 'en-gb']);
    const t = new OfflineTextToSpeech({ flite: f.tts as never, espeak: e.tts as never, fliteAvailable: () => hasFlite });
    return { t, f, e };
  };

  it('speaks in flite by default when it is installed and routes each voice to the engine that has it', async () => {
    const { t, f, e } = make(true);
    expect(t.voices).toEqual(['flite-kal16', 'flite-rms', 'en-us', 'en-gb']);
    expect((await t.synthesize('hi')).provider).toBe('offline-flite');
    expect((await t.synthesizeStream('hi', { voice: 'flite-rms' })).provider).toBe('offline-flite');
    expect((await t.synthesize('hi', { voice: 'en-us' })).provider).toBe('offline-espeak-ng');
    expect((await t.synthesize('hi', { voice: 'en-gb' })).provider).toBe('offline-espeak-ng');
    expect(f.calls).toEqual([undefined, 'flite-rms']);
    expect(e.calls).toEqual(['en-us', 'en-gb']);
    expect(t.health().provider).toBe('offline-flite');
  });

  it('without flite, espeak-ng speaks every reply, also one asked in a flite voice', async () => {
    const { t, f, e } = make(false);
    expect(t.voices).toEqual(['en-us', 'en-gb']);
    expect((await t.synthesize('hi')).provider).toBe('offline-espeak-ng');
    expect((await t.synthesizeStream('hi', { voice: 'flite-kal16' })).provider).toBe('offline-espeak-ng');
    expect(f.calls).toEqual([]);
    expect(e.calls).toEqual([undefined, undefined]);
  });
});

describe('trimLeadingSilence', () => {
  it('drops the silence before the first sound but keepMs of it; all-silent audio stays as it is', () => {
    const x = new Int16Array(16_000);
    x[8_000] = 5_000;
    x[12_000] = 50; // below the threshold: silence
    expect(trimLeadingSilence(x, 16_000, 20).length).toBe(16_000 - 8_000 + 320);
    expect(trimLeadingSilence(x, 16_000, 0)[0]).toBe(5_000);
    expect(trimLeadingSilence(new Int16Array(100), 16_000)).toHaveLength(100);
    const loud = new Int16Array([3000, 0, 0]);
    expect(trimLeadingSilence(loud, 16_000)).toHaveLength(3);
  });
});

