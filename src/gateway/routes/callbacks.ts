// Pollback's own callback style, built in: `POST /v1/callbacks/:token` (the callback URL handed
// to APIs whose profile describes no style of its own) and the Step Functions-shaped task
// endpoints. The token is verified before the body is read, so a body that cannot be read is
// refused *and told to the job*, while a forged token touches nothing.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { interpretPollbackBody, pollbackBodySchema, type Verdict } from '../callbacks/interpret';
import { deliverByToken, type CallbackTarget, type Delivery } from '../deliver-callback';
import { HttpProblem, ProblemType, problemSchema } from '../problem';
import { logJobs } from '../request-log';
import { CALLBACK_LIMITS } from '../../contract/callback-limits';
import { callbackAckSchema, type CallbackAck } from '../../contract/job-api';

const refusals = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 410: problemSchema, 413: problemSchema, 415: problemSchema, 422: problemSchema, 429: problemSchema, 503: problemSchema };

/** The answer to a delivered callback; a refused one is a problem (after the job was told). */
export function ackOf(request: FastifyRequest, delivery: Delivery): CallbackAck {
  request.callbackOutcome = delivery.outcome;
  logJobs(request, [delivery.jobId]);
  switch (delivery.outcome) {
    case 'delivered':
      return { delivered: true, accepted: true, jobId: delivery.jobId };
    case 'already-finished':
      return { delivered: false, accepted: false, jobId: delivery.jobId, jobStatus: delivery.jobStatus };
    case 'ignored':
      return { delivered: false, accepted: false, jobId: delivery.jobId };
    case 'refused':
      throw refusedProblem(delivery.reason, delivery.problemType);
  }
}

export function refusedProblem(reason: string, type: ProblemType = ProblemType.CallbackRefused): HttpProblem {
  return new HttpProblem(type === ProblemType.CallbackRefused ? 422 : 400, type, 'the callback was refused; the job was told why', reason);
}

/** Fastify's validation error (attached, not thrown: the token is checked first) as a refusal. */
function bodyVerdict(request: FastifyRequest, read: () => Verdict): Verdict {
  if (request.validationError) return { kind: 'refused', reason: `the body is not a Pollback callback: ${request.validationError.message}`.slice(0, 400), problemType: ProblemType.InvalidRequest };
  return read();
}

export function tokenIn(body: unknown): string {
  const token = body !== null && typeof body === 'object' ? (body as { taskToken?: unknown }).taskToken : undefined;
  if (typeof token !== 'string' || token.length === 0 || token.length > CALLBACK_LIMITS.taskToken) throw new HttpProblem(400, ProblemType.InvalidRequest, 'invalid request', 'body: taskToken: a task token is required');
  return token;
}

export const callbackRoutes: FastifyPluginAsync<CallbackTarget> = (app, target) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post('/v1/callbacks/:token', {
    config: { callbackKind: 'callback-url' },
    attachValidation: true,
    schema: {
      summary: 'Complete, fail or heartbeat a waiting job (the callback URL handed to the remote API)',
      description: 'Pollback\'s own callback style. A body that cannot be read is refused (400) and the job is told why; `taskToken`, if echoed, must match.',
      tags: ['callbacks'],
      params: z.object({ token: z.string().min(1).max(CALLBACK_LIMITS.taskToken) }),
      body: pollbackBodySchema,
      response: { 200: callbackAckSchema, ...refusals },
    },
  }, async (request) => {
    const { token } = request.params;
    const echoed: unknown = (request.body as unknown as { taskToken?: unknown } | undefined)?.taskToken;
    if (echoed !== undefined && echoed !== token) throw new HttpProblem(400, ProblemType.InvalidToken, 'taskToken in the body differs from the token in the URL');
    return ackOf(request, await deliverByToken(target, token, () => bodyVerdict(request, () => interpretPollbackBody(request.body))));
  });

  const taskToken = z.string().min(1).max(CALLBACK_LIMITS.taskToken);
  const error = z.string().max(CALLBACK_LIMITS.error);
  const cause = z.string().max(CALLBACK_LIMITS.cause);
  const taskRoute = (path: string, summary: string, body: z.ZodType, verdict: (body: never) => Verdict): void => {
    routes.post(path, {
      config: { callbackKind: 'task' },
      attachValidation: true,
      schema: { summary, tags: ['callbacks'], body, response: { 200: callbackAckSchema, ...refusals } },
    }, async (request) => ackOf(request, await deliverByToken(target, tokenIn(request.body), () => bodyVerdict(request, () => verdict(request.body as never)))));
  };
  taskRoute('/v1/tasks/success', 'SendTaskSuccess', z.object({ taskToken, output: z.unknown().optional() }), (body: { output?: unknown }) => interpretPollbackBody({ status: 'success', output: body.output }));
  taskRoute('/v1/tasks/failure', 'SendTaskFailure', z.object({ taskToken, error: error.optional(), cause: cause.optional(), code: error.optional() }), (body: { error?: string; cause?: string; code?: string }) =>
    interpretPollbackBody({ status: 'failure', ...body, taskToken: undefined }),
  );
  taskRoute('/v1/tasks/heartbeat', 'SendTaskHeartbeat (extends the wait)', z.object({ taskToken, progress: z.number().min(0).max(100).optional() }), (body: { progress?: number }) =>
    interpretPollbackBody({ status: 'heartbeat', progress: body.progress }),
  );
  return Promise.resolve();
};
