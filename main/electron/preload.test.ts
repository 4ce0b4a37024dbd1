/** The sandboxed preload lists its channels itself; they must match contract/ipc.ts exactly (SEC-7). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, EVENT_NAMES } from '../../contract/ipc.js';

const src = readFileSync(new URL('../../preload/preload.cts', import.meta.url), 'utf8');
const list = (name: string): string[] => [...(new RegExp(`const ${name}[^=]*= \\[([^\\]]*)\\]`).exec(src)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]!);

describe('preload surface', () => {
  it('allows exactly the contract calls and events', () => {
    expect(list('PRELOAD_CALLS').sort()).toEqual([...CALL_NAMES].sort());
    expect(list('PRELOAD_EVENTS').sort()).toEqual([...EVENT_NAMES].sort());
  });
  it('exposes one object with call/on, never ipcRenderer', () => {
    expect(src.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(src).toMatch(/exposeInMainWorld\('handsfree', api\)/);
  });
});
