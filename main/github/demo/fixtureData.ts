/**
 * The demo GitHub account on disk (fixtures/github/*.json): a compact, hand-editable form,
 * validated with zod at load. DemoGitHubState turns it into live in-memory state; the fake GitHub
 * server (tests/fakes/github) renders the same state in GitHub's REST shapes.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const sha40 = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-hex commit SHA');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'an ISO-8601 UTC timestamp without millis');
const repoName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, '"owner/name"');
const login = z.string().regex(/^[A-Za-z0-9-]+(\[bot\])?$/);

const checkSchema = z.object({
  name: z.string(),
  status: z.enum(['queued', 'in_progress', 'completed']).optional(),
  conclusion: z
    .enum(['success', 'failure', 'neutral', 'cancelled', 'skipped', 'timed_out', 'action_required', 'stale'])
    .nullable()
    .optional(),
  /** GitHub Actions: the step that failed, and the job's log lines (default: derived). */
  failedStep: z.string().optional(),
  log: z.array(z.string()).optional(),
});

const statusSchema = z.object({
  context: z.string(),
  state: z.enum(['success', 'failure', 'error', 'pending']),
  description: z.string().optional(),
});

const reviewSchema = z.object({
  author: login,
  state: z.enum(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED']),
  submittedAt: isoDate,
  body: z.string().default(''),
});

const mergeableStateSchema = z.enum(['clean', 'dirty', 'blocked', 'behind', 'unstable', 'has_hooks', 'draft', 'unknown']);

const pullSchema = z.object({
  repo: repoName,
  number: z.number().int().positive(),
  title: z.string().min(1),
  author: login,
  body: z.string().default(''),
  createdAt: isoDate,
  updatedAt: isoDate,
  state: z.enum(['open', 'closed']).default('open'),
  draft: z.boolean().default(false),
  merged: z.boolean().default(false),
  mergedAt: isoDate.optional(),
  mergedBy: login.optional(),
  mergeCommitSha: sha40.optional(),
  closedAt: isoDate.optional(),
  base: z.string().default('main'),
  head: z.string(),
  headSha: sha40,
  /** Defaults from mergeableState: dirty → false, unknown → null, otherwise true. */
  mergeable: z.boolean().nullable().optional(),
  mergeableState: mergeableStateSchema,
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  changedFiles: z.number().int().nonnegative(),
  commits: z.number().int().positive(),
  labels: z.array(z.string()).default([]),
  assignees: z.array(login).default([]),
  requestedReviewers: z.array(login).default([]),
  reviews: z.array(reviewSchema).default([]),
  checks: z.array(checkSchema).default([]),
  statuses: z.array(statusSchema).default([]),
  comments: z.number().int().nonnegative().default(0),
  /** GET …/pulls/{n}/files; default: derived from changedFiles, additions and deletions. */
  files: z
    .array(z.object({ filename: z.string().min(1), status: z.enum(['added', 'removed', 'modified', 'renamed']).default('modified'), additions: z.number().int().nonnegative(), deletions: z.number().int().nonnegative() }))
    .optional(),
  /** Comments with their text: issue comments, or review comments when `path` is set. */
  discussion: z.array(z.object({ author: login, body: z.string().min(1), createdAt: isoDate, path: z.string().optional() })).default([]),
});

const issueSchema = z.object({
  repo: repoName,
  number: z.number().int().positive(),
  title: z.string().min(1),
  author: login,
  body: z.string().default(''),
  state: z.enum(['open', 'closed']).default('open'),
  labels: z.array(z.string()).default([]),
  assignees: z.array(login).default([]),
  createdAt: isoDate,
  updatedAt: isoDate,
  closedAt: isoDate.optional(),
  comments: z.number().int().nonnegative().default(0),
});

const notificationSchema = z.object({
  id: z.string().regex(/^\d+$/),
  repo: repoName,
  type: z.enum(['PullRequest', 'Issue', 'CheckSuite', 'Release', 'Discussion', 'Commit', 'RepositoryVulnerabilityAlert']),
  /** PR or issue number (PullRequest / Issue subjects). */
  number: z.number().int().positive().optional(),
  /** Defaults to the PR/issue title. */
  title: z.string().optional(),
  /** Release id or commit SHA, used to build the subject URL. */
  ref: z.string().optional(),
  reason: z.enum([
    'approval_requested',
    'assign',
    'author',
    'ci_activity',
    'comment',
    'invitation',
    'manual',
    'member_feature_requested',
    'mention',
    'review_requested',
    'security_advisory_credit',
    'security_alert',
    'state_change',
    'subscribed',
    'team_mention',
  ]),
  unread: z.boolean().default(true),
  updatedAt: isoDate,
});

const repoSchema = z.object({
  fullName: repoName,
  description: z.string().nullable().default(null),
  language: z.string().nullable().default(null),
  private: z.boolean().default(false),
  defaultBranch: z.string().default('main'),
  defaultBranchSha: sha40,
  collaborators: z.array(login),
  mergeMethods: z.array(z.enum(['merge', 'squash', 'rebase'])).min(1),
  createdAt: isoDate,
  pushedAt: isoDate,
});

export const demoFixtureSchema = z.object({
  /** The instant the demo world is frozen at; the deterministic clock starts here. */
  now: isoDate,
  viewer: z.object({ login, name: z.string().nullable() }),
  users: z.record(login, z.object({ name: z.string().nullable() })).default({}),
  repos: z.array(repoSchema).min(1),
  pulls: z.array(pullSchema),
  issues: z.array(issueSchema),
  notifications: z.array(notificationSchema),
});

export type DemoFixture = z.infer<typeof demoFixtureSchema>;
export type DemoFixturePull = z.infer<typeof pullSchema>;
export type DemoFixtureIssue = z.infer<typeof issueSchema>;
export type DemoFixtureNotification = z.infer<typeof notificationSchema>;
export type DemoFixtureRepo = z.infer<typeof repoSchema>;
export type DemoFixtureCheck = z.infer<typeof checkSchema>;
export type DemoFixtureStatus = z.infer<typeof statusSchema>;
export type DemoFixtureReview = z.infer<typeof reviewSchema>;

/** fixtures/github of this checkout, found by walking up from this file (works from source and build/). */
export function defaultFixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'fixtures', 'github');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('fixtures/github not found above ' + fileURLToPath(import.meta.url));
}

