/**
 * "ask the agent to fix issue 918": a read-back naming the provider, then one dispatch: a task
 * issue in the dispatch repo, or the issue assigned to Copilot's coding agent.
 */
import { AppError } from '../../contract/errors.js';
import { AGENT_PROVIDERS } from '../../contract/api.js';
import { COPILOT_ASSIGNEE, isCopilotLogin, type AgentAssignment } from '../ports/github.js';
import { delegateReadBack } from '../responses/speak.js';
import { int, oneOf, optStr } from './payload.js';
import { defineAction, defineCommand, type ActionTarget, type AgentDispatchConfig } from './types.js';

const action = defineAction({
  kind: 'agent.delegate',
  target: { verb: 'agent task for', noun: 'issue' },
  payload: (p) => ({ issue: int(p, 'issue'), instruction: optStr(p, 'instruction'), provider: p['provider'] === undefined ? 'github_issue_dispatch' : oneOf(p, 'provider', AGENT_PROVIDERS) }),
  async execute(rec, p, { github, agent, dispatchMarker }) {
    const marker = dispatchMarker(rec.token);
    if (p.provider === 'copilot') {
      const issue = await github.addAssignees(rec.repo, rec.number!, [COPILOT_ASSIGNEE], copilotAssignment(marker, p.instruction, agent));
      // GitHub answers 201 even when it dropped the assignee (agent not enabled, token can't assign it).
      if (!issue.assignees.some(isCopilotLogin)) throw copilotNotAssigned(rec);
      return { state: 'done', outcome: 'dispatched', message: `Assigned issue ${rec.number} in ${rec.repo} to Copilot's coding agent.`, result: { provider: 'copilot', url: issue.htmlUrl } };
    }
    const { dispatchRepo, label } = agent;
    const issue = await github.createIssue(dispatchRepo, { title: `Agent task: ${rec.repo}#${rec.number}`, body: dispatchBody(rec, p.instruction, marker), labels: [label] });
    return {
      state: 'done',
      outcome: 'dispatched',
      message: `Sent issue ${rec.number} to the agent as ${dispatchRepo} issue ${issue.number}.`,
      result: { dispatchRepo, dispatchIssue: issue.number, url: issue.htmlUrl },
    };
  },
  async reconcile(rec, p, { github }) {
    // A dispatch issue has no cheap read-back here (the agent layer dedupes by its marker).
    if (p.provider !== 'copilot') return null;
    // The assignment is visible on the issue: read it rather than assigning again.
    const issue = await github.getIssue(rec.repo, rec.number!);
    return issue.assignees.some(isCopilotLogin)
      ? { state: 'done', outcome: 'dispatched', message: `Assigned issue ${rec.number} in ${rec.repo} to Copilot's coding agent. GitHub answered with an error, but the issue shows Copilot assigned.`, result: { provider: 'copilot', url: issue.htmlUrl, reconciled: true } }
      : { state: 'failed', outcome: 'not_assigned', message: `Issue ${rec.number} in ${rec.repo} was not assigned to Copilot. Nothing was retried; ask again to try again.`, result: { reconciled: true } };
  },
});

export const agentDelegate = defineCommand('agent.delegate', {
  description: 'Hand an issue to the coding agent.',
  examples: ['ask the agent to fix issue 918', 'have copilot handle issue 918 in acme/api', 'ask the agent to fix issue 42 and add a regression test'],
  anchors: ['agent', 'copilot', 'bot', 'ai', 'delegate'],
  entities: ['repo', 'issue', 'instruction'],
  patterns: [
    '(ask | tell | have | get | let) [the] <agent> [to] <fix> <issue> [<inrepo>] [<instruction>]',
    '(delegate | assign | give | hand | send | hand off) <issue> [<inrepo>] to [the] <agent> [<instruction>]',
    '[the] <agent> (fix | handle | take) <issue> [<inrepo>] [<instruction>]',
    'use [the] <agent> (on | for) <issue> [<inrepo>] [<instruction>]',
    '(get | put | set) [the] <agent> on <issue> [<inrepo>] [<instruction>]',
    'delegate <issue> [<inrepo>] [<instruction>]',
  ],
  action,
  async run(e, t) {
    const repo = e.repo !== undefined ? await t.canonicalRepo(e.repo) : await t.guessRepo(e.issue);
    t.allow(repo, 'agent.delegate');
    const issue = await t.fetchIssue(repo, e.issue);
    const provider = t.agent.provider ?? 'github_issue_dispatch';
    return t.pending(action, {
      repo,
      number: issue.number,
      headSha: null,
      payload: { issue: issue.number, instruction: e.instruction ?? null, provider },
      readBack: delegateReadBack(repo, issue.number, issue.title, t.agent.dispatchRepo, e.instruction, t.profile, t.agent.provider),
      cards: [],
    });
  },
});

/**
 * agent_assignment for Copilot: the user's instruction (if any) and the same hidden marker as a
 * dispatch body (ExecuteDeps.dispatchMarker: a keyed MAC of the token, never part of it), which
 * lets the agent layer tie the assignment to its task (see main/agent).
 */
export function copilotAssignment(marker: string, instruction: string | null, cfg: AgentDispatchConfig): AgentAssignment {
  return {
    customInstructions: [...(instruction ? [`Instruction from the user: ${instruction}`, ''] : []), `<!-- handsfree-task: ${marker} -->`].join('\n'),
    ...(cfg.copilotBaseBranch ? { baseBranch: cfg.copilotBaseBranch } : {}),
  };
}

/** GitHub accepted the call but did not assign Copilot. */
export function copilotNotAssigned(rec: Pick<ActionTarget, 'repo' | 'number'>): AppError {
  return new AppError(
    'github_validation',
    `GitHub did not assign Copilot to issue ${rec.number} in ${rec.repo}: its coding agent is not enabled in that repository, or this token cannot assign it (a user token with write access is needed).`,
  );
}

/** The dispatch issue body carries a hidden marker (see copilotAssignment) so the agent's PR can be correlated back. */
export function dispatchBody(rec: Pick<ActionTarget, 'repo' | 'number'>, instruction: string | null, marker: string): string {
  return [`Please work on ${rec.repo}#${rec.number}.`, '', `Instruction from the user: ${instruction ?? 'Fix the issue.'}`, '', `<!-- handsfree-task: ${marker} -->`].join('\n');
}
