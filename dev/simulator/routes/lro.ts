// RFC / Azure-style long-running operation: 202 + Operation-Location + Retry-After, a status
// monitor, a result resource that exists once the operation succeeded, DELETE to cancel.
import { type FastifyPluginCallback, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireCredentials } from '../auth';
import { cancelJob, createOrReplay, findJob, originOf, readStatus, scenarioHeader, type SimContext } from '../context';
import { sendResult } from '../download';
import { type Job, outcomeMessage, phaseOf } from '../jobs';
import { notFound, HttpProblem } from '../problem';
import { describeIssues, readScenario } from '../scenario';

const DEFAULT_DURATION_MS = 300;
// An operation reports NotStarted for the first quarter of its duration, as if queued.
const QUEUED_FRACTION = 0.25;

type LroStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

const exportBodySchema = z.record(z.string(), z.unknown()).optional();

function lroStatus(job: Job, now: number): LroStatus {
  switch (phaseOf(job, now)) {
    case 'processing':
      return now - job.createdAt < job.durationMs * QUEUED_FRACTION ? 'NotStarted' : 'Running';
    case 'succeeded':
      return 'Succeeded';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Canceled';
  }
}

function isTerminal(status: LroStatus): boolean {
  return status !== 'NotStarted' && status !== 'Running';
}

function operationUrl(origin: string, job: Job): string {
  return `${origin}/lro/v1/operations/${job.id}`;
}

function retryAfter(reply: FastifyReply, job: Job): void {
  reply.header('retry-after', String(job.scenario.retryAfterSeconds));
}

export function lroRoutes(ctx: SimContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.addHook('onRequest', requireCredentials(ctx.credentials, { bearer: true }));

    app.post<{ Querystring: { scenario?: unknown } }>('/lro/v1/exports', (request, reply) => {
      const parsed = exportBodySchema.safeParse(request.body);
      if (!parsed.success) throw new HttpProblem(400, 'invalid request body', describeIssues(parsed.error, 'body'));
      const scenario = readScenario({ query: request.query.scenario, header: scenarioHeader(request), body: parsed.data?.scenario });
      const { job } = createOrReplay(ctx, request, reply, {
        style: 'lro',
        scenario,
        durationMs: scenario.durationMs ?? DEFAULT_DURATION_MS,
        outcome: scenario.outcome,
      });
      const location = operationUrl(originOf(request), job);
      retryAfter(reply, job);
      reply.code(202).header('location', location).header('operation-location', location);
      return { id: job.id, status: lroStatus(job, ctx.clock.now()) };
    });

    app.get<{ Params: { id: string } }>('/lro/v1/operations/:id', (request, reply) => {
      const job = findJob(ctx, request.params.id, 'lro');
      readStatus(ctx, job);
      const status = lroStatus(job, ctx.clock.now());
      if (!isTerminal(status)) retryAfter(reply, job);
      return {
        id: job.id,
        status,
        ...(status === 'Failed' && { error: { code: 'OperationFailed', message: outcomeMessage(job) } }),
        ...(status === 'Canceled' && { error: { code: 'OperationCanceled', message: outcomeMessage(job) } }),
        ...(status === 'Succeeded' && { resourceLocation: `${operationUrl(originOf(request), job)}/result` }),
      };
    });

    app.get<{ Params: { id: string } }>('/lro/v1/operations/:id/result', async (request, reply) => {
      const job = findJob(ctx, request.params.id, 'lro');
      if (lroStatus(job, ctx.clock.now()) !== 'Succeeded') throw notFound(`operation ${job.id} has no result yet`);
      return sendResult(ctx, request, reply, job);
    });

    app.delete<{ Params: { id: string } }>('/lro/v1/operations/:id', (request, reply) => {
      const job = findJob(ctx, request.params.id, 'lro');
      cancelJob(ctx, job);
      reply.code(202);
      return { id: job.id, status: lroStatus(job, ctx.clock.now()) };
    });

    done();
  };
}
