import { describe, expect, it } from 'vitest';
import type { CaptureSession, PcmChunk, PlaybackSession } from '../../core/ports/audio.js';
import { BulkDelay, MicTimeline, withEchoCancellation } from './echoCancel.js';
import type { AddonAudio } from './types.js';

/** Speech-like frame energies: bursts and pauses (deterministic). */
function envelope(n: number): number[] {
  const out: number[] = [];
  let h = 12345;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    const burst = Math.floor(i / 7) % 3 !== 0;
    out.push(burst ? 1e6 * (1 + (h % 1000) / 100) : 1e3);
  }
  return out;
}

describe('BulkDelay', () => {
  for (const lag of [-7, 0, 6, 24]) {
    it(`finds an echo ${lag * 20} ms after the reply as written`, () => {
      const ref = envelope(400);
      const b = new BulkDelay(20);
      let last: number | null = null;
      for (let t = 0; t < ref.length; t++) {
        const mic = 0.1 * (ref[t - lag] ?? 1e3) + 500;
        const r = b.push(mic, ref[t]!, ref[t]! > 1e4);
        if (r !== null) last = r;
      }
      expect(last).toBe(lag * 20);
    });
  }

  it('keeps the delay in use unless another correlates clearly better; moves when the echo has moved', () => {
    const ref = envelope(400);
    const run = (mic: (t: number) => number, currentMs: number) => {
      const b = new BulkDelay(20);
      const got: number[] = [];
      for (let t = 0; t < ref.length; t++) {
        const r = b.push(mic(t), ref[t]!, ref[t]! > 1e4, currentMs);
        if (r !== null) got.push(r);
      }
      return got;
    };
    // Two echoes (a weak path, a reflection), the later slightly stronger: no jump away from 120 ms.
    const two = (t: number) => 0.45 * (ref[t - 6] ?? 1e3) + 0.55 * (ref[t - 24] ?? 1e3) + 500;
    expect(run(two, 120).filter((ms) => ms !== 120)).toEqual([]);
    expect(run(two, 480)).not.toContain(120);
    // The echo only at 480 ms now: found, whatever was in use.
    expect(run((t) => 0.1 * (ref[t - 24] ?? 1e3) + 500, 120)).toContain(480);
  });

  it('says nothing when the mic does not follow the reply', () => {
    const ref = envelope(400);
    const noise = envelope(400).reverse();
    const b = new BulkDelay(20);
    const got: number[] = [];
    for (let t = 0; t < ref.length; t++) {
      const r = b.push(noise[(t * 7) % 400]!, ref[t]!, true);
      if (r !== null) got.push(r);
    }
    expect(got).toEqual([]);
  });
});

/**
 * A device whose mic chunks the test pushes (`push`), on the clock `nowMs` (default: always 0),
 * with `sink`: true for one that plays nothing, false for none.
 */
function scriptedDevice(sink: AddonAudio['sink'] | boolean, nowMs: () => number = () => 0): { audio: AddonAudio; push: (c: PcmChunk) => void } {
  let listener: ((c: PcmChunk) => void) | null = null;
  const audio: AddonAudio = {
    nowMs,
    source: {
      available: true,
      unavailableReason: null,
      listDevices: async () => [],
      watchRoutes: (_l, onReady) => (onReady?.(), () => {}),
      openCapture: async (): Promise<CaptureSession> => ({ onChunk: (l) => ((listener = l), () => (listener = null)), onLevel: () => () => {}, onRoute: () => () => {}, pause() {}, resume() {}, close() {} }),
    },
    sink:
      sink === true
        ? {
            available: true,
            openPlayback: async (): Promise<PlaybackSession> => ({ write: async () => {}, drain: async () => {}, stop() {}, position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }), onRoute: () => () => {}, close() {} }),
          }
        : sink === false
          ? { available: false, openPlayback: async () => Promise.reject(new Error('no sink')) }
          : sink,
  };
  return { audio, push: (c) => listener?.(c) };
}

/** A canceller over `audio` that records the first reference sample of each 10 ms half it is fed, with its capture and a playback open. */
async function referenceStarts(audio: AddonAudio): Promise<{ starts: number[]; out: PlaybackSession }> {
  const starts: number[] = [];
  const ec = withEchoCancellation(audio, {
    create: ({ sampleRateHz, frameSamples }) => ({ sampleRateHz, frameSamples, process: (mic, ref) => (starts.push(ref[0] as number), mic), reset() {}, close() {} }),
  });
  const cap = await ec.source.openCapture({ sampleRateHz: 16_000, channels: 1 });
  cap.onChunk(() => {});
  return { starts, out: await ec.sink.openPlayback({ sampleRateHz: 16_000, channels: 1 }) };
}

