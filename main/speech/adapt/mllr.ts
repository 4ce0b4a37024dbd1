/**
 * Speaker/channel adaptation of the pocketsphinx en-us acoustic model with MLLR (CMU's "adapting
 * the default acoustic model" procedure), through Debian `sphinxtrain` and `sphinxbase-utils`:
 *   sphinx_fe (MFCCs with the model's feat.params) → bw (Baum-Welch statistics over the prompted
 *   transcripts) → mllr_solve (one global mean transform). The decoder then loads it with
 *   `-mllr <file>`; the model itself is never changed.
 *
 * The Debian model ships its mixture weights only quantized (`sendump`, read by pocketsphinx),
 * while bw needs the Sphinx-III float `mixture_weights`: sendumpToMixw() decodes one into the
 * other (the same conversion as sphinxtrain's python/cmusphinx/sendump.py).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PcmAudio } from '../../../core/ports/speech.js';
import { POCKETSPHINX_MODEL_DIR, NOISE_FLOOR_RMS, withNoiseFloor } from '../pocketsphinx.js';
import { buildDictionary } from '../pronounce.js';
import { encodeWav, resample } from '../wav.js';
import { mllrAvailability, SPHINXTRAIN_BIN } from './availability.js';

const run = promisify(execFile);
const SAMPLE_RATE_HZ = 16_000;

/**
 * Decodes pocketsphinx's quantized mixture weights (`sendump`: per feature stream and codeword, one
 * byte per senone holding −log₁.₀₀₀₁(p) >> 10) into a Sphinx-III `mixture_weights` file
 * ([senone][stream][codeword] float32, each distribution normalised to sum 1).
 */
export function sendumpToMixw(sendump: Uint8Array): Buffer {
  const b = Buffer.from(sendump.buffer, sendump.byteOffset, sendump.byteLength);
  let o = 0;
  let features = 1;
  let clusters = 0;
  let shift = 10;
  for (;;) {
    const n = b.readInt32LE(o);
    o += 4;
    if (n === 0) break;
    const s = b.toString('latin1', o, o + n - 1);
    o += n;
    const m = /^(\w+) (\d+)$/.exec(s);
    if (m?.[1] === 'feature_count') features = Number(m[2]);
    if (m?.[1] === 'cluster_count') clusters = Number(m[2]);
    if (m?.[1] === 'mixw_shift') shift = Number(m[2]);
  }
  if (clusters !== 0) throw new Error('clustered sendump files are not supported');
  const codewords = b.readInt32LE(o);
  const senones = b.readInt32LE(o + 4);
  o += 8;
  if (b.length - o !== features * codewords * senones) throw new Error(`sendump size mismatch: ${b.length - o} bytes for ${features}×${codewords}×${senones}`);
  const w = new Float32Array(senones * features * codewords);
  for (let f = 0; f < features; f++)
    for (let c = 0; c < codewords; c++)
      for (let s = 0; s < senones; s++) w[(s * features + f) * codewords + c] = 1.0001 ** -((b[o++] as number) << shift);
  for (let i = 0; i < senones * features; i++) {
    let sum = 0;
    for (let c = 0; c < codewords; c++) sum += w[i * codewords + c] as number;
    for (let c = 0; c < codewords; c++) w[i * codewords + c] = (w[i * codewords + c] as number) / sum;
  }
  // Sphinx-III binary header: text lines, "endhdr" on a 4-byte boundary, then the byte-order magic.
  let head = 's3\nversion 1.0\n';
  const pad = (4 - ((head.length + 'endhdr\n'.length) & 3)) & 3;
  head += `${' '.repeat(pad)}endhdr\n`;
  const out = Buffer.alloc(head.length + 4 + 16 + w.byteLength);
  out.write(head, 0, 'latin1');
  let p = head.length;
  out.writeInt32LE(0x11223344, p);
  out.writeUInt32LE(senones, p + 4);
  out.writeUInt32LE(features, p + 8);
  out.writeUInt32LE(codewords, p + 12);
  out.writeUInt32LE(w.length, p + 16);
  p += 20;
  Buffer.from(w.buffer).copy(out, p);
  return out;
}

/** One prompted recording: what the user was asked to say and what they said. */
export interface EnrollmentClip {
  text: string;
  audio: PcmAudio;
}

export interface MllrOptions {
  modelDir?: string;
  /** Work directory (kept for diagnostics when given; a temp dir removed afterwards otherwise). */
  workDir?: string;
  /** Kills a step that runs longer, ms. Default 120000. */
  timeoutMs?: number;
}

/** Lowercase words of a prompt, as the dictionary spells them. */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

/**
 * Estimates a global MLLR mean transform from prompted recordings; returns the transform file's
 * text (the format pocketsphinx's `-mllr` reads). Needs ~20 clips of 1–4 s; takes ~5–15 s here.
 */
