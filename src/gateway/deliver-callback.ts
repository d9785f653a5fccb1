// Turns an authenticated callback into a signal to its job: the one delivery path behind every
// callback endpoint. Who is calling is settled first (a task token, or a signature and a
// correlation value); nothing unauthenticated reaches Temporal. What the callback said (the
// verdict) is then either signalled (`callback`), or, when it could not be read, reported to the
// job as a refusal (`callbackRefused`, carrying only the reason), so a refused callback is never
// silent. A job that already finished answers with its recorded outcome (duplicates and late
// callbacks are acknowledged, never an error); Temporal being unreachable is a 503 with
// Retry-After, so the caller retries and nothing is lost.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CallbackRefusedSignal, CallbackSignal } from '../contract/signals';
import { inJobTrace } from '../telemetry/job-trace';
import { tracingOn } from '../telemetry/tracing';
import { verifyToken, type Keyring } from '../tokens/task-token';
import { callbackRefusedSignal, callbackSignal } from '../contract/messages';
import type { Verdict } from './callbacks/interpret';
import { closedJobFor, runningJobsFor } from './webhooks/find-jobs';
import { HttpProblem, ProblemType } from './problem';
import { bounded, isTemporalUnavailable, temporalUnavailable, type TemporalAccess } from './temporal-call';
import { CALLBACK_LIMITS, clip } from '../contract/callback-limits';

export { isTemporalUnavailable } from './temporal-call';


export interface CallbackTarget extends TemporalAccess {
  keyring: Keyring;
}

/** What became of one callback for one job. */
export type Delivery =
  | { jobId: string; outcome: 'delivered' }
  | { jobId: string; outcome: 'already-finished'; jobStatus: string }
  | { jobId: string; outcome: 'ignored'; state: string }
  | { jobId: string; outcome: 'refused'; reason: string; problemType?: ProblemType };

const REFUSALS = {
  malformed: 'the task token is malformed',
  'unknown-key': 'the task token was signed with an unknown key',
  'bad-signature': 'the task token signature does not match',
  expired: 'the task token has expired',
} as const;

export function verifyOrRefuse(keyring: Keyring, token: string): { workflowId: string; runId: string } {
  const verified = verifyToken(keyring, token);
  if (!verified.ok) {
    const status = verified.reason === 'expired' ? 410 : 401;
    throw new HttpProblem(status, verified.reason === 'expired' ? ProblemType.TaskTimedOut : ProblemType.InvalidToken, REFUSALS[verified.reason]);
  }
  return verified.claims;
}

type Signal = { name: 'callback'; payload: CallbackSignal } | { name: 'refused'; payload: CallbackRefusedSignal };

/** Within what the workflow's `callbackRefused` schema accepts: a profile's state list can be long. */
export const clipReason = (reason: string): string => clip(reason, CALLBACK_LIMITS.refusedReason);

/**
 * Signals a job; false when it is not running (finished, or never existed). Traced, the signal
 * is sent inside a span of the job's own trace (its memo names it), so the workflow's handling of
 * it shows there too: one more Temporal call per callback, made only when tracing is on.
 */
async function signalJob(temporal: TemporalAccess, jobId: string, signal: Signal): Promise<boolean> {
  const handle = temporal.client.workflow.getHandle(jobId);
  const send = () => bounded(temporal, () => (signal.name === 'callback' ? handle.signal(callbackSignal, signal.payload) : handle.signal(callbackRefusedSignal, signal.payload)));
  try {
    if (tracingOn()) {
      const { memo } = await bounded(temporal, () => handle.describe());
      await inJobTrace(memo, `deliver ${signal.name}`, { 'pollback.job_id': jobId }, send);
    } else {
      await send();
    }
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

function translated<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((err: unknown) => {
    if (isTemporalUnavailable(err)) throw temporalUnavailable();
    throw err;
  });
}

/** One job, one verdict: signal, report the refusal, or leave it be. */
async function deliverTo(temporal: TemporalAccess, jobId: string, runId: string | undefined, verdict: Verdict): Promise<Delivery | undefined> {
  const scoped = runId !== undefined ? { runId } : {};
  switch (verdict.kind) {
    case 'signal':
      return (await signalJob(temporal, jobId, { name: 'callback', payload: { ...verdict.signal, ...scoped } })) ? { jobId, outcome: 'delivered' } : undefined;
    case 'refused':
      // Told to the job if it still runs; refused either way.
      await signalJob(temporal, jobId, { name: 'refused', payload: { reason: clipReason(verdict.reason), ...scoped } });
      return { jobId, outcome: 'refused', reason: verdict.reason, ...(verdict.problemType ? { problemType: verdict.problemType } : {}) };
    case 'ignored':
      return { jobId, outcome: 'ignored', state: verdict.state };
  }
}

/** A callback carrying a task token: verified before anything else, then delivered to the job it names. */
export async function deliverByToken(target: CallbackTarget, token: string, verdict: () => Verdict): Promise<Delivery> {
  const claims = verifyOrRefuse(target.keyring, token);
  return translated(async () => {
    const delivered = await deliverTo(target, claims.workflowId, claims.runId, verdict());
    if (delivered) return delivered;
    // Either the job finished (describe finds it) or it never existed (describe throws not-found).
    try {
      const description = await bounded(target, () => target.client.workflow.getHandle(claims.workflowId).describe());
      return { jobId: claims.workflowId, outcome: 'already-finished', jobStatus: description.status.name };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpProblem(404, ProblemType.TaskDoesNotExist, 'no job exists for this task token');
      throw err;
    }
  });
}

export interface CorrelatedDelivery {
  /** Running jobs with this remote id, and what became of the callback for each. */
  deliveries: Delivery[];
  /** No running job matched; set when a finished one did (a late or duplicate callback). */
  finished?: { jobId: string; jobStatus: string };
}

/**
 * A signed callback with no token: delivered to the running jobs whose remote job id is the
 * correlation value (of the profile, when given). The caller authenticated it first.
 */
export async function deliverByCorrelation(temporal: TemporalAccess, remoteJobId: string, profile: string | undefined, verdict: () => Verdict): Promise<CorrelatedDelivery> {
  return translated(async () => {
    const running = await runningJobsFor(temporal, remoteJobId, profile);
    const judged = running.length > 0 ? verdict() : undefined;
    const deliveries = judged ? (await Promise.all(running.map((jobId) => deliverTo(temporal, jobId, undefined, judged)))).filter((d): d is Delivery => d !== undefined) : [];
    if (deliveries.length > 0) return { deliveries };
    const finished = await closedJobFor(temporal, remoteJobId, profile);
    return finished ? { deliveries, finished } : { deliveries };
  });
}
