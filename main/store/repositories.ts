/** Repositories of core/ports/store.ts over the durable database. Every write returns after it is durable. */
import { AppError } from '../../contract/errors.js';
import type { ProfileName } from '../../contract/intent.js';
import type { ActionKind, ActionState } from '../../contract/response.js';
import type { Clock } from '../../core/ports/clock.js';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  AuditEntry,
  AuditLog,
  CommandLog,
  CommandRecord,
  InboxRef,
  PendingActionPatch,
  PendingActionRecord,
  PendingActionRepository,
  Repositories,
  SessionRepository,
  SessionState,
  SnoozeRecord,
  SnoozeRepository,
} from '../../core/ports/store.js';
import type { NotificationSubjectType } from '../../contract/github.js';
import type { DurableDb } from './durableDb.js';
import type { Row, SqlValue } from './sql.js';

/** Largest page a list call returns, whatever `limit` asks for. */
export const MAX_LIST_LIMIT = 1000;
const DEFAULT_LIST_LIMIT = 100;
/** Command text is stored truncated to this many UTF-16 code units (never splitting a surrogate pair). */
export const COMMAND_TEXT_MAX = 500;

const str = (v: SqlValue | undefined): string => (typeof v === 'string' ? v : String(v ?? ''));
const num = (v: SqlValue | undefined): number => (typeof v === 'number' ? v : Number(v));
const optStr = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : str(v));
const optNum = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : num(v));
const json = <T>(v: SqlValue | undefined, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);
const optJson = (v: Record<string, unknown> | null | undefined): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  return Math.max(0, Math.min(MAX_LIST_LIMIT, Math.floor(limit)));
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** Truncates to `max` UTF-16 code units without leaving half a surrogate pair. */
export function truncateText(s: string, max = COMMAND_TEXT_MAX): string {
  if (s.length <= max) return s;
  const cut = s.charCodeAt(max - 1) >= 0xd800 && s.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return s.slice(0, cut);
}

class SqlSessionRepository implements SessionRepository {
  constructor(private readonly db: DurableDb) {}

  get(id: string): SessionState | undefined {
    const r = this.db.get('SELECT * FROM sessions WHERE id = ?', [id]);
    if (!r) return undefined;
    const repo = optStr(r.last_pr_repo);
    const number = optNum(r.last_pr_number);
    return {
      id: str(r.id),
      userId: str(r.user_id),
      profile: str(r.profile) as ProfileName,
      lastPr: repo !== null && number !== null ? { repo, number } : null,
      inbox: json<InboxRef[]>(r.inbox_json, []),
      cursor: num(r.cursor),
      lastSpoken: optStr(r.last_spoken),
      createdAtMs: num(r.created_at_ms),
      updatedAtMs: num(r.updated_at_ms),
      ...(optStr(r.repo) !== null ? { repo: optStr(r.repo) } : {}),
    };
  }

  /** Deferred sync: conversation context is not an acknowledged side effect (see DurableDb.runDeferred). */
  put(s: SessionState): void {
    this.db.runDeferred(
      `INSERT INTO sessions (id, user_id, profile, last_pr_repo, last_pr_number, inbox_json, cursor, last_spoken, created_at_ms, updated_at_ms, repo)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, profile = excluded.profile,
         last_pr_repo = excluded.last_pr_repo, last_pr_number = excluded.last_pr_number, inbox_json = excluded.inbox_json,
         cursor = excluded.cursor, last_spoken = excluded.last_spoken, created_at_ms = excluded.created_at_ms,
         updated_at_ms = excluded.updated_at_ms, repo = excluded.repo`,
      [
        s.id,
        s.userId,
        s.profile,
        s.lastPr?.repo ?? null,
        s.lastPr?.number ?? null,
        JSON.stringify(s.inbox),
        s.cursor,
        s.lastSpoken,
        s.createdAtMs,
        s.updatedAtMs,
        s.repo ?? null,
      ],
    );
  }
}

