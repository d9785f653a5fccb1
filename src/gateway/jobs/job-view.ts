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
import { z } from 'zod';
import { STATUS_QUERY, WORKFLOW_TYPE, searchAttributes, type JobResult, type JobStatus } from '../../contract';
import { HttpProblem, ProblemType } from '../problem';
import { bounded, type TemporalAccess } from '../temporal-call';

export interface JobLinks {
  namespace: string;
  webUiUrl: string;
}

export const jobStates = ['running', 'succeeded', 'failed', 'cancelled', 'terminated', 'timed-out'] as const;
export type JobState = (typeof jobStates)[number];

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

export const webUiLink = (links: JobLinks, jobId: string): string =>
  `${links.webUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(jobId)}`;

const linksSchema = z.object({ self: z.string(), result: z.string().optional(), webUi: z.string() });

const fileSchema = z.object({ path: z.string(), fileName: z.string(), size: z.number(), sha256: z.string(), contentType: z.string().optional() });

/** The job's status: the workflow's `status` query (JobStatus in src/contract.ts). */
export const jobStatusSchema = z.object({
  phase: z.string(),
  profile: z.string(),
  mode: z.enum(['callback', 'poll', 'hybrid']),
  // Optional: jobs started before these existed do not report them.
  startedAt: z.string().optional().describe("the job's start (its first run), unchanged by continue-as-new"),
  summary: z.string().optional(),
  remoteJobId: z.string().optional(),
  remoteStatus: z.string().optional(),
  remoteState: z.enum(['running', 'succeeded', 'failed', 'cancelled']).optional(),
  remoteProgress: z.number().optional().describe("the remote job's own progress, percent"),
  pollCount: z.number(),
  nextPollAt: z.string().optional(),
  callbackDeadline: z.string().optional(),
  deadline: z.string(),
  lastError: z.string().optional(),
  refusedCallbacks: z.object({ count: z.number(), lastAt: z.string(), lastReason: z.string() }).optional().describe('callbacks that authenticated but were refused, and why the last one was'),
  runsSoFar: z.number(),
  download: z.object({ bytes: z.number(), total: z.number().optional() }).optional(),
  file: fileSchema.optional(),
});

/** A succeeded job's result (JobResult in src/contract.ts). */
export const jobResultSchema = z.object({
  workflowId: z.string(),
  title: z.string().optional(),
  profile: z.string(),
  remoteJobId: z.string().optional(),
  status: z.literal('succeeded'),
  via: z.enum(['callback', 'poll']),
  output: z.unknown().optional(),
  resultUrl: z.string().optional(),
  file: fileSchema.optional(),
  // Optional here: results recorded before notifications and timings existed lack them.
  notifications: z.array(z.object({ target: z.string(), event: z.enum(['succeeded', 'failed', 'cancelled']), sent: z.boolean(), error: z.string().optional() })).optional(),
  polls: z.number(),
  runs: z.number(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  timings: z.object({ remoteMs: z.number(), downloadMs: z.number().optional(), notifyMs: z.number().optional() }).optional(),
});

// The schemas must accept what the workflow returns: a change to the contract fails the build here.
type Accepts<Schema extends z.ZodType, Value extends z.input<Schema>> = Value;
export type StatusFits = Accepts<typeof jobStatusSchema, JobStatus>;
export type ResultFits = Accepts<typeof jobResultSchema, JobResult>;

export const jobErrorSchema = z.object({
  type: z.string().describe('a stable error type (src/errors.ts), or Cancelled / Terminated / TimedOut'),
  message: z.string(),
  details: z.unknown().optional(),
});
export type JobError = z.infer<typeof jobErrorSchema>;

export const jobSchema = z.object({
  jobId: z.string(),
  runId: z.string(),
  state: z.enum(jobStates),
  phase: z.string().optional(),
  profile: z.string().optional(),
  summary: z.string().optional(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
  status: jobStatusSchema.optional().describe('while running: the live status from the workflow'),
  result: jobResultSchema.optional().describe('when succeeded'),
  error: jobErrorSchema.optional().describe('when failed, cancelled, terminated or timed out'),
  links: linksSchema,
});
export type JobView = z.infer<typeof jobSchema>;

export const jobSummarySchema = jobSchema.pick({ jobId: true, runId: true, state: true, phase: true, profile: true, startedAt: true, closedAt: true, links: true }).extend({
  remoteJobId: z.string().optional(),
});
export type JobSummary = z.infer<typeof jobSummarySchema>;

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
    ...(phase !== undefined ? { phase } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(remoteJobId !== undefined ? { remoteJobId } : {}),
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
