/** "what is the agent doing": the user's agent tasks (or, without the agent layer, the audit log). */
import type { AgentTaskView } from '../../contract/api.js';
import { plural, spokenAge } from '../responses/text.js';
import { defineCommand, type CommandTools, type Outcome } from './types.js';

const NOTHING = "The agent isn't working on anything for you. Say, for example, ask the agent to fix issue 918.";

export const agentStatus = defineCommand('agent.status', {
  description: 'Say what the coding agent is doing.',
  examples: ['what is the agent doing', 'agent status'],
  anchors: [],
  entities: [],
  patterns: [
    'what (is | are) [the] <agent> (doing | up to | working on)',
    '[the] <agent> (status | update | updates | progress)',
    'where is [the] <agent> [at]',
    'status of [the] <agent>',
    '(check | show [me]) [the] <agent> [status]',
    'how is [the] <agent> (doing | getting on | coming along)',
    '[any | what is the] (update | updates | news | progress) (from | on | with) [the] <agent>',
    'is [the] <agent> (done | finished) [yet]',
    '(did | has) [the] <agent> (finish | finished) [yet]',
  ],
  run(_e, t) {
    if (t.agentTasks) return fromTasks(t.agentTasks(t.userId), t.clock.nowMs());
    return fromAudit(t);
  },
});

function fromAudit(t: CommandTools): Outcome {
  const tasks = t.repos.audit.list({ limit: 500 }).filter((a) => a.action === 'agent.delegate' && a.outcome === 'dispatched' && a.userId === t.userId);
  if (tasks.length === 0) return { status: 'ok', spoken: NOTHING, cards: [] };
  const latest = tasks[0]!;
  const issue = latest.target.replace('#', ' issue ');
  return {
    status: 'ok',
    spoken: `The agent has ${plural(tasks.length, 'task')} from you. The latest is ${issue}, sent ${spokenAge(latest.atMs, t.clock.nowMs())}. I'll tell you when its pull request is up.`,
    cards: [],
  };
}

function fromTasks(tasks: readonly AgentTaskView[], now: number): Outcome {
  if (tasks.length === 0) return { status: 'ok', spoken: NOTHING, cards: [] };
  const issueOf = (t: AgentTaskView) => `issue ${t.target.split('#')[1] ?? ''}`;
  const active = tasks.filter((t) => t.state === 'created' || t.state === 'running' || t.state === 'needs_input');
  const parts: string[] = [];
  for (const t of active.slice(0, 2)) {
    if (t.state === 'needs_input') parts.push(`it needs your input on ${issueOf(t)}`);
    else if (t.state === 'created') parts.push(`${issueOf(t)} is being sent to it${t.error ? ", but I couldn't confirm the dispatch yet" : ''}`);
    else parts.push(`${t.provider === 'copilot' ? 'Copilot' : 'it'} is working on ${issueOf(t)}, sent ${spokenAge(Date.parse(t.created_at), now)}`);
  }
  const latestDone = tasks.find((t) => t.state === 'completed' || t.state === 'failed');
  if (latestDone) {
    parts.push(latestDone.state === 'completed' && latestDone.pull_request ? `it opened PR ${latestDone.pull_request.number} for ${issueOf(latestDone)}` : `the task for ${issueOf(latestDone)} failed`);
  }
  const lead = active.length === 0 ? 'The agent has nothing in progress' : `The agent has ${plural(active.length, 'task')} in progress`;
  return { status: 'ok', spoken: `${lead}: ${parts.join('; ')}.`, tail: active.length > 0 ? "I'll tell you when its pull request is up." : undefined, cards: [] };
}
