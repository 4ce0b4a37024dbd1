/**
 * Test audio made at test time: espeak-ng speaks, sox resamples to 16 kHz mono and makes noise;
 * noise is mixed here at an exact SNR. WAVs are cached per test run in a temp dir (keyed by the
 * vitest parent process), so several test files share them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PcmAudio } from '../../core/ports/speech.js';
import { parseWav } from '../../main/speech/wav.js';

const execFileAsync = promisify(execFile);
/** espeak-ng words per minute (its default is 175; a calm speaker is nearer 140). */
const SPEED = Number(process.env['HF_SPEECH_WPM'] ?? 140);

/** Whether `cmd args` runs here (a tool from apt that a test needs). */
export function hasTool(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
/** sox can write MP3 (libsox-fmt-mp3). */
export const CAN_MP3 = hasTool('sox', ['-n', '-t', 'mp3', '/dev/null', 'trim', '0', '0.1']);
/** opus-tools can encode (and, for CAN_OPUS, decode) Ogg/Opus. */
export const CAN_OPUS_ENC = hasTool('opusenc', ['--version']);
export const CAN_OPUS = CAN_OPUS_ENC && hasTool('opusdec', ['--version']);

export const FIXTURE_REPOS = ['acme/api', 'acme/web', 'acme/infra', 'octo-org/payments', 'acme/agent-tasks'];
export const FIXTURE_PEOPLE = ['sam-dev', 'priya-k', 'dana-w', 'marco-b', 'lena-o', 'jules-t', 'omar-h', 'kenji-m', 'ana-s'];

/** espeak-ng voices the accuracy gate uses: US English with three voice variants (male, female, male 3). */
export const VOICES = ['en-us', 'en-us+f3', 'en-us+m3'] as const;
/** A British voice, reported only: the en-us acoustic model does markedly worse on it (~67–73% intents). */
export const ACCENT_VOICES = ['en-gb'] as const;

export function cacheDir(): string {
  const dir = join(tmpdir(), `hf-speech-audio-${process.env['VITEST_POOL_ID'] !== undefined ? process.ppid : process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function hasSpeechTools(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    execFileSync('sox', ['--version'], { stdio: 'ignore' });
    return existsSync('/usr/share/pocketsphinx/model/en-us/en-us/mdef');
  } catch {
    return false;
  }
}

/** 16 kHz mono WAV of `text` in `voice` (cached); returns the file path. */
export async function speakToWav(text: string, voice: string, opts: { speed?: number } = {}): Promise<string> {
  const key = createHash('sha1').update(`${voice}|${opts.speed ?? SPEED}|${text}`).digest('hex').slice(0, 16);
  const out = join(cacheDir(), `${key}.wav`);
  if (existsSync(out)) return out;
  const raw = `${out}.${process.pid}.espeak.wav`;
  await execFileAsync('espeak-ng', ['-v', voice, '-s', String(opts.speed ?? SPEED), '-w', raw, text]);
  const tmp = `${out}.${process.pid}.tmp.wav`;
  // -R: sox dithers when it resamples, from a random seed unless told; repeatable audio keeps
  // accuracy figures identical from run to run.
  await execFileAsync('sox', ['-R', raw, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', tmp]);
  renameSync(tmp, out);
  return out;
}

export async function speak(text: string, voice: string): Promise<PcmAudio> {
  return parseWav(readFileSync(await speakToWav(text, voice)));
}

/** Pink noise from sox (cached), 16 kHz mono, `seconds` long. */
export function pinkNoise(seconds = 8): Int16Array {
  const out = join(cacheDir(), `pink-${seconds}.wav`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp.wav`;
    execFileSync('sox', ['-R', '-n', '-r', '16000', '-c', '1', '-b', '16', tmp, 'synth', String(seconds), 'pinknoise', 'vol', '0.5']);
    renameSync(tmp, out);
  }
  return parseWav(readFileSync(out)).samples;
}

function rms(x: Int16Array): number {
  let s = 0;
  let n = 0;
  for (const v of x) {
    if (Math.abs(v) < 50) continue; // speech frames only: leading/trailing silence would bias the SNR
    s += v * v;
    n++;
  }
  return Math.sqrt(s / Math.max(1, n));
}

/** Adds noise at `snrDb` relative to the speech level, with `padMs` of noise-only lead-in and tail. */
export function withNoise(a: PcmAudio, snrDb: number, padMs = 300, offset = 0): PcmAudio {
  const noise = pinkNoise();
  const pad = Math.round((padMs / 1000) * a.sampleRateHz);
  const n = a.samples.length + 2 * pad;
  const target = rms(a.samples) / 10 ** (snrDb / 20);
  let nr = 0;
  for (const v of noise) nr += v * v;
  const gain = target / Math.sqrt(nr / noise.length);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const s = i >= pad && i < pad + a.samples.length ? (a.samples[i - pad] as number) : 0;
    const v = s + gain * (noise[(i + offset) % noise.length] as number);
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return { sampleRateHz: a.sampleRateHz, samples: out };
}

export function writeWav(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes);
}

