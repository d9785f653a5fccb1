// Waiting for jobs to reach a phase, through the status query or a visibility count.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { STATUS_QUERY, type Phase } from '../src/contract/names';
import type { JobStatus } from '../src/contract/job-status';

export async function untilPhase(client: Client, workflowId: string, phase: Phase, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.workflow.getHandle(workflowId).query<JobStatus>(STATUS_QUERY);
    if (status.phase === phase) return;
    if (Date.now() > deadline) throw new Error(`${workflowId} still "${status.phase}" after ${timeoutMs} ms, expected "${phase}"`);
    await sleep(50);
  }
}

/** Polls a visibility count until it reaches `target` (visibility lags history by a little). */
export async function untilCount(client: Client, query: string, target: number, onCount: (count: number) => void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await client.workflow.count(query);
    onCount(count);
    if (count >= target) return;
    if (Date.now() > deadline) throw new Error(`visibility count for ${query} is ${count} after ${timeoutMs} ms, expected ${target}`);
    await sleep(2_000);
  }
}
