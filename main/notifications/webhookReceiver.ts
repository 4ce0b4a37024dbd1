/**
 * POST /webhooks/github: GitHub deliveries forwarded to the desktop (tunnel or relay).
 *
 *   signature (HMAC-SHA256 over the exact bytes, timing-safe) → headers → GUID dedupe → replay check → process
 *
 * Nothing is written before the signature is verified (WH-2). A delivery GUID is recorded before
 * processing and marked processed after; a failed processing stays 'failed' and is processed again
 * when GitHub redelivers the same GUID (WH-6); a processed or in-flight GUID is answered 200 without
 * processing (WH-5). A body already seen under another GUID (a replay: the signature covers the body,
 * not the GUID) is recorded and answered 200 without processing. GUIDs and payload hashes are kept
 * ≥ 7 days (GitHub allows manual redelivery for a few days) and pruned together.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NotificationReason, NotificationSubjectType, NotificationThread } from '../../contract/github.js';
import { errorBody } from '../../contract/seedApi.js';
import type { Logger } from '../../core/ports/clock.js';
import { verifyWebhookSignature } from '../github/webhookSignature.js';
import type { SqlStore } from './notificationStore.js';

/** Largest delivery accepted, bytes (GitHub caps payloads at 25 MB; ours are far smaller). */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
/** Delivery GUIDs are kept this long (> GitHub's redelivery window of a few days). */
export const DELIVERY_RETENTION_MS = 30 * 86_400_000;
export const HANDLED_EVENTS = ['pull_request', 'pull_request_review', 'check_suite', 'check_run', 'issue_comment', 'issues'] as const;

/** A delivery left 'processing' this long (the app died mid-way) may be processed again. */
const STALE_PROCESSING_MS = 5 * 60_000;
const GUID = /^[A-Za-z0-9_-]{1,100}$/;
const EVENT = /^[a-z_]{1,64}$/;

/** A PR seen in a webhook, for agent correlation. Untrusted fields: title, body. */
export interface WebhookPullRequest {
  action: string;
  repo: string;
  number: number;
  author: string;
  title: string;
  body: string;
  htmlUrl: string;
}

export interface WebhookDeps {
  store: SqlStore;
  /** Secret(s): the current one and, during a rotation window, previous ones. */
  secret: () => { current: string; previous?: readonly string[] } | null;
  nowMs: () => number;
  /** The user the forwarded deliveries belong to. */
  userId: string;
  /** Stores and announces (returns whether new); may throw → the delivery is 'failed'. */
  ingest: (userId: string, t: NotificationThread) => boolean;
  onPullRequest?: (pr: WebhookPullRequest) => void;
  logger?: Logger;
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type WebhookResult = { status: number; json: unknown };

const Repo = z.object({ full_name: z.string().min(3).max(200) });
const User = z.object({ login: z.string().max(100) }).nullable();
const Pull = z.object({ number: z.number().int().positive(), title: z.string().max(10_000), body: z.string().max(1_000_000).nullable().optional(), user: User, html_url: z.string().max(2000), updated_at: z.string().max(64).nullable().optional() });
const Issue = z.object({ number: z.number().int().positive(), title: z.string().max(10_000), user: User.optional(), html_url: z.string().max(2000), updated_at: z.string().max(64).nullable().optional(), pull_request: z.unknown().optional() });
const CheckPrs = z.array(z.object({ number: z.number().int().positive() })).optional();
const Schemas = {
  pull_request: z.object({ action: z.string().max(64), repository: Repo, pull_request: Pull, requested_reviewer: z.object({ login: z.string() }).optional() }),
  pull_request_review: z.object({ action: z.string().max(64), repository: Repo, pull_request: Pull, review: z.object({ state: z.string().max(64), user: User, submitted_at: z.string().nullable().optional() }) }),
  check_suite: z.object({ action: z.string().max(64), repository: Repo, check_suite: z.object({ head_sha: z.string().max(64), conclusion: z.string().nullable(), head_branch: z.string().max(300).nullable().optional(), updated_at: z.string().nullable().optional(), pull_requests: CheckPrs }) }),
  check_run: z.object({ action: z.string().max(64), repository: Repo, check_run: z.object({ name: z.string().max(300), head_sha: z.string().max(64), conclusion: z.string().nullable().optional(), completed_at: z.string().nullable().optional(), pull_requests: CheckPrs, html_url: z.string().max(2000).nullable().optional() }) }),
  issue_comment: z.object({ action: z.string().max(64), repository: Repo, issue: Issue, comment: z.object({ user: User, updated_at: z.string().max(64), html_url: z.string().max(2000) }) }),
  issues: z.object({ action: z.string().max(64), repository: Repo, issue: Issue }),
} as const;

function header(h: WebhookRequest['headers'], name: string): string | undefined {
  const v = h[name];
  if (Array.isArray(v)) return v.length === 1 ? v[0] : undefined; // duplicated headers are refused
  return v;
}

const err = (status: number, code: string, message: string): WebhookResult => ({ status, json: errorBody(code, message) });

export class WebhookReceiver {
  constructor(private readonly deps: WebhookDeps) {}

