/**
 * "why did the checks fail": the failing checks named, and for GitHub Actions jobs the step that
 * failed and the telling lines at the end of its log, within the profile's word budget. Every name
 * and log line is untrusted (the PR's code and workflow write them): sanitised and quoted as data.
 */
import type { PullRequestDetail } from '../../contract/github.js';
import { checksPhrase, pullRequestCard } from '../responses/speak.js';
import { countWords, joinNames, plural, sanitizeUntrusted } from '../responses/text.js';
import type { Profile } from '../session/profiles.js';
import { failedStep, failingJobs, type FailingJob } from './ciJobs.js';
import { defineCommand, type CommandTools } from './types.js';

/** Log lines asked for per job: enough to find the error above the runner's closing lines. */
const LOG_LINES = 30;
/** Log lines read out per job at most. */
const SPOKEN_LOG_LINES = 2;
const ERRORISH = /error|fail|panic|exception|assert|expected|undefined|cannot|not found|denied|timed? ?out/i;
const GENERIC = /^##\[error\]Process completed with exit code \d+\.?$/;

export const prChecksFailure = defineCommand('pr.checks_failure', {
  description: 'Say why the checks fail on a pull request: the failing jobs, the step, and the last log lines.',
  examples: ['why did the checks fail', 'why is CI failing on PR 15', 'what broke the build on it'],
  anchors: [],
  entities: ['repo', 'number'],
  patterns: [
    'why (did | do | does | is | are | were | was) [the] <check_thing> (fail | failing | failed | red | broken | break | broke) [(on | for | in | of) <pr> [<inrepo>]]',
    'why (is | did | does) <pr> [<inrepo>] (fail | failing | red | broken) [<check_thing>]',
    'why [did] (it | this | that) (fail | failed)',
    'what (broke | failed | is failing | is broken) [the] [<check_thing>] [(on | for | in | of) <pr> [<inrepo>]]',
    '(which | what) <check_thing> (failed | are failing | is failing | broke) [(on | for | in | of) <pr> [<inrepo>]]',
    '(show | read | tell) [me] [the] (failure | failures | failing step | failed step | error | errors | build log | log | logs) [(of | on | for | in) [the] <check_thing>] [(on | for | in | of) <pr> [<inrepo>]]',
  ],
  async run(e, t) {
    const pr = await t.fetchPr(e);
    return { status: 'ok', spoken: await checksFailureText(pr, t), cards: [pullRequestCard(pr)] };
  },
});

async function checksFailureText(pr: PullRequestDetail, t: CommandTools): Promise<string> {
  const where = `PR ${pr.number} in ${pr.repo}`;
  if (pr.checks.failing === 0) {
    return pr.checks.pending > 0 ? `Nothing has failed on ${where} yet: ${checksPhrase(pr.checks)}.` : `Nothing is failing on ${where}: ${checksPhrase(pr.checks)}.`;
  }
  const { failing, total } = await failingJobs(t.github, pr);
  const logs = await Promise.all(failing.map((f) => (f.job ? t.github.getActionsJobLogTail(pr.repo, f.job.id, LOG_LINES).catch(() => null) : Promise.resolve(null))));
  // Commit statuses are failing checks too, but have no job: the summary's names cover them.
  const names = failing.length > 0 ? failing.map((f) => sanitizeUntrusted(f.run.name, 40)) : pr.checks.runs.filter((r) => r.conclusion === 'failure').map((r) => sanitizeUntrusted(r.name, 40));
  const more = Math.max(total, pr.checks.failing) - names.length;
  const sentences = [`On ${where}, ${checksPhrase(pr.checks)}. Failing: ${joinNames(names.slice(0, 3))}${more > 0 ? ` and ${plural(more, 'other')}` : ''}.`];
  failing.forEach((f, i) => sentences.push(...jobSentences(f, logs[i] ?? null)));
  return fitSentences(sentences, t.profile);
}

/** "integration-tests failed at step Run integration tests. Its log ends: "…"; "…"." */
function jobSentences(f: FailingJob, log: string[] | null): string[] {
  const name = sanitizeUntrusted(f.run.name, 40);
  if (!f.job) return [];
  const step = failedStep(f.job);
  const out = [step ? `${name} failed at step ${sanitizeUntrusted(step, 60)}.` : `${name} failed.`];
  const lines = log === null ? null : tellingLines(log);
  if (lines === null) out.push(`Its log could not be read.`);
  else if (lines.length > 0) out.push(`Its log ends: ${lines.map((l) => `"${sanitizeUntrusted(l, 120).replace(/"/g, "'")}"`).join('; ')}.`);
  return out;
}

/**
 * The lines worth hearing from a log's tail: the first line that looks like an error (the runner's
 * generic "Process completed with exit code 1" only when nothing else does) with the line just
 * before it, which usually says what was being checked; else the last lines.
 */
export function tellingLines(tail: readonly string[]): string[] {
  const items = tail.map((raw) => ({ raw: raw.trim(), l: raw.replace(/^##\[(?:error|warning)\]/, '').trim() })).filter((x) => x.l !== '');
  const i = items.findIndex((x) => !GENERIC.test(x.raw) && ERRORISH.test(x.l));
  if (i < 0) return items.slice(-SPOKEN_LOG_LINES).map((x) => x.l);
  return items.slice(Math.max(0, i - SPOKEN_LOG_LINES + 1), i + 1).map((x) => x.l);
}

/** Whole sentences while they fit the profile's word budget (the first always, cut by the pipeline if need be). */
function fitSentences(sentences: readonly string[], profile: Profile): string {
  const kept: string[] = [];
  let used = 0;
  for (const s of sentences) {
    const w = countWords(s);
    if (kept.length > 0 && used + w > profile.wordBudget) break;
    kept.push(s);
    used += w;
  }
  return kept.join(' ');
}
