/**
 * Child process of the kill -9 harness (run as `node build/main/store/harness/killChild.js [--warm]`).
 *
 * Protocol on stdout, one line each: `loaded` (sql.js ready; waiting for the config line on
 * stdin), `ready <json>` (store open, with this start's own checks: startup report, temp files
 * left after the start, integrity_check), `c+` / `c-` (compaction started / finished),
 * `ack <id,id,…>` (printed only after the transaction writing those rows returned, i.e. is
 * durable), `error <message>`. It writes until it is killed.
 *
 * `--ack-early` deliberately acknowledges before committing: a broken writer the harness must
 * catch (it proves the harness can fail).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../../../core/ports/clock.js';
import { loadSqlJs } from '../sqljs.js';
import { openStore } from '../store.js';
import type { ChildConfig } from './protocol.js';
import { KILL_META_DDL, KILL_ROWS_DDL, prng, rowChecksum } from './protocol.js';

// Pipes are written synchronously on POSIX, so a line is in the pipe before the next write starts.
const say = (line: string): void => void process.stdout.write(`${line}\n`);

const logger: Logger = {
  debug(_o, msg) {
    if (msg === 'store: compaction started') say('c+');
    else if (msg === 'store: compaction finished') say('c-');
  },
  info() {},
  warn() {},
  error(o, msg) {
    say(`log ${msg ?? ''} ${JSON.stringify(o)}`);
  },
  child: () => logger,
};

/**
 * Exercises every store code path once on a scratch store, before announcing `loaded`, so the
 * lazily compiled WASM and JS are hot and the timed part of a run (open → writes → kill) is short.
 */
async function warmUp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hf-warm-'));
  try {
    for (let round = 0; round < 2; round++) {
      const s = await openStore({ path: join(dir, 'w.db'), compactEveryWrites: 5 });
      if (round === 0) s.run(KILL_ROWS_DDL);
      for (let i = 0; i < 12; i++) {
        s.transaction(() => s.run('INSERT INTO kill_rows (tx, payload, checksum) VALUES (?, ?, ?)', [i, 'p', rowChecksum(i, i, 'p')]));
      }
      s.all('SELECT coalesce(max(id), 0) AS m FROM kill_rows');
      s.integrityCheck();
      s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await loadSqlJs();
  if (process.argv.includes('--warm')) await warmUp();
  say('loaded');
  const rl = createInterface({ input: process.stdin });
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  const cfg = JSON.parse(line) as ChildConfig;
  const store = await openStore({ path: cfg.path, compactEveryWrites: cfg.compactEveryWrites, logger });
  const r = store.startupReport;
  const tempAfter = readdirSync(dirname(cfg.path)).filter((n) => n.endsWith('.tmp')).length;
  const ready = { ok: r.ok, message: r.message, quarantined: r.quarantined.length, torn: r.discardedTornBytes, temp: r.removedTempFiles.length, tempAfter, integrity: store.integrityCheck() };
  say(`ready ${JSON.stringify(ready)}`);
  const hasRows = store.all("SELECT 1 AS x FROM sqlite_master WHERE name = 'kill_rows'").length > 0;
  if (!hasRows) {
    store.transaction(() => {
      store.run(KILL_ROWS_DDL);
      store.run(KILL_META_DDL);
      store.run("INSERT INTO kill_meta (k, v) VALUES ('rows', 0)");
    });
  }
  const rand = prng(cfg.seed);
  let id = Number(store.all('SELECT coalesce(max(id), 0) AS m FROM kill_rows')[0]?.m) + 1;
  let tx = Number(store.all('SELECT coalesce(max(tx), 0) AS m FROM kill_rows')[0]?.m) + 1;
  const ackEarly = process.argv.includes('--ack-early');
  for (;;) {
    const n = 1 + Math.floor(rand() * 3);
    const ids: number[] = [];
    if (ackEarly) {
      say(`ack ${Array.from({ length: n }, (_, i) => id + i).join(',')}`);
      // Stand-in for work done between the premature ack and the durable write.
      const until = performance.now() + 10;
      while (performance.now() < until);
    }
    store.transaction(() => {
      for (let i = 0; i < n; i++) {
        const payload = 'x'.repeat(Math.floor(rand() * 300)) + String(rand());
        store.run('INSERT INTO kill_rows (id, tx, payload, checksum) VALUES (?, ?, ?, ?)', [id, tx, payload, rowChecksum(id, tx, payload)]);
        ids.push(id++);
      }
      store.run("UPDATE kill_meta SET v = v + ? WHERE k = 'rows'", [n]);
    });
    tx++;
    if (!ackEarly) say(`ack ${ids.join(',')}`);
  }
}

main().catch((e: unknown) => {
  say(`error ${(e as Error).message}`);
  process.exit(1);
});
