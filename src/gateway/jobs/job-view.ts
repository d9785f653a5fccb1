// What the job API says about a job, read from Temporal: the `status` query while it runs
// (the search attributes when no worker answers), its result or typed failure once it ended.
import {
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { JobError, JobState, JobSummary, JobView } from '../../contract/job-api';
import { STATUS_QUERY, WORKFLOW_TYPE, searchAttributes } from '../../contract/names';
import type { JobResult, JobStatus } from '../../contract/job-status';
import { HttpProblem, ProblemType } from '../problem';
import { bounded, type TemporalAccess } from '../temporal-call';
import { webUiJobUrl } from '../../temporal/web-ui';

// The schemas of what this module returns are the API's contract, shared with the typed client.
export { jobErrorSchema, jobResultSchema, jobSchema, jobStates, jobStatusSchema, jobSummarySchema } from '../../contract/job-api';
export type { JobError, JobState, JobSummary, JobView } from '../../contract/job-api';

export interface JobLinks {
  namespace: string;
  webUiUrl: string;
}

const EXECUTION_STATUS: Record<JobState, string> = {
  running: 'Running',
  succeeded: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
};
/** The visibility-query value of ExecutionStatus for a job state. */
export const executionStatusOf = (state: JobState): string => EXECUTION_STATUS[state];

export function jobStateOf(status: WorkflowExecutionStatusName): JobState {
  switch (status) {
    case 'COMPLETED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'CANCELLED':
      return 'cancelled';
    case 'TERMINATED':
      return 'terminated';
    case 'TIMED_OUT':
      return 'timed-out';
    default:
      return 'running';
  }
}

export const webUiLink = (links: JobLinks, jobId: string): string => webUiJobUrl(links.webUiUrl, links.namespace, jobId);

export function linksFor(links: JobLinks, jobId: string, state: JobState): JobView['links'] {
  const self = `/v1/jobs/${encodeURIComponent(jobId)}`;
  return { self, ...(state === 'succeeded' ? { result: `${self}/result` } : {}), webUi: webUiLink(links, jobId) };
}

export function summaryOf(links: JobLinks, info: Omit<WorkflowExecutionInfo, 'raw'>): JobSummary {
  const state = jobStateOf(info.status.name);
  const phase = info.typedSearchAttributes.get(searchAttributes.phase);
  const profile = info.typedSearchAttributes.get(searchAttributes.profile);
  const remoteJobId = info.typedSearchAttributes.get(searchAttributes.remoteJobId);
  return {
    jobId: info.workflowId,
    runId: info.runId,
    state,
    phase,
    profile,
    remoteJobId,
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
    links: linksFor(links, info.workflowId, state),
  };
}

/** The failure a finished job ended with, in the API's terms. */
export function jobErrorOf(err: unknown): JobError {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'Error', message: cause.message, ...(cause.details?.[0] !== undefined ? { details: cause.details[0] } : {}) };
  }
  if (cause instanceof CancelledFailure) return { type: 'Cancelled', message: cause.message || 'the job was cancelled' };
  if (cause instanceof TerminatedFailure) return { type: 'Terminated', message: cause.message || 'the job was terminated' };
  if (cause instanceof TimeoutFailure) return { type: 'TimedOut', message: cause.message || 'the job timed out' };
  return { type: 'Error', message: cause instanceof Error ? cause.message : String(cause) };
}

/** Describes a job; anything that is not an asyncJob is not a job of this API. */
export async function describeJob(temporal: TemporalAccess, jobId: string): Promise<WorkflowExecutionDescription> {
  const description = await bounded(temporal, () => temporal.client.workflow.getHandle(jobId).describe());
  if (description.type !== WORKFLOW_TYPE) throw jobNotFound(jobId);
  return description;
}

export const jobNotFound = (jobId: string): HttpProblem => new HttpProblem(404, ProblemType.JobNotFound, `no job "${jobId}"`);

/** How long the live status may take: a job whose worker is down still gets an answer. */
const QUERY_TIMEOUT_MS = 3_000;

async function liveStatus(temporal: TemporalAccess, jobId: string): Promise<JobStatus | undefined> {
  try {
    return await temporal.client.connection.withDeadline(Date.now() + Math.min(QUERY_TIMEOUT_MS, temporal.temporalTimeoutMs), () =>
      temporal.client.workflow.getHandle(jobId).query<JobStatus>(STATUS_QUERY),
    );
  } catch {
    // No worker answered (or the run just ended): the search attributes still say where it is.
    return undefined;
  }
}

/** The finished job's outcome; result() of a closed run reads one history event. */
export async function outcomeOf(temporal: TemporalAccess, jobId: string): Promise<{ result: JobResult } | { error: JobError }> {
  try {
    return { result: await bounded(temporal, () => temporal.client.workflow.getHandle(jobId).result() as Promise<JobResult>) };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { error: jobErrorOf(err) };
    throw err;
  }
}

export async function readJob(temporal: TemporalAccess, links: JobLinks, jobId: string): Promise<JobView> {
  const description = await describeJob(temporal, jobId);
  const { remoteJobId: _inStatus, ...base } = summaryOf(links, description);
  const summary = await description.staticSummary();
  const view: JobView = { ...base, ...(summary ? { summary } : {}) };
  if (base.state === 'running') {
    const status = await liveStatus(temporal, jobId);
    // After continue-as-new the run's own start time and static summary are the last run's:
    // the job reports its first start and its summary itself.
    return status
      ? { ...view, phase: status.phase, profile: status.profile, ...(status.startedAt ? { startedAt: status.startedAt } : {}), ...(view.summary === undefined && status.summary ? { summary: status.summary } : {}), status }
      : view;
  }
  const outcome = await outcomeOf(temporal, jobId);
  return { ...view, ...('result' in outcome ? { startedAt: outcome.result.startedAt } : {}), ...outcome };
}
