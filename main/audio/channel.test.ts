/** The audio process's stderr: device-probe noise from ALSA/JACK is dropped, everything else reaches the terminal. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
});
