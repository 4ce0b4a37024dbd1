import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EspeakTextToSpeech, espeakAvailable, parseWavHeader } from './espeak.js';

function header(opts: { channels?: number; bits?: number; rate?: number; extra?: boolean } = {}): Buffer {
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(opts.channels ?? 1, 10);
  fmt.writeUInt32LE(opts.rate ?? 22_050, 12);
  fmt.writeUInt32LE((opts.rate ?? 22_050) * 2, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(opts.bits ?? 16, 22);
  const list = opts.extra ? Buffer.concat([Buffer.from('LIST', 'latin1'), Buffer.from([3, 0, 0, 0, 1, 2, 3, 0])]) : Buffer.alloc(0);
  const data = Buffer.concat([Buffer.from('data', 'latin1'), Buffer.from([0x00, 0xf0, 0xff, 0x7f])]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.from([0x24, 0xf0, 0xff, 0x7f]), Buffer.from('WAVE', 'latin1'), fmt, list, data]);
}

describe('parseWavHeader (streamed WAV)', () => {
  it('finds the rate and the first sample, also past other chunks; asks for more while incomplete', () => {
    expect(parseWavHeader(header())).toEqual({ sampleRateHz: 22_050, dataOffset: 44 });
    expect(parseWavHeader(header({ extra: true }))).toEqual({ sampleRateHz: 22_050, dataOffset: 56 });
    expect(parseWavHeader(header().subarray(0, 30))).toBe('more');
    expect(parseWavHeader(header().subarray(0, 8))).toBe('more');
  });

  it('refuses anything but 16-bit mono PCM', () => {
    expect(parseWavHeader(header({ channels: 2 }))).toMatch(/2 channels/);
    expect(parseWavHeader(header({ bits: 8 }))).toMatch(/8 bits/);
    expect(parseWavHeader(Buffer.from('RIFX....WAVEfmt ', 'latin1'))).toMatch(/no RIFF/);
  });
});

describe.skipIf(!espeakAvailable())('EspeakTextToSpeech.synthesizeStream', () => {
  it('streams the samples espeak-ng writes, from a fresh process and from the spare', async () => {
    const tts = new EspeakTextToSpeech();
    try {
      const text = 'Pull request twelve: fix the login redirect. Checks are passing.';
      const wav = execFileSync('espeak-ng', ['-v', 'en-us', '-s', '165', '--stdout', '--stdin'], { input: text });
      const h = parseWavHeader(wav);
      if (typeof h !== 'object') throw new Error(`bad header: ${h}`);
      const raw = wav.subarray(h.dataOffset);
      const whole = { audio: { sampleRateHz: h.sampleRateHz, samples: Int16Array.from({ length: raw.length / 2 }, (_, i) => raw.readInt16LE(i * 2)) } };
      for (let round = 0; round < 2; round++) {
        const s = await tts.synthesizeStream(text);
        expect(s.sampleRateHz).toBe(whole.audio.sampleRateHz);
        const parts: Int16Array[] = [];
        for await (const c of s.chunks) parts.push(c);
        const joined = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) {
          joined.set(p, o);
          o += p.length;
        }
        expect(parts.length).toBeGreaterThan(1); // delivered as written, not at the end
        expect(joined).toEqual(whole.audio.samples);
        await new Promise((r) => setTimeout(r, 50)); // the spare starts after the reply
      }
    } finally {
      tts.close();
    }
  });

  it('cancel() ends the iteration at once; an unknown voice is refused', async () => {
    const tts = new EspeakTextToSpeech({ keepSpare: false });
    const s = await tts.synthesizeStream('This is a long reply. '.repeat(40));
    const it = s.chunks[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    s.cancel();
    let n = 0;
    while (!(await it.next()).done) n++;
    expect(n).toBeLessThan(50);
    await expect(tts.synthesizeStream('hi', { voice: 'en;rm -rf' })).rejects.toThrow(/unknown voice/);
  });
});
