/**
 * "use acme slash api" / "switch to the web repo": the session's repo; later commands that name a
 * PR number but no repo mean this one (CommandTools.guessRepo). The repo must be one of the
 * user's repos (GitHub's list, also the recognizer's and the offline grammar's repo vocabulary:
 * configuration, never notification text); anything else is refused, saying so.
 */
import { AppError } from '../../contract/errors.js';
import { joinNames, sanitizeUntrusted } from '../responses/text.js';
import { defineCommand } from './types.js';

const spoken = (repo: string) => repo.replace('/', ' slash ');

export const sessionUseRepo = defineCommand('session.use_repo', {
  description: 'Choose the repo that PR numbers refer to when you name no repo.',
  examples: ['use acme slash api', 'switch to the web repo', 'work in the api repo'],
  anchors: [],
  entities: ['repo'],
  patterns: [
    '(use | pick | choose | select) [the] {repo} [repo | repository | project]',
    '(use | pick | choose | select) [the] {repo:repo_name} (repo | repository | project)',
    '(switch | change | go) (to | over to) [the] {repo} (repo | repository | project)',
    '(switch | change | go) (to | over to) [the] {repo:repo_name} (repo | repository | project)',
    // Without "repo" after it: only "switch to", whose name must then be a repo's, not a profile's
    // ("switch to workout mode"). A looser verb here ("jump to web") was heard for "confirm twelve"
    // in the offline grid.
    { p: 'switch to {repo}', cost: 0.02 },
    '(switch | change) [the] (repo | repository | project) to [the] {repo}',
    '(work | let us work) (in | on) [the] {repo} (repo | repository | project)',
    '(work | let us work) (in | on) [the] {repo:repo_name} (repo | repository | project)',
  ],
  async run(e, t) {
    const known = await t.github.listRepos();
    const heard = e.repo.toLowerCase();
    let hit = known.find((r) => r.toLowerCase() === heard);
    if (hit === undefined && !heard.includes('/')) {
      const same = known.filter((r) => r.split('/')[1]?.toLowerCase() === heard);
      if (same.length > 1) throw new AppError('no_context', `Which ${sanitizeUntrusted(heard, 60)} repo: ${joinNames(same.map(spoken))}?`);
      hit = same[0];
    }
    if (hit === undefined) {
      const some = known.slice(0, 3).map(spoken);
      const hint = some.length > 0 ? ` Your repos include ${joinNames(some)}.` : '';
      throw new AppError('unknown_repo', `I don't know a repo called ${spoken(sanitizeUntrusted(e.repo, 60))} among your repos, so I kept ${t.session.repo ? spoken(t.session.repo) : 'no repo'}.${hint}`);
    }
    t.session.repo = hit;
    // "it" from another repo would now contradict the chosen one.
    if (t.session.lastPr && t.session.lastPr.repo.toLowerCase() !== hit.toLowerCase()) t.session.lastPr = null;
    return { status: 'ok', spoken: `Using ${spoken(hit)}. A PR number on its own now means ${spoken(hit)}.`, cards: [] };
  },
});