  async receive(req: WebhookRequest): Promise<WebhookResult> {
    const secret = this.deps.secret();
    if (!secret || secret.current === '') return err(503, 'forbidden', 'Webhooks are not set up: set a webhook secret first.');
    const ok = await verifyWebhookSignature(secret.current, req.body, header(req.headers, 'x-hub-signature-256'), secret.previous ?? []).catch(() => false);
    if (!ok) return err(401, 'unauthorized', 'The webhook signature (X-Hub-Signature-256) is missing or does not match the secret.');
    const guid = header(req.headers, 'x-github-delivery');
    const event = header(req.headers, 'x-github-event');
    if (guid === undefined || !GUID.test(guid)) return err(400, 'bad_request', 'X-GitHub-Delivery is missing or malformed.');
    if (event === undefined || !EVENT.test(event)) return err(400, 'bad_request', 'X-GitHub-Event is missing or malformed.');
    let payload: unknown;
    try {
      payload = JSON.parse(req.body.toString('utf8'));
    } catch {
      return err(400, 'invalid_json', 'The delivery body is not valid JSON.');
    }
    const now = this.deps.nowMs();
    const sha = createHash('sha256').update(req.body).digest('hex');
    const action = typeof payload === 'object' && payload !== null && typeof (payload as { action?: unknown }).action === 'string' ? (payload as { action: string }).action.slice(0, 64) : null;
    const repo = typeof payload === 'object' && payload !== null ? String((payload as { repository?: { full_name?: unknown } }).repository?.full_name ?? '').slice(0, 200) || null : null;
    // Claim the GUID: new → processing; failed → processing again; anything else is a duplicate.
    const prior = this.deps.store.all('SELECT status, last_received_at_ms FROM webhook_events WHERE delivery_guid = ?', [guid])[0];
    // 'processing' long ago means the app died mid-delivery: treat it as failed so a redelivery is processed.
    const stale = prior?.['status'] === 'processing' && Number(prior['last_received_at_ms']) < now - STALE_PROCESSING_MS;
    if (prior && prior['status'] !== 'failed' && !stale) {
      return { status: 200, json: { delivery: guid, status: 'duplicate' } };
    }
    // Replay: the same signed body under another delivery GUID (anyone who saw one delivery can
    // resend it; the signature covers the body, not the GUID). Only a body that was processed (or
    // ignored by processing, or is being processed) elsewhere counts: replay records themselves
    // and failed deliveries do not, so a failed body is still processed once on redelivery.
    const same = this.deps.store.all(
      `SELECT delivery_guid FROM webhook_events WHERE payload_sha256 = ? AND delivery_guid <> ?
         AND (status = 'processed' OR (status = 'ignored' AND error IS NULL) OR (status = 'processing' AND last_received_at_ms >= ?)) LIMIT 1`,
      [sha, guid, now - STALE_PROCESSING_MS],
    )[0];
    if (same) {
      const why = `replay of delivery ${String(same['delivery_guid'])}`;
      if (prior) {
        this.deps.store.run("UPDATE webhook_events SET status = 'ignored', attempts = attempts + 1, last_received_at_ms = ?, processed_at_ms = ?, error = ? WHERE delivery_guid = ?", [now, now, why, guid]);
      } else {
        this.deps.store.run(
          `INSERT INTO webhook_events (delivery_guid, event, action, hook_id, repo, payload_sha256, status, error, received_at_ms, last_received_at_ms, processed_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, 'ignored', ?, ?, ?, ?)`,
          [guid, event, action, header(req.headers, 'x-github-hook-id')?.slice(0, 64) ?? null, repo, sha, why, now, now, now],
        );
      }
      this.deps.logger?.warn({ delivery: guid, replayOf: same['delivery_guid'], event }, 'webhook body replayed under a new delivery id; not processed');
      return { status: 200, json: { delivery: guid, status: 'replay' } };
    }
    if (prior) {
      this.deps.store.run("UPDATE webhook_events SET status = 'processing', attempts = attempts + 1, last_received_at_ms = ?, error = NULL WHERE delivery_guid = ? AND status IN ('failed', 'processing')", [now, guid]);
    } else {
      this.deps.store.run(
        `INSERT INTO webhook_events (delivery_guid, event, action, hook_id, repo, payload_sha256, status, received_at_ms, last_received_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, 'processing', ?, ?)`,
        [guid, event, action, header(req.headers, 'x-github-hook-id')?.slice(0, 64) ?? null, repo, sha, now, now],
      );
    }
    try {
      const outcome = this.process(event, payload);
      this.deps.store.run('UPDATE webhook_events SET status = ?, processed_at_ms = ? WHERE delivery_guid = ?', [outcome === 'ignored' ? 'ignored' : 'processed', this.deps.nowMs(), guid]);
      return { status: outcome === 'ignored' ? 202 : 200, json: { delivery: guid, status: outcome } };
    } catch (e) {
      const message = e instanceof Error ? e.message.slice(0, 500) : 'processing failed';
      this.deps.store.run("UPDATE webhook_events SET status = 'failed', error = ? WHERE delivery_guid = ?", [message, guid]);
      this.deps.logger?.warn({ delivery: guid, event, err: message }, 'webhook processing failed; a redelivery will be processed');
      return err(500, 'internal', 'Processing the delivery failed; redeliver it to try again.');
    }
  }

