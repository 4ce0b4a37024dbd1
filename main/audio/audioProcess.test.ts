/** The audio process host over a fake worker (same protocol, synthetic audio): restarts, crash loop, listener isolation. */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forkAudioChannel } from './channel.js';
import { AudioProcessHost, type AudioProcessOptions } from './audioProcess.js';

const FAKE = fileURLToPath(new URL('./testing/fakeAudioWorker.mjs', import.meta.url));
const hosts: AudioProcessHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
  delete process.env['FAKE_WORKER'];
});

async function start(mode = '', opts: AudioProcessOptions = {}): Promise<{ host: AudioProcessHost; logs: string[] }> {
  process.env['FAKE_WORKER'] = mode;
  const logs: string[] = [];
  const host = await AudioProcessHost.start({ workerPath: FAKE, spawn: forkAudioChannel, backoffMs: [50, 100], log: (m) => logs.push(m), ...opts });
  hosts.push(host);
  return { host, logs };
}

const until = (cond: () => boolean, ms = 5000) => vi.waitFor(() => expect(cond()).toBe(true), { timeout: ms, interval: 10 });

describe('AudioProcessHost', () => {
  it('delivers chunks; a throwing listener loses only its own call, an invalid message is dropped', async () => {
    const { host, logs } = await start('garbage');
    expect(host.status().state).toBe('running');
    expect(host.source.available).toBe(true);
    const cap = await host.source.openCapture({ sampleRateHz: 16_000 });
    let good = 0;
    let thrown = 0;
    cap.onChunk(() => {
      thrown++;
      throw new Error('disk full');
    });
    cap.onChunk((c) => {
      expect(c.data).toBeInstanceOf(Int16Array);
      good++;
    });
    await until(() => good >= 5);
    expect(thrown).toBeGreaterThanOrEqual(5);
    expect(host.status().state).toBe('running');
    expect(logs).toContain('dropped an invalid message from the audio process');
    expect(logs).toContain('audio listener threw (the chunk is skipped for it)');
    // The worker's clock is mapped onto ours (chunk times are comparable with nowMs()).
    let last = 0;
    cap.onChunk((c) => (last = c.captureTimestampMs));
    await until(() => last > 0);
    expect(Math.abs(host.nowMs() - last)).toBeLessThan(1000);
  });

  it("maps the worker's clock exactly, however late its answers arrive (the OS clock, not a round trip)", async () => {
    // The fake's clock is the OS monotonic clock + 12,345 ms; it answers 150 ms after stamping.
    // From the one-way 'ready' the estimate would be 150 ms off, from pings ~75 ms.
    const { host } = await start('busy');
    expect(host.status().state).toBe('running');
    const expected = Number(process.hrtime.bigint()) / 1e6 + 12_345;
    expect(Math.abs(host.nowMs() - expected)).toBeLessThan(2);
  });

  it("a worker that cancels echo: its figures go with each chunk; without one, the host has none", async () => {
    const { host } = await start('echo');
    expect(host.suppressionDb).toBeTypeOf('function');
    const cap = await host.source.openCapture({ sampleRateHz: 16_000 });
    const seen: { seq: number; suppression: number; residual: number | null }[] = [];
    cap.onChunk((c) => seen.push({ seq: c.seq, suppression: host.suppressionDb!(), residual: host.residualEchoDb!() }));
    await until(() => seen.length >= 5);
    // Read inside the listener: the figures measured right after that very chunk.
    for (const s of seen) {
      expect(s.suppression).toBe(s.seq % 30);
      expect(s.residual).toBe(s.seq < 3 ? null : -(s.seq % 30));
    }
    host.close();
    const plain = await start('');
    expect(plain.host.suppressionDb).toBeUndefined();
    expect(plain.host.residualEchoDb).toBeUndefined();
  });

  it('SIGKILL: the worker is restarted and the open capture comes back by itself', async () => {
    const { host } = await start();
    const cap = await host.source.openCapture({});
    let n = 0;
    cap.onChunk(() => n++);
    await until(() => n >= 3);
    const pid = host.status().pid!;
    const states: string[] = [];
    host.onStatus((s) => states.push(s.state));
    process.kill(pid, 'SIGKILL');
    await until(() => host.status().state === 'running' && host.status().pid !== pid);
    const after = n;
    await until(() => n >= after + 5);
    expect(states).toContain('restarting');
    expect(host.status()).toMatchObject({ restarts: 1, message: expect.stringMatching(/restarted/) });
  });

  it('a playback whose worker died rejects its write, then reopens on the new worker', async () => {
    const { host } = await start();
    const pb = await host.sink.openPlayback({ sampleRateHz: 16_000 });
    await pb.write(new Int16Array(160));
    expect(pb.position().writtenFrames).toBe(160);
    const pid = host.status().pid!;
    process.kill(pid, 'SIGKILL');
    await expect(pb.write(new Int16Array(160))).rejects.toThrow(/restarted|stopped/);
    await until(() => host.status().state === 'running');
    await pb.write(new Int16Array(320));
    await pb.drain();
    expect(pb.position().writtenFrames).toBe(320);
  });

  it('crash loop: after 3 crashes within the window it stops restarting and says so', async () => {
    const t0 = performance.now();
    const { host } = await start('crash');
    expect(host.status().state).toBe('failed');
    expect(host.status().message).toMatch(/crashed 3 times within 60 s .*voice is off/);
    expect(host.source.available).toBe(false);
    expect(host.source.unavailableReason).toMatch(/crashed 3 times/);
    await expect(host.sink.openPlayback({ sampleRateHz: 16_000 })).rejects.toThrow(/crashed 3 times/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('no add-on in the worker: unavailable with the reason, and no restarts', async () => {
    const { host } = await start('unavailable');
    expect(host.status()).toMatchObject({ state: 'unavailable', restarts: 0 });
    expect(host.source.available).toBe(false);
    expect(host.source.unavailableReason).toMatch(/not available \(fake\)/);
    // Nothing can watch the routes: a caller waiting for the watcher is not left waiting.
    let ready = false;
    host.source.watchRoutes(() => {}, () => (ready = true));
    await until(() => ready);
  });

  it("route watching: onReady once the worker's watcher has its first snapshot, at once for a later watcher", async () => {
    const { host } = await start();
    const seen: string[] = [];
    const order: string[] = [];
    const off = host.source.watchRoutes((e) => (seen.push(e.type), order.push('event')), () => order.push('ready'));
    expect(order).toEqual([]); // not before the worker says so
    await until(() => seen.length === 1);
    expect(order).toEqual(['ready', 'event']);
    let second = false;
    const off2 = host.source.watchRoutes(() => {}, () => (second = true));
    await Promise.resolve();
    expect(second).toBe(true);
    off();
    off2();
    // Watching again restarts the worker's watcher: ready only once it has looked again.
    let third = false;
    host.source.watchRoutes(() => {}, () => (third = true));
    expect(third).toBe(false);
    await until(() => third);
  });
});
