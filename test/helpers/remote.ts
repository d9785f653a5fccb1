// What the remote side knows of a job, for tests: the simulator's record of a remote job, and the
// task token the worker handed it (minted again with the same key, as the gateway verifies it).
import assert from 'node:assert/strict';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { STATUS_QUERY } from '../../src/contract/names';
import type { JobStatus } from '../../src/contract/job-status';
import { mintToken } from '../../src/tokens/task-token';
import { eventually } from './eventually';
import { testKeyring } from './temporal';

export interface SimJobRecord {
  counters: Record<string, number>;
}

/** The simulator's record of a remote job (its counters: starts, status reads, downloads, cancels, callbacks). */
export async function simJob(simUrl: string, remoteJobId: string): Promise<SimJobRecord> {
  const res = await fetch(`${simUrl}/__sim/jobs/${encodeURIComponent(remoteJobId)}`);
  assert.equal(res.status, 200, `the simulator knows remote job ${remoteJobId}`);
  return (await res.json()) as SimJobRecord;
}

/**
 * The job's task token: the worker names the chain's first run in it (a continued job keeps
 * answering to the same token), and it expires at the job's deadline unless told otherwise.
 */
export async function taskTokenFor(client: Client, workflowId: string, expiresAt?: number): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  const { runId, raw } = await handle.describe();
  const firstRunId = raw.workflowExecutionInfo?.firstRunId || runId;
  const deadline = expiresAt ?? Date.parse((await handle.query<JobStatus>(STATUS_QUERY)).deadline);
  return mintToken(testKeyring, { workflowId, runId: firstRunId, expiresAt: deadline });
}

/**
 * Sends a heartbeat and waits until the job's callback deadline (its `status` query) has moved
 * past where it stood: the wait was extended. A check of what the job did, not a race against
 * its heartbeat timeout.
 */
export async function heartbeatExtendsWait(handle: WorkflowHandle, sendHeartbeat: () => Promise<unknown>): Promise<void> {
  const deadline = async (): Promise<number | undefined> => {
    const at = (await handle.query<JobStatus>(STATUS_QUERY)).callbackDeadline;
    return at === undefined ? undefined : Date.parse(at);
  };
  const before = await eventually('the job waits for its callback', deadline);
  await sendHeartbeat();
  await eventually('the callback deadline moved later', async () => ((await deadline()) ?? before) > before || undefined);
}
