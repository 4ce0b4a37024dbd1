/**
 * The offline recognizer decodes on libuv's thread pool when called through the SpeechToText port
 * (transcribe): the event loop keeps running (mic frames, HTTP, IPC), results are the blocking
 * analyze()'s, and decodes queued on one decoder do not interfere.
 */
import { describe, expect, it } from 'vitest';
import { PocketsphinxSpeechToText } from '../../main/speech/pocketsphinx.js';
import { synth } from './speech-eval.js';
import { hasSpeechTools } from './speech-audio.js';

describe.skipIf(!hasSpeechTools())('pocketsphinx on the thread pool', () => {
  it('keeps the event loop running while it decodes, with the blocking path’s results, one decode at a time per decoder', async () => {
    const stt = new PocketsphinxSpeechToText({});
    try {
      // A command, a side-effect command (also decoded by the background model) and chit-chat.
      const clips = await Promise.all([synth('what needs my attention', 'espeak:en-us+f3'), synth('merge pr twelve', 'espeak:en-us'), synth('the weather is nice today in paris', 'espeak:en-us+m3')]);
      const blocking = clips.map((c) => stt.analyze(c));
      expect(blocking[0]!.text).toBe('what needs my attention');

      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      let ticksAtResult = -1;
      const first = await stt.transcribe(clips[0]!).finally(() => (ticksAtResult = ticks));
      clearInterval(timer);
      // A blocking decode would resolve before any timer could fire.
      expect(ticksAtResult).toBeGreaterThan(0);
      expect(first.text).toBe(blocking[0]!.text);

      // All three at once on one instance (one grammar decoder): queued, each its own result.
      const together = await Promise.all(clips.map((c) => stt.transcribe(c)));
      expect(together.map((t) => t.text)).toEqual(blocking.map((a) => a.text));
      expect(together.map((t) => t.confidence)).toEqual(blocking.map((a) => (a.text === '' ? 0 : a.confidence)));

      // The blocking path refuses a decoder that a pending decode is using, rather than corrupting it.
      const pending = stt.transcribe(clips[1]!);
      expect(() => stt.analyze(clips[1]!)).toThrow(/busy/);
      await pending;
    } finally {
      stt.close();
    }
  });

  it('skips a queued decode whose signal was aborted before its turn (a dropped speculation), and stays healthy', async () => {
    const stt = new PocketsphinxSpeechToText({});
    try {
      const [a, b] = await Promise.all([synth('what needs my attention', 'espeak:en-us'), synth('read pr twelve', 'espeak:en-us+f3')]);
      const running = stt.transcribe(a!);
      const flag = { aborted: false, throwIfAborted(): void {
        if (this.aborted) throw Object.assign(new Error('dropped'), { name: 'AbortError' });
      } };
      const queued = stt.transcribe(b!, { signal: flag });
      flag.aborted = true; // while the first decode still runs
      const after = stt.transcribe(b!);
      await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
      expect((await running).text).toBe('what needs my attention');
      expect((await after).text).toBe('read pr twelve');
      expect(stt.health().ok).toBe(true);
      // Not aborted: it runs as usual.
      expect((await stt.transcribe(b!, { signal: { aborted: false, throwIfAborted() {} } })).text).toBe('read pr twelve');
    } finally {
      stt.close();
    }
  });

  it('close() while a decode is pending lets the analysis finish (both of its decoders), then frees them', async () => {
    const stt = new PocketsphinxSpeechToText({});
    // A side-effect command: after the grammar's decode the analysis also needs the background decoder.
    const clip = await synth('merge pr twelve', 'espeak:en-us');
    const pending = stt.transcribe(clip);
    stt.close();
    const heard = await pending;
    try {
      const again = stt.analyze(clip); // fresh decoders: the old ones are gone
      expect(again.background).not.toBeNull();
      expect(heard.text).toBe(again.text);
    } finally {
      stt.close();
    }
  });
});
