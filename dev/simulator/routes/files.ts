// The pre-signed download: the signed query authorises it, so no credentials are checked.
import { type FastifyPluginCallback } from 'fastify';
import { type SimContext } from '../context';
import { sendResult } from '../download';
import { phaseOf } from '../jobs';
import { HttpProblem, notFound } from '../problem';

export function fileRoutes(ctx: SimContext): FastifyPluginCallback {
  return (app, _opts, done) => {
    app.get<{ Params: { jobId: string }; Querystring: { expires?: unknown; signature?: unknown } }>('/files/:jobId', async (request, reply) => {
      const { jobId } = request.params;
      const { expires, signature } = request.query;
      if (typeof expires !== 'string' || typeof signature !== 'string' || !ctx.signer.verify(jobId, expires, signature)) {
        throw new HttpProblem(403, 'invalid signature', 'the result URL is not validly signed');
      }
      const now = ctx.clock.now();
      if (now >= Number(expires)) throw new HttpProblem(403, 'result URL expired', 'the pre-signed result URL has expired; read the status again for a fresh one');
      const job = ctx.store.get(jobId);
      if (!job) throw notFound(`no such job: ${jobId}`);
      if (phaseOf(job, now) !== 'succeeded') throw notFound(`the result of ${jobId} is not ready`);
      return sendResult(ctx, request, reply, job);
    });
    done();
  };
}
