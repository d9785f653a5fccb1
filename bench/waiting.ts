// Goal 3: many callback-mode jobs waiting at once on one worker process, then all released
// through the gateway. Memory is read from /proc: the worker's and the dev server's resident
// sets before the jobs, while they all wait, and the worker's peak.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { WORKFLOW_TYPE } from '../src/contract/names';
import { mintToken } from '../src/tokens/task-token';
import type { BenchEnvironment } from './environment';
import { callbackJob } from './jobs';
import { memoryOf, type Memory } from './proc';
import { forEachLimited, progress, round } from './stats';
import { untilCount } from './wait';

export interface WaitingResult {
  jobs: number;
  secondsToStartAll: number;
  secondsToDrain: number;
  drainJobsPerSecond: number;
  completed: number;
  worker: { idle: Memory; waiting: Memory; peakMb: number };
  devServer: { before: Memory; waiting: Memory };
  workerKiBPerWaitingJob: number;
  devServerKiBPerWaitingJob: number;
}

export async function runWaiting(env: BenchEnvironment, jobs: number): Promise<WaitingResult> {
  const { worker, taskQueue } = await env.startPollbackWorker();
  // No download and no notification: this measures waiting and waking, not the finish.
  const input = callbackJob({ waitTime: 3_600, drop: true, download: false });
  try {
    await sleep(2_000); // let the fresh worker settle before its idle figure
    const idle = memoryOf(worker.pid);
    const serverBefore = memoryOf(env.server.pid);
    const started = Date.now();
    const ids: { workflowId: string; runId: string }[] = [];
    await forEachLimited(jobs, 50, async () => {
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `wait-${randomUUID()}`, args: [input] });
      ids.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
    }, progress('jobs started', jobs));
    await untilCount(env.client, `TaskQueue = '${taskQueue}' AND PollbackPhase = 'waiting-callback'`, jobs, progress('jobs waiting', jobs, 10_000), 15 * 60_000);
    const secondsToStartAll = (Date.now() - started) / 1000;
    await sleep(2_000);
    const waiting = memoryOf(worker.pid);
    const serverWaiting = memoryOf(env.server.pid);
    console.log(`  ${jobs} jobs waiting: worker RSS ${waiting.rssMb.toFixed(0)} MiB (idle ${idle.rssMb.toFixed(0)}), dev server RSS ${serverWaiting.rssMb.toFixed(0)} MiB`);

    const released = Date.now();
    let completed = 0;
    await forEachLimited(ids.length, 50, async (index) => {
      const { workflowId, runId } = ids[index] ?? { workflowId: '', runId: '' };
      const token = mintToken(env.keyring, { workflowId, runId, expiresAt: Date.now() + 3_600_000 });
      const res = await request(`${env.gatewayUrl}/v1/callbacks/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"success","output":{"rows":1}}' });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`gateway answered ${res.statusCode} releasing ${workflowId}`);
    }, progress('callbacks sent', jobs));
    await forEachLimited(ids.length, 200, async (index) => {
      await env.client.workflow.getHandle(ids[index]?.workflowId ?? '').result();
      completed++;
    }, progress('jobs completed', jobs));
    const secondsToDrain = (Date.now() - released) / 1000;
    const peak = memoryOf(worker.pid).hwmMb;
    const perJob = (after: Memory, before: Memory): number => round(((after.rssMb - before.rssMb) * 1024) / jobs);
    return {
      jobs,
      secondsToStartAll: round(secondsToStartAll),
      secondsToDrain: round(secondsToDrain),
      drainJobsPerSecond: round(jobs / secondsToDrain),
      completed,
      worker: { idle, waiting, peakMb: round(peak) },
      devServer: { before: serverBefore, waiting: serverWaiting },
      workerKiBPerWaitingJob: perJob(waiting, idle),
      devServerKiBPerWaitingJob: perJob(serverWaiting, serverBefore),
    };
  } finally {
    await worker.stop();
  }
}