  /** Deletes delivery records older than the retention period. */
  prune(nowMs: number): number {
    const old = this.deps.store.all('SELECT COUNT(*) AS n FROM webhook_events WHERE received_at_ms < ?', [nowMs - DELIVERY_RETENTION_MS])[0];
    this.deps.store.run('DELETE FROM webhook_events WHERE received_at_ms < ?', [nowMs - DELIVERY_RETENTION_MS]);
    return Number(old?.['n'] ?? 0);
  }

  /** 'processed' (a notification or correlation came of it), 'ignored' (valid, nothing to do). */
  private process(event: string, payload: unknown): 'processed' | 'ignored' {
    if (!(HANDLED_EVENTS as readonly string[]).includes(event)) return 'ignored';
    const parsed = Schemas[event as keyof typeof Schemas].safeParse(payload);
    if (!parsed.success) return 'ignored';
    const thread = this.toThread(event as keyof typeof Schemas, parsed.data);
    if (event === 'pull_request' && this.deps.onPullRequest) {
      const p = parsed.data as z.infer<(typeof Schemas)['pull_request']>;
      this.deps.onPullRequest({
        action: p.action,
        repo: p.repository.full_name,
        number: p.pull_request.number,
        author: p.pull_request.user?.login ?? 'ghost',
        title: p.pull_request.title,
        body: p.pull_request.body ?? '',
        htmlUrl: p.pull_request.html_url,
      });
    }
    if (!thread) return 'ignored';
    this.deps.ingest(this.deps.userId, thread);
    return 'processed';
  }

