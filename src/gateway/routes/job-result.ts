// `GET /v1/jobs/:id/result`: streams the file the job downloaded, with Content-Length and
// single-range support, so a client can resume an interrupted transfer. The path comes from
// the workflow's result, and is served only if it lies inside the download folder: history is
// writable by anyone with Temporal access, the gateway's disk is not theirs to read.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { JobFile } from '../../contract/job-status';
import { describeJob, jobNotFound, jobStateOf, outcomeOf } from '../jobs/job-view';
import { parseRange } from '../../http/range';
import { HttpProblem, ProblemType, problemSchema } from '../problem';
import type { TemporalAccess } from '../temporal-call';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucketAllowed, parseS3Url, s3Client, type S3Settings } from '../../storage/s3';

export interface JobResultDeps extends TemporalAccess {
  /** The workers' download folder (POLLBACK_DOWNLOAD_DIR), shared with this gateway; unset: results are not served. */
  resultRoot?: string;
  /** Buckets whose results are handed out as pre-signed GET redirects. */
  s3?: S3Settings;
  secured: boolean;
}

/** How long a pre-signed result link works. */
const PRESIGNED_TTL_SECONDS = 300;

const notAvailable = (detail: string): HttpProblem => new HttpProblem(404, ProblemType.ResultNotAvailable, 'the job has no result file to serve', detail);

function insideRoot(root: string, file: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** RFC 6266: a plain ASCII fallback and the exact name in filename*. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

async function resultFile(deps: JobResultDeps, jobId: string): Promise<JobFile> {
  const description = await describeJob(deps, jobId);
  const state = jobStateOf(description.status.name);
  if (state === 'running') throw new HttpProblem(409, ProblemType.ResultNotReady, 'the job is still running', undefined, { 'retry-after': '5' });
  if (state !== 'succeeded') throw new HttpProblem(409, ProblemType.ResultNotAvailable, `the job ended ${state}: it has no result`);
  const outcome = await outcomeOf(deps, jobId);
  const file = 'result' in outcome ? outcome.result.file : undefined;
  if (!file) throw notAvailable('the job kept its result at the remote side (download turned off), or produced none');
  if (file.path.startsWith('s3://')) return file;
  if (deps.resultRoot === undefined) throw notAvailable('this gateway does not serve result files (no download folder configured)');
  if (!insideRoot(deps.resultRoot, file.path)) throw notAvailable('the recorded file lies outside the download folder');
  return file;
}

export const jobResultRoutes: FastifyPluginAsync<JobResultDeps> = (app, deps) => {
  const bytes = { description: 'the file bytes', content: { 'application/octet-stream': { schema: z.string().describe('binary') } } };
  app.withTypeProvider<ZodTypeProvider>().get('/v1/jobs/:id/result', {
    schema: {
      summary: 'Stream the downloaded result file (Content-Length, Range, ETag)',
      tags: ['jobs'],
      security: deps.secured ? [{ bearerAuth: [] }] : [],
      params: z.object({ id: z.string().min(1).max(400) }),
      headers: z.object({ range: z.string().optional(), 'if-range': z.string().optional() }),
      description: 'A result uploaded to S3 (`download.to: s3://…`) answers 302 with a pre-signed GET URL, valid 5 minutes, in Location.',
      response: { 200: bytes, 206: bytes, 302: z.null().describe('an S3 result: Location holds a pre-signed GET URL, X-Checksum-SHA256 its sha256'), 401: problemSchema, 404: problemSchema, 409: problemSchema, 416: problemSchema, 429: problemSchema, 503: problemSchema },
    },
  }, async (request, typedReply) => {
    // The bytes are a stream, which the typed reply (schemas describe JSON) does not model.
    const reply = typedReply as unknown as FastifyReply;
    const { id } = request.params;
    let file: JobFile;
    try {
      file = await resultFile(deps, id);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw jobNotFound(id);
      throw err;
    }
    if (file.path.startsWith('s3://')) {
      // History is writable by anyone with Temporal access: only objects in the allowed buckets are signed.
      const object = parseS3Url(file.path);
      if (!object || !bucketAllowed(deps.s3, object.bucket)) throw notAvailable('the recorded object lies outside the allowed buckets (POLLBACK_S3_ALLOWED_BUCKETS)');
      const signed = await getSignedUrl(
        s3Client(deps.s3!),
        new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ResponseContentDisposition: contentDisposition(file.fileName) }),
        { expiresIn: PRESIGNED_TTL_SECONDS },
      );
      return reply.code(302).header('location', signed).header('x-checksum-sha256', file.sha256).header('cache-control', 'no-store').send();
    }
    const size = await stat(file.path).then(
      (s) => s.size,
      () => {
        throw notAvailable('the file is no longer on disk');
      },
    );
    const etag = `"${file.sha256}"`;
    // If-Range: a range of a file that changed since the client's first part would corrupt it.
    const ifRange = request.headers['if-range'];
    const range = ifRange !== undefined && ifRange !== etag ? { kind: 'whole' as const } : parseRange(request.headers.range, size);
    void reply
      .header('accept-ranges', 'bytes')
      .header('etag', etag)
      .header('x-checksum-sha256', file.sha256)
      .header('content-disposition', contentDisposition(file.fileName))
      .type(file.contentType ?? 'application/octet-stream');
    if (range.kind === 'unsatisfiable') {
      throw new HttpProblem(416, ProblemType.RangeNotSatisfiable, 'the range is outside the file', `the file has ${size} bytes`, { 'content-range': `bytes */${size}` });
    }
    if (range.kind === 'partial') {
      void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
      return reply.send(createReadStream(file.path, { start: range.start, end: range.end }));
    }
    void reply.header('content-length', size);
    return reply.send(createReadStream(file.path));
  });
  return Promise.resolve();
};
