/**
 * Audio bytes ↔ PCM: WAV parsing/writing, format sniffing from magic bytes (never the file name or
 * Content-Type), resampling, and decoding/encoding of compressed formats: MP3 and OGG/Vorbis through
 * sox (+ libsox-fmt-mp3), OGG/Opus through opus-tools (opusdec/opusenc).
 */
import { execFile } from 'node:child_process';
import { AppError, isAppError } from '../../contract/errors.js';
import type { PcmAudio } from '../../core/ports/speech.js';

export type AudioContainer = 'wav' | 'mp3' | 'ogg' | 'webm' | 'flac' | 'unknown';

/** Largest audio upload accepted, in bytes. */
export const MAX_AUDIO_BYTES = 10 * 1024 * 1024;
/** Longest audio accepted, in ms. */
export const MAX_AUDIO_MS = 60_000;

/** What the bytes are, by their magic numbers. */
export function sniffAudio(b: Uint8Array): AudioContainer {
  const ascii = (o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WAVE') return 'wav';
  if (b.length >= 4 && ascii(0, 4) === 'OggS') return 'ogg';
  if (b.length >= 4 && ascii(0, 4) === 'fLaC') return 'flac';
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'webm';
  if (b.length >= 3 && ascii(0, 3) === 'ID3') return 'mp3';
  if (b.length >= 2 && b[0] === 0xff && ((b[1] as number) & 0xe0) === 0xe0 && ((b[1] as number) & 0x06) !== 0) return 'mp3';
  return 'unknown';
}

/** Parses a PCM WAV (8/16/24/32-bit int or 32-bit float, any channel count) to mono 16-bit. */
export function parseWav(bytes: Uint8Array): PcmAudio {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (o: number): string => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.length < 12 || ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') throw new AppError('validation_failed', 'Not a WAV file (no RIFF/WAVE header).');
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let data: Uint8Array | null = null;
  let p = 12;
  while (p + 8 <= bytes.length) {
    const id = ascii(p);
    let size = dv.getUint32(p + 4, true);
    const body = p + 8;
    if (id === 'data' && (size === 0xffffffff || body + size > bytes.length)) size = bytes.length - body; // streamed WAVs
    if (body + size > bytes.length) throw new AppError('validation_failed', `The WAV file is truncated (chunk "${id}").`);
    if (id === 'fmt ') {
      if (size < 16) throw new AppError('validation_failed', 'The WAV format chunk is too short.');
      let format = dv.getUint16(body, true);
      if (format === 0xfffe && size >= 26) format = dv.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
      fmt = { format, channels: dv.getUint16(body + 2, true), rate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === 'data') {
      data = bytes.subarray(body, body + size);
    }
    p = body + size + (size % 2);
  }
  if (fmt === null || data === null) throw new AppError('validation_failed', 'The WAV file has no format or data chunk.');
  const { format, channels, rate, bits } = fmt;
  if (channels < 1 || channels > 8 || rate < 4000 || rate > 192_000) throw new AppError('validation_failed', `Unsupported WAV: ${channels} channels at ${rate} Hz.`);
  const okFormat = (format === 1 && [8, 16, 24, 32].includes(bits)) || (format === 3 && bits === 32);
  if (!okFormat) throw new AppError('validation_failed', `Unsupported WAV encoding (format ${format}, ${bits} bits); use PCM or float.`);
  const bps = bits / 8;
  const frames = Math.floor(data.length / (bps * channels));
  const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const o = (i * channels + c) * bps;
      let v: number;
      if (format === 3) v = ddv.getFloat32(o, true);
      else if (bits === 8) v = ((ddv.getUint8(o) - 128) / 128);
      else if (bits === 16) v = ddv.getInt16(o, true) / 32768;
      else if (bits === 24) v = ((ddv.getUint8(o) | (ddv.getUint8(o + 1) << 8) | (ddv.getInt8(o + 2) << 16)) / 8388608);
      else v = ddv.getInt32(o, true) / 2147483648;
      acc += v;
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round((acc / channels) * 32767)));
  }
  return { sampleRateHz: rate, samples: out };
}

