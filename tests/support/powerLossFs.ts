/**
 * A file system in memory that loses power the way a disk does (what LazyFS simulates with FUSE):
 * every file has what its page cache holds and what is durable, every directory has its live
 * entries and its durable entries. Data becomes durable only by fsync/fdatasync of the file; a
 * create, rename, link or unlink only by fsync of the directory. `crashImage()` is the disk after
 * a power cut at this instant: durable entries pointing at durable data, nothing else.
 *
 * Strict POSIX, stricter than ext4's defaults (no rename-over-replace ordering, no implied
 * directory sync on file fsync): a write path that passes here is safe on any of them.
 * Directories themselves (mkdir) are durable at once: the store does not create its own parent.
 */
import * as path from 'node:path';
import type { StoreFs } from '../../main/store/fsFacade.js';

interface Inode {
  data: Buffer;
  durable: Buffer;
  mtimeMs: number;
}

interface Dir {
  live: Map<string, Inode>;
  durable: Map<string, Inode>;
}

type Handle = { kind: 'file'; inode: Inode } | { kind: 'dir'; dir: Dir };

const errno = (code: string, op: string, p: string): Error => Object.assign(new Error(`${code}: ${op} '${p}'`), { code });

export class PowerLossFs implements StoreFs {
  private readonly dirs = new Map<string, Dir>();
  private readonly fds = new Map<number, Handle>();
  private nextFd = 100;
  private clockMs = 1_000;
  /** File-system calls made so far (each StoreFs method counts one). */
  ops = 0;
  /** Called after every operation, e.g. to take a crash image at each step. */
  afterOp: ((op: string, n: number) => void) | undefined;

  private tick(op: string): void {
    this.ops++;
    this.clockMs++;
    this.afterOp?.(op, this.ops);
  }

  private dirOf(p: string): { dir: Dir; name: string } {
    const abs = path.resolve(p);
    const dir = this.dirs.get(path.dirname(abs));
    if (!dir) throw errno('ENOENT', 'lookup', p);
    return { dir, name: path.basename(abs) };
  }

  private file(fd: number): Inode {
    const h = this.fds.get(fd);
    if (!h) throw errno('EBADF', 'fd', String(fd));
    if (h.kind !== 'file') throw errno('EISDIR', 'fd', String(fd));
    return h.inode;
  }

  openSync(file: string, flags: string): number {
    const abs = path.resolve(file);
    let h: Handle;
    const dir = this.dirs.get(abs);
    if (dir) {
      if (flags !== 'r') throw errno('EISDIR', 'open', file);
      h = { kind: 'dir', dir };
    } else {
      const { dir: parent, name } = this.dirOf(abs);
      let inode = parent.live.get(name);
      if (flags === 'wx' && inode) throw errno('EEXIST', 'open', file);
      if (!inode) {
        if (flags === 'r' || flags === 'r+') throw errno('ENOENT', 'open', file);
        if (flags !== 'w' && flags !== 'wx') throw errno('EINVAL', `open flags ${flags}`, file);
        inode = { data: Buffer.alloc(0), durable: Buffer.alloc(0), mtimeMs: this.clockMs };
        parent.live.set(name, inode);
      } else if (flags === 'w') {
        inode.data = Buffer.alloc(0);
        inode.mtimeMs = this.clockMs;
      }
      h = { kind: 'file', inode };
    }
    const fd = this.nextFd++;
    this.fds.set(fd, h);
    this.tick('open');
    return fd;
  }