describe('withEchoCancellation: timing', () => {
  it("stamps the canceller's output with the time of the frame it carries (a canceller one frame late)", async () => {
    const { audio, push } = scriptedDevice(false);
    let previous: Int16Array | null = null;
    const sizes: number[] = [];
    const ec = withEchoCancellation(audio, {
      create: ({ sampleRateHz, frameSamples }) => (
        sizes.push(frameSamples),
        {
          sampleRateHz,
          frameSamples,
          latencySamples: frameSamples,
          process: (mic) => {
            const out = previous ?? new Int16Array(frameSamples);
            previous = mic;
            return out;
          },
          reset() {},
          close() {},
        }
      ),
    });
    const cap = await ec.source.openCapture({ sampleRateHz: 16_000, channels: 1 });
    // Cancelled in 10 ms halves of each 20 ms frame: the lag a turn waits for is 10 ms.
    expect(sizes).toEqual([160]);
    const got: { first: number; middle: number; at: number }[] = [];
    cap.onChunk((c) => got.push({ first: (c.data as Int16Array)[0] as number, middle: (c.data as Int16Array)[160] as number, at: c.captureTimestampMs }));
    // Frame k (k = 1…5) is filled with k and captured at 1000 + 20·k ms.
    for (let k = 1; k <= 5; k++) push({ sampleRateHz: 16_000, channels: 1, format: 'int16', data: new Int16Array(320).fill(k), frames: 320, captureTimestampMs: 1000 + 20 * k, seq: k, preRoll: false });
    // Each chunk carries the second half of frame k − 1, then the first half of frame k, stamped with when that second half was captured.
    const carried = got.filter((g) => g.first > 0);
    expect(carried).toHaveLength(4);
    for (const g of carried) {
      expect(g.middle).toBe(g.first + 1);
      expect(g.at).toBe(1000 + 20 * g.first + 10);
    }
  });
});

describe('withEchoCancellation: the mic timeline', () => {
  it('runs the reference on the mic sample count: capture stamps that jitter do not move it, a gap does', async () => {
    const { audio, push } = scriptedDevice(true);
    // The reply is a ramp, so the reference tells the reply's sample index.
    const { starts, out } = await referenceStarts(audio);
    await out.write(new Int16Array(16_000 * 2).map((_, i) => i % 30_000));
    const chunk = (atMs: number) => push({ sampleRateHz: 16_000, channels: 1, format: 'int16', data: new Int16Array(320), frames: 320, captureTimestampMs: atMs, seq: 0, preRoll: false });
    // PulseAudio's stamps jitter by up to ~0.5 ms (7 samples at 16 kHz) about the samples' times.
    const jitterMs = [0, 0.4, -0.3, 0.2, 0, -0.45, 0.3, 0];
    jitterMs.forEach((j, k) => chunk(20 * k + j));
    expect(starts).toEqual(Array.from({ length: 16 }, (_, i) => i * 160));
    // A callback that ran 6 ms late: its chunk is where the samples say, not where its stamp does.
    chunk(20 * 8 + 6);
    expect(starts.slice(16)).toEqual([8 * 320, 8 * 320 + 160]);
  });

  it('MicTimeline follows the sample count; a late stamp does not move it, lost samples and an early stamp do', () => {
    const t = new MicTimeline(3, 5);
    expect([0, 20.4, 39.7, 66, 80.2].map((ms) => t.next(ms, 20))).toEqual([0, 20, 40, 60, 80]);
    // 20 ms of samples lost: every stamp from here is 20 ms later than the count says; followed
    // once the last 5 agree.
    expect([120, 140, 160.3, 180, 200].map((ms) => t.next(ms, 20))).toEqual([100, 120, 140, 160, 200]);
    expect(t.next(220, 20)).toBe(220);
    // A stamp earlier than the timeline (it was anchored on a late one): followed at once.
    expect(t.next(236, 20)).toBe(236);
    expect(t.next(256.2, 20)).toBe(256);
    // Capture paused and resumed 2 s later: followed at once.
    expect(t.next(2276, 20)).toBe(2276);
    expect(t.next(2296.4, 20)).toBe(2296);
  });
});

