/** "stop": silence at once (the voice loop cuts playback on the intent; nothing is said). */
import { defineCommand } from './types.js';

export const systemStop = defineCommand('system.stop', {
  description: 'Stop talking at once.',
  examples: ['stop', 'be quiet'],
  anchors: [],
  entities: [],
  patterns: ['[no] stop [talking | speaking | it | that | reading]', '[be] quiet', 'pause', 'shut up', 'silence', 'hush', 'shush', '[that is] enough'],
  run: () => ({ status: 'ok', spoken: '', cards: [], keepLastSpoken: true }),
});
