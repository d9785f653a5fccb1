// The typed client of the Pollback gateway (see README, "Gateway and job API").
export { PollbackClient, type ListJobsFilter, type PollbackClientOptions, type ResultStream, type WaitOptions } from './client';
export { JobFailedError, PollbackApiError, WaitTimeoutError } from './errors';
export type { CallbackAck } from '../gateway/deliver-callback';
export type { JobError, JobState, JobSummary, JobView } from '../gateway/jobs/job-view';
export type { CancelJobResponse, StartedJobResponse } from '../gateway/routes/jobs';
export type { JobResult, JobStatus, Phase } from '../contract';
export type { JobInputJson } from '../workflows/input';
