/**
 * Names of the store's files. For a store at `/data/hf.db`:
 *   /data/hf.db.lock                 single-writer lock (pid inside)
 *   /data/hf.db.snap.000007          snapshot of generation 7 (see snapshot.ts)
 *   /data/hf.db.journal.000007       writes made after snapshot 7 (see journal.ts)
 *   /data/hf.db.*.tmp                a file being written; an orphan after a crash, removed at start
 *   /data/hf.db.*.corrupt-<ms>       a damaged file moved aside (quarantined), kept for inspection
 */
import * as path from 'node:path';

export type FileKind = 'snap' | 'journal';

export class StoreFiles {
  readonly dir: string;
  readonly base: string;

  constructor(storePath: string) {
    const abs = path.resolve(storePath);
    this.dir = path.dirname(abs);
    this.base = path.basename(abs);
  }

  /** The absolute store path. */
  get path(): string {
    return path.join(this.dir, this.base);
  }

  get lock(): string {
    return path.join(this.dir, `${this.base}.lock`);
  }

  file(kind: FileKind, gen: number): string {
    return path.join(this.dir, `${this.base}.${kind}.${String(gen).padStart(6, '0')}`);
  }

  /** Parses a directory entry name; undefined for files that are not a live snapshot/journal of this store. */
  parse(name: string): { kind: FileKind; gen: number } | undefined {
    if (!name.startsWith(`${this.base}.`)) return undefined;
    const m = /^(snap|journal)\.(\d{1,15})$/.exec(name.slice(this.base.length + 1));
    if (!m) return undefined;
    return { kind: m[1] as FileKind, gen: Number(m[2]) };
  }

  /** True for a temp file this store writes (`<base>.….tmp`). */
  isTemp(name: string): boolean {
    return name.startsWith(`${this.base}.`) && name.endsWith('.tmp');
  }

  /** The name a damaged file is renamed to. */
  quarantineName(file: string, nowMs: number): string {
    return `${file}.corrupt-${nowMs}`;
  }
}
