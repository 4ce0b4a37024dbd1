/**
 * Notifications as last seen from GitHub (poll or webhook), the user's per-thread / per-repo
 * subscription choices, and the poller's conditional-request state.
 */
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 2,
  name: '0002-create-notification-tables',
  up(db) {
    db.exec(`
      CREATE TABLE notifications (
        user_id            TEXT NOT NULL,
        thread_id          TEXT NOT NULL,          -- GitHub notification thread id
        repo               TEXT NOT NULL,          -- owner/name
        subject_type       TEXT NOT NULL,          -- PullRequest, Issue, CheckSuite, ...
        subject_title      TEXT NOT NULL,          -- untrusted text: never into prompts
        subject_url        TEXT,
        number             INTEGER,                -- PR / issue number when the subject has one
        reason             TEXT NOT NULL,          -- review_requested, mention, ...
        unread             INTEGER NOT NULL DEFAULT 1 CHECK (unread IN (0, 1)),
        updated_at_ms      INTEGER NOT NULL,       -- GitHub's updated_at
        last_read_at_ms    INTEGER,
        first_seen_at_ms   INTEGER NOT NULL,
        last_seen_at_ms    INTEGER NOT NULL,
        announced_at_ms    INTEGER,                -- when it was spoken; dedupes alerts
        source             TEXT NOT NULL DEFAULT 'poll',  -- poll | webhook
        PRIMARY KEY (user_id, thread_id)
      );
      CREATE INDEX notifications_inbox ON notifications (user_id, unread, updated_at_ms);
      CREATE INDEX notifications_updated ON notifications (updated_at_ms);
      CREATE INDEX notifications_subject ON notifications (repo, number);

      CREATE TABLE notification_subscriptions (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id        TEXT NOT NULL,
        scope          TEXT NOT NULL CHECK (scope IN ('thread', 'repo')),
        target         TEXT NOT NULL,              -- thread id or owner/name
        state          TEXT NOT NULL CHECK (state IN ('subscribed', 'unsubscribed', 'ignored')),
        action_token   TEXT,                       -- pending action that made the change, if any
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL,
        UNIQUE (user_id, scope, target)
      );

      CREATE TABLE notification_poll_state (
        user_id            TEXT PRIMARY KEY,
        last_modified      TEXT,                   -- Last-Modified of the last 200, sent as If-Modified-Since
        etag               TEXT,
        poll_interval_s    INTEGER NOT NULL DEFAULT 60,   -- X-Poll-Interval
        next_poll_at_ms    INTEGER NOT NULL DEFAULT 0,
        last_polled_at_ms  INTEGER,
        last_status        INTEGER,                -- HTTP status of the last poll
        updated_at_ms      INTEGER NOT NULL
      );
    `);
  },
};