describe('withEchoCancellation: replies placed by when their stream plays them', () => {
  /**
   * A device whose stream plays each write `startLagMs` after it (`laterLagMs` for writes after
   * the first; never before the previous write ends), as its played-frame count says, in whole
   * 10 ms callbacks; a mic chunk every 20 ms.
   */
  async function rig(startLagMs: number, laterLagMs = 10) {
    let now = 0;
    let written = 0;
    const queued: { atMs: number; frames: number }[] = [];
    const { audio, push } = scriptedDevice(
      {
        available: true,
        openPlayback: async (): Promise<PlaybackSession> => ({
          write: async (pcm) => {
            const last = queued.at(-1);
            queued.push({ atMs: Math.max(now + (last ? laterLagMs : startLagMs), last ? last.atMs + last.frames / 16 : -Infinity), frames: pcm.length });
            written += pcm.length;
          },
          drain: async () => {},
          stop() {},
          position: () => {
            const played = queued.reduce((n, q) => n + Math.min(q.frames, Math.max(0, Math.floor((now - q.atMs) / 10) * 160)), 0);
            return { writtenFrames: written, playedFrames: played, playedMs: played / 16 };
          },
          onRoute: () => () => {},
          close() {},
        }),
      },
      () => now,
    );
    // The reply is a ramp from 1: the reference tells its sample index + 1 (0: no reference).
    const { starts, out } = await referenceStarts(audio);
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 20) {
        push({ sampleRateHz: 16_000, channels: 1, format: 'int16', data: new Int16Array(320), frames: 320, captureTimestampMs: now, seq: now / 20, preRoll: false });
        now += 20;
      }
    };
    const ramp = new Int16Array(16_000 * 2).map((_, i) => 1 + (i % 30_000));
    return { out, run, starts, ramp };
  }

  it('a reply its stream starts 700 ms late: no reference until it plays, then the reference from its first sample', async () => {
    const r = await rig(700);
    await r.out.write(r.ramp);
    r.run(1000);
    // The first 60 ms (chunks at 0, 20 and 40 ms): placed where it was written, as any reply until it is late.
    expect(r.starts.slice(0, 6)).toEqual([1, 161, 321, 481, 641, 801]);
    // Then nothing until the stream plays it: its count first moves at 710 ms, and is read with the chunk at 720 ms.
    const first = r.starts.findIndex((v, i) => i >= 6 && v !== 0);
    expect(first).toBe(72);
    expect(r.starts.slice(6, first).every((v) => v === 0)).toBe(true);
    // From there on, the sample being played at each mic frame's time (at 720 ms: the 321st), continuous.
    expect(r.starts.slice(first, first + 20)).toEqual(Array.from({ length: 20 }, (_, i) => 321 + 160 * i));
  });

  it('a reply queued behind a late one follows it without a gap', async () => {
    const r = await rig(700);
    await r.out.write(new Int16Array(8_000).map((_, i) => 1 + i));
    await r.out.write(new Int16Array(8_000).map((_, i) => 10_001 + i));
    r.run(1600);
    const first = r.starts.findIndex((v, i) => i >= 6 && v !== 0);
    expect(first).toBe(72);
    // The first reply from its 321st sample to its end (48 halves of 160), then the second from its first.
    const expected = [...Array.from({ length: 48 }, (_, i) => 321 + 160 * i), ...Array.from({ length: 20 }, (_, i) => 10_001 + 160 * i)];
    expect(r.starts.slice(first, first + expected.length)).toEqual(expected);
  });

  it('a device whose count is always 150 ms late (more output latency reported than it has): only its first reply is taken for late', async () => {
    const r = await rig(150, 150);
    await r.out.write(new Int16Array(8_000).map((_, i) => 1 + i));
    r.run(1000);
    const second = r.starts.length;
    await r.out.write(new Int16Array(8_000).map((_, i) => 10_001 + i));
    r.run(600);
    // The first: held back, then placed where the count says (150 ms; first read with the chunk at 160 ms).
    expect(r.starts.slice(6, 16).every((v) => v === 0)).toBe(true);
    expect(r.starts.slice(16, 20)).toEqual([161, 321, 481, 641]);
    // The second starts 150 ms after it was written, as replies on this stream do: on time, placed where it was written, no gap.
    expect(r.starts.slice(second, second + 30)).toEqual(Array.from({ length: 30 }, (_, i) => 10_001 + 160 * i));
  });

  it('a reply its stream plays on time stays where it was written', async () => {
    const r = await rig(10);
    await r.out.write(r.ramp);
    r.run(600);
    expect(r.starts.slice(0, 60)).toEqual(Array.from({ length: 60 }, (_, i) => 1 + 160 * i));
  });
});

