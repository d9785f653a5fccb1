// Step Functions drop-in: SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat on the AWS
// JSON 1.0 wire protocol (`POST /` + `X-Amz-Target`), so code using the official AWS SDK
// client, with its endpoint pointed at the gateway, completes Pollback jobs unchanged. The
// request signature (SigV4) is not checked: like every callback, the task token alone
// authenticates. Errors carry Step Functions' own names in `__type`.
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { failureSignal, type Verdict } from '../callbacks/interpret';
import { deliverByToken, type CallbackTarget } from '../deliver-callback';
import { toProblem } from '../error-handler';
import { HttpProblem, ProblemType } from '../problem';
import { ackOf, tokenIn } from './callbacks';
import { CALLBACK_LIMITS } from '../../contract/callback-limits';

export const AWS_JSON = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
const operations = ['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'] as const;

const awsErrorSchema = z.object({ __type: z.string(), message: z.string() });
/** Refusals in the AWS JSON 1.0 form the SDK reads (the gateway-wide ones are added in this form too). */
const awsError = (description: string) => ({ description, content: { [AWS_JSON]: { schema: awsErrorSchema } } });

const bodySchema = z.object({
  taskToken: z.string().min(1).max(CALLBACK_LIMITS.taskToken),
  output: z.string().max(CALLBACK_LIMITS.sfnOutput).optional().describe('SendTaskSuccess: the output, a JSON text'),
  error: z.string().max(CALLBACK_LIMITS.error).optional(),
  cause: z.string().max(CALLBACK_LIMITS.cause).optional(),
});

/** Step Functions' error names for the gateway's problem types. */
function awsErrorName(problem: HttpProblem, request: FastifyRequest): string {
  switch (problem.problemType) {
    case ProblemType.InvalidToken:
    case ProblemType.TaskTimedOut:
    case ProblemType.TaskDoesNotExist:
    case ProblemType.InvalidOutput:
      return problem.problemType;
    case ProblemType.UnknownOperation:
      return 'UnknownOperationException';
    case ProblemType.InvalidRequest:
      // A bad output is an InvalidOutput; the rest as AWS names them.
      if (problem.detail?.includes('output') && request.headers['x-amz-target'] === `${TARGET_PREFIX}SendTaskSuccess`) return 'InvalidOutput';
      return 'ValidationException';
    case ProblemType.RateLimited:
      return 'ThrottlingException';
    case ProblemType.ServiceUnavailable:
      return 'ServiceUnavailable';
    case ProblemType.PayloadTooLarge:
      return 'RequestEntityTooLargeException';
    case ProblemType.UnsupportedMediaType:
      return 'UnsupportedMediaTypeException';
    default:
      return problem.status >= 500 ? 'InternalServerError' : 'ValidationException';
  }
}

function sendAwsError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(err, request);
  if (request.callbackOutcome !== 'refused') request.callbackOutcome = problem.problemType;
  const name = awsErrorName(problem, request);
  // AWS answers client errors with 400; throttling and outages keep their status so the SDK retries them.
  const status = problem.status === 429 || problem.status >= 500 ? problem.status : problem.status === 413 ? 413 : 400;
  const message = problem.detail ? `${problem.message}: ${problem.detail}` : problem.message;
  return reply.code(status).headers(problem.headers).header('x-amzn-errortype', name).type(AWS_JSON).send({ __type: name, message });
}

function verdictFor(operation: (typeof operations)[number], body: z.infer<typeof bodySchema>): Verdict {
  switch (operation) {
    case 'SendTaskSuccess': {
      if (body.output === undefined) return { kind: 'signal', state: operation, signal: { kind: 'success' } };
      try {
        return { kind: 'signal', state: operation, signal: { kind: 'success', output: JSON.parse(body.output) as unknown } };
      } catch {
        return { kind: 'refused', reason: 'the output is not valid JSON', problemType: ProblemType.InvalidOutput };
      }
    }
    case 'SendTaskFailure':
      return { kind: 'signal', state: operation, signal: failureSignal(body.error, body.cause) };
    case 'SendTaskHeartbeat':
      return { kind: 'signal', state: operation, signal: { kind: 'heartbeat' } };
  }
}

export const sfnRoutes: FastifyPluginAsync<CallbackTarget> = (app, target) => {
  app.addContentTypeParser(AWS_JSON, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.setErrorHandler(sendAwsError);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-amzn-requestid', request.id);
    done(null, payload);
  });

  const targets: readonly string[] = operations.map((op) => `${TARGET_PREFIX}${op}`);
  app.withTypeProvider<ZodTypeProvider>().post('/', {
    config: { callbackKind: 'sfn' },
    // The token is checked before the rest of the body: an authenticated but invalid call is told to the job.
    attachValidation: true,
    // Before the body is validated: the operation decides what a valid body is.
    preValidation: (request, _reply, done) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && targets.includes(target)) done();
      else done(new HttpProblem(400, ProblemType.UnknownOperation, `unsupported operation ${String(target)}: only ${operations.join(', ')}`));
    },
    schema: {
      summary: 'Step Functions SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat (AWS JSON 1.0)',
      description: `Content-Type ${AWS_JSON}; point the AWS SDK SFN client's endpoint at the gateway. Errors: TaskDoesNotExist, InvalidToken, TaskTimedOut, InvalidOutput.`,
      tags: ['callbacks'],
      headers: z.object({ 'x-amz-target': z.enum(operations.map((op) => `${TARGET_PREFIX}${op}`) as [string, ...string[]]) }),
      body: bodySchema,
      response: { 200: { description: 'empty on success, also when the job had already finished', content: { [AWS_JSON]: { schema: z.object({}) } } }, 400: awsError('InvalidToken, TaskDoesNotExist, TaskTimedOut, InvalidOutput, ValidationException, …'), 413: awsError('RequestEntityTooLargeException'), 503: awsError('ServiceUnavailable: Temporal is unreachable') },
    },
  }, async (request, reply) => {
    const operation = request.headers['x-amz-target'].slice(TARGET_PREFIX.length) as (typeof operations)[number];
    const verdict = (): Verdict =>
      request.validationError
        ? { kind: 'refused', reason: `invalid request: ${request.validationError.message}`.slice(0, 400), problemType: ProblemType.InvalidRequest }
        : verdictFor(operation, request.body);
    ackOf(request, await deliverByToken(target, tokenIn(request.body), verdict));
    void reply.type(AWS_JSON);
    return {};
  });
  return Promise.resolve();
};
