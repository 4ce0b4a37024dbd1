/**
 * HTTP routes for agent tasks: plan a delegation (confirmed like any pending action) and read the
 * caller's tasks. Mounted next to the other /v1 routes, with the same checks and error shape.
 */
import { z } from 'zod';
import { DelegateRequestSchema } from '../../contract/api.js';
import { AgentTaskViewSchema, CommandResponseSchema, toSeedResponse } from '../../contract/seedApi.js';
import type { CommandPipeline } from '../../core/pipeline/commandPipeline.js';
import { HttpError } from '../server/errorStatus.js';
import { param } from '../server/params.js';
import { callerOf, jsonRoute, plainRoute, type RouteSpec } from '../server/router.js';
import type { AgentService } from './agentService.js';
import { toTaskView } from './agentTaskStore.js';

export interface AgentRouteDeps {
  agent: AgentService;
  pipeline: Pick<CommandPipeline, 'delegate'>;
}

const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function agentRoutes(deps: AgentRouteDeps): RouteSpec[] {
  const { agent } = deps;
  return [
    // Plans the delegation (read-back + pending action); confirm with POST /v1/commands/confirm.
    jsonRoute({
      method: 'POST',
      path: '/v1/agent/delegate',
      auth: 'caller',
      doc: { summary: 'Plan a delegation to an agent (confirm with /v1/commands/confirm)', responses: { 200: CommandResponseSchema } },
      schema: DelegateRequestSchema,
      handler: async (ctx) => {
        const c = callerOf(ctx);
        const req = { repo: ctx.body.repo, issue: ctx.body.issue, ...(ctx.body.instruction ? { instruction: ctx.body.instruction } : {}) };
        return { status: 200, json: toSeedResponse(await deps.pipeline.delegate(req, c.userId, ctx.body.session_id, c.correlationId)) };
      },
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/agent/tasks',
      auth: 'caller',
      doc: { summary: 'The caller\'s agent tasks', responses: { 200: z.strictObject({ items: z.array(AgentTaskViewSchema) }) } },
      handler: async (ctx) => ({ status: 200, json: { items: agent.tasks.list({ userId: callerOf(ctx).userId, limit: 100 }).map(toTaskView) } }),
    }),
    plainRoute({
      method: 'GET',
      path: '/v1/agent/tasks/:id',
      auth: 'caller',
      doc: { summary: 'One agent task', responses: { 200: AgentTaskViewSchema } },
      handler: async (ctx) => {
        const id = param(ctx, 'id', TASK_ID, 'agent task');
        const t = agent.tasks.get(id);
        if (!t || t.userId !== callerOf(ctx).userId) throw new HttpError(404, 'not_found', 'No agent task with that id.');
        return { status: 200, json: toTaskView(t) };
      },
    }),
  ];
}
