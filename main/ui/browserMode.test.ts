import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, resolveStatic } from './browserMode.js';
import { AudioDiagnosticsService } from '../audio/diagnostics.js';

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'hf-static-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'a.js'), '1');
  it('resolves files inside the root only', () => {
    expect(resolveStatic(root, '/assets/a.js')).toMatch(/a\.js$/);
    expect(resolveStatic(root, '/assets/../../etc/passwd')).toBeNull();
    expect(resolveStatic(root, '/assets/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveStatic(root, '/assets/missing.js')).toBeNull();
    expect(resolveStatic(root, '/assets/%00')).toBeNull();
  });
  it('CSP allows no inline script, eval or foreign connections', () => {
    const csp = contentSecurityPolicy('127.0.0.1:5000');
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:5000');
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('audio diagnostics', () => {
  it('says the add-on is missing and how to build it', async () => {
    const svc = new AudioDiagnosticsService(() => undefined, async () => {
      throw new Error("Cannot find module '@handsfree/audio-addon'");
    });
    const v = await svc.get();
    expect(v.addon.available).toBe(false);
    expect(v.addon.reason).toMatch(/could not be loaded/);
    expect(v.addon.buildHint).toMatch(/npm --prefix native\/audio-addon run build/);
  });
  it('pushes clamped levels while metering', async () => {
    const got: number[] = [];
    let emit: (l: { rmsDbfs: number; peakDbfs: number; timestampMs: number }) => void = () => undefined;
    const svc = new AudioDiagnosticsService((s) => got.push(s.rmsDbfs), async () => ({
      audioAvailability: () => ({ available: true, reason: null, backends: ['pulse'] }),
      listDevices: async () => [],
      openCapture: async () => ({ onLevel: (l) => ((emit = l), () => undefined), close: () => undefined }),
      playTestTone: async () => undefined,
      recordThenPlayBack: async () => new Float32Array(0),
      measureLoopbackLatency: async () => ({ medianMs: null, missed: 0 }),
    }));
    expect((await svc.meter(true)).metering).toBe(true);
    emit({ rmsDbfs: -20, peakDbfs: -3, timestampMs: 1 });
    emit({ rmsDbfs: -Infinity, peakDbfs: -Infinity, timestampMs: 2 });
    expect(got).toEqual([-20, -100]);
    expect((await svc.meter(false)).metering).toBe(false);
  });
});
