/**
 * Whether voice adaptation can run here. Kept apart from mllr.ts so the app can report it without
 * loading the decoder (koffi) at start-up.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian puts sphinxtrain's programs (not on PATH). */
export const SPHINXTRAIN_BIN = '/usr/lib/sphinxtrain';
/** The Debian en-us acoustic model (the same directory as pocketsphinx.ts's POCKETSPHINX_MODEL_DIR). */
export const ADAPT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us/en-us';

/** Whether adaptation can run here, and why not. */
export function mllrAvailability(modelDir = ADAPT_MODEL_DIR): { ok: boolean; reason: string | null } {
  for (const [path, pkg] of [
    [join(SPHINXTRAIN_BIN, 'bw'), 'sphinxtrain'],
    [join(SPHINXTRAIN_BIN, 'mllr_solve'), 'sphinxtrain'],
    ['/usr/bin/sphinx_fe', 'sphinxbase-utils'],
    ['/usr/bin/pocketsphinx_mdef_convert', 'pocketsphinx'],
    [join(modelDir, 'sendump'), 'pocketsphinx-en-us'],
  ] as const) {
    if (!existsSync(path)) return { ok: false, reason: `Voice adaptation needs ${path} (Debian package ${pkg}; scripts/setup installs it).` };
  }
  return { ok: true, reason: null };
}