/** A mono 16-bit PCM WAV file. */
export function encodeWav(a: PcmAudio): Uint8Array {
  const n = a.samples.length;
  const buf = new Uint8Array(44 + n * 2);
  const dv = new DataView(buf.buffer);
  const put = (o: number, s: string): void => {
    for (let i = 0; i < s.length; i++) buf[o + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  dv.setUint32(4, 36 + n * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, a.sampleRateHz, true);
  dv.setUint32(28, a.sampleRateHz * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  put(36, 'data');
  dv.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) dv.setInt16(44 + i * 2, a.samples[i] as number, true);
  return buf;
}

/** Linear-interpolation resampler (speech band only; good enough for STT input). */
export function resample(x: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (fromHz === toHz) return x;
  const n = Math.floor((x.length * toHz) / fromHz);
  const out = new Int16Array(n);
  const step = fromHz / toHz;
  // crude anti-aliasing when downsampling: average over the step
  const w = step > 1 ? Math.floor(step) : 1;
  for (let i = 0; i < n; i++) {
    const pos = i * step;
    const k = Math.floor(pos);
    if (w > 1) {
      let acc = 0;
      let c = 0;
      for (let j = 0; j < w && k + j < x.length; j++, c++) acc += x[k + j] as number;
      out[i] = c > 0 ? Math.round(acc / c) : 0;
    } else {
      const f = pos - k;
      const a = x[k] ?? 0;
      const b = x[k + 1] ?? a;
      out[i] = Math.round(a + (b - a) * f);
    }
  }
  return out;
}

/** Codec inside an Ogg container, from the first page's identification header. */
export function oggCodec(b: Uint8Array): 'opus' | 'vorbis' | 'unknown' {
  // The first Ogg page header is 27 bytes + one lacing byte per segment; the codec header follows.
  if (b.length < 28) return 'unknown';
  const start = 27 + (b[26] as number);
  const head = String.fromCharCode(...b.subarray(start, start + 8));
  if (head === 'OpusHead') return 'opus';
  if (head.slice(1, 7) === 'vorbis' && b[start] === 0x01) return 'vorbis';
  return 'unknown';
}

/** Bytes of a 16 kHz mono 16-bit WAV of `ms` milliseconds (plus header slack). */
function wavBytesFor(ms: number): number {
  return Math.ceil((ms / 1000) * 16_000) * 2 + 4096;
}

/**
 * Runs a decoder that writes 16 kHz mono WAV to stdout. Output is capped at `maxMs` of audio (+1 s)
 * so a tiny file that decodes to hours cannot fill memory; hitting the cap is "too long".
 */
function runDecoder(cmd: string, args: readonly string[], bytes: Uint8Array, what: string, maxMs: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'buffer', maxBuffer: wavBytesFor(maxMs + 1000), timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          reject(new AppError('validation_failed', `Audio is longer than the limit of ${maxMs / 1000} s.`, { reason: 'too_long' }));
        } else if (code === 'ENOENT') {
          reject(new AppError('unsupported_media_type', `${what} audio needs ${cmd}, which is not installed (scripts/setup installs it); send WAV instead.`));
        } else {
          const line = String(stderr).split('\n').find((l) => /fail|error|invalid|corrupt/i.test(l)) ?? (err.killed ? 'decoder timed out' : 'decoder failed');
          reject(new AppError('validation_failed', `The ${what} audio could not be decoded (corrupt or truncated?): ${line.replace(/^sox FAIL \w+: /, '').slice(0, 200)}`, { reason: 'corrupt' }));
        }
        return;
      }
      resolve(new Uint8Array(stdout));
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}

