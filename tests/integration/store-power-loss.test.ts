/**
 * DB-2 in-process: power loss simulated by a file system that keeps only what was made durable
 * (tests/support/powerLossFs.ts, what LazyFS does with FUSE). A crash image is taken after every
 * fsync/fdatasync — the only moments the durable state changes — and stands for a power cut at any
 * point until the next one, so it must hold every write acknowledged before then. Each image is
 * opened as a fresh store (or settings file): it must open, pass the integrity check, and hold
 * every acknowledged write, in order.
 * Covers the journal appends, compaction (new snapshot + journal, directory fsync, removal of old
 * generations) and the settings file. The kill -9 tests cannot see a missing sync: the page cache
 * survives a killed process; here it does not.
 */
import { describe, expect, it } from 'vitest';
import { writeTempThenRename } from '../../main/store/fsFacade.js';
import { openStore } from '../../main/store/index.js';
import { openJsonFileBackend } from '../../main/settings/settingsStore.js';
import { PowerLossFs } from '../support/powerLossFs.js';

const STORE = '/powerloss/data/hf.sqlite';
const SETTINGS_DIR = '/powerloss/settings';
// The process that held the lock died with the power; in-process its pid would still look alive.
const isLock = (name: string) => name.endsWith('.lock');

interface Image {
  fs: PowerLossFs;
  /** Writes acknowledged while this was the durable state. */
  acked: number;
  after: string;
}

/** Records a crash image after each durability call; `ack()` raises the bar for the latest one. */
function recorder(fs: PowerLossFs) {
  const images: Image[] = [{ fs: fs.crashImage(isLock), acked: 0, after: 'start' }];
  let acked = 0;
  fs.afterOp = (op, n) => {
    if (op === 'fsync' || op === 'fdatasync') images.push({ fs: fs.crashImage(isLock), acked, after: `${op} #${n}` });
  };
  return {
    images,
    ack() {
      acked++;
      images[images.length - 1]!.acked = acked;
    },
  };
}

const clock = { nowMs: () => Date.UTC(2026, 0, 1), monotonicMs: () => performance.now() };

async function rowsAfterCrash(img: PowerLossFs): Promise<{ ids: string[]; integrity: string }> {
  const s = await openStore({ path: STORE, fs: img, clock });
  try {
    return { ids: s.all('SELECT id FROM api_keys ORDER BY created_at_ms').map((r) => String(r['id'])), integrity: s.integrityCheck() };
  } finally {
    s.close();
  }
}

describe('power loss (simulated): store', () => {
  it('every crash image during writes and compactions holds every acknowledged write', async () => {
    const fs = new PowerLossFs();
    const rec = recorder(fs);
    const WRITES = 14;
    // Compaction every 4 writes: three generations pass through, and old ones are removed.
    const store = await openStore({ path: STORE, fs, clock, compactEveryWrites: 4, keepGenerations: 2 });
    for (let i = 0; i < WRITES; i++) {
      store.run('INSERT INTO api_keys (id, name, user_id, hash, rate_limit_per_min, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?, NULL)', [`k${i}`, 'n', 'u', `${i}`.padStart(64, '0'), 60, i]);
      rec.ack();
    }
    store.close();
    expect(rec.images.length).toBeGreaterThan(WRITES);
    const expected = Array.from({ length: WRITES }, (_, i) => `k${i}`);
    for (const img of rec.images) {
      const { ids, integrity } = await rowsAfterCrash(img.fs);
      const where = `crash after ${img.after} with ${img.acked} writes acknowledged`;
      expect(integrity, where).toBe('ok');
      // A prefix of what was written (never a gap, never a reordering) covering every acknowledgement.
      expect(ids, where).toEqual(expected.slice(0, ids.length));
      expect(ids.length, where).toBeGreaterThanOrEqual(img.acked);
    }
  }, 120_000);
});

describe('power loss (simulated): settings file', () => {
  it('every crash image holds every acknowledged setting, as valid JSON', () => {
    const fs = new PowerLossFs();
    const rec = recorder(fs);
    const backend = openJsonFileBackend(SETTINGS_DIR, fs);
    const N = 6;
    for (let i = 0; i < N; i++) {
      backend.set(`k${i}`, i);
      rec.ack();
    }
    for (const img of rec.images) {
      const after = openJsonFileBackend(SETTINGS_DIR, img.fs).store;
      for (let i = 0; i < img.acked; i++) expect(after[`k${i}`], `crash after ${img.after}: k${i}`).toBe(i);
      // Nothing was moved aside as corrupt.
      expect(img.fs.list(SETTINGS_DIR).filter((n) => n.includes('corrupt')), img.after).toEqual([]);
    }
  });

  it('control: temp + fsync + rename without the directory fsync (write-file-atomic) loses a save', () => {
    const fs = new PowerLossFs();
    const rec = recorder(fs);
    fs.mkdirSync(SETTINGS_DIR);
    const file = `${SETTINGS_DIR}/ui-settings.json`;
    writeTempThenRename(fs, file, Buffer.from('{"k":1}'));
    rec.ack();
    const lost = rec.images.some((img) => {
      try {
        return JSON.parse(img.fs.readFileSync(file).toString('utf8')).k !== 1 && img.acked > 0;
      } catch {
        return img.acked > 0;
      }
    });
    expect(lost).toBe(true);
  });
});
