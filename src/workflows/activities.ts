// Activity stubs with the retry policy each kind of work deserves. Every stub carries a
// summary, so the Web UI says what each activity is for ("poll #12", "download report.csv").
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities, type ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type * as JobInputModule from '../contract/job-input';
import type { JobInput } from '../contract/job-input';

/**
 * Where this job's calls to the remote API run: the task queue of its profile's limits, or this
 * worker's own queue. Module state is per workflow execution (the SDK gives every execution its
 * own module instances); it is set once per run by prepareJob, before any call is made.
 */
let apiTaskQueue: string | undefined;

/**
 * Jobs since this patch read their input in a local activity, which also says where the remote
 * calls go (limits are the workers' knowledge, src/limits), and keep their history lean (see
 * JobState). Jobs recorded before it parse their input in the workflow and call the API on their
 * own queue.
 */
export const PREPARE_PATCH = 'prepare-in-activity';

/**
 * The job's input, validated: a non-retryable InvalidInput failure naming the field otherwise,
 * in the first workflow task. Returns whether the job runs on the patched path.
 */
export async function prepareJob(raw: unknown): Promise<{ input: JobInput; patched: boolean }> {
  if (!patched(PREPARE_PATCH)) {
    // Only replays of old histories come here: the schema is loaded for them alone.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseJobInput } = require('../contract/job-input') as typeof JobInputModule;
    return { input: parseJobInput(raw), patched: false };
  }
  const { prepareJob: prepare } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10s', summary: 'read the job input' });
  try {
    const prepared = await prepare(raw);
    apiTaskQueue = prepared.apiTaskQueue;
    return { input: prepared.input, patched: true };
  } catch (err) {
    // The job fails with the input's own failure (InvalidInput, naming the field), as before.
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) throw err.cause;
    throw err;
  }
}

const onApiQueue = (): Pick<ActivityOptions, 'taskQueue'> => (apiTaskQueue !== undefined ? { taskQueue: apiTaskQueue } : {});

/**
 * Whether this job's API has limits. Its requests must then each be an activity of their own on
 * the limited queue: a polling loop in one long activity would hold a concurrency slot for the
 * whole wait and send its status reads past the rate limit.
 */
export const apiCallsLimited = (): boolean => apiTaskQueue !== undefined;

const remoteRetry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' };
const remoteCall: ActivityOptions = { startToCloseTimeout: '45s', retry: remoteRetry };

/** Start, status and cancel: retried with backoff until the job's deadline. */
export function remoteActivities(scheduleToCloseMs: number, summary: string) {
  return proxyActivities<Activities>({ ...remoteCall, ...onApiQueue(), scheduleToCloseTimeout: Math.max(1_000, scheduleToCloseMs), summary });
}

/**
 * Frequent polling in one activity: retried with backoff (a 5xx, a 429 and its Retry-After)
 * until the job's deadline, which is its schedule-to-close timeout. Heartbeats tell a dead
 * worker within 15 s, and carry a cancel (a callback won, the job was cancelled) to it.
 */
export function pollActivities(scheduleToCloseMs: number, summary: string) {
  return proxyActivities<Activities>({ retry: remoteRetry, scheduleToCloseTimeout: Math.max(1_000, scheduleToCloseMs), heartbeatTimeout: '15s', summary });
}

/** Downloads heartbeat; a worker that dies mid-download is noticed within the heartbeat timeout and the retry resumes. */
export function downloadActivities(summary: string, cancellationType?: ActivityCancellationType) {
  return proxyActivities<Activities>({
    ...(cancellationType !== undefined ? { cancellationType } : {}),
    ...onApiQueue(),
    startToCloseTimeout: '6h',
    heartbeatTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
    summary,
  });
}

/** Notifications: a bounded number of tries, then reported as failed. */
export function notifyActivities(summary: string) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
    summary,
  });
}

/** Local bookkeeping on the worker's disk. */
export function localActivities(summary: string) {
  return proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 5 }, summary });
}