describe('withEchoCancellation: residual echo', () => {
  /** A device whose mic hears the speaker at `gain` (no delay), over a canceller that leaves `left` of what it gets. */
  async function rig(gain: number, left: number) {
    let now = 0;
    let playing: { samples: Int16Array; startMs: number; stopAt: number } | null = null;
    const { audio, push } = scriptedDevice(
      {
        available: true,
        openPlayback: async (): Promise<PlaybackSession> => ({
          write: async (pcm) => void (playing = { samples: pcm as Int16Array, startMs: now, stopAt: Infinity }),
          drain: async () => {},
          stop: () => void (playing && (playing.stopAt = now)),
          position: () => ({ writtenFrames: 0, playedFrames: 0, playedMs: 0 }),
          onRoute: () => () => {},
          close() {},
        }),
      },
      () => now,
    );
    const ec = withEchoCancellation(audio, {
      create: ({ sampleRateHz, frameSamples }) => ({ sampleRateHz, frameSamples, process: (mic) => mic.map((v) => Math.round(v * left)), reset() {}, close() {} }),
    });
    const cap = await ec.source.openCapture({ sampleRateHz: 16_000, channels: 1 });
    cap.onChunk(() => {});
    const out = await ec.sink.openPlayback({ sampleRateHz: 16_000, channels: 1 });
    /** Advances `ms` in 20 ms frames; the mic gets the echo plus `user` (an amplitude of noise). */
    const run = (ms: number, user = 0) => {
      for (let t = 0; t < ms; t += 20) {
        const data = new Int16Array(320);
        for (let i = 0; i < 320; i++) {
          const k = Math.round((now - (playing?.startMs ?? 0)) * 16) + i;
          const echo = playing && now < playing.stopAt && k < playing.samples.length ? (playing.samples[k] as number) * gain : 0;
          data[i] = Math.round(echo + user * Math.sin(i * 0.7) + ((i * 7919) % 61) - 30);
        }
        push({ sampleRateHz: 16_000, channels: 1, format: 'int16', data, frames: 320, captureTimestampMs: now, seq: now / 20, preRoll: false });
        now += 20;
      }
    };
    const reply = new Int16Array(16_000 * 3).map((_, i) => Math.round(8000 * Math.sin(i * 0.3) * (1 + 0.3 * Math.sin(i / 800))));
    return { ec, out, run, reply };
  }

  it('measures the echo left in the output relative to the reply (acoustic loss and cancellation together), afresh for each reply', async () => {
    const r = await rig(0.5, 0.1); // −6 dB acoustic, −20 dB cancelled
    expect(r.ec.residualEchoDb()).toBeNull();
    await r.out.write(r.reply);
    r.run(200);
    expect(r.ec.residualEchoDb(), 'not measured in the first 0.3 s').toBeNull();
    r.run(800);
    expect(r.ec.residualEchoDb()).toBeGreaterThan(-29);
    expect(r.ec.residualEchoDb()).toBeLessThan(-25);
    // The user talks after a stop: not echo, not counted.
    r.out.stop();
    r.run(1000, 20_000);
    expect(r.ec.residualEchoDb()).toBeLessThan(-25);
    // The next reply after quiet starts unmeasured: the path may have changed.
    r.run(1000);
    await r.out.write(r.reply);
    r.run(100);
    expect(r.ec.residualEchoDb()).toBeNull();
  });

  it('a capture that asks for the device as it is (echoCancellation: false) bypasses the canceller', async () => {
    const rms = (x: Int16Array) => Math.sqrt(x.reduce((e, v) => e + v * v, 0) / x.length);
    for (const echoCancellation of [true, false]) {
      const r = await rig(1, 0.1);
      const cap = await r.ec.source.openCapture({ sampleRateHz: 16_000, channels: 1, echoCancellation });
      const got: number[] = [];
      cap.onChunk((c) => got.push(rms(c.data as Int16Array)));
      await r.out.write(r.reply);
      r.run(200);
      const level = Math.max(...got);
      if (echoCancellation) expect(level).toBeLessThan(1_000);
      else expect(level).toBeGreaterThan(4_000);
    }
  });

  it('a louder echo path shows in the figure', async () => {
    const r = await rig(1, 0.5); // 0 dB acoustic, −6 dB cancelled
    await r.out.write(r.reply);
    r.run(1000);
    expect(r.ec.residualEchoDb()).toBeGreaterThan(-9);
  });
});
