import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { SupervisorStatus } from '../../supervise/supervisor.js';
import { response } from '../schemas.js';

const ChildExit = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.string().describe('ISO time'),
  description: z.string().describe('e.g. "exit code 2", "killed by SIGKILL"'),
});

const ChildStatus = z.object({
  name: z.string().describe('worker-1 ... (detect workers), heal-1 ... (heal engines)'),
  state: z.enum(['starting', 'running', 'restarting', 'stopping', 'stopped', 'failed']),
  pid: z.number().int().nullable(),
  restarts: z.number().int(),
  startedAt: z.string().nullable(),
  readyAt: z.string().nullable(),
  uptimeMs: z.number().nullable(),
  lastExit: ChildExit.nullable(),
  lastOutput: z.array(z.string()).describe('the child’s last output lines (at most 10)'),
});

export const SupervisorResponse = z.object({
  state: z.enum(['running', 'stopping', 'stopped', 'failed']).describe('failed: the supervisor gave up'),
  reason: z.string().nullable().describe('why it gave up'),
  intensity: z.object({
    maxRestarts: z.number().int(),
    periodMs: z.number(),
    recentRestarts: z.number().int().describe('restarts within the period ending now'),
  }),
  children: z.array(ChildStatus),
});

export interface SupervisorDeps {
  supervisor: { status(): SupervisorStatus };
}

/** The process supervisor of `faultline start --workers N`: each child's name, pid, restarts, state and last exit. */
export const supervisorRoutes: FastifyPluginAsync<SupervisorDeps> = async (app, deps) => {
  app.get(
    '/v1/supervisor',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['health'],
        summary: 'Supervised processes (detect workers, heal engines): state, pid, restarts, last exit',
        description:
          'One-for-one supervision with an OTP restart intensity: more restarts than `intensity.maxRestarts` within `intensity.periodMs` and the supervisor gives up (`state: failed`, `reason`).',
        response: { 200: response('Supervisor and children', SupervisorResponse) },
      },
    },
    async () => deps.supervisor.status(),
  );
};
