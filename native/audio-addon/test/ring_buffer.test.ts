/** Runs the C++ ring buffer unit test built by cmake (scripts/build.sh). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'tests', 'ring_buffer_test');

describe('ring buffer (C++)', () => {
  it('passes its unit test (wrap-around, partial I/O, 5M items across two threads)', () => {
    expect(existsSync(bin), `${bin} missing: run native/audio-addon/scripts/build.sh`).toBe(true);
    const out = execFileSync(bin, { encoding: 'utf8', timeout: 60_000 });
    expect(out).toContain('all passed');
  });
});
