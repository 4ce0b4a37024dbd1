/**
 * Direct entry: `node native/audio-addon/dist/bench/run.js [--seconds 5] [--stall-duration-s 120]
 * [--backends pulse,portaudio] [--json]` (after `npx tsc -b native/audio-addon`).
 */
import { runAudioBench } from './index.js';
import type { BackendName } from '../lib/index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const json = process.argv.includes('--json');
const result = await runAudioBench({
  seconds: Number(arg('--seconds') ?? 5),
  stallDurationS: Number(arg('--stall-duration-s') ?? 120),
  backends: (arg('--backends')?.split(',') as BackendName[] | undefined) ?? ['pulse', 'portaudio'],
  log: json ? undefined : (l) => console.log(l),
});
if (json) console.log(JSON.stringify(result, null, 2));
