// Test-facing introspection, outside any API style: counters, per-job views, reset.
import { type FastifyPluginCallback } from 'fastify';
import { type SimContext } from '../context';
import { type Job, phaseOf } from '../jobs';
import { notFound } from '../problem';

function view(ctx: SimContext, job: Job): Record<string, unknown> {
  return {
    jobId: job.id,
    style: job.style,
    state: phaseOf(job, ctx.clock.now()),
    plannedOutcome: job.outcome,
    durationMs: job.durationMs,
    createdAt: new Date(job.createdAt).toISOString(),
    idempotencyKey: job.idempotencyKey ?? null,
    scenario: job.scenario,
    // Whether the start request asked to be called back (the URL itself may carry a token).
    callsBack: job.notify !== undefined || job.task !== undefined,
    counters: job.counters,
  };
}

export function adminRoutes(ctx: SimContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    // `load`: per API style, requests in flight, the most at once, the most within one second.
    app.get('/__sim/counters', () => ({ ...ctx.counters.snapshot(), load: ctx.load.snapshot() }));

    app.get<{ Querystring: { idempotencyKey?: unknown } }>('/__sim/jobs', (request) => {
      const { idempotencyKey } = request.query;
      const jobs = ctx.store.list().filter((job) => idempotencyKey === undefined || job.idempotencyKey === idempotencyKey);
      return { jobs: jobs.map((job) => view(ctx, job)) };
    });

    app.get<{ Params: { jobId: string } }>('/__sim/jobs/:jobId', (request) => {
      const job = ctx.store.get(request.params.jobId);
      if (!job) throw notFound(`no such job: ${request.params.jobId}`);
      return view(ctx, job);
    });

    app.post('/__sim/reset', (_request, reply) => {
      ctx.scheduler.stopAll();
      ctx.store.clear();
      ctx.counters.reset();
      ctx.load.reset();
      reply.code(204).send();
    });

    done();
  };
}
