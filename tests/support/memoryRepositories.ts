/**
 * In-memory Repositories for core unit tests (the port's contract, without durability).
 * Integration tests use the real sql.js store.
 */
import type {
  ApiKeyRecord,
  AuditEntry,
  CommandRecord,
  PendingActionRecord,
  Repositories,
  SessionState,
  SnoozeRecord,
} from '../../core/ports/store.js';

const clone = <T>(v: T): T => structuredClone(v);

export function memoryRepositories(): Repositories & { _actions: Map<string, PendingActionRecord>; _audit: AuditEntry[] } {
  const sessions = new Map<string, SessionState>();
  const actions = new Map<string, PendingActionRecord>();
  const audit: AuditEntry[] = [];
  const commands: CommandRecord[] = [];
  const keys = new Map<string, ApiKeyRecord>();
  const snoozes = new Map<string, SnoozeRecord>();
  return {
    _actions: actions,
    _audit: audit,
    sessions: { get: (id) => (sessions.has(id) ? clone(sessions.get(id)!) : undefined), put: (s) => void sessions.set(s.id, clone(s)) },
    pendingActions: {
      insert: (r) => {
        if (actions.has(r.token)) throw new Error('duplicate token');
        actions.set(r.token, clone(r));
      },
      get: (t) => (actions.has(t) ? clone(actions.get(t)!) : undefined),
      listBySession: (sid, states) =>
        [...actions.values()].filter((a) => a.sessionId === sid && (!states || states.includes(a.state))).sort((a, b) => b.createdAtMs - a.createdAtMs).map(clone),
      listByState: (states) => [...actions.values()].filter((a) => states.includes(a.state)).sort((a, b) => a.createdAtMs - b.createdAtMs).map(clone),
      transition: (t, from, to, patch) => {
        const a = actions.get(t);
        if (!a || !from.includes(a.state)) return undefined;
        const next = { ...a, ...(patch ?? {}), state: to };
        actions.set(t, next);
        return clone(next);
      },
      incrementFailedConfirmations: (t) => {
        const a = actions.get(t)!;
        a.failedConfirmations++;
        return a.failedConfirmations;
      },
    },
    audit: {
      append: (e) => void audit.push(clone(e)),
      list: (opts) => audit.filter((e) => !opts?.token || e.token === opts.token).slice().reverse().slice(0, opts?.limit ?? 100),
    },
    commands: {
      append: (c) => void commands.push(clone(c)),
      recent: (opts) => commands.filter((c) => !opts?.sessionId || c.sessionId === opts.sessionId).slice().reverse().slice(0, opts?.limit ?? 100),
    },
    apiKeys: {
      insert: (k) => void keys.set(k.id, clone(k)),
      findByHash: (h) => [...keys.values()].find((k) => k.hash === h),
      revoke: (id, at) => {
        const k = keys.get(id);
        if (!k || k.revokedAtMs !== null) return false;
        k.revokedAtMs = at;
        return true;
      },
      list: () => [...keys.values()],
    },
    snoozes: {
      put: (s) => void snoozes.set(`${s.userId}\u0000${s.threadId}`, { ...clone(s), firedAtMs: null }),
      hiddenIds: (u) => [...snoozes.values()].filter((s) => (u === undefined || s.userId === u) && s.firedAtMs === null).map((s) => s.threadId),
      takeDue: (now) => {
        const due = [...snoozes.values()].filter((s) => s.firedAtMs === null && s.untilMs <= now).sort((a, b) => a.untilMs - b.untilMs);
        for (const s of due) s.firedAtMs = now;
        return due.map(clone);
      },
      nextDueMs: () => {
        const open = [...snoozes.values()].filter((s) => s.firedAtMs === null).map((s) => s.untilMs);
        return open.length === 0 ? null : Math.min(...open);
      },
    },
  };
}

/** A controllable clock: advance() moves both clocks; jumpWall() moves only the wall clock. */
export function manualClock(startWallMs = Date.UTC(2026, 10, 23, 12)) {
  let wall = startWallMs;
  let mono = 1_000;
  return {
    nowMs: () => wall,
    monotonicMs: () => mono,
    advance(ms: number) {
      wall += ms;
      mono += ms;
    },
    jumpWall(ms: number) {
      wall += ms;
    },
  };
}

let counter = 0;
/** Deterministic but unique hex source for tests. */
export const testRandom = {
  hex: (bytes: number) => (++counter).toString(16).padStart(bytes * 2, '0').slice(-bytes * 2),
};

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