/** Spoken commands with the intent (and key entities) they must produce. ≥ 60, every intent. */
export const CORPUS: readonly { text: string; intent: string; entities?: Record<string, unknown> }[] = [
  { text: 'what needs my attention', intent: 'inbox.summary' },
  { text: 'show my inbox', intent: 'inbox.summary' },
  { text: 'any new notifications', intent: 'inbox.summary' },
  { text: 'catch me up', intent: 'inbox.summary' },
  { text: 'what did i miss', intent: 'inbox.summary' },
  { text: 'next', intent: 'inbox.next' },
  { text: 'next one', intent: 'inbox.next' },
  { text: 'move on to the next notification', intent: 'inbox.next' },
  { text: 'read the first one', intent: 'inbox.read', entities: { position: 1 } },
  { text: 'open the third one', intent: 'inbox.read', entities: { position: 3 } },
  { text: 'read item two', intent: 'inbox.read', entities: { position: 2 } },
  { text: 'read pr twelve', intent: 'pr.summarize', entities: { number: 12 } },
  { text: 'summarize pull request two hundred four in acme slash web', intent: 'pr.summarize', entities: { number: 204, repo: 'acme/web' } },
  { text: 'what is pr three forty two about', intent: 'pr.summarize', entities: { number: 342 } },
  { text: 'tell me about pr fifteen', intent: 'pr.summarize', entities: { number: 15 } },
  { text: 'what changed in it', intent: 'pr.diff_summary' },
  { text: 'read pr eighty eight in the infra repo', intent: 'pr.summarize', entities: { number: 88, repo: 'acme/infra' } },
  { text: 'open pr nineteen', intent: 'pr.summarize', entities: { number: 19 } },
  { text: 'are the checks passing on pr twelve', intent: 'pr.checks', entities: { number: 12 } },
  { text: 'how is ci on it', intent: 'pr.checks' },
  { text: 'did the checks pass on pr two eleven', intent: 'pr.checks', entities: { number: 211 } },
  { text: 'is it green', intent: 'pr.checks' },
  { text: 'check the build on pr ninety one', intent: 'pr.checks', entities: { number: 91 } },
  { text: 'merge it', intent: 'pr.merge' },
  { text: 'merge pr twelve in acme slash api', intent: 'pr.merge', entities: { number: 12, repo: 'acme/api' } },
  { text: 'squash and merge pr seventeen', intent: 'pr.merge', entities: { number: 17, method: 'squash' } },
  { text: 'rebase merge pr ten', intent: 'pr.merge', entities: { number: 10, method: 'rebase' } },
  { text: 'merge pr three forty in payments', intent: 'pr.merge', entities: { number: 340 } },
  { text: 'merge it with a squash', intent: 'pr.merge', entities: { method: 'squash' } },
  { text: 'ask priya k to review pr fifteen', intent: 'pr.request_review', entities: { number: 15 } },
  { text: 'request a review from dana w on it', intent: 'pr.request_review' },
  { text: 'ask kenji m and ana s to review it', intent: 'pr.request_review' },
  { text: 'comment on pr twelve saying looks good to me', intent: 'pr.comment', entities: { number: 12 } },
  { text: 'reply to it ship it', intent: 'pr.comment' },
  { text: 'ask the agent to fix issue nine eighteen', intent: 'agent.delegate', entities: { issue: 918 } },
  { text: 'have copilot handle issue nine twenty one in acme slash api', intent: 'agent.delegate', entities: { issue: 921, repo: 'acme/api' } },
  { text: 'delegate issue ninety five to the agent', intent: 'agent.delegate', entities: { issue: 95 } },
  { text: 'ask the agent to fix issue two thirteen and add a regression test', intent: 'agent.delegate', entities: { issue: 213 } },
  { text: 'what is the agent doing', intent: 'agent.status' },
  { text: 'agent status', intent: 'agent.status' },
  { text: 'is the agent done yet', intent: 'agent.status' },
  { text: 'mark it done', intent: 'notification.done' },
  { text: 'mark as read', intent: 'notification.done' },
  { text: 'dismiss this notification', intent: 'notification.done' },
  { text: 'unsubscribe from this thread', intent: 'notification.unsubscribe' },
  { text: 'mute this thread', intent: 'notification.unsubscribe' },
  { text: 'stop watching this one', intent: 'notification.unsubscribe' },
  { text: 'confirm', intent: 'system.confirm' },
  { text: 'confirm twelve', intent: 'system.confirm', entities: { number: 12 } },
  { text: 'confirm the merge', intent: 'system.confirm' },
  { text: 'cancel', intent: 'system.cancel' },
  { text: 'never mind', intent: 'system.cancel' },
  { text: 'no cancel that', intent: 'system.cancel' },
  { text: 'repeat that', intent: 'system.repeat' },
  { text: 'say that again', intent: 'system.repeat' },
  { text: 'what was that', intent: 'system.repeat' },
  { text: 'stop', intent: 'system.stop' },
  { text: 'be quiet', intent: 'system.stop' },
  { text: 'stop talking', intent: 'system.stop' },
  { text: 'help', intent: 'system.help' },
  { text: 'what can i say', intent: 'system.help' },
  { text: 'list the commands', intent: 'system.help' },
  { text: 'switch to workout mode', intent: 'system.set_profile', entities: { profile: 'workout' } },
  { text: 'use the terse profile', intent: 'system.set_profile', entities: { profile: 'terse' } },
  { text: 'commute mode', intent: 'system.set_profile', entities: { profile: 'commute' } },
  { text: 'switch back to the default profile', intent: 'system.set_profile', entities: { profile: 'default' } },
];

/** Speech that is not a command: must never produce a side-effect intent. */
export const OUT_OF_GRAMMAR: readonly string[] = [
  'the weather is nice today in paris',
  'i think we should order pizza for lunch',
  'my favourite colour is blue',
  'can you believe the game last night',
  'the quick brown fox jumps over the lazy dog',
  'let us meet at the coffee shop around noon',
  'please remember to buy milk and eggs',
  'this song has a really catchy chorus',
];
