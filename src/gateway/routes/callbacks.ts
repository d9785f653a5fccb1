// Where remote systems call back: `POST /v1/callbacks/:token` (the URL handed to the remote
// API) and the Step Functions-shaped task endpoints. Authenticated by the token alone.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CallbackSignal } from '../../contract';
import { deliverCallback, type CallbackAck, type CallbackTarget } from '../deliver-callback';
import { HttpProblem, ProblemType, problemSchema } from '../problem';

export const ackSchema = z.object({
  accepted: z.boolean().describe('false when the job had already finished: the callback changed nothing'),
  jobId: z.string(),
  jobStatus: z.string().optional().describe("the finished job's recorded status"),
});
const refusals = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 410: problemSchema, 413: problemSchema, 415: problemSchema, 429: problemSchema, 503: problemSchema };

const error = z.string().max(256);
const cause = z.string().max(32_768);

/** Body of `POST /v1/callbacks/:token`: `status` says which; `taskToken`, if echoed, must match. */
const callbackBody = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), output: z.unknown().optional(), taskToken: z.string().optional() }),
  z.object({ status: z.literal('failure'), error: error.optional(), cause: cause.optional(), taskToken: z.string().optional() }),
  z.object({ status: z.literal('heartbeat'), taskToken: z.string().optional() }),
]);

function toSignal(body: z.infer<typeof callbackBody>): CallbackSignal {
  switch (body.status) {
    case 'success':
      return { kind: 'success', output: body.output };
    case 'failure':
      return failureSignal(body.error, body.cause);
    case 'heartbeat':
      return { kind: 'heartbeat' };
  }
}

export function failureSignal(e: string | undefined, c: string | undefined): CallbackSignal {
  return { kind: 'failure', ...(e !== undefined ? { error: e } : {}), ...(c !== undefined ? { cause: c } : {}) };
}

/** Delivers and notes the outcome for the callback metrics. */
export async function deliverAndRecord(target: CallbackTarget, request: FastifyRequest, token: string, signal: CallbackSignal): Promise<CallbackAck> {
  const ack = await deliverCallback(target, token, signal);
  request.callbackOutcome = ack.accepted ? 'accepted' : 'already-finished';
  return ack;
}

export const callbackRoutes: FastifyPluginAsync<CallbackTarget> = (app, target) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post('/v1/callbacks/:token', {
    config: { callbackKind: 'callback-url' },
    schema: {
      summary: 'Complete, fail or heartbeat a waiting job (the callback URL handed to the remote API)',
      tags: ['callbacks'],
      params: z.object({ token: z.string().min(1).max(2048) }),
      body: callbackBody,
      response: { 200: ackSchema, ...refusals },
    },
  }, async (request) => {
    const { token } = request.params;
    if (request.body.taskToken !== undefined && request.body.taskToken !== token) {
      throw new HttpProblem(400, ProblemType.InvalidToken, 'taskToken in the body differs from the token in the URL');
    }
    return deliverAndRecord(target, request, token, toSignal(request.body));
  });

  const taskToken = z.string().min(1).max(2048);
  routes.post('/v1/tasks/success', {
    config: { callbackKind: 'task' },
    schema: { summary: 'SendTaskSuccess', tags: ['callbacks'], body: z.object({ taskToken, output: z.unknown().optional() }), response: { 200: ackSchema, ...refusals } },
  }, async (request) => deliverAndRecord(target, request, request.body.taskToken, { kind: 'success', output: request.body.output }));

  routes.post('/v1/tasks/failure', {
    config: { callbackKind: 'task' },
    schema: { summary: 'SendTaskFailure', tags: ['callbacks'], body: z.object({ taskToken, error: error.optional(), cause: cause.optional() }), response: { 200: ackSchema, ...refusals } },
  }, async (request) => deliverAndRecord(target, request, request.body.taskToken, failureSignal(request.body.error, request.body.cause)));

  routes.post('/v1/tasks/heartbeat', {
    config: { callbackKind: 'task' },
    schema: { summary: 'SendTaskHeartbeat (extends the wait)', tags: ['callbacks'], body: z.object({ taskToken }), response: { 200: ackSchema, ...refusals } },
  }, async (request) => deliverAndRecord(target, request, request.body.taskToken, { kind: 'heartbeat' }));
  return Promise.resolve();
};