/** Runs sox to turn compressed audio (MP3, OGG/Vorbis, FLAC) into 16 kHz mono WAV bytes. */
export function soxToWav(bytes: Uint8Array, type: 'mp3' | 'ogg' | 'flac', timeoutMs = 20_000, maxMs = MAX_AUDIO_MS): Promise<Uint8Array> {
  const args = ['-t', type, '-', '-t', 'wav', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-'];
  return runDecoder('sox', args, bytes, type === 'ogg' ? 'OGG/Vorbis' : type.toUpperCase(), maxMs, timeoutMs);
}

/** Ogg/Opus → 16 kHz WAV with opusdec (Debian opus-tools; this sox build has no Opus). */
export function opusToWav(bytes: Uint8Array, timeoutMs = 20_000, maxMs = MAX_AUDIO_MS): Promise<Uint8Array> {
  return runDecoder('opusdec', ['--quiet', '--rate', '16000', '--force-wav', '-', '-'], bytes, 'OGG/Opus', maxMs, timeoutMs);
}

/**
 * Decodes uploaded audio of any supported container to mono PCM, enforcing the size and length
 * limits. The format comes from the bytes only. Throws AppError: payload_too_large (413),
 * unsupported_media_type (415), validation_failed (422 at the audio routes; details.reason
 * 'too_long' | 'corrupt') with a message that says what to send instead.
 */
export async function decodeAudio(bytes: Uint8Array, limits: { maxBytes?: number; maxMs?: number } = {}): Promise<PcmAudio & { container: AudioContainer }> {
  const maxBytes = limits.maxBytes ?? MAX_AUDIO_BYTES;
  const maxMs = limits.maxMs ?? MAX_AUDIO_MS;
  if (bytes.length > maxBytes) throw new AppError('payload_too_large', `Audio is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
  if (bytes.length === 0) throw new AppError('validation_failed', 'The audio is empty.', { reason: 'corrupt' });
  const container = sniffAudio(bytes);
  let pcm: PcmAudio;
  if (container === 'wav') {
    try {
      pcm = parseWav(bytes);
    } catch (e) {
      throw isAppError(e) ? new AppError(e.code, e.message, { reason: 'corrupt' }) : e;
    }
  } else if (container === 'ogg') {
    const codec = oggCodec(bytes);
    if (codec === 'opus') pcm = parseWav(await opusToWav(bytes, undefined, maxMs));
    else if (codec === 'vorbis') pcm = parseWav(await soxToWav(bytes, 'ogg', undefined, maxMs));
    else throw new AppError('unsupported_media_type', 'This Ogg file holds neither Opus nor Vorbis audio; send WAV, MP3 or OGG/Opus.');
  } else if (container === 'mp3' || container === 'flac') pcm = parseWav(await soxToWav(bytes, container, undefined, maxMs));
  else if (container === 'webm') throw new AppError('unsupported_media_type', 'WebM audio is not supported; send WAV, MP3 or OGG/Opus.');
  else throw new AppError('unsupported_media_type', 'Unrecognized audio format; send WAV, MP3 or OGG/Opus (detected from the bytes, not the name).');
  const ms = (pcm.samples.length / pcm.sampleRateHz) * 1000;
  if (ms > maxMs) throw new AppError('validation_failed', `Audio is ${(ms / 1000).toFixed(1)} s long; the limit is ${maxMs / 1000} s.`, { reason: 'too_long' });
  if (pcm.samples.length === 0) throw new AppError('validation_failed', 'The audio contains no samples.', { reason: 'corrupt' });
  return { ...pcm, container };
}

export type EncodedFormat = 'wav' | 'mp3' | 'opus';

/** MIME type per output format. */
export const AUDIO_CONTENT_TYPES: Readonly<Record<EncodedFormat, string>> = { wav: 'audio/wav', mp3: 'audio/mpeg', opus: 'audio/ogg; codecs=opus' };

function runEncoder(cmd: string, args: readonly string[], wav: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, stdout) => {
      if (err) {
        reject(new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} is not installed (scripts/setup installs it)` : `${cmd} failed: ${err.message.slice(0, 200)}`));
        return;
      }
      resolve(new Uint8Array(stdout));
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
  });
}

/**
 * Encodes mono PCM as WAV (in process), MP3 (sox + libsox-fmt-mp3) or Ogg/Opus (opusenc from
 * opus-tools). `timeoutMs` bounds the encoder process.
 */
export async function encodeAudio(a: PcmAudio, format: EncodedFormat, timeoutMs = 20_000): Promise<Uint8Array> {
  const wav = encodeWav(a);
  if (format === 'wav') return wav;
  if (format === 'mp3') return runEncoder('sox', ['-t', 'wav', '-', '-t', 'mp3', '-C', '64', '-'], wav, timeoutMs);
  return runEncoder('opusenc', ['--quiet', '--bitrate', '32', '-', '-'], wav, timeoutMs);
}
