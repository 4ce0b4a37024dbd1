import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER_RE } from './agentService.js';
import { DISPATCH_KEY_FILE, dispatchMarkerFor, hmacDispatchMarker } from './dispatchMarker.js';

const token = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718';

describe('agent dispatch marker (issue 13: an HMAC, not 64 bits of the confirmation token)', () => {
  it('shares no part of the token, depends on the key, and is stable for one key', () => {
    const m = hmacDispatchMarker('key-one')(token);
    expect(m).toMatch(/^[0-9a-f]{32}$/);
    expect(MARKER_RE.exec(`<!-- handsfree-task: ${m} -->`)?.[1]).toBe(m);
    for (let i = 0; i + 6 <= m.length; i++) expect(token).not.toContain(m.slice(i, i + 6));
    expect(hmacDispatchMarker('key-one')(token)).toBe(m);
    expect(hmacDispatchMarker('key-two')(token)).not.toBe(m);
    expect(hmacDispatchMarker('key-one')(`${token.slice(0, -1)}9`)).not.toBe(m);
  });

  it('keeps its key in a 0600 file of the data dir, the same across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-marker-'));
    try {
      const a = dispatchMarkerFor(dir)(token);
      expect(dispatchMarkerFor(dir)(token)).toBe(a);
      if (process.platform !== 'win32') expect(statSync(join(dir, DISPATCH_KEY_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
