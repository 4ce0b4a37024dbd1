/** The audio process's stderr: device-probe noise from ALSA/JACK is dropped, everything else reaches the terminal. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../app/config.js';
import { forwardWorkerStderr } from './channel.js';

const NOISE = [
  "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'",
  'ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.front',
  'Cannot connect to server socket err = No such file or directory',
  'jack server is not running or cannot be started',
  'JackShmReadWritePtr::~JackShmReadWritePtr - Init not done for -1, skipping unlock',
];

async function run(lines: string[], verbose: boolean): Promise<string[]> {
  const s = new PassThrough();
  const out: string[] = [];
  forwardWorkerStderr(s, (l) => out.push(l), verbose);
  s.end(lines.join('\n') + '\n');
  await new Promise((r) => setTimeout(r, 20));
  return out;
}

describe('forwardWorkerStderr', () => {
  it('drops ALSA/JACK probe noise and keeps the worker\'s own lines', async () => {
    const own = 'audio process: uncaught Error: boom';
    expect(await run([...NOISE, own], false)).toEqual([`${own}\n`]);
  });

  it('keeps everything when verbose (HANDSFREE_LOG_LEVEL=debug)', async () => {
    expect(await run(NOISE, true)).toHaveLength(NOISE.length);
  });

  it('accepts a child without a stderr pipe', () => {
    expect(() => forwardWorkerStderr(null, () => undefined, false)).not.toThrow();
  });

  it('the piped stderr does not keep the app alive: an app that is done exits, and its audio worker with it', () => {
    // The compiled channel, as the app runs it; the worker only exits when the app's side closes.
    const channel = pathToFileURL(join(REPO_ROOT, 'build', 'main', 'audio', 'channel.js')).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { forkAudioChannel, audioWorkerPath } from ${JSON.stringify(channel)}; forkAudioChannel(audioWorkerPath());`], { timeout: 20_000, stdio: 'ignore' });
    expect(r.error).toBeUndefined(); // ETIMEDOUT: the app hung on the worker's stderr pipe
    expect(r.status).toBe(0);
  }, 30_000);
});
