/**
 * Records one prompted phrase from the mic through the audio port (the add-on's capture, as the
 * voice loop uses it): waits for speech, keeps it until a pause, and returns it with a little
 * lead-in and tail. Used by `handsfree enroll` and the desktop enrollment screen.
 */
import type { CaptureSession, PcmChunk } from '../../core/ports/audio.js';
import type { PcmAudio, VoiceActivityDetector } from '../../core/ports/speech.js';
import { SpeechSegmenter } from '../../core/voice/segmenter.js';

export interface RecordPhraseOptions {
  /** Give up when no speech starts within this many ms. Default 8000. */
  startTimeoutMs?: number;
  /** Silence that ends the phrase, ms. Default 700 (people pause mid-phrase when reading). */
  hangoverMs?: number;
  /** Longest phrase, ms. Default 12000. */
  maxMs?: number;
  /** Audio kept before the onset and after the end, ms. Default 300. */
  marginMs?: number;
  signal?: AbortSignal;
}

/** Listens on an open capture session (16-bit mono at `vad.sampleRateHz`) for one phrase. */
export function recordPhrase(capture: CaptureSession, vad: VoiceActivityDetector, opts: RecordPhraseOptions = {}): Promise<PcmAudio> {
  const rate = vad.sampleRateHz;
  const n = vad.frameSamples;
  const frameMs = (n / rate) * 1000;
  const margin = Math.ceil((opts.marginMs ?? 300) / frameMs);
  const seg = new SpeechSegmenter({ frameMs, hangoverMs: opts.hangoverMs ?? 700, minSpeechMs: 250 });
  const startLimit = Math.ceil((opts.startTimeoutMs ?? 8000) / frameMs);
  const maxFrames = Math.ceil((opts.maxMs ?? 12_000) / frameMs);
  vad.reset();
  return new Promise<PcmAudio>((resolve, reject) => {
    const frames: Int16Array[] = [];
    let pending = new Int16Array(0);
    let startAt = -1;
    let done = false;
    const finish = (err: Error | null, endAt = frames.length): void => {
      if (done) return;
      done = true;
      off();
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) return reject(err);
      const picked = frames.slice(Math.max(0, startAt - margin), Math.min(frames.length, endAt + margin));
      const out = new Int16Array(picked.length * n);
      picked.forEach((f, i) => out.set(f, i * n));
      resolve({ sampleRateHz: rate, samples: out });
    };
    const onAbort = (): void => finish(new Error('recording cancelled'));
    opts.signal?.addEventListener('abort', onAbort);
    const onChunk = (c: PcmChunk): void => {
      if (done) return;
      const data = c.data instanceof Int16Array ? c.data : Int16Array.from(c.data, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
      const buf = new Int16Array(pending.length + data.length);
      buf.set(pending);
      buf.set(data, pending.length);
      let o = 0;
      for (; o + n <= buf.length && !done; o += n) {
        const f = buf.slice(o, o + n);
        frames.push(f);
        const edge = seg.push(vad.isSpeech(f));
        if (edge.type === 'start' && startAt < 0) startAt = frames.length - edge.framesBack;
        else if (edge.type === 'end' && startAt >= 0) finish(null, frames.length - edge.hangoverFrames);
        else if (edge.type === 'discard') startAt = -1;
        else if (startAt < 0 && frames.length >= startLimit) finish(new Error(`no speech heard within ${Math.round((startLimit * frameMs) / 1000)} s`));
        else if (startAt >= 0 && frames.length - startAt >= maxFrames) finish(null);
      }
      pending = buf.slice(o);
    };
    const off = capture.onChunk(onChunk);
  });
}
