// Turns a verified callback into a `callback` signal. The token is checked before anything
// reaches Temporal; a job that already finished answers with its recorded outcome (so a
// duplicate or late callback is acknowledged, never an error); Temporal being unreachable is
// a 503 with Retry-After, so the caller retries and nothing is lost.
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CallbackSignal } from '../contract';
import { verifyToken, type Keyring } from '../tokens/task-token';
import { callbackSignal } from '../workflows/signals';
import { HttpProblem } from './problem';

export interface CallbackAck {
  accepted: boolean;
  jobId: string;
  /** Set when the job had already finished: its recorded outcome. */
  jobStatus?: string;
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
    throw new HttpProblem(status, verified.reason === 'expired' ? 'TaskTimedOut' : 'InvalidToken', REFUSALS[verified.reason]);
  }
  return verified.claims;
}

const UNREACHABLE_CODES: readonly number[] = [4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */];

/** Temporal could not be reached (as opposed to answering no). */
export function isTemporalUnavailable(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(grpc) && UNREACHABLE_CODES.includes(grpc.code);
}

async function signalOrDescribe(client: Client, claims: { workflowId: string; runId: string }, signal: CallbackSignal): Promise<CallbackAck> {
  const handle = client.workflow.getHandle(claims.workflowId);
  try {
    await handle.signal(callbackSignal, { ...signal, runId: claims.runId });
    return { accepted: true, jobId: claims.workflowId };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // Either the job finished (describe finds it) or it never existed (describe throws not-found).
  const description = await handle.describe();
  return { accepted: false, jobId: claims.workflowId, jobStatus: description.status.name };
}

export async function deliverCallback(client: Client, keyring: Keyring, token: string, signal: CallbackSignal): Promise<CallbackAck> {
  const claims = verifyOrRefuse(keyring, token);
  try {
    return await signalOrDescribe(client, claims, signal);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpProblem(404, 'TaskDoesNotExist', 'no job exists for this task token');
    if (isTemporalUnavailable(err)) {
      throw new HttpProblem(503, 'ServiceUnavailable', 'Temporal is unreachable; retry later', undefined, { 'retry-after': '5' });
    }
    throw err;
  }
}
