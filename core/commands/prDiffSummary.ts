/**
 * "what changed in PR 12" / "what does it touch": how many files, lines added and removed (API
 * fields of the PR), the files with the most churn and the top folders, within the profile's word
 * budget. File names are the author's text: sanitised, and only their last two path segments spoken.
 */
import type { PullRequestDetail } from '../../contract/github.js';
import type { PullRequestFile } from '../ports/github.js';
import { pullRequestCard } from '../responses/speak.js';
import { countWords, joinNames, plural, sanitizeUntrusted } from '../responses/text.js';
import type { Profile } from '../session/profiles.js';
import { defineCommand } from './types.js';

export const prDiffSummary = defineCommand('pr.diff_summary', {
  description: 'Say what a pull request changes: files, lines added and removed, the files with the most churn.',
  examples: ['what changed in PR 12', 'what does it touch', 'which files does PR 15 change'],
  anchors: [],
  entities: ['repo', 'number'],
  patterns: [
    'what (changed | changes | was changed | is changed) (in | on | with) <pr> [<inrepo>]',
    'what (does | did) <pr> [<inrepo>] (touch | change | modify | edit)',
    '(which | what) files (does | did) <pr> [<inrepo>] (touch | change | modify | edit)',
    '(which | what) files (changed | are changed | were changed | are touched) (in | on | by) <pr> [<inrepo>]',
    '(show | read | give) [me] [the] (diff | changes | changed files | files changed | diff summary | diffstat) (of | in | on | for) <pr> [<inrepo>]',
    '(diff | changes | diff summary | diffstat) (of | in | on | for) <pr> [<inrepo>]',
    'how (big | large) is <pr> [<inrepo>]',
  ],
  async run(e, t) {
    const pr = await t.fetchPr(e);
    const files = await t.github.listPullRequestFiles(pr.repo, pr.number);
    return { status: 'ok', spoken: diffSummaryText(pr, files, t.profile), cards: [pullRequestCard(pr)] };
  },
});

/** The last two segments of a path, e.g. "ratelimit/limiter.go" (sanitised). */
function shortPath(filename: string): string {
  return sanitizeUntrusted(filename.split('/').slice(-2).join('/'), 60);
}

/**
 * "PR 15 in acme/api changes 11 files: 412 lines added, 35 removed. Most churn: limiter.go, 188
 * lines; … Mostly in internal, 6 files, and cmd." Counts are GitHub's PR fields; the file list
 * (at most GitHub's 3,000) gives the top files and folders.
 */
export function diffSummaryText(pr: PullRequestDetail, files: readonly PullRequestFile[], profile: Profile): string {
  const head = `PR ${pr.number} in ${pr.repo} changes ${plural(pr.changedFiles, 'file')}: ${plural(pr.additions, 'line')} added, ${pr.deletions} removed.`;
  if (files.length === 0) return head;
  const top = [...files].sort((a, b) => b.additions + b.deletions - (a.additions + a.deletions) || a.filename.localeCompare(b.filename)).slice(0, profile.wordBudget >= 45 ? 3 : 1);
  const churn = `Most churn: ${top.map((f) => `${shortPath(f.filename)}${f.status === 'added' ? ', new' : f.status === 'removed' ? ', deleted' : ''}, ${plural(f.additions + f.deletions, 'line')}`).join('; ')}.`;
  const dirs = new Map<string, number>();
  for (const f of files) {
    const d = f.filename.includes('/') ? f.filename.split('/')[0]! : 'the root folder';
    dirs.set(d, (dirs.get(d) ?? 0) + 1);
  }
  const topDirs = [...dirs.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 2);
  const where = dirs.size > 1 ? `Mostly in ${joinNames(topDirs.map(([d, n]) => `${sanitizeUntrusted(d, 40)}, ${plural(n, 'file')}`))}.` : '';
  const out = [head];
  for (const s of [churn, where]) if (s !== '' && countWords([...out, s].join(' ')) <= profile.wordBudget) out.push(s);
  return out.join(' ');
}
