// Where remote systems call back: `POST /v1/callbacks/:token` (the URL handed to the remote
// API) and the Step Functions-shaped task endpoints. Authenticated by the token alone.
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CallbackSignal } from '../../contract';
import type { Keyring } from '../../tokens/task-token';
import { deliverCallback } from '../deliver-callback';
import { HttpProblem, problemSchema } from '../problem';

const ackSchema = z.object({
  accepted: z.boolean().describe('false when the job had already finished: the callback changed nothing'),
  jobId: z.string(),
  jobStatus: z.string().optional().describe("the finished job's recorded status"),
});
const refusals = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 410: problemSchema, 413: problemSchema, 415: problemSchema, 503: problemSchema };

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
      return { kind: 'failure', ...(body.error !== undefined ? { error: body.error } : {}), ...(body.cause !== undefined ? { cause: body.cause } : {}) };
    case 'heartbeat':
      return { kind: 'heartbeat' };
  }
}

export const callbackRoutes: FastifyPluginAsync<{ client: Client; keyring: Keyring }> = (app, { client, keyring }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post('/v1/callbacks/:token', {
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
      throw new HttpProblem(400, 'InvalidToken', 'taskToken in the body differs from the token in the URL');
    }
    return deliverCallback(client, keyring, token, toSignal(request.body));
  });

  const taskToken = z.string().min(1).max(2048);
  routes.post('/v1/tasks/success', {
    schema: { summary: 'SendTaskSuccess', tags: ['tasks'], body: z.object({ taskToken, output: z.unknown().optional() }), response: { 200: ackSchema, ...refusals } },
  }, async (request) => deliverCallback(client, keyring, request.body.taskToken, { kind: 'success', output: request.body.output }));

  routes.post('/v1/tasks/failure', {
    schema: { summary: 'SendTaskFailure', tags: ['tasks'], body: z.object({ taskToken, error: error.optional(), cause: cause.optional() }), response: { 200: ackSchema, ...refusals } },
  }, async (request) => {
    const { error: e, cause: c } = request.body;
    return deliverCallback(client, keyring, request.body.taskToken, { kind: 'failure', ...(e !== undefined ? { error: e } : {}), ...(c !== undefined ? { cause: c } : {}) });
  });

  routes.post('/v1/tasks/heartbeat', {
    schema: { summary: 'SendTaskHeartbeat (extends the wait)', tags: ['tasks'], body: z.object({ taskToken }), response: { 200: ackSchema, ...refusals } },
  }, async (request) => deliverCallback(client, keyring, request.body.taskToken, { kind: 'heartbeat' }));
  return Promise.resolve();
};