function toPendingAction(r: Row): PendingActionRecord {
  return {
    token: str(r.token),
    sessionId: str(r.session_id),
    userId: str(r.user_id),
    kind: str(r.kind) as ActionKind,
    repo: str(r.repo),
    number: optNum(r.number),
    headSha: optStr(r.head_sha),
    params: json<Record<string, unknown>>(r.params_json, {}),
    readBack: str(r.read_back),
    state: str(r.state) as ActionState,
    createdAtMs: num(r.created_at_ms),
    expiresAtMs: num(r.expires_at_ms),
    deadlineMonoMs: num(r.deadline_mono_ms),
    bootId: str(r.boot_id),
    failedConfirmations: num(r.failed_confirmations),
    outcome: optStr(r.outcome),
    outcomeMessage: optStr(r.outcome_message),
    result: r.result_json === null || r.result_json === undefined ? null : json<Record<string, unknown>>(r.result_json, {}),
    updatedAtMs: num(r.updated_at_ms),
  };
}

class SqlPendingActionRepository implements PendingActionRepository {
  constructor(
    private readonly db: DurableDb,
    private readonly clock: Clock,
  ) {}

  insert(a: PendingActionRecord): void {
    this.db.run(
      `INSERT INTO pending_actions (token, session_id, user_id, kind, repo, number, head_sha, params_json, read_back, state,
         created_at_ms, expires_at_ms, deadline_mono_ms, boot_id, failed_confirmations, outcome, outcome_message, result_json, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        a.token,
        a.sessionId,
        a.userId,
        a.kind,
        a.repo,
        a.number,
        a.headSha,
        JSON.stringify(a.params),
        a.readBack,
        a.state,
        a.createdAtMs,
        a.expiresAtMs,
        a.deadlineMonoMs,
        a.bootId,
        a.failedConfirmations,
        a.outcome,
        a.outcomeMessage,
        optJson(a.result),
        a.updatedAtMs,
      ],
    );
  }

  get(token: string): PendingActionRecord | undefined {
    const r = this.db.get('SELECT * FROM pending_actions WHERE token = ?', [token]);
    return r ? toPendingAction(r) : undefined;
  }

  listBySession(sessionId: string, states?: readonly ActionState[]): PendingActionRecord[] {
    if (states && states.length === 0) return [];
    const filter = states ? ` AND state IN (${placeholders(states.length)})` : '';
    return this.db
      .all(`SELECT * FROM pending_actions WHERE session_id = ?${filter} ORDER BY created_at_ms DESC, rowid DESC`, [sessionId, ...(states ?? [])])
      .map(toPendingAction);
  }

  listByState(states: readonly ActionState[]): PendingActionRecord[] {
    if (states.length === 0) return [];
    return this.db
      .all(`SELECT * FROM pending_actions WHERE state IN (${placeholders(states.length)}) ORDER BY created_at_ms ASC, rowid ASC`, [...states])
      .map(toPendingAction);
  }

  transition(token: string, from: readonly ActionState[], to: ActionState, patch: PendingActionPatch = {}): PendingActionRecord | undefined {
    if (from.length === 0) return undefined;
    const sets = ['state = ?', 'updated_at_ms = ?'];
    const params: SqlValue[] = [to, patch.updatedAtMs ?? this.clock.nowMs()];
    if ('outcome' in patch) {
      sets.push('outcome = ?');
      params.push(patch.outcome ?? null);
    }
    if ('outcomeMessage' in patch) {
      sets.push('outcome_message = ?');
      params.push(patch.outcomeMessage ?? null);
    }
    if ('result' in patch) {
      sets.push('result_json = ?');
      params.push(optJson(patch.result));
    }
    // The compare-and-set: the WHERE clause is the check, `changes` says whether this call won.
    const { changes } = this.db.run(`UPDATE pending_actions SET ${sets.join(', ')} WHERE token = ? AND state IN (${placeholders(from.length)})`, [
      ...params,
      token,
      ...from,
    ]);
    return changes === 1 ? this.get(token) : undefined;
  }

  incrementFailedConfirmations(token: string): number {
    const { changes } = this.db.run('UPDATE pending_actions SET failed_confirmations = failed_confirmations + 1, updated_at_ms = ? WHERE token = ?', [
      this.clock.nowMs(),
      token,
    ]);
    if (changes !== 1) throw new AppError('token_invalid', 'no such pending action');
    return num(this.db.get('SELECT failed_confirmations FROM pending_actions WHERE token = ?', [token])?.failed_confirmations);
  }
}

function toAudit(r: Row): AuditEntry {
  return {
    atMs: num(r.at_ms),
    userId: str(r.user_id),
    sessionId: optStr(r.session_id),
    correlationId: str(r.correlation_id),
    action: str(r.action),
    target: str(r.target),
    token: optStr(r.token),
    outcome: str(r.outcome),
    detail: r.detail_json === null || r.detail_json === undefined ? null : json<Record<string, unknown>>(r.detail_json, {}),
  };
}

class SqlAuditLog implements AuditLog {
  constructor(private readonly db: DurableDb) {}

  append(e: AuditEntry): void {
    this.db.run(
      'INSERT INTO audit_log (at_ms, user_id, session_id, correlation_id, action, target, token, outcome, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [e.atMs, e.userId, e.sessionId, e.correlationId, e.action, e.target, e.token, e.outcome, optJson(e.detail)],
    );
  }

  list(opts: { limit?: number; token?: string } = {}): AuditEntry[] {
    const limit = limitOf(opts.limit);
    const rows =
      opts.token !== undefined
        ? this.db.all('SELECT * FROM audit_log WHERE token = ? ORDER BY at_ms DESC, id DESC LIMIT ?', [opts.token, limit])
        : this.db.all('SELECT * FROM audit_log ORDER BY at_ms DESC, id DESC LIMIT ?', [limit]);
    return rows.map(toAudit);
  }
}

function toCommand(r: Row): CommandRecord {
  return {
    id: str(r.id),
    atMs: num(r.at_ms),
    userId: str(r.user_id),
    sessionId: str(r.session_id),
    correlationId: str(r.correlation_id),
    source: str(r.source) as CommandRecord['source'],
    text: str(r.text),
    intent: str(r.intent),
    confidence: num(r.confidence),
    status: str(r.status) as CommandRecord['status'],
    errorCode: optStr(r.error_code),
    durationMs: num(r.duration_ms),
  };
}

class SqlCommandLog implements CommandLog {
  constructor(private readonly db: DurableDb) {}

  /** Deferred sync: history, never reordered or corrupted, may lose its last 50 ms on power loss. */
  append(c: CommandRecord): void {
    this.db.runDeferred(
      `INSERT INTO commands (id, at_ms, user_id, session_id, correlation_id, source, text, intent, confidence, status, error_code, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [c.id, c.atMs, c.userId, c.sessionId, c.correlationId, c.source, truncateText(c.text), c.intent, c.confidence, c.status, c.errorCode, c.durationMs],
    );
  }

  recent(opts: { limit?: number; sessionId?: string } = {}): CommandRecord[] {
    const limit = limitOf(opts.limit);
    const rows =
      opts.sessionId !== undefined
        ? this.db.all('SELECT * FROM commands WHERE session_id = ? ORDER BY at_ms DESC, rowid DESC LIMIT ?', [opts.sessionId, limit])
        : this.db.all('SELECT * FROM commands ORDER BY at_ms DESC, rowid DESC LIMIT ?', [limit]);
    return rows.map(toCommand);
  }
}

function toApiKey(r: Row): ApiKeyRecord {
  return {
    id: str(r.id),
    name: str(r.name),
    userId: str(r.user_id),
    hash: str(r.hash),
    rateLimitPerMin: num(r.rate_limit_per_min),
    createdAtMs: num(r.created_at_ms),
    revokedAtMs: optNum(r.revoked_at_ms),
  };
}

class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: DurableDb) {}

  insert(k: ApiKeyRecord): void {
    this.db.run('INSERT INTO api_keys (id, name, user_id, hash, rate_limit_per_min, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      k.id,
      k.name,
      k.userId,
      k.hash,
      k.rateLimitPerMin,
      k.createdAtMs,
      k.revokedAtMs,
    ]);
  }

  findByHash(hash: string): ApiKeyRecord | undefined {
    const r = this.db.get('SELECT * FROM api_keys WHERE hash = ?', [hash]);
    return r ? toApiKey(r) : undefined;
  }

  revoke(id: string, atMs: number): boolean {
    return this.db.run('UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL', [atMs, id]).changes === 1;
  }

  list(): ApiKeyRecord[] {
    return this.db.all('SELECT * FROM api_keys ORDER BY created_at_ms ASC, id ASC').map(toApiKey);
  }
}

