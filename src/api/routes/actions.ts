import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { Action } from '../../contracts/action.js';
import { ApiError, NotFoundError } from '../errors.js';
import type { HealDeps } from '../heal.js';
import { parseInput } from '../issues.js';
import { errorResponse, jsonSchema, response } from '../schemas.js';

const ActionParams = z
  .object({ id: z.string().min(1).max(512).describe('action id (the plan’s first action, or any of its actions)') })
  .strict();
const ApproveBody = z.object({ comment: z.string().max(500).optional() }).strict();
const RejectBody = z.object({ reason: z.string().max(500).optional() }).strict();

const Pending = z.object({
  id: z.string(),
  faultId: z.string(),
  strategy: z.string(),
  deadline: z.number().describe('data time after which the approval times out (and the engine escalates)'),
  plan: z.array(Action),
});
const ActionsResponse = z.object({
  status: z.object({
    engine: z.string(),
    leader: z.boolean(),
    safeMode: z.boolean(),
    reason: z.string(),
    dryRun: z.boolean(),
    openCases: z.number().int(),
    inFlight: z.number().int(),
    pendingApprovals: z.number().int(),
    dataTime: z.number().nullable(),
  }),
  coordinator: z
    .object({
      id: z.string(),
      backend: z.string(),
      leader: z.boolean(),
      token: z.number().optional(),
      safeMode: z.boolean(),
      reason: z.string(),
    })
    .optional(),
  pending: z.array(Pending),
  recent: z.array(Action).describe('the latest record of each recent action, most recently updated first'),
});
const DecisionResponse = z.object({ actions: z.array(Action).describe('the audit records this decision produced') });

/** Heal errors carry `retriable`; an unknown or already decided approval is a 404. */
function toApiError(err: unknown): unknown {
  const e = err as { name?: string; message?: string; retriable?: boolean };
  if (e?.name === 'ApprovalNotFoundError') return new NotFoundError(e.message ?? 'no such pending approval');
  if (e?.name === 'HealInputError') return new ApiError(400, 'invalid_input', e.message ?? 'invalid', false);
  if (typeof e?.retriable === 'boolean' && e.retriable)
    return new ApiError(503, 'unavailable', e.message ?? 'unavailable', true);
  return err;
}

/**
 * The heal engine through the API: its status and pending approvals (`read`), and approving or
 * rejecting a semi-automatic action plan (`operate`; the key's name is recorded as who decided).
 */
export const actionsRoutes: FastifyPluginAsync<HealDeps> = async (app, heal) => {
  app.get(
    '/v1/actions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['actions'],
        summary: 'Heal engine status, pending approvals and recent actions',
        response: { 200: response('Status, pending approvals, recent actions', ActionsResponse) },
      },
    },
    async () => {
      const c = heal.coordinator?.status();
      return {
        status: heal.engine.status(),
        ...(c
          ? {
              coordinator: {
                id: c.id,
                backend: c.backend,
                leader: c.leader,
                ...(c.token !== undefined ? { token: c.token } : {}),
                safeMode: c.safeMode,
                reason: c.reason,
              },
            }
          : {}),
        pending: heal.engine.pendingApprovals(),
        recent: heal.records.recentActions(50),
      };
    },
  );

  const decide = (verb: 'approve' | 'reject') =>
    app.post(
      `/v1/actions/:id/${verb}`,
      {
        config: { scope: 'operate' },
        schema: {
          tags: ['actions'],
          summary: verb === 'approve' ? 'Approve a pending action plan' : 'Reject a pending action plan',
          description:
            verb === 'approve'
              ? 'The plan then goes through the remaining safety gates and runs; the key name is recorded as the approver.'
              : 'The engine records the rejection and moves on to the next rung of its ladder.',
          params: jsonSchema(ActionParams, 'input'),
          body: jsonSchema(verb === 'approve' ? ApproveBody : RejectBody, 'input'),
          response: {
            200: response('The records produced', DecisionResponse),
            400: errorResponse('Invalid path or body'),
            404: errorResponse('No pending approval with that id (unknown, already decided, or timed out)'),
            503: errorResponse('The engine could not decide now; retry'),
          },
        },
      },
      async (req) => {
        const { id } = parseInput(ActionParams, req.params, { code: 'invalid_path', noun: 'parameter' });
        const by = req.principal?.name ?? 'anonymous';
        try {
          if (verb === 'approve') {
            parseInput(ApproveBody, req.body ?? {}, { code: 'invalid_body' });
            return { actions: (await heal.engine.approve(id, { by })).actions };
          }
          const body = parseInput(RejectBody, req.body ?? {}, { code: 'invalid_body' });
          const step = await heal.engine.reject(id, { by, ...(body.reason ? { reason: body.reason } : {}) });
          return { actions: step.actions };
        } catch (err) {
          throw toApiError(err);
        }
      },
    );
  decide('approve');
  decide('reject');
};
