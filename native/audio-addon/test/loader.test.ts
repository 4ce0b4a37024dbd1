/** A missing or unloadable binary gives one clear error; importing the package still works. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

describe('loader in a packaged app (electron-builder layout)', () => {
  it('finds the binary in app.asar.unpacked when the loader runs from inside app.asar', async () => {
    const { copyFileSync, mkdirSync } = await import('node:fs');
    const { tryLoadNative } = await import('../lib/loader.js');
    const built = candidatePaths({}).find((p) => existsSyncSafe(p));
    expect(built, 'a built add-on to copy into the packaged layout').toBeDefined();
    const resources = mkdtempSync(join(tmpdir(), 'hf-packaged-'));
    try {
      // What electron-builder writes: the package inside the archive, its asarUnpack'ed files beside it.
      const pkg = join('node_modules', '@handsfree', 'audio-addon');
      const unpacked = join(resources, 'app.asar.unpacked', pkg, 'build', 'Release');
      mkdirSync(unpacked, { recursive: true });
      copyFileSync(built as string, join(unpacked, 'handsfree_audio.node'));
      const where = { here: join(resources, 'app.asar', pkg, 'dist', 'lib'), resourcesPath: resources };
      const paths = candidatePaths({}, where);
      expect(paths).toContain(join(unpacked, 'handsfree_audio.node'));
      delete process.env['HANDSFREE_AUDIO_ADDON'];
      resetLoaderForTests();
      const r = tryLoadNative(where);
      expect('binding' in r ? r.binding.napiVersion : r.error.message).toBe(8);
    } finally {
      rmSync(resources, { recursive: true, force: true });
    }
  });
});

function existsSyncSafe(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
