import { describe, expect, it } from 'vitest';
import type { AudioRouteEvent, PlaybackSession } from '../../core/ports/audio.js';
import { guardPlayback, isOutputLost } from './playbackGuard.js';

/** A playback whose device plays `rate` frames per 10 ms until `dead`; write/drain wait like the add-on's (forever when nothing plays). */
function fakeSession(): PlaybackSession & { dead: boolean; lose(e: AudioRouteEvent): void; stops: number } {
  let written = 0;
  let played = 0;
  const waiters: (() => void)[] = [];
  const listeners: ((e: AudioRouteEvent) => void)[] = [];
  const s = {
    dead: false,
    stops: 0,
    tick: setInterval(() => {
      if (!s.dead) played = Math.min(written, played + 160);
      if (played === written) for (const w of waiters.splice(0)) w();
    }, 10),
    write: async (pcm: Int16Array | Float32Array) => {
      written += pcm.length;
    },
    drain: () => new Promise<void>((r) => waiters.push(r)),
    stop: () => {
      s.stops++;
      for (const w of waiters.splice(0)) w();
    },
    position: () => ({ writtenFrames: written, playedFrames: played, playedMs: played / 16 }),
    onRoute: (l: (e: AudioRouteEvent) => void) => {
      listeners.push(l);
      return () => {};
    },
    close: () => clearInterval(s.tick),
    lose: (e: AudioRouteEvent) => listeners.forEach((l) => l(e)),
  };
  return s;
}

describe('guardPlayback', () => {
  it('passes normal playback through', async () => {
    const inner = fakeSession();
    const g = guardPlayback(inner, { stallMs: 200, pollMs: 10 });
    await g.write(new Int16Array(1600));
    await g.drain();
    expect(g.position().playedFrames).toBe(1600);
    g.close();
  });

  it('a device that stops consuming audio makes drain() reject within stallMs, and reports device-lost', async () => {
    const inner = fakeSession();
    const g = guardPlayback(inner, { stallMs: 300, pollMs: 20, deviceId: 'pulse:hf_spk' });
    const routes: AudioRouteEvent[] = [];
    g.onRoute((e) => routes.push(e));
    await g.write(new Int16Array(16_000));
    setTimeout(() => (inner.dead = true), 100);
    const t0 = performance.now();
    const err = await g.drain().then(() => null, (e: unknown) => e);
    expect(isOutputLost(err)).toBe(true);
    expect(String(err)).toMatch(/"pulse:hf_spk" was lost \(it stopped playing\)/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(routes).toEqual([{ type: 'device-lost', direction: 'output', deviceId: 'pulse:hf_spk', reason: 'stalled' }]);
    await expect(g.write(new Int16Array(10))).rejects.toThrow(/was lost/);
    g.close();
  });

  it('a stream that has not started yet gets startStallMs, then plays; once playing, stallMs applies', async () => {
    const inner = fakeSession();
    inner.dead = true; // an idle sink still playing what it rendered ahead: the stream waits
    const g = guardPlayback(inner, { stallMs: 100, startStallMs: 600, pollMs: 10 });
    await g.write(new Int16Array(8000));
    setTimeout(() => (inner.dead = false), 300); // longer than stallMs, shorter than startStallMs
    await g.drain();
    expect(g.position().playedFrames).toBe(8000);
    // A later reply on the running stream: a stall is judged against stallMs again.
    await g.write(new Int16Array(16_000));
    setTimeout(() => (inner.dead = true), 30);
    const t0 = performance.now();
    await expect(g.drain()).rejects.toThrow(/stopped playing/);
    expect(performance.now() - t0).toBeLessThan(500);
    g.close();
  });

  it('a stream that never starts is lost after startStallMs', async () => {
    const inner = fakeSession();
    inner.dead = true;
    const g = guardPlayback(inner, { stallMs: 50, startStallMs: 250, pollMs: 10 });
    await g.write(new Int16Array(1600));
    const t0 = performance.now();
    await expect(g.drain()).rejects.toThrow(/stopped playing/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    g.close();
  });

  it('a device-lost event from the stream releases a pending drain at once', async () => {
    const inner = fakeSession();
    inner.dead = true;
    const g = guardPlayback(inner, { stallMs: 60_000 });
    await g.write(new Int16Array(16_000));
    const routes: AudioRouteEvent[] = [];
    g.onRoute((e) => routes.push(e));
    const p = g.drain();
    inner.lose({ type: 'device-lost', direction: 'output', deviceId: 'pulse:x', reason: 'removed' });
    await expect(p).rejects.toThrow(/"pulse:x" was lost \(it was removed\)/);
    expect(inner.stops).toBe(1);
    // The stream failing and the device vanishing are one loss: reported once.
    inner.lose({ type: 'device-lost', direction: 'output', deviceId: 'pulse:x', reason: 'stream-failed' });
    expect(routes).toHaveLength(1);
    g.close();
  });
});
