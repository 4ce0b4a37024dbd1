/**
 * Signal levels for the voice loop's barge-in gate: the RMS level of a block of 16-bit PCM in dBFS,
 * and the per-frame level of a reply as its chunks arrive. Pure.
 */

/** Level reported for silence and empty input, dBFS (the log of 0 would be -Infinity). */
export const SILENCE_DBFS = -120;

/**
 * The lowest ambient floor a real microphone has, dBFS: below the self-noise of any mic and
 * preamp (about -70 to -60), above 16-bit dither (about -96). Quieter frames (digital silence from a
 * gated, muted or just-opened input) say nothing about the room: a floor taken from them would
 * make a dithered pause after a word look like speech.
 */
export const NO_SIGNAL_FLOOR_DBFS = -90;

/**
 * RMS level of 16-bit PCM samples, dBFS: 0 for a full-scale square wave (every sample at -32768),
 * about -6.02 at half amplitude, about -3.01 for a full-scale sine. Silence and an empty array give
 * `SILENCE_DBFS` (-120).
 */
export function rmsDbfs(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  const r = Math.sqrt(s / Math.max(1, x.length)) / 32768;
  return r > 0 ? 20 * Math.log10(r) : SILENCE_DBFS;
}

/**
 * Level (dBFS) of each frame-long slice of a reply, as its chunks arrive (any chunk size): `db[i]`
 * is the level of samples [i·n, (i+1)·n) of the whole reply, n = one frame at the reply's rate. A
 * slice's level is known as soon as its last sample has been pushed, so the barge-in gate knows the
 * echo before it can sound.
 */
export class ReplyLevels {
  /** Level of each complete slice so far (and the partial last one after flush()), dBFS. */
  readonly db: number[] = [];
  /** Samples per slice. */
  private readonly n: number;
  /** Pushed samples not yet making up a whole slice. */
  private rest: Int16Array = new Int16Array(0);

  /**
   * @param frameMs slice length, ms (the VAD frame).
   * @param sampleRateHz the reply's sample rate, Hz.
   */
  constructor(frameMs: number, sampleRateHz: number) {
    this.n = Math.max(1, Math.round((frameMs / 1000) * sampleRateHz));
  }

  /** Adds the next chunk of the reply (mono 16-bit samples). */
  push(chunk: Int16Array): void {
    const buf = new Int16Array(this.rest.length + chunk.length);
    buf.set(this.rest);
    buf.set(chunk, this.rest.length);
    let o = 0;
    for (; o + this.n <= buf.length; o += this.n) this.db.push(rmsDbfs(buf.subarray(o, o + this.n)));
    this.rest = buf.slice(o);
  }

  /** The reply is complete: adds the level of its partial last slice, if any. */
  flush(): void {
    if (this.rest.length > 0) this.db.push(rmsDbfs(this.rest));
    this.rest = new Int16Array(0);
  }
}
