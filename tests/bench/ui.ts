/**
 * Browser-mode UI benchmark: cold start of `handsfree start` (process spawn → first inbox card
 * rendered in Debian's Chromium, browser already running) and the app process's idle RSS.
 * Targets (issue 6): ≤ 1.5 s and ≤ 200 MB. The lead wires `benchUi` into run.ts.
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..', '..');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface UiBenchResult {
  /** Spawn → first inbox card visible, per run, ms. */
  coldStartMs: number[];
  medianColdStartMs: number;
  /** VmRSS of the app process after it has idled with the page open, MB. */
  idleRssMb: number;
  coldStartTargetMet: boolean;
  rssTargetMet: boolean;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function benchUi(opts: { runs?: number; idleMs?: number; log?: (line: string) => void } = {}): Promise<UiBenchResult> {
  const runs = opts.runs ?? 3;
  const browser = await chromium.launch({ executablePath: process.env['HANDSFREE_CHROMIUM'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const coldStartMs: number[] = [];
  let idleRssMb = NaN;
  try {
    for (let i = 0; i < runs; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'hf-bench-ui-'));
      const page = await browser.newPage();
      const t0 = performance.now();
      const child = spawn(process.execPath, [join(REPO, 'bin', 'handsfree.js'), 'start', '--port', '0'], {
        cwd: REPO,
        env: { ...process.env, HANDSFREE_DATA_DIR: dataDir, HANDSFREE_BROWSER_MODE: '1', HANDSFREE_LOG_LEVEL: 'error' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const url = await new Promise<string>((ok, fail) => {
          let out = '';
          child.stdout!.on('data', (b: Buffer) => {
            out += b.toString();
            const m = /open (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
            if (m) ok(m[1]!);
          });
          child.once('exit', (c) => fail(new Error(`app exited with ${c}: ${out}`)));
        });
        await page.goto(`${url}/`);
        await page.getByTestId('inbox-card').first().waitFor();
        coldStartMs.push(performance.now() - t0);
        if (i === runs - 1) {
          await new Promise((r) => setTimeout(r, opts.idleMs ?? 3_000));
          idleRssMb = rssMb(child.pid!);
        }
      } finally {
        await page.close();
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  const sorted = [...coldStartMs].sort((a, b) => a - b);
  const medianColdStartMs = sorted[Math.floor(sorted.length / 2)]!;
  const r = { coldStartMs, medianColdStartMs, idleRssMb, coldStartTargetMet: medianColdStartMs <= 1_500, rssTargetMet: idleRssMb <= 200 };
  opts.log?.(
    `ui        browser-mode cold start to first inbox render: median ${medianColdStartMs.toFixed(0)} ms over ${runs} (target ≤ 1500 ms: ${r.coldStartTargetMet ? 'met' : 'MISSED'}); ` +
      `idle RSS ${idleRssMb.toFixed(0)} MB (target ≤ 200 MB: ${r.rssTargetMet ? 'met' : 'MISSED'})`,
  );
  return r;
}
