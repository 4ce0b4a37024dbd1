/** Every migration, in order. Add a file NNNN-verb-noun.ts and append it here. */
import { migration as m0001 } from './0001-create-core-tables.js';
import { migration as m0002 } from './0002-create-notification-tables.js';
import { migration as m0003 } from './0003-create-webhook-events.js';
import { migration as m0004 } from './0004-create-agent-tasks.js';
import { migration as m0005 } from './0005-create-idempotency-keys.js';
import { migration as m0006 } from './0006-index-webhook-payloads.js';
import { migration as m0007 } from './0007-create-notification-snoozes.js';
import { migration as m0008 } from './0008-add-session-repo.js';
import type { Migration } from './types.js';

export type { Migration, MigrationContext } from './types.js';

export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008];
