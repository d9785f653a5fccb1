// Serves a job's result the way object stores do (length, checksum, ETag, single byte ranges),
// including the one fault that only shows up mid-body: a connection cut short.
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type SimContext } from './context';
import { type Job, resultSha256 } from './jobs';
import { payloadStream } from './payload';
import { HttpProblem } from './problem';
import { parseRange } from '../../src/http/range';

export async function sendResult(ctx: SimContext, request: FastifyRequest, reply: FastifyReply, job: Job): Promise<FastifyReply> {
  const size = job.scenario.resultSize;
  // The gateway's reading of Range (one range; anything else serves the whole body), end made exclusive.
  const answer = parseRange(request.headers.range, size);
  if (answer.kind === 'unsatisfiable') {
    throw new HttpProblem(416, 'range not satisfiable', `the result has ${size} bytes`, { 'content-range': `bytes */${size}` });
  }
  const sha256 = await resultSha256(job, ctx.scheduler.signal);
  const range = answer.kind === 'partial' ? { start: answer.start, end: answer.end + 1 } : undefined;
  const { start, end } = range ?? { start: 0, end: size };
  ctx.counters.bump(job, 'downloads');
  if (range) ctx.counters.bump(job, 'rangedDownloads');
  const announced = job.scenario.wrongChecksum ? sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')) : sha256;
  // A cut needs at least one byte sent first, or the client would see an error instead of a short body.
  const truncateAfter = job.scenario.truncateOnce && job.counters.downloads === 1 && end - start >= 2 ? Math.floor((end - start) / 2) : undefined;
  reply
    .code(range ? 206 : 200)
    .header('content-type', 'application/octet-stream')
    .header('content-length', String(end - start))
    .header('content-disposition', `attachment; filename="${job.scenario.resultName}"`)
    .header('accept-ranges', 'bytes')
    .header('etag', `"${sha256}"`)
    .header('x-checksum-sha256', announced);
  if (range) reply.header('content-range', `bytes ${start}-${end - 1}/${size}`);
  return reply.send(payloadStream(job.id, start, end, truncateAfter, job.scenario.resultBytesPerSecond));
}
