/**
 * Diagnostics: with the add-on built, a private PulseAudio server whose null-sink monitor is the
 * default source, a tone played into it, and the level meter must move; suspending that source for
 * 700 ms must count as a dropout. Without the add-on, the
 * page must say so and how to build it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasPulseTools, startPulse } from '../../native/audio-addon/bench/pulseServer.js';
import { authorize, expect, shot, startApp, test } from './fixtures.js';

/** 16-bit 48 kHz mono WAV of a sine tone. */
function toneWav(path: string, seconds: number, hz: number): void {
  const rate = 48_000;
  const n = rate * seconds;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVEfmt ', 8); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 16_000), 44 + i * 2);
  writeFileSync(path, b);
}

test('diagnostics: level meter moves with audio on the capture device, or the add-on is reported missing', async ({ page }) => {
  // The first diagnostics call starts the audio process (main/audio/audioProcess.ts): ~1 s on an
  // idle machine, up to ~10 s on a loaded 2-core CI box.
  test.setTimeout(90_000);
  const pulse = hasPulseTools() ? await startPulse() : null;
  const dir = mkdtempSync(join(tmpdir(), 'hf-tone-'));
  const app = await startApp({ env: pulse ? { PULSE_SERVER: pulse.server, XDG_RUNTIME_DIR: pulse.dir, PULSE_RUNTIME_PATH: join(pulse.dir, 'pulse') } : {} });
  let player: ReturnType<typeof spawn> | null = null;
  try {
    await authorize(page.context(), app);
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Glasses diagnostics' }).click();
    const missing = page.getByTestId('addon-missing');
    const start = page.getByRole('button', { name: 'Start level meter' });
    await expect(missing.or(start)).toBeVisible();
    if (await missing.isVisible()) {
      await expect(missing).toContainText('not available');
      await expect(missing).toContainText('npm --prefix native/audio-addon run build');
      await shot(page, 'diagnostics');
      return;
    }
    test.skip(pulse === null, 'skipped because the add-on is built but no PulseAudio tools are installed to play audio into the capture device');
    const wav = join(dir, 'tone.wav');
    toneWav(wav, 1, 440);
    // Tone bursts with silence between them: a moving meter must follow both (a steady tone alone
    // can read the same 0.1 dB for seconds).
    player = spawn('sh', ['-c', `while :; do paplay --server=${pulse!.server} --device=hf_loop ${wav}; sleep 0.7; done`], { stdio: 'ignore', env: { ...process.env, PULSE_SERVER: pulse!.server } });
    await start.click();
    await expect(page.getByRole('button', { name: 'Stop level meter' })).toBeVisible();
    const meter = page.getByTestId('level-meter');
    let loudest = -Infinity;
    let quietest = Infinity;
    await expect
      .poll(async () => {
        const v = Number(await meter.getAttribute('data-rms'));
        if (Number.isFinite(v)) {
          loudest = Math.max(loudest, v);
          quietest = Math.min(quietest, v);
        }
        // the tone is heard (well above silence) and the meter also fell back between bursts
        return loudest > -40 && loudest - quietest > 20;
      }, { timeout: 20_000, intervals: [100] })
      .toBe(true);
    // The level history draws the same samples over the last 10 s, and the dropout count is shown.
    await expect.poll(async () => Number(await page.getByTestId('level-history').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(20);
    // The output (the loopback sink, metered through its monitor) has its own history beside it.
    await expect.poll(async () => Number(await page.getByTestId('output-level-history').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect(page.getByTestId('output-level-history')).toHaveAttribute('aria-label', /^Output level over the last 10 seconds: \d+ samples, now -?\d+ dBFS$/);
    await expect(page.getByTestId('dropouts')).toHaveText(/^\d+$/);
    // An injected stall: the loopback sink (and so its monitor, the capture source) is suspended for
    // 700 ms: the device delivers no audio, and the counter (capture-time gaps, main/audio/dropouts.ts)
    // must count it. Shorter than the add-on's 1.5 s stall watchdog, so the stream is not reopened.
    const dropouts = async (): Promise<number> => Number(await page.getByTestId('dropouts').textContent());
    const before = await dropouts();
    await pulse!.pactl('suspend-sink', 'hf_loop', '1');
    await new Promise((r) => setTimeout(r, 700));
    await pulse!.pactl('suspend-sink', 'hf_loop', '0');
    await expect.poll(dropouts, { timeout: 10_000 }).toBeGreaterThan(before);
    await page.getByRole('button', { name: 'Play test tone' }).click();
    await expect(page.getByTestId('diagnostics-result')).toContainText('test tone');
    await shot(page, 'diagnostics');
  } finally {
    if (player?.pid) process.kill(player.pid, 'SIGTERM');
    await app.stop();
    await pulse?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
