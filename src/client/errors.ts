// Typed errors of the Pollback client: callers match on `type` (the gateway's stable problem
// type, e.g. `InvalidToken`, `JobNotFound`), never on message text.
import type { JobError, JobState } from '../contract/job-api';

/** The gateway refused a request: an RFC 9457 problem+json answer, typed. */
export class PollbackApiError extends Error {
  override name = 'PollbackApiError';
  constructor(
    readonly status: number,
    /** Stable problem type (`ProblemType`, src/contract/problems.ts), or `HttpError` for a non-problem answer. */
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
    /** From Retry-After, when the gateway said when to come back. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail ? `${status} ${type}: ${title} (${detail})` : `${status} ${type}: ${title}`);
  }
}

/** waitForResult: the job ended without succeeding. `error.type` is the job's failure type (src/contract/errors.ts). */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
  constructor(
    readonly jobId: string,
    readonly state: Exclude<JobState, 'running' | 'succeeded'>,
    readonly error: JobError,
  ) {
    super(`job ${jobId} ${state}: ${error.type}: ${error.message}`);
  }
}

/** waitForResult: the job was still running when the wait ran out (the job itself goes on). */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`job ${jobId} still running after ${timeoutMs} ms`);
  }
}
