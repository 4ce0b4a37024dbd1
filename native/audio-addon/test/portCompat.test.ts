/**
 * The add-on's public types satisfy core/ports/audio.ts (compile-time; checked by
 * `npx tsc -p native/audio-addon/test/tsconfig.json`). The runtime part only keeps vitest happy.
 */
import { describe, expect, it } from 'vitest';

import type * as Port from '../../../core/ports/audio.js';
import type { AudioCapture, AudioPlayback, DeviceInfo, PcmChunk, RouteEvent } from '../lib/index.js';

type Assert<T extends true> = T;
type Extends<A, B> = [A] extends [B] ? true : false;

export type Checks = [
  Assert<Extends<DeviceInfo, Port.AudioDeviceInfo>>,
  Assert<Extends<PcmChunk, Port.PcmChunk>>,
  Assert<Extends<RouteEvent, Port.AudioRouteEvent>>,
];

// The add-on's sessions are usable wherever core expects the ports.
export function asPorts(cap: AudioCapture, pb: AudioPlayback): [Port.CaptureSession, Port.PlaybackSession] {
  return [cap, pb];
}

describe('port compatibility', () => {
  it('is checked by the compiler', () => {
    expect(true).toBe(true);
  });
});
