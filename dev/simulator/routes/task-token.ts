// Task-token callback style (Step Functions' waitForTaskToken): the caller hands over a callback
// URL and an opaque token, and the service POSTs the outcome back. The status endpoint exists so
// a safety poll can still learn the outcome when a callback is lost.
import { type FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import { requireCredentials } from '../auth';
import { deliverCallback } from '../callbacks';
import { cancelJob, createOrReplay, findJob, originOf, readStatus, scenarioHeader, type SimContext } from '../context';
import { type Job, type TaskSpec, outcomeMessage, phaseOf, resultSha256 } from '../jobs';
import { HttpProblem } from '../problem';
import { describeIssues, readScenario } from '../scenario';

const DEFAULT_WAIT_SECONDS = 1;

const taskBodySchema = z.object({
  callbackUrl: z.url({ protocol: /^https?$/ }),
  taskToken: z.string().min(1),
  waitTime: z.number().nonnegative().optional(),
  status: z.enum(['success', 'failure']).optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  scenario: z.unknown().optional(),
});

interface Success {
  output: unknown;
  resultUrl: string;
}

async function success(ctx: SimContext, job: Job, origin: string, signal: AbortSignal): Promise<Success> {
  const resultUrl = ctx.signer.presign(origin, job.id, job.scenario.resultUrlTtlSeconds, ctx.clock.now()).url;
  const output = job.task?.output ?? { jobId: job.id, resultUrl, sha256: await resultSha256(job, signal), size: job.scenario.resultSize };
  return { output, resultUrl };
}

function failure(job: Job, phase: 'failed' | 'cancelled'): { error: string; cause: string } {
  return { error: phase === 'cancelled' ? 'JobCancelled' : (job.task?.error ?? 'JobFailed'), cause: outcomeMessage(job) };
}

async function callbackPayload(ctx: SimContext, job: Job, task: TaskSpec, origin: string, signal: AbortSignal): Promise<unknown> {
  if (job.outcome === 'succeeded') return { taskToken: task.taskToken, status: 'success', output: (await success(ctx, job, origin, signal)).output };
  return { taskToken: task.taskToken, status: 'failure', ...failure(job, job.outcome) };
}

function scheduleCallbacks(ctx: SimContext, job: Job, task: TaskSpec, origin: string): void {
  const { callback, callbackDelayMs, neverFinish } = job.scenario;
  if (callback === 'drop' || neverFinish) return;
  // The extra millisecond: a timer may fire just before Date.now() reaches the deadline, and a
  // callback must not announce a result that the status and download endpoints still withhold.
  const delayMs = (callback === 'early' ? 0 : job.durationMs + 1) + callbackDelayMs;
  ctx.scheduler.after(delayMs, async (signal) => {
    if (job.cancelledAt !== undefined) return;
    const payload = await callbackPayload(ctx, job, task, origin, signal);
    for (let copy = callback === 'duplicate' ? 2 : 1; copy > 0; copy -= 1) {
      const delivered = await deliverCallback(ctx.dispatcher, task.callbackUrl, payload, signal, {
        onAttempt: () => ctx.counters.bump(job, 'callbackAttempts'),
        onDelivered: () => ctx.counters.bump(job, 'callbacksSent'),
      });
      if (!delivered) ctx.log.warn({ jobId: job.id, callbackUrl: task.callbackUrl }, 'callback not delivered');
    }
  });
}

export function taskTokenRoutes(ctx: SimContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.addHook('onRequest', requireCredentials(ctx.credentials, { apiKey: true }));

    app.post<{ Querystring: { scenario?: unknown } }>('/tasks/v1/jobs', (request, reply) => {
      const parsed = taskBodySchema.safeParse(request.body);
      if (!parsed.success) throw new HttpProblem(400, 'invalid request body', describeIssues(parsed.error, 'body'));
      const { scenario: bodyScenario, waitTime, status, ...task } = parsed.data;
      const scenario = readScenario({ query: request.query.scenario, header: scenarioHeader(request), body: bodyScenario });
      const statusOutcome = status === 'failure' ? 'failed' : 'succeeded';
      const { job } = createOrReplay(ctx, request, reply, {
        style: 'task',
        scenario,
        durationMs: waitTime !== undefined ? Math.round(waitTime * 1000) : (scenario.durationMs ?? DEFAULT_WAIT_SECONDS * 1000),
        outcome: status === undefined ? scenario.outcome : statusOutcome,
        task,
      }, (created) => scheduleCallbacks(ctx, created, task, originOf(request)));
      reply.code(202);
      return { jobId: job.id, statusUrl: `${originOf(request)}/tasks/v1/jobs/${job.id}` };
    });

    app.get<{ Params: { jobId: string } }>('/tasks/v1/jobs/:jobId', async (request) => {
      const job = findJob(ctx, request.params.jobId, 'task');
      readStatus(ctx, job);
      const phase = phaseOf(job, ctx.clock.now());
      switch (phase) {
        case 'processing':
          return { jobId: job.id, status: 'running' };
        case 'succeeded':
          return { jobId: job.id, status: phase, ...(await success(ctx, job, originOf(request), ctx.scheduler.signal)) };
        case 'failed':
        case 'cancelled':
          return { jobId: job.id, status: phase, ...failure(job, phase) };
      }
    });

    app.delete<{ Params: { jobId: string } }>('/tasks/v1/jobs/:jobId', (request, reply) => {
      const job = findJob(ctx, request.params.jobId, 'task');
      cancelJob(ctx, job);
      reply.code(202);
      return { jobId: job.id, status: 'cancelled' };
    });

    done();
  };
}