/**
 * Reads and validates the demo account. `path` is a directory (every *.json file in it is read and
 * merged: arrays concatenated, later viewer/now/users override) or a single JSON file.
 */
export function loadDemoFixture(path: string = defaultFixturesDir()): DemoFixture {
  const abs = resolve(path);
  const files = abs.endsWith('.json') ? [abs] : readdirSync(abs).filter((f) => f.endsWith('.json')).sort().map((f) => join(abs, f));
  if (files.length === 0) throw new Error(`no *.json fixture files in ${abs}`);
  let merged: Record<string, unknown> | null = null;
  for (const file of files) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete raw['$comment'];
    merged = merged === null ? raw : mergeFixtureJson(merged, raw);
  }
  return parseDemoFixture(merged);
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * The same demo world moved in time so that its `now` is `nowMs` (epoch ms): every timestamp
 * shifts by the same amount, so relative ages ("2 h ago") stay as written and the demo never
 * looks stale, whatever the date the app runs on. Returns a new fixture; `fixture` is unchanged.
 */
export function shiftDemoFixture(fixture: DemoFixture, nowMs: number): DemoFixture {
  const deltaMs = Math.round((nowMs - Date.parse(fixture.now)) / 1000) * 1000;
  const shift = (v: unknown): unknown => {
    if (typeof v === 'string') return ISO_SECONDS.test(v) ? new Date(Date.parse(v) + deltaMs).toISOString().replace(/\.\d{3}Z$/, 'Z') : v;
    if (Array.isArray(v)) return v.map(shift);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shift(x)]));
    return v;
  };
  return shift(fixture) as DemoFixture;
}

/** Validates an in-memory fixture (tests build small worlds this way). Throws with every problem listed. */
export function parseDemoFixture(input: unknown): DemoFixture {
  const parsed = demoFixtureSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid GitHub demo fixture: ${issues}`);
  }
  const data = parsed.data;
  const problems: string[] = [];
  const repos = new Set(data.repos.map((r) => r.fullName));
  const numbers = new Set<string>();
  for (const item of [...data.pulls, ...data.issues]) {
    if (!repos.has(item.repo)) problems.push(`${item.repo}#${item.number}: unknown repo`);
    const key = `${item.repo}#${item.number}`;
    if (numbers.has(key)) problems.push(`${key}: number used twice (PRs and issues share numbers)`);
    numbers.add(key);
  }
  const ids = new Set<string>();
  for (const n of data.notifications) {
    if (!repos.has(n.repo)) problems.push(`notification ${n.id}: unknown repo ${n.repo}`);
    if (ids.has(n.id)) problems.push(`notification ${n.id}: duplicate id`);
    ids.add(n.id);
    if (n.type === 'PullRequest' || n.type === 'Issue') {
      const list: ReadonlyArray<{ repo: string; number: number }> = n.type === 'PullRequest' ? data.pulls : data.issues;
      if (n.number === undefined || !list.some((x) => x.repo === n.repo && x.number === n.number)) {
        problems.push(`notification ${n.id}: ${n.type} ${n.repo}#${String(n.number)} not in the fixture`);
      }
    } else if (n.title === undefined) {
      problems.push(`notification ${n.id}: ${n.type} needs a title`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid GitHub demo fixture: ${problems.join('; ')}`);
  return data;
}

function mergeFixtureJson(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    if (Array.isArray(prev) && Array.isArray(v)) out[k] = [...(prev as unknown[]), ...(v as unknown[])];
    else if (k === 'users' && prev && typeof prev === 'object' && v && typeof v === 'object') out[k] = { ...prev, ...v };
    else out[k] = v;
  }
  return out;
}
