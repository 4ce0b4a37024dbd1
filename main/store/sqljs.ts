/** Loads sql.js (WASM build) once per process, reading the .wasm file from node_modules. */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** The synchronous WebAssembly API (the main layer's libs carry no DOM/WebAssembly typings). */
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: unknown) => { exports: unknown } } }).WebAssembly;

/** Resolves sql.js; the WASM module is compiled on the first call only. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!loading) {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('sql.js/dist/sql-wasm.wasm');
    // Passing the bytes avoids sql.js's own fetch/locateFile probing under Node and Electron.
    const bytes = readFileSync(wasmPath);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    loading = initSqlJs({
      wasmBinary,
      locateFile: () => wasmPath,
      // Compile on this thread (Liftoff, tens of ms) instead of V8's async compile, whose background
      // tier-up later stalled the event loop ~200 ms right after start-up (measured in browser mode).
      instantiateWasm: (imports: unknown, done: (instance: object, module: object) => void) => {
        const module = new wasm.Module(bytes);
        const instance = new wasm.Instance(module, imports);
        done(instance, module);
        return instance.exports;
      },
    } as Parameters<typeof initSqlJs>[0]).catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
  }
  return loading;
}
