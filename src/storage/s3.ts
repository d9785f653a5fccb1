// Where results go when they leave the local disk: S3 (or any S3-compatible server), shared by
// the download activity that uploads and the gateway that hands out pre-signed links.
import { S3Client } from '@aws-sdk/client-s3';
import { ErrorType, nonRetryable } from '../contract/errors';

/** S3 settings of the worker (and the gateway, for pre-signed result links). */
export interface S3Settings {
  /** Buckets job input may name (`*` for any). */
  allowedBuckets: readonly string[];
  /** Path-style addressing, for S3-compatible servers (MinIO, gofakes3, …). */
  forcePathStyle: boolean;
}

let shared: { key: string; client: S3Client } | undefined;
/** One client per settings: the SDK reads endpoint, region and credentials from its standard chain. */
export function s3Client(settings: S3Settings): S3Client {
  const key = String(settings.forcePathStyle);
  if (shared?.key !== key) shared = { key, client: new S3Client({ forcePathStyle: settings.forcePathStyle }) };
  return shared.client;
}

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Url(url: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  return match?.[1] && match[2] ? { bucket: match[1], key: match[2] } : undefined;
}

export function bucketAllowed(settings: S3Settings | undefined, bucket: string): boolean {
  return !!settings && (settings.allowedBuckets.includes('*') || settings.allowedBuckets.includes(bucket));
}

/** `s3://bucket/prefix/{name}` → the object; a trailing `/` means `{name}`. */
export function objectFor(to: string, fileName: string, jobId: string): S3Location {
  const template = to.endsWith('/') ? `${to}{name}` : to;
  const url = template.replaceAll('{name}', fileName).replaceAll('{jobId}', encodeURIComponent(jobId));
  const location = parseS3Url(url);
  if (!location) throw nonRetryable(ErrorType.InvalidInput, `download.to: ${to} does not name an object (s3://bucket/key)`);
  return location;
}