export async function estimateMllr(clips: readonly EnrollmentClip[], opts: MllrOptions = {}): Promise<string> {
  const avail = mllrAvailability(opts.modelDir);
  if (!avail.ok) throw new Error(avail.reason ?? 'voice adaptation unavailable');
  if (clips.length === 0) throw new Error('no enrollment recordings');
  const modelDir = opts.modelDir ?? POCKETSPHINX_MODEL_DIR;
  const timeout = opts.timeoutMs ?? 120_000;
  const own = opts.workDir === undefined;
  const dir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'handsfree-mllr-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // A model directory bw can read: the shipped files plus float mixture weights and a text mdef.
    const hmm = join(dir, 'hmm');
    mkdirSync(hmm, { recursive: true });
    for (const f of ['means', 'variances', 'transition_matrices', 'noisedict', 'feat.params']) {
      if (!existsSync(join(hmm, f))) symlinkSync(join(modelDir, f), join(hmm, f));
    }
    writeFileSync(join(hmm, 'mixture_weights'), sendumpToMixw(readFileSync(join(modelDir, 'sendump'))));
    await run('/usr/bin/pocketsphinx_mdef_convert', ['-text', join(modelDir, 'mdef'), join(hmm, 'mdef.txt')], { timeout });

    const ids: string[] = [];
    const trans: string[] = [];
    const vocab = new Set<string>();
    clips.forEach((c, i) => {
      const id = `u${String(i).padStart(3, '0')}`;
      const pcm = c.audio.sampleRateHz === SAMPLE_RATE_HZ ? c.audio.samples : resample(c.audio.samples, c.audio.sampleRateHz, SAMPLE_RATE_HZ);
      // The decoder adds the same noise floor (pocketsphinx.ts): adapt to the features it will see.
      writeFileSync(join(dir, `${id}.wav`), encodeWav({ sampleRateHz: SAMPLE_RATE_HZ, samples: withNoiseFloor(pcm, NOISE_FLOOR_RMS) }));
      const w = words(c.text);
      for (const x of w) vocab.add(x);
      ids.push(id);
      trans.push(`<s> ${w.join(' ')} </s> (${id})`);
    });
    writeFileSync(join(dir, 'fileids'), `${ids.join('\n')}\n`);
    writeFileSync(join(dir, 'transcription'), `${trans.join('\n')}\n`);
    writeFileSync(join(dir, 'dict'), buildDictionary([...vocab]).text);

    const fp = featParams(modelDir);
    await run(
      '/usr/bin/sphinx_fe',
      ['-samprate', String(SAMPLE_RATE_HZ), '-c', join(dir, 'fileids'), '-di', dir, '-do', dir, '-ei', 'wav', '-eo', 'mfc', '-mswav', 'yes', '-dither', 'no', ...pick(fp, ['-lowerf', '-upperf', '-nfilt', '-transform', '-lifter'])],
      { timeout },
    );
    await run(
      join(SPHINXTRAIN_BIN, 'bw'),
      [
        '-hmmdir', hmm, '-moddeffn', join(hmm, 'mdef.txt'), '-ts2cbfn', fp.get('-model') === 'ptm' ? '.ptm.' : '.cont.',
        '-feat', fp.get('-feat') ?? '1s_c_d_dd', '-svspec', fp.get('-svspec') ?? '0-12/13-25/26-38', '-cmn', fp.get('-cmn') ?? 'batch', '-agc', fp.get('-agc') ?? 'none',
        '-dictfn', join(dir, 'dict'), '-fdictfn', join(hmm, 'noisedict'), '-ctlfn', join(dir, 'fileids'), '-lsnfn', join(dir, 'transcription'),
        '-cepdir', dir, '-accumdir', dir, '-timing', 'no',
      ],
      { timeout, maxBuffer: 16 * 1024 * 1024 },
    );
    const out = join(dir, 'mllr_matrix');
    await run(join(SPHINXTRAIN_BIN, 'mllr_solve'), ['-meanfn', join(hmm, 'means'), '-varfn', join(hmm, 'variances'), '-outmllrfn', out, '-accumdir', dir], { timeout, maxBuffer: 16 * 1024 * 1024 });
    const text = readFileSync(out, 'utf8');
    if (!/\d/.test(text)) throw new Error('mllr_solve wrote an empty transform');
    return text;
  } finally {
    if (own) rmSync(dir, { recursive: true, force: true });
  }
}

function featParams(modelDir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(join(modelDir, 'feat.params'), 'utf8').split('\n')) {
    const r = /^(-\S+)\s+(\S+)/.exec(line.trim());
    if (r) m.set(r[1] as string, r[2] as string);
  }
  return m;
}

function pick(m: Map<string, string>, keys: string[]): string[] {
  return keys.flatMap((k) => (m.has(k) ? [k, m.get(k) as string] : []));
}
