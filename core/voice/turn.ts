/**
 * One voice turn over the speech ports, as used by `handsfree listen --wav` and the audio routes:
 * utterance → STT → command pipeline → TTS, with per-stage timings recorded into Metrics
 * (voice.stt, voice.pipeline, voice.tts_first_audio, voice.turn_to_first_audio).
 * An empty transcript (nothing in the grammar heard) answers "I didn't catch that" without
 * running the pipeline, so noise can never reach an action.
 */
import type { CommandResponse } from '../../contract/response.js';
import type { Metrics } from '../ports/metrics.js';
import type { PcmAudio, Speech, SpeechToText, TextToSpeech, Transcript } from '../ports/speech.js';

export interface VoiceTurnDeps {
  stt: SpeechToText;
  tts: TextToSpeech;
  metrics: Metrics;
  monotonicMs: () => number;
  /** Runs the transcript as a voice command. */
  runCommand(text: string, sttConfidence: number, numberAlternatives?: readonly number[]): Promise<CommandResponse>;
}

export interface VoiceTurnResult {
  transcript: Transcript;
  /** null when nothing was heard. */
  response: CommandResponse | null;
  spokenText: string;
  reply: Speech | null;
  timingsMs: { stt: number; pipeline: number; ttsFirstAudio: number; total: number };
}

export const NOT_HEARD = "I didn't catch that. Say help for what you can say.";

export async function runVoiceTurn(deps: VoiceTurnDeps, audio: PcmAudio, opts: { voice?: string } = {}): Promise<VoiceTurnResult> {
  const t0 = deps.monotonicMs();
  const transcript = await deps.stt.transcribe(audio);
  const t1 = deps.monotonicMs();
  deps.metrics.observe('voice.stt', t1 - t0);
  let response: CommandResponse | null = null;
  let spokenText = NOT_HEARD;
  if (transcript.text.trim() !== '') {
    response = await deps.runCommand(transcript.text, transcript.confidence, transcript.numberAlternatives);
    spokenText = response.spoken_text;
  } else {
    deps.metrics.increment('voice.not_heard');
  }
  if (transcript.notice !== undefined) spokenText = `${transcript.notice} ${spokenText}`.trim();
  const t2 = deps.monotonicMs();
  deps.metrics.observe('voice.pipeline', t2 - t1);
  let reply: Speech | null = null;
  if (spokenText !== '') {
    reply = await deps.tts.synthesize(spokenText, { voice: opts.voice });
    if (reply.notice !== undefined) spokenText = `${reply.notice} ${spokenText}`;
  }
  const t3 = deps.monotonicMs();
  deps.metrics.observe('voice.tts_first_audio', reply?.firstAudioMs ?? 0);
  deps.metrics.observe('voice.turn_to_first_audio', t3 - t0);
  return { transcript, response, spokenText, reply, timingsMs: { stt: t1 - t0, pipeline: t2 - t1, ttsFirstAudio: reply?.firstAudioMs ?? 0, total: t3 - t0 } };
}
