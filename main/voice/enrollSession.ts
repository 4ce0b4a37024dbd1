/**
 * The desktop app's enrollment: prompts recorded one by one from the mic (add-on capture through
 * the audio port, as the voice loop uses it), then adapted into the user's voice profile; the
 * running offline recognizer reloads it. Recordings stay in memory only.
 */
import { AppError } from '../../contract/errors.js';
import type { VoiceProfileView } from '../../contract/ipc.js';
import type { PcmAudio } from '../../core/ports/speech.js';
import type { SpeechProviders } from '../speech/providers.js';
import { MIN_ENROLLMENT_CLIPS, type VoiceProfileStore } from '../speech/adapt/voiceProfile.js';
import { FvadVoiceActivityDetector } from '../speech/vad/fvadVad.js';
import { loadAddonAudio } from '../audio/addonAudio.js';
import { recordPhrase } from './enrollRecorder.js';

/** What enrollment needs: the user's profile store and the running recognizer to reload. */
export interface EnrollDeps {
  voiceProfile: Pick<VoiceProfileStore, 'status' | 'enroll' | 'reset'>;
  speech(): Promise<Pick<SpeechProviders, 'reloadVoiceProfile'>>;
}

export class EnrollSession {
  private readonly takes = new Map<number, PcmAudio>();
  private busy = false;

  constructor(
    private readonly app: EnrollDeps,
    /** Records one phrase (tests replace the mic). */
    private readonly record: () => Promise<PcmAudio> = recordFromMic,
  ) {}

  view(): VoiceProfileView {
    const s = this.app.voiceProfile.status();
    return { enrolled: s.enrolled, updated_at_ms: s.updatedAtMs, available: s.available, reason: s.reason, prompts: s.prompts, recorded: [...this.takes.keys()].sort((a, b) => a - b), min_recordings: MIN_ENROLLMENT_CLIPS };
  }

  async recordPrompt(index: number): Promise<VoiceProfileView> {
    if (index >= this.app.voiceProfile.status().prompts.length) throw new AppError('validation_failed', `There is no prompt ${index + 1}.`);
    await this.exclusive(async () => this.takes.set(index, await this.record()));
    return this.view();
  }

  async adapt(): Promise<VoiceProfileView> {
    const prompts = this.app.voiceProfile.status().prompts;
    await this.exclusive(async () => {
      try {
        await this.app.voiceProfile.enroll([...this.takes].map(([i, audio]) => ({ text: prompts[i] as string, audio })));
      } catch (e) {
        throw new AppError('validation_failed', e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e));
      }
      this.takes.clear();
      (await this.app.speech()).reloadVoiceProfile();
    });
    return this.view();
  }

  async reset(): Promise<VoiceProfileView> {
    this.takes.clear();
    this.app.voiceProfile.reset();
    (await this.app.speech()).reloadVoiceProfile();
    return this.view();
  }

  private async exclusive(f: () => Promise<unknown>): Promise<void> {
    if (this.busy) throw new AppError('rate_limited', 'A recording or adaptation is already running.');
    this.busy = true;
    try {
      await f();
    } finally {
      this.busy = false;
    }
  }
}

async function recordFromMic(): Promise<PcmAudio> {
  const audio = await loadAddonAudio();
  if (!audio.source.available) throw new AppError('bad_request', audio.source.unavailableReason ?? 'The microphone is not available.');
  const vad = await FvadVoiceActivityDetector.create({ frameMs: 20, mode: 2 });
  const capture = await audio.source.openCapture({ sampleRateHz: vad.sampleRateHz, channels: 1, frameMs: 20, format: 'int16' });
  try {
    return await recordPhrase(capture, vad);
  } catch (e) {
    throw new AppError('validation_failed', e instanceof Error ? e.message : String(e));
  } finally {
    capture.close();
    vad.close();
  }
}
