// Streams the remote result into S3 with a multipart upload, in constant memory (one part at a
// time), through the official AWS SDK; credentials and region come from the SDK's standard chain
// on the worker, never from input or history. Resumable: the upload id and the parts done ride
// in the activity's heartbeat, so a retry — or another worker after a crash — carries on with
// the next part. SHA-256 state cannot be saved, so a resumed attempt reads the source from the
// start again (If-Range: unchanged, or start over), hashing the bytes already uploaded without
// uploading them again. The object's metadata names the job; the sha256 is checked before the
// upload is completed, so a mismatching result never appears in the bucket.
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { ErrorType, nonRetryable, retryable } from '../contract/errors';
import { renderMap } from '../profiles/template';
import { bucketAllowed, objectFor, parseS3Url, s3Client } from '../storage/s3';
import { currentWorkflowId, requestScope, type ActivityDeps } from './context';
import { expectedSha256, fileNameFrom, header, progressReporter, resolveResultUrl, ResultSource, sanitizeFileName } from './result-source';
import type { DownloadedFile, DownloadResultArgs } from './types';

/** 8 MiB parts: above S3's 5 MiB minimum, 10,000 parts reach 80 GB; memory holds one. */
export const PART_SIZE = 8 << 20;

interface UploadState {
  bucket: string;
  key: string;
  fileName: string;
  uploadId: string;
  /** The source's ETag or Last-Modified when the upload began: the bytes must not change under it. */
  validator?: string;
  parts: { PartNumber: number; ETag: string }[];
  /** Bytes in the parts done. */
  bytes: number;
}

interface Beat {
  s3?: UploadState;
  /** Bytes read from the source in this attempt (progress only). */
  bytes: number;
}

