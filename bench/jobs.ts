// Job inputs and history reading shared by the benchmarks.
import type { Client } from '@temporalio/client';
import type { JobInputJson } from '../src/contract/job-input';

/** A callback-mode job on the simulator's task-token API: calls back after `waitTime` seconds, or never (`drop`). */
export function callbackJob(opts: { waitTime: number; drop?: boolean; download?: boolean; webhookUrl?: string }): JobInputJson {
  return {
    profile: 'task-token',
    params: { waitTime: opts.waitTime, ...(opts.drop ? { scenario: { callback: 'drop' } } : {}) },
    completion: { mode: 'callback', timeout: '1h' },
    ...(opts.download === false ? { download: false } : {}),
    notify: opts.webhookUrl ? [{ type: 'webhook', url: opts.webhookUrl, secretEnv: 'HOOK_SECRET' }] : [],
  };
}

/** Events in one run's history (the current run without `runId`). */
export async function historyLength(client: Client, workflowId: string, runId?: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events?.length ?? 0;
}

/** Every run of a workflow id (continue-as-new chains), oldest first. */
export async function runIds(client: Client, workflowId: string): Promise<string[]> {
  const runs: { runId: string; startTime: Date }[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push({ runId: execution.runId, startTime: execution.startTime });
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime()).map((r) => r.runId);
}
