/**
 * Voice profiles: the user's MLLR transform (mllr.ts), stored per user in the data dir
 * (`<dataDir>/voice-profiles/<user>/mllr_matrix`, mode 0600 in a 0700 directory) and loaded by the
 * offline decoder automatically (providers.ts). Enrollment = prompted recordings → estimateMllr →
 * save; reset deletes the file and the default model is used again.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ENROLLMENT_PROMPTS } from './prompts.js';
import { mllrAvailability } from './availability.js';
import type { EnrollmentClip, MllrOptions } from './mllr.js';

/** Fewest recordings accepted: a global transform from fewer is unreliable. */
export const MIN_ENROLLMENT_CLIPS = 10;
/** Longest accepted recording, ms. */
export const MAX_CLIP_MS = 15_000;

const UserSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'user names are letters, digits, ".", "_" or "-"').refine((u) => u !== '.' && u !== '..', 'invalid user name');

export interface VoiceProfileStatus {
  enrolled: boolean;
  /** When the profile was made (ms since the epoch), or null. */
  updatedAtMs: number | null;
  /** Whether enrollment can run here (sphinxtrain installed), and why not. */
  available: boolean;
  reason: string | null;
  prompts: readonly string[];
}

export class VoiceProfileStore {
  readonly dir: string;
  readonly path: string;

  constructor(dataDir: string, user: string) {
    this.dir = join(dataDir, 'voice-profiles', UserSchema.parse(user));
    this.path = join(this.dir, 'mllr_matrix');
  }

  /** The transform file when there is one (what the decoder's `-mllr` gets), else null. */
  current(): string | null {
    return existsSync(this.path) ? this.path : null;
  }

  status(): VoiceProfileStatus {
    const a = mllrAvailability();
    const p = this.current();
    return { enrolled: p !== null, updatedAtMs: p === null ? null : statSync(p).mtimeMs, available: a.ok, reason: a.reason, prompts: ENROLLMENT_PROMPTS };
  }

  /** Writes a transform atomically, 0600. */
  save(transform: string): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, transform, { mode: 0o600 });
    renameSync(tmp, this.path);
    return this.path;
  }

  read(): string | null {
    return this.current() === null ? null : readFileSync(this.path, 'utf8');
  }

  /** Deletes the profile; true when there was one. */
  reset(): boolean {
    const had = this.current() !== null;
    rmSync(this.path, { force: true });
    return had;
  }

  /**
   * Estimates a transform from prompted recordings and saves it. Throws (nothing saved) for too
   * few or too long clips, empty prompts, or a failed adaptation step.
   */
  async enroll(clips: readonly EnrollmentClip[], opts: MllrOptions = {}): Promise<string> {
    if (clips.length < MIN_ENROLLMENT_CLIPS) throw new Error(`Enrollment needs at least ${MIN_ENROLLMENT_CLIPS} recorded phrases (got ${clips.length}).`);
    for (const [i, c] of clips.entries()) {
      if (c.text.trim() === '') throw new Error(`Recording ${i + 1} has no prompt text.`);
      const ms = (c.audio.samples.length / c.audio.sampleRateHz) * 1000;
      if (ms < 300 || ms > MAX_CLIP_MS) throw new Error(`Recording ${i + 1} is ${Math.round(ms)} ms long; expected 0.3–${MAX_CLIP_MS / 1000} s.`);
    }
    // Loaded here: mllr.ts pulls in the decoder (koffi), which the app loads only when speech is used.
    const { estimateMllr } = await import('./mllr.js');
    return this.save(await estimateMllr(clips, opts));
  }
}
