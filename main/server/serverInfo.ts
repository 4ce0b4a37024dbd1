/** server.json in the data dir: how a running `handsfree serve` is found (written by it, read by the CLI). */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const ServerInfoSchema = z.object({ pid: z.number().int().positive(), url: z.url(), port: z.number().int() });
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

const FILE = 'server.json';

export function writeServerInfo(dataDir: string, info: ServerInfo): void {
  const tmp = join(dataDir, `${FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
  renameSync(tmp, join(dataDir, FILE));
}

export function removeServerInfo(dataDir: string): void {
  rmSync(join(dataDir, FILE), { force: true });
}

/** The running server for this data dir, or null (no file, unreadable, or its process is gone). */
export function readServerInfo(dataDir: string): ServerInfo | null {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return null;
  try {
    const info = ServerInfoSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}