  private toThread(event: keyof typeof Schemas, d: unknown): NotificationThread | null {
    const now = new Date(this.deps.nowMs()).toISOString();
    const mk = (id: string, repo: string, subjectType: NotificationSubjectType, number: number | null, title: string, reason: NotificationReason, updatedAt: string | null | undefined, htmlUrl: string): NotificationThread => ({
      id,
      repo,
      subjectType,
      number,
      title: title.slice(0, 300),
      reason,
      unread: true,
      updatedAt: updatedAt && !Number.isNaN(Date.parse(updatedAt)) ? updatedAt : now,
      htmlUrl: /^https:\/\//.test(htmlUrl) ? htmlUrl : '',
    });
    switch (event) {
      case 'pull_request': {
        const p = d as z.infer<(typeof Schemas)['pull_request']>;
        const reason: NotificationReason | null =
          p.action === 'review_requested' ? 'review_requested' : ['opened', 'reopened', 'closed', 'ready_for_review'].includes(p.action) ? 'state_change' : null;
        if (!reason) return null;
        const repo = p.repository.full_name;
        return mk(`wh:pr:${repo}#${p.pull_request.number}`, repo, 'PullRequest', p.pull_request.number, p.pull_request.title, reason, p.pull_request.updated_at, p.pull_request.html_url);
      }
      case 'pull_request_review': {
        const p = d as z.infer<(typeof Schemas)['pull_request_review']>;
        if (p.action !== 'submitted') return null;
        const repo = p.repository.full_name;
        return mk(`wh:pr:${repo}#${p.pull_request.number}`, repo, 'PullRequest', p.pull_request.number, p.pull_request.title, 'author', p.review.submitted_at ?? p.pull_request.updated_at, p.pull_request.html_url);
      }
      case 'check_suite':
      case 'check_run': {
        const c = event === 'check_suite' ? (d as z.infer<(typeof Schemas)['check_suite']>) : (d as z.infer<(typeof Schemas)['check_run']>);
        const body = 'check_suite' in c ? c.check_suite : c.check_run;
        if (c.action !== 'completed' || !['failure', 'timed_out', 'action_required'].includes(body.conclusion ?? '')) return null;
        const repo = c.repository.full_name;
        const pr = body.pull_requests?.[0]?.number ?? null;
        const at = 'check_suite' in c ? c.check_suite.updated_at : c.check_run.completed_at;
        const title = 'check_run' in c ? `CI failed: ${c.check_run.name}` : `CI failed on ${c.check_suite.head_branch ?? body.head_sha.slice(0, 7)}`;
        return mk(`wh:ci:${repo}@${body.head_sha}`, repo, 'CheckSuite', pr, title, 'ci_activity', at, pr !== null ? `https://github.com/${repo}/pull/${pr}/checks` : `https://github.com/${repo}/commit/${body.head_sha}`);
      }
      case 'issue_comment': {
        const p = d as z.infer<(typeof Schemas)['issue_comment']>;
        if (p.action !== 'created') return null;
        const repo = p.repository.full_name;
        const isPr = p.issue.pull_request !== undefined;
        return mk(`wh:${isPr ? 'pr' : 'issue'}:${repo}#${p.issue.number}`, repo, isPr ? 'PullRequest' : 'Issue', p.issue.number, p.issue.title, 'comment', p.comment.updated_at, p.comment.html_url);
      }
      case 'issues': {
        const p = d as z.infer<(typeof Schemas)['issues']>;
        const reason: NotificationReason | null = p.action === 'assigned' ? 'assign' : ['opened', 'closed', 'reopened'].includes(p.action) ? 'state_change' : null;
        if (!reason) return null;
        const repo = p.repository.full_name;
        return mk(`wh:issue:${repo}#${p.issue.number}`, repo, 'Issue', p.issue.number, p.issue.title, reason, p.issue.updated_at, p.issue.html_url);
      }
    }
  }
}
