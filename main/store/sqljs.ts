/** Loads sql.js (WASM build) once per process, reading the .wasm file from node_modules. */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** Resolves sql.js; the WASM module is compiled on the first call only. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!loading) {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('sql.js/dist/sql-wasm.wasm');
    // Passing the bytes avoids sql.js's own fetch/locateFile probing under Node and Electron.
    const bytes = readFileSync(wasmPath);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    loading = initSqlJs({ wasmBinary, locateFile: () => wasmPath }).catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
  }
  return loading;
}
