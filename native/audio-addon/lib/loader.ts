/**
 * Finds and loads the compiled add-on once. When it is missing or cannot load, the error lists
 * every path tried, what happened there, and how to fix it; callers then run text-only.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AudioAddonUnavailableError } from './errors.js';
import type { NativeBinding } from './native.js';

const BINARY = 'handsfree_audio.node';
const FIX_HINT =
  'Build it with `bash native/audio-addon/scripts/build.sh` (needs cmake, g++, pkg-config and, on Debian/Ubuntu, ' +
  '`apt-get install portaudio19-dev libpulse-dev libspeexdsp-dev`; run `npm ci` at the repo root first), ' +
  'or set HANDSFREE_AUDIO_ADDON to the path of a built handsfree_audio.node.';

let cached: { binding: NativeBinding } | { error: AudioAddonUnavailableError } | undefined;

/** Where the loader looks: this module's directory and, in a packaged Electron app, its resources dir. */
export interface LoaderLocation {
  /** Directory of the loader module (…/audio-addon/lib or …/audio-addon/dist/lib). */
  here: string;
  /** Electron's `process.resourcesPath` in a packaged app; undefined in Node. */
  resourcesPath?: string | undefined;
}

function defaultLocation(): LoaderLocation {
  return { here: dirname(fileURLToPath(import.meta.url)), resourcesPath: (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath };
}

/**
 * Candidate binary paths, most specific first. In a packaged app this module runs from inside
 * `app.asar`, but a `.node` file cannot be loaded from an archive: electron-builder's `asarUnpack`
 * puts the package beside it in `app.asar.unpacked` under the same relative path
 * (`node_modules/@handsfree/audio-addon/…`), so every root inside the archive is tried there.
 */
export function candidatePaths(env: NodeJS.ProcessEnv = process.env, where: LoaderLocation = defaultLocation()): string[] {
  // An explicit path is the only candidate: the user said where the binary is.
  if (env['HANDSFREE_AUDIO_ADDON']) return [resolve(env['HANDSFREE_AUDIO_ADDON'])];
  const { here, resourcesPath } = where;
  const packageRoots = [
    resolve(here, '..'), // <addon>/lib (sources, vitest)
    resolve(here, '../..'), // <addon>/dist/lib (tsc output)
  ];
  const roots: string[] = [];
  const asar = `${sep}app.asar${sep}`;
  for (const root of packageRoots) {
    const at = `${root}${sep}`.indexOf(asar);
    if (at >= 0) roots.push(`${root.slice(0, at)}${sep}app.asar.unpacked${sep}${root.slice(at + asar.length)}`);
    roots.push(root);
  }
  if (resourcesPath) roots.push(join(resourcesPath, 'app.asar.unpacked', 'node_modules', '@handsfree', 'audio-addon'));
  const paths: string[] = [];
  for (const root of roots) {
    paths.push(join(root, 'build', 'Release', BINARY), join(root, 'build', 'Debug', BINARY));
  }
  return [...new Set(paths)];
}

/** Loads the binding; throws AudioAddonUnavailableError (the same instance every time) when it cannot. */
export function loadNative(): NativeBinding {
  const r = tryLoadNative();
  if ('error' in r) throw r.error;
  return r.binding;
}

export function tryLoadNative(where?: LoaderLocation): { binding: NativeBinding } | { error: AudioAddonUnavailableError } {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const tried: Array<{ path: string; result: string }> = [];
  for (const path of candidatePaths(process.env, where)) {
    if (!existsSync(path)) {
      tried.push({ path, result: 'not found' });
      continue;
    }
    try {
      const binding = require(path) as NativeBinding;
      if (binding.napiVersion !== 8 || typeof binding.CaptureHandle !== 'function') {
        tried.push({ path, result: 'loaded but is not this add-on version (rebuild it)' });
        continue;
      }
      cached = { binding };
      return cached;
    } catch (e) {
      tried.push({ path, result: `failed to load: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  const lines = tried.map((t) => `  - ${t.path}: ${t.result}`).join('\n');
  cached = {
    error: new AudioAddonUnavailableError(
      `The audio add-on is not available, so voice is off and the app runs text-only.\nTried:\n${lines}\n${FIX_HINT}`,
      tried,
      FIX_HINT,
    ),
  };
  return cached;
}

/** For tests: forget the cached result. */
export function resetLoaderForTests(): void {
  cached = undefined;
}
