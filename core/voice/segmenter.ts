/**
 * Smoothing of raw per-frame VAD decisions into utterances (speech.md: start after 3 voiced
 * frames, end after 300 ms of silence, drop segments < 200 ms). Pure: frames in, edges out.
 */

export interface SegmenterOptions {
  /** Frame length in ms (10, 20 or 30 for WebRTC VAD). */
  frameMs: number;
  /** Consecutive voiced frames before an utterance starts. Default 3. */
  onsetFrames?: number;
  /** Silence (ms) that ends an utterance (hangover). Default 300. */
  hangoverMs?: number;
  /** Utterances with less voiced audio than this (ms) are dropped as clicks/noise. Default 200. */
  minSpeechMs?: number;
}

export type SegmentEdge =
  | { type: 'none' }
  /** Speech started; `framesBack` frames (including this one) belong to the onset. */
  | { type: 'start'; framesBack: number }
  /** Speech ended `hangoverFrames` frames ago; `voicedMs` of voiced audio in the utterance. */
  | { type: 'end'; voicedMs: number; hangoverFrames: number }
  /** An utterance too short to keep ended. */
  | { type: 'discard'; voicedMs: number };

/** Onset/hangover state machine over raw VAD decisions. */
export class SpeechSegmenter {
  readonly frameMs: number;
  readonly onsetFrames: number;
  readonly hangoverFrames: number;
  readonly minSpeechMs: number;
  private voicedRun = 0;
  private silentRun = 0;
  private inSpeech = false;
  private voicedFrames = 0;

  constructor(opts: SegmenterOptions) {
    if (!(opts.frameMs > 0)) throw new RangeError('frameMs must be > 0');
    this.frameMs = opts.frameMs;
    this.onsetFrames = Math.max(1, Math.round(opts.onsetFrames ?? 3));
    this.hangoverFrames = Math.max(1, Math.round((opts.hangoverMs ?? 300) / opts.frameMs));
    this.minSpeechMs = opts.minSpeechMs ?? 200;
  }

  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Voiced audio in the current utterance, ms (0 outside speech). */
  get voicedMs(): number {
    return this.inSpeech ? this.voicedFrames * this.frameMs : 0;
  }

  /** Feeds one raw decision; returns the edge it causes, if any. */
  push(voiced: boolean): SegmentEdge {
    if (!this.inSpeech) {
      this.voicedRun = voiced ? this.voicedRun + 1 : 0;
      if (this.voicedRun >= this.onsetFrames) {
        this.inSpeech = true;
        this.voicedFrames = this.voicedRun;
        this.silentRun = 0;
        return { type: 'start', framesBack: this.voicedRun };
      }
      return { type: 'none' };
    }
    if (voiced) {
      this.voicedFrames++;
      this.silentRun = 0;
      return { type: 'none' };
    }
    this.silentRun++;
    if (this.silentRun < this.hangoverFrames) return { type: 'none' };
    const voicedMs = this.voicedFrames * this.frameMs;
    this.reset();
    return voicedMs < this.minSpeechMs ? { type: 'discard', voicedMs } : { type: 'end', voicedMs, hangoverFrames: this.hangoverFrames };
  }

  reset(): void {
    this.inSpeech = false;
    this.voicedRun = 0;
    this.silentRun = 0;
    this.voicedFrames = 0;
  }
}