function toSnooze(r: Row): SnoozeRecord {
  return {
    userId: str(r.user_id),
    threadId: str(r.thread_id),
    repo: str(r.repo),
    number: optNum(r.number),
    subjectType: str(r.subject_type) as NotificationSubjectType,
    untilMs: num(r.until_ms),
    createdAtMs: num(r.created_at_ms),
    firedAtMs: optNum(r.fired_at_ms),
  };
}

class SqlSnoozeRepository implements SnoozeRepository {
  constructor(private readonly db: DurableDb) {}

  put(s: Omit<SnoozeRecord, 'firedAtMs'>): void {
    this.db.run(
      `INSERT INTO notification_snoozes (user_id, thread_id, repo, number, subject_type, until_ms, created_at_ms, fired_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (user_id, thread_id) DO UPDATE SET repo = excluded.repo, number = excluded.number, subject_type = excluded.subject_type,
         until_ms = excluded.until_ms, created_at_ms = excluded.created_at_ms, fired_at_ms = NULL`,
      [s.userId, s.threadId, s.repo, s.number, s.subjectType, s.untilMs, s.createdAtMs],
    );
  }

  hiddenIds(userId?: string): string[] {
    const rows =
      userId === undefined
        ? this.db.all('SELECT thread_id FROM notification_snoozes WHERE fired_at_ms IS NULL')
        : this.db.all('SELECT thread_id FROM notification_snoozes WHERE user_id = ? AND fired_at_ms IS NULL', [userId]);
    return rows.map((r) => str(r.thread_id));
  }

