/**
 * The desktop enrollment session over a fake recorder: takes are kept per prompt, adaptation
 * needs enough of them and never saves on failure, reset removes the profile and reloads the
 * recognizer. (The MLLR estimate itself is tested on real speech in tests/integration/voice-enroll.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VoiceProfileStore } from '../speech/adapt/voiceProfile.js';
import { EnrollSession, type EnrollDeps } from './enrollSession.js';

function fakeApp() {
  const voiceProfile = new VoiceProfileStore(mkdtempSync(join(tmpdir(), 'hf-es-')), 'u');
  let reloads = 0;
  const app = { voiceProfile, speech: async () => ({ reloadVoiceProfile: () => void reloads++ }) } as unknown as EnrollDeps;
  return { app, voiceProfile, reloads: () => reloads };
}

describe('EnrollSession', () => {
  it('records takes per prompt, refuses out-of-range prompts and adapting with too few, resets', async () => {
    const f = fakeApp();
    const s = new EnrollSession(f.app, async () => ({ sampleRateHz: 16_000, samples: new Int16Array(16_000) }));
    expect(s.view()).toMatchObject({ enrolled: false, recorded: [], min_recordings: 10 });
    expect(s.view().prompts.length).toBe(20);
    await s.recordPrompt(3);
    await s.recordPrompt(0);
    await s.recordPrompt(3);
    expect(s.view().recorded).toEqual([0, 3]);
    await expect(s.recordPrompt(20)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(s.adapt()).rejects.toThrow(/at least 10/);
    expect(f.voiceProfile.current()).toBeNull();
    expect(s.view().recorded).toEqual([0, 3]); // kept for another try
    f.voiceProfile.save('1\n');
    expect((await s.reset()).enrolled).toBe(false);
    expect(s.view().recorded).toEqual([]);
    expect(f.reloads()).toBe(1);
  });

  it('runs one recording at a time', async () => {
    const f = fakeApp();
    let release: () => void = () => {};
    const s = new EnrollSession(f.app, () => new Promise((r) => (release = () => r({ sampleRateHz: 16_000, samples: new Int16Array(8000) }))));
    const first = s.recordPrompt(1);
    await expect(s.recordPrompt(2)).rejects.toMatchObject({ code: 'rate_limited' });
    release();
    await first;
    expect(s.view().recorded).toEqual([1]);
  });
});
