// Turns a verified callback into a `callback` signal. The token is checked before anything
// reaches Temporal; a job that already finished answers with its recorded outcome (so a
// duplicate or late callback is acknowledged, never an error); Temporal being unreachable is
// a 503 with Retry-After, so the caller retries and nothing is lost.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CallbackAck } from '../api/contract';
import type { CallbackSignal } from '../contract';
import { verifyToken, type Keyring } from '../tokens/task-token';
import { callbackSignal } from '../workflows/signals';
import { HttpProblem, ProblemType } from './problem';
import { bounded, isTemporalUnavailable, temporalUnavailable, type TemporalAccess } from './temporal-call';

export { isTemporalUnavailable } from './temporal-call';

export type { CallbackAck } from '../api/contract';

export interface CallbackTarget extends TemporalAccess {
  keyring: Keyring;
}

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

async function signalOrDescribe(target: CallbackTarget, claims: { workflowId: string; runId: string }, signal: CallbackSignal): Promise<CallbackAck> {
  const handle = target.client.workflow.getHandle(claims.workflowId);
  try {
    await bounded(target, () => handle.signal(callbackSignal, { ...signal, runId: claims.runId }));
    return { accepted: true, jobId: claims.workflowId };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // Either the job finished (describe finds it) or it never existed (describe throws not-found).
  const description = await bounded(target, () => handle.describe());
  return { accepted: false, jobId: claims.workflowId, jobStatus: description.status.name };
}

export async function deliverCallback(target: CallbackTarget, token: string, signal: CallbackSignal): Promise<CallbackAck> {
  const claims = verifyOrRefuse(target.keyring, token);
  try {
    return await signalOrDescribe(target, claims, signal);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpProblem(404, ProblemType.TaskDoesNotExist, 'no job exists for this task token');
    if (isTemporalUnavailable(err)) throw temporalUnavailable();
    throw err;
  }
}