  takeDue(nowMs: number): SnoozeRecord[] {
    return this.db.transaction(() => {
      const due = this.db.all('SELECT * FROM notification_snoozes WHERE fired_at_ms IS NULL AND until_ms <= ? ORDER BY until_ms ASC, thread_id ASC', [nowMs]).map(toSnooze);
      const fired: SnoozeRecord[] = [];
      for (const s of due) {
        // Compare-and-set: only the call that flips fired_at_ms hands the snooze out.
        const r = this.db.run('UPDATE notification_snoozes SET fired_at_ms = ? WHERE user_id = ? AND thread_id = ? AND fired_at_ms IS NULL', [nowMs, s.userId, s.threadId]);
        if (r.changes === 1) fired.push({ ...s, firedAtMs: nowMs });
      }
      return fired;
    });
  }

  nextDueMs(): number | null {
    const r = this.db.get('SELECT MIN(until_ms) AS due FROM notification_snoozes WHERE fired_at_ms IS NULL');
    return r === undefined ? null : optNum(r.due);
  }
}

/** Builds all repositories over one database. */
export function createRepositories(db: DurableDb, clock: Clock): Repositories {
  return {
    sessions: new SqlSessionRepository(db),
    pendingActions: new SqlPendingActionRepository(db, clock),
    audit: new SqlAuditLog(db),
    commands: new SqlCommandLog(db),
    apiKeys: new SqlApiKeyRepository(db),
    snoozes: new SqlSnoozeRepository(db),
  };
}
