/**
 * Two processes race to take over the same stale store lock (issue 13): exactly one of them may
 * become the writer, in every one of 300 races. Before the compare-and-delete takeover, both
 * could delete the stale lock, and the slower one then deleted the faster one's fresh lock.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';

const CHILD = resolve(import.meta.dirname, '../../build/main/store/harness/lockRaceChild.js');
const RACES = 300;

interface Racer {
  proc: ChildProcessWithoutNullStreams;
  next(): Promise<string>;
  send(line: string): void;
}

function racer(): Racer {
  const proc = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  createInterface({ input: proc.stdout }).on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else lines.push(l);
  });
  return {
    proc,
    next: () => new Promise((r) => (lines.length > 0 ? r(lines.shift()!) : waiters.push(r))),
    send: (l) => proc.stdin.write(`${l}\n`),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'hf-lockrace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`two processes racing for a stale lock: exactly one writer in ${RACES} races`, async () => {
  // A pid that is certainly dead: a child that has already exited.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const a = racer();
  const b = racer();
  try {
    expect([await a.next(), await b.next()]).toEqual(['ready', 'ready']);
    const outcomes: string[] = [];
    for (let i = 0; i < RACES; i++) {
      const file = join(dir, `race-${i}.lock`);
      writeFileSync(file, JSON.stringify({ pid: dead, host: hostname(), atMs: i }));
      a.send(`acquire ${file}`);
      b.send(`acquire ${file}`);
      const [ra, rb] = await Promise.all([a.next(), b.next()]);
      outcomes.push(`${ra}/${rb}`);
      for (const [r, x] of [[ra, a], [rb, b]] as const) {
        if (r === 'held') {
          x.send('release');
          expect(await x.next()).toBe('released');
        }
      }
    }
    const writers = outcomes.map((o) => o.split('/').filter((r) => r === 'held').length);
    expect(outcomes.filter((o) => o.includes('error'))).toEqual([]);
    expect(writers.filter((n) => n !== 1)).toEqual([]);
  } finally {
    a.proc.kill();
    b.proc.kill();
  }
}, 120_000);
