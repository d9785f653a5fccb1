// One error taxonomy for the whole product. Every failure a job can end with is an
// ApplicationFailure whose `type` is one of these stable names: callers (the gateway, the
// typed client, alerting rules) match on the type, never on message text.
import { ApplicationFailure } from '@temporalio/common';

export const ErrorType = {
  /** Workflow input does not match the schema; the message names the field path. */
  InvalidInput: 'InvalidInput',
  /** A profile file or inline profile is invalid, or a named profile does not exist. */
  InvalidProfile: 'InvalidProfile',
  ProfileNotFound: 'ProfileNotFound',
  /** A secret referenced by a profile is not set in the worker's environment. */
  SecretMissing: 'SecretMissing',
  /** An outbound URL points at a host the profile does not allow. */
  HostNotAllowed: 'HostNotAllowed',
  /** The remote API refused a request with a 4xx that retrying cannot fix. */
  RemoteRejected: 'RemoteRejected',
  /** The remote API answered something the profile cannot read. */
  RemoteProtocolError: 'RemoteProtocolError',
  /** The remote job ended in failure / was cancelled on the remote side. */
  RemoteJobFailed: 'RemoteJobFailed',
  RemoteJobCancelled: 'RemoteJobCancelled',
  /** No callback (or heartbeat) arrived within the callback wait. */
  CallbackTimeout: 'CallbackTimeout',
  /** The job did not reach a terminal state within its overall timeout. */
  JobTimeout: 'JobTimeout',
  /** The status URL expired before the job finished. */
  StatusUrlExpired: 'StatusUrlExpired',
  /** The result is larger than the job's size limit. */
  ResultTooLarge: 'ResultTooLarge',
  /** The downloaded bytes do not match the checksum the API announced. */
  ChecksumMismatch: 'ChecksumMismatch',
  /** Transient remote fault (5xx, 429, network); retried with backoff. */
  RemoteUnavailable: 'RemoteUnavailable',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

export function nonRetryable(type: ErrorType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}

/** A transient failure; `retryAfterMs` (from a Retry-After header) overrides the backoff once. */
export function retryable(type: ErrorType, message: string, retryAfterMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: false,
    ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
  });
}