  closeSync(fd: number): void {
    if (!this.fds.delete(fd)) throw errno('EBADF', 'close', String(fd));
    this.tick('close');
  }

  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
    const inode = this.file(fd);
    const end = position + length;
    if (end > inode.data.length) {
      const grown = Buffer.alloc(end);
      inode.data.copy(grown);
      inode.data = grown;
    }
    Buffer.from(buf.buffer, buf.byteOffset + offset, length).copy(inode.data, position);
    inode.mtimeMs = this.clockMs;
    this.tick('write');
    return length;
  }

  readFileSync(file: string): Buffer {
    const { dir, name } = this.dirOf(file);
    const inode = dir.live.get(name);
    if (!inode) throw errno('ENOENT', 'read', file);
    this.tick('read');
    return Buffer.from(inode.data);
  }

  fsyncSync(fd: number): void {
    const h = this.fds.get(fd);
    if (!h) throw errno('EBADF', 'fsync', String(fd));
    if (h.kind === 'dir') h.dir.durable = new Map(h.dir.live);
    else h.inode.durable = Buffer.from(h.inode.data);
    this.tick('fsync');
  }

  fdatasyncSync(fd: number): void {
    const inode = this.file(fd);
    inode.durable = Buffer.from(inode.data);
    this.tick('fdatasync');
  }

  ftruncateSync(fd: number, len: number): void {
    const inode = this.file(fd);
    const next = Buffer.alloc(len);
    inode.data.copy(next, 0, 0, Math.min(len, inode.data.length));
    inode.data = next;
    this.tick('ftruncate');
  }

  fstatSize(fd: number): number {
    const n = this.file(fd).data.length;
    this.tick('fstat');
    return n;
  }

  renameSync(from: string, to: string): void {
    const a = this.dirOf(from);
    const b = this.dirOf(to);
    const inode = a.dir.live.get(a.name);
    if (!inode) throw errno('ENOENT', 'rename', from);
    a.dir.live.delete(a.name);
    b.dir.live.set(b.name, inode);
    this.tick('rename');
  }

  linkSync(existing: string, to: string): void {
    const a = this.dirOf(existing);
    const b = this.dirOf(to);
    const inode = a.dir.live.get(a.name);
    if (!inode) throw errno('ENOENT', 'link', existing);
    if (b.dir.live.has(b.name)) throw errno('EEXIST', 'link', to);
    b.dir.live.set(b.name, inode);
    this.tick('link');
  }

  unlinkSync(file: string): void {
    const { dir, name } = this.dirOf(file);
    if (!dir.live.delete(name)) throw errno('ENOENT', 'unlink', file);
    this.tick('unlink');
  }

  readdirSync(d: string): string[] {
    const dir = this.dirs.get(path.resolve(d));
    if (!dir) throw errno('ENOENT', 'readdir', d);
    this.tick('readdir');
    return [...dir.live.keys()];
  }

  mkdirSync(d: string): void {
    let p = path.resolve(d);
    const chain: string[] = [];
    while (!this.dirs.has(p) && p !== path.dirname(p)) {
      chain.push(p);
      p = path.dirname(p);
    }
    for (const c of chain) this.dirs.set(c, { live: new Map(), durable: new Map() });
    this.tick('mkdir');
  }

  mtimeMs(file: string): number | undefined {
    const dir = this.dirs.get(path.dirname(path.resolve(file)));
    return dir?.live.get(path.basename(file))?.mtimeMs;
  }

  /**
   * The disk after a power cut now: only durable directory entries, each with its file's durable
   * bytes, as a fresh file system. `drop` removes entries by name (e.g. a lock naming a process
   * that died with the power).
   */
  crashImage(drop: (name: string) => boolean = () => false): PowerLossFs {
    const img = new PowerLossFs();
    const copies = new Map<Inode, Inode>();
    for (const [p, dir] of this.dirs) {
      const entries = new Map<string, Inode>();
      for (const [name, inode] of dir.durable) {
        if (drop(name)) continue;
        let c = copies.get(inode);
        if (!c) {
          c = { data: Buffer.from(inode.durable), durable: Buffer.from(inode.durable), mtimeMs: inode.mtimeMs };
          copies.set(inode, c);
        }
        entries.set(name, c);
      }
      img.dirs.set(p, { live: new Map(entries), durable: entries });
    }
    return img;
  }

  /** Live names in a directory (what a reader sees before any crash). */
  list(d: string): string[] {
    return [...(this.dirs.get(path.resolve(d))?.live.keys() ?? [])];
  }
}
