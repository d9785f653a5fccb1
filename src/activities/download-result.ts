// Streams the remote result to disk with constant memory: into `<name>.part` beside the
// destination, hashed on the way, then renamed atomically. A retry (or a new worker after a
// crash) resumes from the bytes already on disk with `Range` + `If-Range`. An expired
// pre-signed URL (403) is refreshed by reading the status again.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Context } from '@temporalio/activity';
import { ErrorType, nonRetryable, retryable } from '../contract/errors';
import { renderMap } from '../profiles/template';
import { currentWorkflowId, requestScope, type ActivityDeps } from './context';
import { downloadToS3 } from './download-to-s3';
import { expectedSha256, fileNameFrom, header, progressReporter, resolveResultUrl, ResultSource, sanitizeFileName } from './result-source';
import type { DownloadedFile, DownloadResultArgs } from './types';

const HEARTBEAT_EVERY_BYTES = 4 << 20;

class Progress extends Transform {
  private sinceBeat = 0;
  constructor(
    private readonly hash: Hash,
    public bytes: number,
    private readonly maxBytes: number,
    private readonly beat: (bytes: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(nonRetryable(ErrorType.ResultTooLarge, `the result is larger than the limit of ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    this.sinceBeat += chunk.length;
    if (this.sinceBeat >= HEARTBEAT_EVERY_BYTES) {
      this.sinceBeat = 0;
      this.beat(this.bytes);
    }
    done(null, chunk);
  }
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** One folder per job: the workflow id, encoded so that no two ids (nor "..") share or escape it. */
export function jobDownloadDir(deps: Pick<ActivityDeps, 'downloadDir'>, workflowId: string): string {
  return path.join(deps.downloadDir, encodeURIComponent(workflowId).replace(/^\./, '%2E'));
}

export function partialPath(deps: Pick<ActivityDeps, 'downloadDir'>, workflowId: string): string {
  return path.join(jobDownloadDir(deps, workflowId), '.download.part');
}

interface HeartbeatState {
  bytes: number;
  validator?: string;
}

/** `bytes a-b/total` → a, to check a 206 starts where we asked. */
function rangeStart(contentRange: string | undefined): number | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange?.trim() ?? '');
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

/** Downloads the job's result; `null` when the remote job produced nothing to download. */
export async function downloadResult(deps: ActivityDeps, args: DownloadResultArgs): Promise<DownloadedFile | null> {
  if (args.to?.startsWith('s3://')) return downloadToS3(deps, { ...args, to: args.to });
  const ctx = Context.current();
  let beat: HeartbeatState = { bytes: 0, ...((ctx.info.heartbeatDetails as HeartbeatState | undefined) ?? {}) };
  // A steady heartbeat, whatever the link's speed: a stalled or slow download is still alive,
  // and a cancel or a heartbeat timeout reaches this attempt within seconds.
  const ticker = setInterval(() => ctx.heartbeat(beat), 5_000);
  try {
    return await download(deps, args, (next) => {
      beat = next;
      ctx.heartbeat(beat);
    });
  } catch (err) {
    // However the abort surfaced (socket, stream, file), a cancel is reported as a cancel.
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    throw err;
  } finally {
    clearInterval(ticker);
  }
}

async function download(deps: ActivityDeps, args: DownloadResultArgs, heartbeat: (state: HeartbeatState) => void): Promise<DownloadedFile | null> {
  const ctx = Context.current();
  const { profile, context, redact: secrets } = requestScope(deps, args.profile, args.params);
  const initialUrl = await resolveResultUrl(deps, args, profile);
  if (!initialUrl) return null;
  const workflowId = currentWorkflowId();
  const dir = jobDownloadDir(deps, workflowId);
  const partial = partialPath(deps, workflowId);
  await mkdir(dir, { recursive: true });
  const headers = renderMap(profile.result?.headers, context, 'result.headers');
  let validator = (ctx.info.heartbeatDetails as HeartbeatState | undefined)?.validator;
  const report = progressReporter(workflowId);
  const onDisk = (): Promise<number> => stat(partial).then((s) => s.size, () => 0);
  const source = new ResultSource(deps, args, profile, initialUrl, secrets);

  for (;;) {
    // Resume only what this job wrote before, and only if the server's validator still matches.
    const resumeFrom = validator ? await onDisk() : 0;
    if (resumeFrom === 0) await rm(partial, { force: true });
    const rangeHeaders: Record<string, string> = resumeFrom > 0 && validator ? { range: `bytes=${resumeFrom}-`, 'if-range': validator } : {};
    const res = await source.get({ ...headers, ...rangeHeaders }, ctx.cancellationSignal);
    if (!res) continue;
    const discard = (): Promise<void> => res.body.dump().catch(() => undefined);
    const resumeRefused = resumeFrom > 0 && (res.statusCode === 416 || (res.statusCode === 206 && rangeStart(header(res.headers, 'content-range')) !== resumeFrom));
    if (resumeRefused) {
      // The bytes on disk cannot be continued (already complete, or the server answered another range): start over.
      await discard();
      await rm(partial, { force: true });
      validator = undefined;
      continue;
    }
    const resumed = res.statusCode === 206 && resumeFrom > 0;
    const offset = resumed ? resumeFrom : 0;
    const length = Number(header(res.headers, 'content-length') ?? NaN);
    const total = Number.isFinite(length) ? offset + length : undefined;
    if (total !== undefined && total > args.maxBytes) {
      await discard();
      throw nonRetryable(ErrorType.ResultTooLarge, `the result is ${total} bytes, over the limit of ${args.maxBytes}`);
    }
    validator = header(res.headers, 'etag') ?? header(res.headers, 'last-modified');
    const fileName = sanitizeFileName(args.fileName ?? fileNameFrom(header(res.headers, 'content-disposition'), source.current()));
    const expected = expectedSha256(args, profile, res.headers);

    const hash = createHash('sha256');
    const state = (bytes: number): HeartbeatState => ({ bytes, ...(validator ? { validator } : {}) });
    try {
      if (resumed) await hashFile(partial, hash);
    } catch (err) {
      await discard();
      throw err;
    }
    const progress = new Progress(hash, offset, args.maxBytes, (bytes) => {
      heartbeat(state(bytes));
      report(bytes, total);
    });
    heartbeat(state(offset));
    try {
      await pipeline(res.body, progress, createWriteStream(partial, { flags: resumed ? 'a' : 'w' }), { signal: ctx.cancellationSignal });
    } catch (err) {
      heartbeat(state(await onDisk()));
      if (err instanceof Error && err.name === 'ApplicationFailure') throw err;
      if (ctx.cancellationSignal.aborted) throw err;
      throw retryable(ErrorType.RemoteUnavailable, `download interrupted after ${progress.bytes} bytes; the next attempt resumes there`);
    }
    // What is on disk is what counts, not what passed through the stream.
    const written = await onDisk();
    if (written !== progress.bytes || (total !== undefined && written !== total)) {
      heartbeat(state(written));
      throw retryable(ErrorType.RemoteUnavailable, `download ended at ${written} of ${total ?? '?'} bytes; the next attempt resumes there`);
    }
    const sha256 = hash.digest('hex');
    if (expected && expected !== sha256) {
      await rm(partial, { force: true });
      throw nonRetryable(ErrorType.ChecksumMismatch, `sha256 of the download is ${sha256}, the API announced ${expected}`);
    }
    const handle = await open(partial, 'r');
    await handle.sync();
    await handle.close();
    const finalPath = path.join(dir, fileName);
    await rename(partial, finalPath);
    report(written, written);
    const contentType = header(res.headers, 'content-type');
    return { path: finalPath, fileName, size: written, sha256, ...(contentType ? { contentType } : {}) };
  }
}
