/**
 * Push-to-talk in the desktop UI: with the audio add-on built and a private PulseAudio whose
 * null-sink monitor is the default microphone, hold the button, play a spoken command into the
 * sink, release — the command is transcribed and run, and the page shows what was heard and the
 * answer. Without the add-on or PulseAudio, the button must say why voice is unavailable.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasPulseTools, startPulse } from '../../native/audio-addon/bench/pulseServer.js';
import { authorize, expect, REPO, shot, startApp, test } from './fixtures.js';

const addonBuilt = existsSync(join(REPO, 'native', 'audio-addon', 'build', 'Release', 'handsfree_audio.node'));

test('push-to-talk: hold, speak, release runs the spoken command, or the page says why voice is unavailable', async ({ page }) => {
  test.setTimeout(90_000);
  const pulse = addonBuilt && hasPulseTools() ? await startPulse() : null;
  const dir = mkdtempSync(join(tmpdir(), 'hf-ptt-'));
  const app = await startApp({ env: pulse ? { PULSE_SERVER: pulse.server, XDG_RUNTIME_DIR: pulse.dir, PULSE_RUNTIME_PATH: join(pulse.dir, 'pulse') } : {} });
  try {
    await authorize(page.context(), app);
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: /^Command/ }).click();
    const ptt = page.getByTestId('ptt');
    const state = page.getByTestId('voice-state');
    if (!pulse) {
      await ptt.dispatchEvent('pointerdown');
      await expect(state).toContainText(/add-on|microphone|not available/i);
      await shot(page, 'push-to-talk');
      return;
    }
    const wav = join(dir, 'command.wav');
    const said = spawnSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, 'what needs my attention'], { encoding: 'utf8' });
    expect(said.status, said.stderr).toBe(0);
    await ptt.dispatchEvent('pointerdown');
    await expect(state).toContainText('listening', { timeout: 20_000 });
    await expect(ptt).toHaveAttribute('aria-pressed', 'true');
    const played = spawnSync('paplay', [`--server=${pulse.server}`, '--device=hf_loop', wav], { encoding: 'utf8', timeout: 20_000 });
    expect(played.status, played.stderr).toBe(0);
    await page.waitForTimeout(300); // the tail of the phrase is still in the capture pipeline
    await ptt.dispatchEvent('pointerup');
    await expect(state).toContainText('heard “what needs my attention”', { timeout: 30_000 });
    await expect(page.getByTestId('pipeline-stage')).not.toContainText('listening', { timeout: 30_000 });
    // The spoken turn's reply and timings reach the conversation panel, not only a status line.
    const turn = page.getByTestId('turn').first();
    await expect(turn).toHaveAttribute('data-source', 'voice', { timeout: 30_000 });
    await expect(turn).toContainText('what needs my attention');
    await expect(turn.getByTestId('turn-reply')).not.toBeEmpty();
    await expect(turn.getByTestId('turn-timing')).toContainText('speech-to-text');
    await shot(page, 'push-to-talk');
  } finally {
    await app.stop();
    await pulse?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
