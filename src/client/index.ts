// The typed client of the Pollback gateway (see README, "Gateway and job API").
export { PollbackClient, type ListJobsFilter, type PollbackClientOptions, type ResultStream, type WaitOptions } from './client';
export { JobFailedError, PollbackApiError, WaitTimeoutError } from './errors';
/** The stable `type` of every refusal (`PollbackApiError.type`): match on these, never on text. */
export { ProblemType } from '../contract/problems';
export type {
  CallbackAck,
  CancelJobResponse,
  CreatedScheduleResponse,
  CreateScheduleRequest,
  JobError,
  JobInputJson,
  JobResult,
  JobState,
  JobStatus,
  JobSummary,
  JobView,
  Phase,
  ScheduleSummaryView,
  ScheduleView,
  StartedJobResponse,
} from '../contract/job-api';
