// Serves a job's result the way object stores do (length, checksum, ETag, single byte ranges),
// including the one fault that only shows up mid-body: a connection cut short.
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type SimContext } from './context';
import { type Job, resultSha256 } from './jobs';
import { payloadStream } from './payload';
import { HttpProblem } from './problem';

interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

/**
 * A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range. Anything else (several ranges, other
 * units, garbage) is ignored and the whole body served, which RFC 9110 permits.
 */
function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    if (last === '') return undefined;
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size : Math.min(size, Number(last) + 1) };
}

export async function sendResult(ctx: SimContext, request: FastifyRequest, reply: FastifyReply, job: Job): Promise<FastifyReply> {
  const size = job.scenario.resultSize;
  const range = parseRange(request.headers.range, size);
  if (range === 'unsatisfiable') {
    throw new HttpProblem(416, 'range not satisfiable', `the result has ${size} bytes`, { 'content-range': `bytes */${size}` });
  }
  const sha256 = await resultSha256(job, ctx.scheduler.signal);
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
  return reply.send(payloadStream(job.id, start, end, truncateAfter));
}
