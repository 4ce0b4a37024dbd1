/** Small signal helpers for diagnostics and tests (tone synthesis, FFT cross-correlation). */

export function tone(frequencyHz: number, durationMs: number, sampleRateHz: number, amplitude = 0.5): Float32Array {
  const n = Math.round((durationMs * sampleRateHz) / 1000);
  const out = new Float32Array(n);
  const ramp = Math.min(n / 2, Math.round(sampleRateHz * 0.005)); // 5 ms fades avoid clicks
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    out[i] = amplitude * env * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz);
  }
  return out;
}

/** Linear sweep f0→f1: a probe whose correlation peak is sharp and unambiguous. */
export function chirp(f0Hz: number, f1Hz: number, durationMs: number, sampleRateHz: number, amplitude = 0.5): Float32Array {
  const n = Math.round((durationMs * sampleRateHz) / 1000);
  const out = new Float32Array(n);
  const T = n / sampleRateHz;
  const ramp = Math.min(n / 2, Math.round(sampleRateHz * 0.003));
  for (let i = 0; i < n; i++) {
    const t = i / sampleRateHz;
    const env = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    out[i] = amplitude * env * Math.sin(2 * Math.PI * (f0Hz * t + ((f1Hz - f0Hz) * t * t) / (2 * T)));
  }
  return out;
}

export function toFloat32(pcm: Int16Array | Float32Array): Float32Array {
  if (pcm instanceof Float32Array) return pcm;
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = (pcm[i] ?? 0) / 32768;
  return out;
}

export function concatPcm(chunks: ReadonlyArray<Int16Array | Float32Array>): Float32Array {
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(toFloat32(c), o);
    o += c.length;
  }
  return out;
}

export function rmsDbfs(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] ?? 0) ** 2;
  const rms = Math.sqrt(s / Math.max(1, x.length));
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

// In-place iterative radix-2 FFT.
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] ?? 0, re[i] ?? 0];
      [im[i], im[j]] = [im[j] ?? 0, im[i] ?? 0];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const xr = (re[b] ?? 0) * cr - (im[b] ?? 0) * ci;
        const xi = (re[b] ?? 0) * ci + (im[b] ?? 0) * cr;
        re[b] = (re[a] ?? 0) - xr;
        im[b] = (im[a] ?? 0) - xi;
        re[a] = (re[a] ?? 0) + xr;
        im[a] = (im[a] ?? 0) + xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = (re[i] ?? 0) / n;
      im[i] = (im[i] ?? 0) / n;
    }
  }
}

/**
 * Finds `template` in `signal`: the lag (in samples) with the highest normalised
 * cross-correlation, and that score (1 = identical shape, scale-invariant).
 */
export function findTemplate(signal: Float32Array, template: Float32Array): { lag: number; score: number } {
  const m = template.length;
  if (signal.length < m || m === 0) return { lag: -1, score: 0 };
  let n = 1;
  while (n < signal.length + m) n <<= 1;
  const sr = new Float64Array(n);
  const si = new Float64Array(n);
  const tr = new Float64Array(n);
  const ti = new Float64Array(n);
  sr.set(signal);
  for (let i = 0; i < m; i++) tr[i] = template[m - 1 - i] ?? 0; // reversed: convolution = correlation
  fft(sr, si, false);
  fft(tr, ti, false);
  for (let i = 0; i < n; i++) {
    const a = sr[i] ?? 0;
    const b = si[i] ?? 0;
    const c = tr[i] ?? 0;
    const d = ti[i] ?? 0;
    sr[i] = a * c - b * d;
    si[i] = a * d + b * c;
  }
  fft(sr, si, true);
  let tEnergy = 0;
  for (let i = 0; i < m; i++) tEnergy += (template[i] ?? 0) ** 2;
  const prefix = new Float64Array(signal.length + 1);
  for (let i = 0; i < signal.length; i++) prefix[i + 1] = (prefix[i] ?? 0) + (signal[i] ?? 0) ** 2;
  let best = { lag: -1, score: 0 };
  for (let lag = 0; lag + m <= signal.length; lag++) {
    const wEnergy = (prefix[lag + m] ?? 0) - (prefix[lag] ?? 0);
    if (wEnergy <= 1e-12) continue;
    const score = (sr[lag + m - 1] ?? 0) / Math.sqrt(tEnergy * wEnergy);
    if (score > best.score) best = { lag, score };
  }
  return best;
}
