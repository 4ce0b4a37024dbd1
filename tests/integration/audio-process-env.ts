/**
 * What the out-of-process audio tests need on this machine (speech tools, PulseAudio, the built
 * audio worker, a loadable add-on), as one skip reason shared by those tests.
 */
import { existsSync } from 'node:fs';
import { loadAddonAudio, type AudioAddonModule } from '../../main/audio/addonAudio.js';
import { audioWorkerPath } from '../../main/audio/channel.js';
import { hasPulseTools } from '../../native/audio-addon/bench/pulseServer.js';
import { hasSpeechTools } from './speech-audio.js';

/** Loads the add-on package the way the app does. */
export const addonLoader = async (): Promise<AudioAddonModule> => (await import('../../native/audio-addon/lib/index.js')) as unknown as AudioAddonModule;

/** Why `test` cannot run here (also printed), or null when it can. */
export async function audioProcessSkipReason(test: string): Promise<string | null> {
  let reason: string | null = null;
  if (!hasSpeechTools()) reason = 'espeak-ng, sox or the pocketsphinx model is not installed';
  else if (!hasPulseTools()) reason = 'PulseAudio (pulseaudio, pactl) is not installed';
  else if (!existsSync(audioWorkerPath())) reason = `the audio worker is not built (${audioWorkerPath()}): run npx tsc -b`;
  else {
    const probe = await loadAddonAudio(addonLoader);
    if (!probe.source.available) reason = `the audio add-on is not available: ${probe.source.unavailableReason ?? ''}`;
  }
  if (reason !== null) process.stdout.write(`${test}: skipped because ${reason}\n`);
  return reason;
}
