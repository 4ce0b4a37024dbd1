/**
 * agent_tasks (migration 0004) over the store's durable run/all. Column use here: `repo` and
 * `issue_number` are the issue the agent works on (acme/api#918); `external_id` is the provider's
 * handle — for github_issue_dispatch the dispatch issue ("acme/agent-tasks#5"), for copilot the
 * assigned issue itself ("acme/api#918"); `pr_number` and
 * result_json.pr the PR the agent opened. correlation_id is the hidden marker's value.
 */
import type { AgentTaskState, AgentTaskView } from '../../contract/api.js';
import type { Row } from '../store/index.js';
import type { SqlStore } from '../store/index.js';

export interface AgentTask {
  id: string;
  correlationId: string;
  userId: string;
  sessionId: string | null;
  actionToken: string | null;
  provider: string;
  repo: string;
  issueNumber: number | null;
  prNumber: number | null;
  externalId: string | null;
  instruction: string;
  state: AgentTaskState;
  result: { dispatchUrl?: string; prRepo?: string; prUrl?: string } | null;
  error: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

function toTask(r: Row): AgentTask {
  return {
    id: String(r['id']),
    correlationId: String(r['correlation_id']),
    userId: String(r['user_id']),
    sessionId: r['session_id'] === null ? null : String(r['session_id']),
    actionToken: r['action_token'] === null ? null : String(r['action_token']),
    provider: String(r['provider']),
    repo: String(r['repo']),
    issueNumber: r['issue_number'] === null ? null : Number(r['issue_number']),
    prNumber: r['pr_number'] === null ? null : Number(r['pr_number']),
    externalId: r['external_id'] === null ? null : String(r['external_id']),
    instruction: String(r['instruction']),
    state: String(r['state']) as AgentTaskState,
    result: r['result_json'] === null ? null : (JSON.parse(String(r['result_json'])) as AgentTask['result']),
    error: r['error'] === null ? null : String(r['error']),
    createdAtMs: Number(r['created_at_ms']),
    updatedAtMs: Number(r['updated_at_ms']),
  };
}

/** "acme/agent-tasks#5" → parts. */
export function parseRef(ref: string | null): { repo: string; number: number } | null {
  const m = ref ? /^([^#\s]+\/[^#\s]+)#(\d+)$/.exec(ref) : null;
  return m ? { repo: m[1]!, number: Number(m[2]) } : null;
}

export function toTaskView(t: AgentTask): AgentTaskView {
  const d = parseRef(t.externalId);
  return {
    id: t.id,
    correlation_id: t.correlationId,
    provider: t.provider,
    state: t.state,
    target: `${t.repo}#${t.issueNumber ?? '?'}`,
    dispatch: d ? { ...d, url: t.result?.dispatchUrl ?? null } : null,
    pull_request: t.prNumber !== null ? { repo: t.result?.prRepo ?? t.repo, number: t.prNumber, url: t.result?.prUrl ?? null } : null,
    instruction: t.instruction,
    error: t.error,
    created_at: new Date(t.createdAtMs).toISOString(),
    updated_at: new Date(t.updatedAtMs).toISOString(),
  };
}

export class AgentTaskRepository {
  constructor(private readonly db: SqlStore) {}

  insert(t: Omit<AgentTask, 'state' | 'prNumber' | 'externalId' | 'result' | 'error' | 'updatedAtMs'>): AgentTask {
    this.db.run(
      `INSERT INTO agent_tasks (id, correlation_id, user_id, session_id, action_token, provider, repo, issue_number, instruction, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [t.id, t.correlationId, t.userId, t.sessionId, t.actionToken, t.provider, t.repo, t.issueNumber, t.instruction, t.createdAtMs, t.createdAtMs],
    );
    return this.get(t.id)!;
  }

  get(id: string): AgentTask | undefined {
    const r = this.db.all('SELECT * FROM agent_tasks WHERE id = ?', [id])[0];
    return r ? toTask(r) : undefined;
  }

  byCorrelation(correlationId: string): AgentTask | undefined {
    const r = this.db.all('SELECT * FROM agent_tasks WHERE correlation_id = ?', [correlationId])[0];
    return r ? toTask(r) : undefined;
  }

  /** Newest first. */
  list(opts: { userId?: string; states?: readonly AgentTaskState[]; limit?: number } = {}): AgentTask[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (opts.userId !== undefined) {
      where.push('user_id = ?');
      params.push(opts.userId);
    }
    if (opts.states && opts.states.length > 0) {
      where.push(`state IN (${opts.states.map(() => '?').join(', ')})`);
      params.push(...opts.states);
    }
    params.push(Math.min(Math.max(opts.limit ?? 100, 1), 1000));
    return this.db
      .all(`SELECT * FROM agent_tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at_ms DESC, id DESC LIMIT ?`, params)
      .map(toTask);
  }

  /** Tasks on the same target that are not finished, newest first. */
  activeFor(userId: string, repo: string, issue: number): AgentTask[] {
    return this.db
      .all("SELECT * FROM agent_tasks WHERE user_id = ? AND lower(repo) = lower(?) AND issue_number = ? AND state IN ('created', 'running', 'needs_input') ORDER BY created_at_ms DESC", [userId, repo, issue])
      .map(toTask);
  }

  /**
   * Compare-and-set on state (the 0004 trigger also refuses illegal transitions). Returns the
   * updated task, or undefined when its state was not one of `from`.
   */
  transition(id: string, from: readonly AgentTaskState[], to: AgentTaskState, patch: { prNumber?: number; externalId?: string; result?: AgentTask['result']; error?: string | null }, nowMs: number): AgentTask | undefined {
    return this.db.transaction(() => {
      const cur = this.get(id);
      if (!cur || !from.includes(cur.state)) return undefined;
      const result = patch.result !== undefined ? { ...(cur.result ?? {}), ...patch.result } : cur.result;
      this.db.run(
        `UPDATE agent_tasks SET state = ?, pr_number = ?, external_id = ?, result_json = ?, error = ?, updated_at_ms = ?,
           started_at_ms = CASE WHEN ? = 'running' AND started_at_ms IS NULL THEN ? ELSE started_at_ms END,
           finished_at_ms = CASE WHEN ? IN ('completed', 'failed') THEN ? ELSE finished_at_ms END
         WHERE id = ?`,
        [to, patch.prNumber ?? cur.prNumber, patch.externalId ?? cur.externalId, result ? JSON.stringify(result) : null, patch.error !== undefined ? patch.error : cur.error, nowMs, to, nowMs, to, nowMs, id],
      );
      return this.get(id);
    });
  }

  /** Records an error without changing state (e.g. an ambiguous dispatch still being checked). */
  noteError(id: string, error: string, nowMs: number): void {
    this.db.run('UPDATE agent_tasks SET error = ?, updated_at_ms = ? WHERE id = ?', [error, nowMs, id]);
  }
}
