// ASO-style asynchronous download: a GET starts the job and answers an expiring status URL;
// once completed, every status read hands out a freshly pre-signed result URL.
import { type FastifyPluginCallback } from 'fastify';
import { requireCredentials } from '../auth';
import { cancelJob, createOrReplay, findJob, originOf, readStatus, scenarioHeader, type SimContext } from '../context';
import { outcomeMessage, phaseOf, statusUrlExpiresAt } from '../jobs';
import { HttpProblem } from '../problem';
import { readScenario } from '../scenario';

const DEFAULT_DURATION_MS = 300;

export function asoRoutes(ctx: SimContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.addHook('onRequest', requireCredentials(ctx.credentials, { bearer: true, apiKey: true }));

    app.get<{ Params: { reportId: string }; Querystring: { scenario?: unknown } }>('/aso/v1/reports/:reportId/async', (request, reply) => {
      const scenario = readScenario({ query: request.query.scenario, header: scenarioHeader(request) });
      const { job } = createOrReplay(ctx, request, reply, {
        style: 'aso',
        scenario,
        durationMs: scenario.durationMs ?? DEFAULT_DURATION_MS,
        outcome: scenario.outcome,
      });
      const remainingMs = statusUrlExpiresAt(job) - ctx.clock.now();
      reply.code(202);
      return {
        statusUrl: `${originOf(request)}/aso/v1/asyncStatus/${job.id}`,
        // Whole seconds, as real APIs announce them (a replay later in the TTL gets less).
        statusUrlExpiresInSeconds: Math.max(0, Math.round(remainingMs / 1000)),
      };
    });

    app.get<{ Params: { statusId: string } }>('/aso/v1/asyncStatus/:statusId', (request) => {
      const job = findJob(ctx, request.params.statusId, 'aso');
      const now = ctx.clock.now();
      readStatus(ctx, job);
      if (now >= statusUrlExpiresAt(job)) throw new HttpProblem(403, 'status URL expired', `the status URL of ${job.id} has expired`);
      const phase = phaseOf(job, now);
      switch (phase) {
        case 'processing':
          return { status: 'processing' };
        case 'succeeded': {
          const expired = job.counters.resultUrlsIssued < job.scenario.expiredResultUrls;
          ctx.counters.bump(job, 'resultUrlsIssued');
          const ttl = job.scenario.resultUrlTtlSeconds;
          const signed = ctx.signer.presign(originOf(request), job.id, expired ? -ttl : ttl, now);
          return { status: 'completed', resultUrl: signed.url, resultUrlExpiresInSeconds: ttl };
        }
        case 'failed':
        case 'cancelled':
          return { status: phase, message: outcomeMessage(job) };
      }
    });

    app.delete<{ Params: { statusId: string } }>('/aso/v1/asyncStatus/:statusId', (request, reply) => {
      cancelJob(ctx, findJob(ctx, request.params.statusId, 'aso'));
      reply.code(202);
      return { status: 'cancelled' };
    });

    done();
  };
}
