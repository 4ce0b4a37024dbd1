import { describe, expect, it } from 'vitest';
import { encodeWav, oggCodec, sniffAudio } from './wav.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

/** A first Ogg page: 27-byte header with `segments` lacing values, then the codec header. */
function oggPage(codecHeader: string | number[], segments = 1): Uint8Array {
  const header = [...bytes('OggS', [0, 2], new Array<number>(20).fill(0))];
  header.push(segments, ...new Array<number>(segments).fill(19));
  return Uint8Array.from([...header, ...bytes(codecHeader), ...new Array<number>(16).fill(0)]);
}

describe('sniffAudio / oggCodec: the bytes decide', () => {
  it('recognizes WAV, MP3 (ID3 and frame sync), OGG, FLAC, WebM', () => {
    expect(sniffAudio(encodeWav({ sampleRateHz: 16000, samples: new Int16Array(10) }))).toBe('wav');
    expect(sniffAudio(bytes('ID3', [3, 0, 0]))).toBe('mp3');
    expect(sniffAudio(bytes([0xff, 0xf3, 0x40, 0xc4]))).toBe('mp3');
    expect(sniffAudio(bytes('OggS', [0, 2]))).toBe('ogg');
    expect(sniffAudio(bytes('fLaC', [0]))).toBe('flac');
    expect(sniffAudio(bytes([0x1a, 0x45, 0xdf, 0xa3]))).toBe('webm');
  });
  it('does not take near misses: RIFF without WAVE, a frame sync with reserved layer, text', () => {
    expect(sniffAudio(bytes('RIFF', [0, 0, 0, 0], 'AVI '))).toBe('unknown');
    expect(sniffAudio(bytes([0xff, 0xe0, 0, 0]))).toBe('unknown');
    expect(sniffAudio(bytes('hello world'))).toBe('unknown');
    expect(sniffAudio(new Uint8Array(0))).toBe('unknown');
  });
  it('tells Opus from Vorbis inside Ogg, past the segment table', () => {
    expect(oggCodec(oggPage('OpusHead'))).toBe('opus');
    expect(oggCodec(oggPage([0x01, ...bytes('vorbis')], 3))).toBe('vorbis');
    expect(oggCodec(oggPage('Speex   '))).toBe('unknown');
    expect(oggCodec(oggPage([0x03, ...bytes('vorbis')]))).toBe('unknown');
    expect(oggCodec(bytes('OggS'))).toBe('unknown');
  });
});
