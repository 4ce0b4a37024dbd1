/**
 * Delegated agent tasks. Lifecycle: created → running → needs_input → completed | failed, where
 * needs_input → running after the user answers; the trigger below rejects any other change of
 * state, so a bug elsewhere cannot resurrect a finished task. correlation_id ties the task to the
 * dispatch issue / PR markers and to the request that created it.
 */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 4,
  name: '0004-create-agent-tasks',
  up(db) {
    db.exec(`
      CREATE TABLE agent_tasks (
        id                TEXT PRIMARY KEY,
        correlation_id    TEXT NOT NULL UNIQUE,
        user_id           TEXT NOT NULL,
        session_id        TEXT,
        action_token      TEXT,                    -- the confirmed pending action that created it
        provider          TEXT NOT NULL,           -- e.g. copilot, codex
        repo              TEXT NOT NULL,
        issue_number      INTEGER,                 -- dispatch issue
        pr_number         INTEGER,                 -- PR the agent opened, once correlated
        external_id       TEXT,                    -- provider's own task / run id
        instruction       TEXT NOT NULL,
        state             TEXT NOT NULL DEFAULT 'created'
                            CHECK (state IN ('created', 'running', 'needs_input', 'completed', 'failed')),
        question          TEXT,                    -- what the agent asked, while needs_input
        result_json       TEXT,
        error             TEXT,
        created_at_ms     INTEGER NOT NULL,
        updated_at_ms     INTEGER NOT NULL,
        started_at_ms     INTEGER,
        finished_at_ms    INTEGER
      );
      CREATE INDEX agent_tasks_state ON agent_tasks (state, updated_at_ms);
      CREATE INDEX agent_tasks_issue ON agent_tasks (repo, issue_number);
      CREATE INDEX agent_tasks_pr ON agent_tasks (repo, pr_number);
      CREATE INDEX agent_tasks_external ON agent_tasks (provider, external_id) WHERE external_id IS NOT NULL;
      CREATE INDEX agent_tasks_session ON agent_tasks (session_id, created_at_ms);

      CREATE TRIGGER agent_tasks_lifecycle BEFORE UPDATE OF state ON agent_tasks
        WHEN NEW.state <> OLD.state AND NOT (
             (OLD.state = 'created'     AND NEW.state IN ('running', 'failed'))
          OR (OLD.state = 'running'     AND NEW.state IN ('needs_input', 'completed', 'failed'))
          OR (OLD.state = 'needs_input' AND NEW.state IN ('running', 'completed', 'failed')))
        BEGIN SELECT RAISE(ABORT, 'agent_tasks: illegal state transition'); END;
    `);
  },
};
