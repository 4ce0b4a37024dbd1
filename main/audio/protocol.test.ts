import { describe, expect, it } from 'vitest';
import { AddonResultSchemas, HostMessageSchema, WorkerMessageSchema } from './protocol.js';

describe('audio process protocol', () => {
  it('accepts the messages the host sends, PCM as typed arrays', () => {
    for (const m of [
      { t: 'ping', id: 1 },
      { t: 'openCapture', id: 2, sid: 3, req: { deviceId: 'pulse:hf_mic.monitor', sampleRateHz: 16_000, channels: 1, frameMs: 20, format: 'int16', paused: false } },
      { t: 'openPlayback', id: 4, sid: 5, req: { sampleRateHz: 24_000 } },
      { t: 'write', id: 6, sid: 5, pcm: new Int16Array(10) },
      { t: 'write', id: 7, sid: 5, pcm: new Float32Array(10) },
      { t: 'control', sid: 3, op: 'pause' },
      { t: 'addon', id: 8, fn: 'measureLoopbackLatency', trials: 3 },
    ]) {
      expect(HostMessageSchema.safeParse(m).success, JSON.stringify(m)).toBe(true);
    }
  });
  it('refuses malformed requests: unknown options, bad rates, PCM that is not a typed array, negative ids', () => {
    for (const m of [
      { t: 'openCapture', id: 2, sid: 3, req: { sampleRateHz: 16_000, echo: true } },
      { t: 'openPlayback', id: 4, sid: 5, req: { sampleRateHz: 1 } },
      { t: 'write', id: 6, sid: 5, pcm: [1, 2, 3] },
      { t: 'write', id: 6, sid: 5, pcm: new Uint8Array(4) },
      { t: 'control', sid: -1, op: 'pause' },
      { t: 'control', sid: 1, op: 'explode' },
      { t: 'addon', id: 8, fn: 'rm -rf' },
      { t: 'nope', id: 1 },
    ]) {
      expect(HostMessageSchema.safeParse(m).success, JSON.stringify(m, (_k, v: unknown) => (ArrayBuffer.isView(v) ? v.constructor.name : v))).toBe(false);
    }
  });
  it('checks what the worker sends: chunks, route events, replies', () => {
    const chunk = { t: 'chunk', sid: 1, sampleRateHz: 16_000, channels: 1, format: 'int16', data: new Int16Array(320), frames: 320, captureTimestampMs: 12.5, seq: 7, preRoll: false };
    expect(WorkerMessageSchema.safeParse(chunk).success).toBe(true);
    expect(WorkerMessageSchema.safeParse({ ...chunk, data: 'AAAA' }).success).toBe(false);
    // The echo canceller's figures: numbers in range, the residual null until measured.
    expect(WorkerMessageSchema.safeParse({ ...chunk, echo: { suppressionDb: 14.2, residualEchoDb: null } }).success).toBe(true);
    expect(WorkerMessageSchema.safeParse({ ...chunk, echo: { suppressionDb: 14.2, residualEchoDb: -31 } }).success).toBe(true);
    expect(WorkerMessageSchema.safeParse({ ...chunk, echo: { suppressionDb: NaN, residualEchoDb: null } }).success).toBe(false);
    expect(WorkerMessageSchema.safeParse({ ...chunk, echo: { suppressionDb: 1e9, residualEchoDb: null } }).success).toBe(false);
    expect(WorkerMessageSchema.safeParse({ ...chunk, echo: { suppressionDb: 3 } }).success).toBe(false);
    expect(WorkerMessageSchema.safeParse({ t: 'route', sid: null, event: { type: 'device-lost', direction: 'output', deviceId: 'pulse:x', reason: 'removed' } }).success).toBe(true);
    expect(WorkerMessageSchema.safeParse({ t: 'route', sid: 2, event: { type: 'device-lost', direction: 'output', deviceId: 'pulse:x', reason: 'exploded' } }).success).toBe(false);
    expect(WorkerMessageSchema.safeParse({ t: 'reply', id: 3, ok: false, error: { name: 'AudioOutputLostError', message: 'gone' } }).success).toBe(true);
    expect(AddonResultSchemas.measureLoopbackLatency.safeParse({ medianMs: 'fast', missed: 0 }).success).toBe(false);
  });
});