function s3Failure(err: unknown, what: string): Error {
  if (err instanceof S3ServiceException) {
    const permanent = ['AccessDenied', 'NoSuchBucket', 'InvalidBucketName', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AllAccessDisabled'];
    if (permanent.includes(err.name)) return nonRetryable(ErrorType.RemoteRejected, `S3 refused to ${what}: ${err.name}`);
    return retryable(ErrorType.RemoteUnavailable, `S3 could not ${what}: ${err.name}`);
  }
  if (err instanceof Error && err.name === 'CredentialsProviderError') return nonRetryable(ErrorType.SecretMissing, `no AWS credentials on this worker (the SDK's standard chain found none) to ${what}`);
  return retryable(ErrorType.RemoteUnavailable, `S3 unreachable while trying to ${what}: ${err instanceof Error ? err.message : String(err)}`);
}

export async function downloadToS3(deps: ActivityDeps, args: DownloadResultArgs & { to: string }): Promise<DownloadedFile | null> {
  const ctx = Context.current();
  const settings = deps.s3;
  const target = parseS3Url(args.to.replaceAll('{name}', 'x').replaceAll('{jobId}', 'x'));
  if (!target) throw nonRetryable(ErrorType.InvalidInput, `download.to: ${args.to} is not s3://bucket/key`);
  if (!bucketAllowed(settings, target.bucket)) {
    throw nonRetryable(ErrorType.HostNotAllowed, `bucket ${target.bucket} is not in POLLBACK_S3_ALLOWED_BUCKETS on this worker`);
  }
  const s3 = s3Client(settings!);
  const abortSignal = ctx.cancellationSignal;
  let beat: Beat = { bytes: 0, ...((ctx.info.heartbeatDetails as Beat | undefined) ?? {}) };
  const ticker = setInterval(() => ctx.heartbeat(beat), 5_000);
  const heartbeat = (next: Beat): void => {
    beat = next;
    ctx.heartbeat(beat);
  };
  try {
    const { profile, context, redact: secrets } = requestScope(deps, args.profile, args.params);
    const initialUrl = await resolveResultUrl(deps, args, profile);
    if (!initialUrl) return null;
    const workflowId = currentWorkflowId();
    const headers = renderMap(profile.result?.headers, context, 'result.headers');
    const report = progressReporter(workflowId);
    let upload = beat.s3;

    const abandon = async (state: UploadState | undefined): Promise<void> => {
      if (!state) return;
      await s3.send(new AbortMultipartUploadCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId })).catch(() => undefined);
    };

    const source = new ResultSource(deps, args, profile, initialUrl, secrets);
    for (;;) {
      // A resumed upload asks for the same bytes as before; a changed source answers 200 with a new validator.
      const res = await source.get({ ...headers, ...(upload?.validator ? { 'if-range': upload.validator, range: 'bytes=0-' } : {}) }, abortSignal);
      if (!res) continue;
      const discard = (): Promise<void> => res.body.dump().catch(() => undefined);
      if (res.statusCode === 416) {
        // Even the first byte refused: the source is empty now, so the parts uploaded are not its bytes.
        await discard();
        await abandon(upload);
        upload = undefined;
        heartbeat({ bytes: 0 });
        throw retryable(ErrorType.RemoteUnavailable, 'the source refused the range it served before; starting over');
      }
      const length = Number(header(res.headers, 'content-length') ?? NaN);
      const total = Number.isFinite(length) ? length : undefined;
      if (total !== undefined && total > args.maxBytes) {
        await discard();
        throw nonRetryable(ErrorType.ResultTooLarge, `the result is ${total} bytes, over the limit of ${args.maxBytes}`);
      }
      const validator = header(res.headers, 'etag') ?? header(res.headers, 'last-modified');
      if (upload && (!validator || validator !== upload.validator)) {
        // The source changed (or cannot say it did not): the parts uploaded are not its bytes.
        await abandon(upload);
        upload = undefined;
      }
      const contentType = header(res.headers, 'content-type');
      if (upload) {
        ctx.log.info(`resuming the S3 upload at part ${upload.parts.length + 1}: ${upload.bytes} bytes already in S3 are read for the hash, not uploaded again`, { key: upload.key, partsDone: upload.parts.length, bytesDone: upload.bytes });
      } else {
        const fileName = sanitizeFileName(args.fileName ?? fileNameFrom(header(res.headers, 'content-disposition'), source.current()));
        const object = objectFor(args.to, fileName, workflowId);
        if (object.bucket !== target.bucket) throw nonRetryable(ErrorType.InvalidInput, 'download.to: the bucket may not contain placeholders');
        const created = await s3
          .send(
            new CreateMultipartUploadCommand({
              Bucket: object.bucket,
              Key: object.key,
              ...(contentType ? { ContentType: contentType } : {}),
              ContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
              // S3 metadata is ASCII: the job id is encoded as it is in the download folder's name.
              Metadata: { 'pollback-job': encodeURIComponent(workflowId), 'pollback-profile': profile.name, 'pollback-file-name': encodeURIComponent(fileName) },
            }),
            { abortSignal },
          )
          .catch((err: unknown) => {
            throw s3Failure(err, `start an upload to s3://${object.bucket}/${object.key}`);
          });
        if (!created.UploadId) throw retryable(ErrorType.RemoteUnavailable, 'S3 started an upload without an upload id');
        upload = { ...object, fileName, uploadId: created.UploadId, ...(validator ? { validator } : {}), parts: [], bytes: 0 };
        heartbeat({ s3: upload, bytes: 0 });
      }

      const state: UploadState = upload;
      const hash = createHash('sha256');
      let read = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (): Promise<void> => {
        const body = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        const PartNumber = state.parts.length + 1;
        const done = await s3.send(new UploadPartCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId, PartNumber, Body: body }), { abortSignal }).catch((err: unknown) => {
          if (err instanceof S3ServiceException && err.name === 'NoSuchUpload') {
            // The upload was aborted (say, by a lifecycle rule): the next attempt starts a new one.
            heartbeat({ bytes: read });
            throw retryable(ErrorType.RemoteUnavailable, 'the multipart upload is gone; the next attempt starts over');
          }
          throw s3Failure(err, `upload part ${PartNumber}`);
        });
        state.parts.push({ PartNumber, ETag: done.ETag ?? '' });
        state.bytes += body.length;
        heartbeat({ s3: state, bytes: read });
        report(read, total);
      };
      try {
        for await (const raw of res.body) {
          const chunk = raw as Buffer;
          const start = read;
          read += chunk.length;
          if (read > args.maxBytes) throw nonRetryable(ErrorType.ResultTooLarge, `the result is larger than the limit of ${args.maxBytes} bytes`);
          hash.update(chunk);
          // Bytes already in uploaded parts are hashed, not uploaded again.
          if (read <= state.bytes) continue;
          const fresh = start < state.bytes ? chunk.subarray(state.bytes - start) : chunk;
          pending.push(fresh);
          pendingBytes += fresh.length;
          if (pendingBytes >= PART_SIZE) await flush();
        }
      } catch (err) {
        if (err instanceof Error && err.name === 'ApplicationFailure') throw err;
        if (abortSignal.aborted) throw err;
        throw retryable(ErrorType.RemoteUnavailable, `download interrupted after ${read} bytes (${state.bytes} in S3); the next attempt resumes the upload`);
      }
      if (total !== undefined && read !== total) {
        throw retryable(ErrorType.RemoteUnavailable, `download ended at ${read} of ${total} bytes; the next attempt resumes the upload`);
      }
      if (read < state.bytes) {
        await abandon(state);
        heartbeat({ bytes: 0 });
        throw retryable(ErrorType.RemoteUnavailable, 'the source is shorter than what was uploaded before; starting over');
      }
      // The last part may be below the 5 MiB minimum; an empty result still needs one part.
      if (pendingBytes > 0 || state.parts.length === 0) await flush();
      const sha256 = hash.digest('hex');
      const expected = expectedSha256(args, profile, res.headers);
      if (expected && expected !== sha256) {
        await abandon(state);
        heartbeat({ bytes: 0 });
        throw nonRetryable(ErrorType.ChecksumMismatch, `sha256 of the download is ${sha256}, the API announced ${expected}`);
      }
      await s3
        .send(new CompleteMultipartUploadCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId, MultipartUpload: { Parts: state.parts } }), { abortSignal })
        .catch((err: unknown) => {
          throw s3Failure(err, `complete the upload to s3://${state.bucket}/${state.key}`);
        });
      report(read, read);
      return { path: `s3://${state.bucket}/${state.key}`, fileName: state.fileName, size: read, sha256, ...(contentType ? { contentType } : {}) };
    }
  } catch (err) {
    if (abortSignal.aborted) throw abortSignal.reason;
    throw err;
  } finally {
    clearInterval(ticker);
  }
}
