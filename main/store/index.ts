/** The durable store: sql.js in memory, an fsynced journal of writes, snapshot generations on disk. */
export { openStore, DAY_MS } from './store.js';
export type { Store, StoreOptions, PruneResult } from './store.js';
export type { StartupReport } from './recovery.js';
export type { RunResult } from './durableDb.js';
export type { Row, SqlParams, SqlStore, SqlValue } from './sql.js';
export type { StoreFs } from './fsFacade.js';
export { nodeFs } from './fsFacade.js';
export { StoreLockedError } from './lock.js';
