/**
 * Capture dropouts seen from the level stream: the add-on stamps each level sample with the capture
 * time of its last frame, and samples follow each other every ~50–60 ms of audio. A jump in those
 * capture times means the device delivered nothing for that long (a suspended source, a stalled
 * driver, a device that stopped and came back): audio that was never captured. Device-reported
 * overflows (PortAudio paInputOverflow, PulseAudio overflow callback) and chunks dropped on the way
 * to JS are counted by the add-on itself; this adds the gaps it cannot flag.
 */

/** A jump in capture time longer than this is a dropout, ms (≈ 4 level periods: above timestamp jitter on a loaded box). */
export const DROPOUT_GAP_MS = 250;

export class CaptureGapCounter {
  private lastMs: number | null = null;
  private gapCount = 0;

  /** @param gapMs capture-time jump counted as one dropout, ms. */
  constructor(private readonly gapMs: number = DROPOUT_GAP_MS) {}

  /**
   * Feeds the capture timestamp of one level sample, ms (any monotonic clock, as the add-on reports).
   * @returns the gaps counted so far.
   */
  observe(captureMs: number): number {
    if (!Number.isFinite(captureMs)) return this.gapCount;
    // A timestamp going backwards (stream reopened on another clock origin) restarts the baseline.
    if (this.lastMs !== null && captureMs - this.lastMs > this.gapMs) this.gapCount++;
    this.lastMs = captureMs;
    return this.gapCount;
  }

  get gaps(): number {
    return this.gapCount;
  }
}
