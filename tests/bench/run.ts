/**
 * `npm run bench`: every benchmark, each printed next to its target and a baseline measured in
 * the same run. Speed targets live here, not in unit tests (machines here are noisy).
 */
import { benchHttp, benchInProcess } from './pipeline.js';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const f = (n: number) => n.toFixed(2);

async function main(): Promise<void> {
  if (want('pipeline')) {
    const r = await benchInProcess();
    console.log(`pipeline  in-process text command: p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms over ${r.n} (target p99 ≤ 5 ms: ${r.p99 <= 5 ? 'met' : 'MISSED'})`);
  }
  if (want('http')) {
    const { app, saturated, floor, thinkMs } = await benchHttp();
    console.log(
      `http      50 concurrent clients, ${thinkMs} ms mean think time (${Math.round(app.rps!)} req/s): p50 ${f(app.p50)} ms, p99 ${f(app.p99)} ms over ${app.n} ` +
        `(target p99 ≤ 20 ms: ${app.p99 <= 20 ? 'met' : 'MISSED'})`,
    );
    console.log(
      `http      50 clients back-to-back (saturated): ${Math.round(saturated.rps!)} req/s, p50 ${f(saturated.p50)} ms, p99 ${f(saturated.p99)} ms; ` +
        `bare node:http floor ${Math.round(floor.rps!)} req/s, p99 ${f(floor.p99)} ms; throughput ratio ${f(saturated.rps! / Math.max(floor.rps!, 1))}×`,
    );
  }
  if (want('store')) {
    const { benchStore } = await import('./store.js');
    await benchStore({});
  }
  if (want('notifications')) {
    const { benchNotifications } = await import('./notifications.js');
    await benchNotifications(console.log);
  }
  if (want('ui')) {
    const { benchUi } = await import('./ui.js');
    await benchUi({ log: (line) => console.log(line) });
  }
  if (want('voice')) {
    const { benchVoice } = await import('./voice.js');
    await benchVoice(console.log);
    // VAD mode (the real end of the spoken audio) beside push-to-talk, through PulseAudio null sinks.
    const { benchVoiceLoop } = await import('./voiceLoop.js');
    await benchVoiceLoop(console.log);
  }
  if (want('speech-tts')) {
    // The clearest offline reply voice: synthesized sentences through a free-English listener (~1 min).
    const { benchTtsRoundTrip } = await import('./ttsRoundTrip.js');
    await benchTtsRoundTrip(console.log);
  }
  if (want('wake')) {
    const { benchWake } = await import('./wake.js');
    await benchWake(console.log);
  }
  if (want('speech-enroll')) {
    const { benchEnroll } = await import('./enroll.js');
    await benchEnroll(console.log);
  }
  if (only.includes('speech-fit')) {
    // Not part of a plain `npm run bench`: it rewrites main/speech/adapt/channelTransforms.ts.
    const { benchFitChannel } = await import('./fitChannel.js');
    await benchFitChannel(console.log);
  }
  if (only.includes('speech-rejection')) {
    // Only when asked: ~15 min per set (the gated test's plan on the calibration and test sets).
    const { benchSpeechRejection } = await import('./speechRejection.js');
    await benchSpeechRejection(console.log);
  }
  if (want('speech')) {
    const { benchSpeech } = await import('./speech.js');
    await benchSpeech(console.log);
  }
  if (want('audio')) {
    // Starts its own PulseAudio null sinks; the stall capture runs the 2 minutes.
    const { runAudioBench } = await import('@handsfree/audio-addon/bench');
    await runAudioBench({ log: (line) => console.log(`audio     ${line}`) });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
