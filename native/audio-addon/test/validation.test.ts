/** Bad arguments give a TypeError that names the argument (no audio server needed). */
import { describe, expect, it } from 'vitest';

import { openCapture, openPlayback } from '../lib/index.js';
import { validateCaptureOptions, validatePlaybackOptions } from '../lib/validate.js';

function typeErrorFor(fn: () => unknown, argument: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TypeError);
  expect((err as Error).message).toContain(argument);
  expect((err as { argument?: string }).argument).toBe(argument);
}

describe('argument validation', () => {
  it.each([
    [{ sampleRateHz: '16000' }, 'options.sampleRateHz'],
    [{ sampleRateHz: 100 }, 'options.sampleRateHz'],
    [{ sampleRateHz: 16000.5 }, 'options.sampleRateHz'],
    [{ channels: 3 }, 'options.channels'],
    [{ frameMs: 0 }, 'options.frameMs'],
    [{ frameMs: 7, sampleRateHz: 44100 }, 'options.frameMs'],
    [{ preRollMs: -1 }, 'options.preRollMs'],
    [{ format: 'int24' }, 'options.format'],
    [{ device: '' }, 'options.device'],
    [{ device: 42 }, 'options.device'],
    [{ backend: 'jack' }, 'options.backend'],
    [{ paused: 'yes' }, 'options.paused'],
    [{ queueChunks: 0 }, 'options.queueChunks'],
  ])('openCapture(%j) → TypeError naming %s', (opts, arg) => {
    typeErrorFor(() => openCapture(opts as never), arg);
  });

  it('openCapture with a non-object', () => {
    typeErrorFor(() => openCapture('mic' as never), 'options');
  });

  it('openPlayback requires sampleRateHz', () => {
    typeErrorFor(() => openPlayback({} as never), 'options.sampleRateHz');
    typeErrorFor(() => openPlayback(undefined as never), 'options');
  });

  it('defaults', () => {
    expect(validateCaptureOptions({}, 'pulse')).toMatchObject({ sampleRateHz: 16000, channels: 1, frameMs: 20, preRollMs: 0, format: 'int16', queueChunks: 32, backend: 'pulse', device: '' });
    expect(validateCaptureOptions({ device: 'pulse:x.monitor' }, 'portaudio')).toMatchObject({ backend: 'pulse', device: 'x.monitor' });
    expect(validatePlaybackOptions({ sampleRateHz: 24000 }, 'pulse')).toMatchObject({ sampleRateHz: 24000, channels: 1, ringMs: 500 });
  });

  it('native errors are rethrown with the caller’s stack', async () => {
    const err = await openCapture({ device: 'pulse:does-not-exist', stallMs: 1000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^openCapture failed: /);
    expect((err as Error).stack).toContain('validation.test.ts');
  });
});

describe('echo canceller options', () => {
  it('defaults to 16 kHz, 20 ms frames, a 300 ms filter', async () => {
    const { validateEchoOptions } = await import('../lib/echo.js');
    expect(validateEchoOptions(undefined)).toEqual({ sampleRateHz: 16_000, frameSamples: 320, filterSamples: 4_800, suppressDb: -40, activeSuppressDb: -15 });
  });
  it.each([
    [{ sampleRateHz: 7_999 }, 'sampleRateHz'],
    [{ frameSamples: 1.5 }, 'frameSamples'],
    [{ filterMs: 5_000 }, 'filterMs'],
    [{ suppressDb: 3 }, 'suppressDb'],
    [{ activeSuppressDb: 'loud' }, 'activeSuppressDb'],
  ])('%o → TypeError naming %s', async (opts, argument) => {
    const { validateEchoOptions } = await import('../lib/echo.js');
    typeErrorFor(() => validateEchoOptions(opts), argument);
  });
});
