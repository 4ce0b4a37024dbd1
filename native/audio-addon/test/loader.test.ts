/** A missing or unloadable binary gives one clear error; importing the package still works. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { AudioAddonUnavailableError, audioAvailability, candidatePaths, openCapture } from '../lib/index.js';
import { resetLoaderForTests } from '../lib/loader.js';

const saved = process.env['HANDSFREE_AUDIO_ADDON'];
afterEach(() => {
  if (saved === undefined) delete process.env['HANDSFREE_AUDIO_ADDON'];
  else process.env['HANDSFREE_AUDIO_ADDON'] = saved;
  resetLoaderForTests();
});

describe('loader', () => {
  it('loads the built binary from the source tree', () => {
    const a = audioAvailability();
    expect(a.available).toBe(true);
    expect(a.backends).toContain('portaudio');
  });

  it('lists default candidates including build/Release', () => {
    delete process.env['HANDSFREE_AUDIO_ADDON'];
    expect(candidatePaths().some((p) => p.endsWith(join('native', 'audio-addon', 'build', 'Release', 'handsfree_audio.node')))).toBe(true);
  });

  it('missing binary: availability says why and how to fix; open calls throw one clear error', () => {
    process.env['HANDSFREE_AUDIO_ADDON'] = '/nonexistent/handsfree_audio.node';
    resetLoaderForTests();
    const a = audioAvailability();
    expect(a.available).toBe(false);
    expect(a.reason).toContain('text-only');
    expect(a.reason).toContain('/nonexistent/handsfree_audio.node: not found');
    expect(a.reason).toContain('scripts/build.sh');
    let err: unknown;
    try {
      void openCapture();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AudioAddonUnavailableError);
    expect((err as AudioAddonUnavailableError).tried).toEqual([{ path: '/nonexistent/handsfree_audio.node', result: 'not found' }]);
  });

  it('unloadable binary: reports the load error for that path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-loader-'));
    const bogus = join(dir, 'handsfree_audio.node');
    writeFileSync(bogus, 'not an ELF file');
    process.env['HANDSFREE_AUDIO_ADDON'] = bogus;
    resetLoaderForTests();
    const a = audioAvailability();
    expect(a.available).toBe(false);
    expect(a.reason).toMatch(/failed to load: .*(invalid ELF|too short|file)/);
    rmSync(dir, { recursive: true, force: true });
  });
});
