// Goal 1: callback-mode jobs end to end (start → simulator callback through the gateway →
// resume → small download → webhook notify) against a bare Temporal workflow (one activity, one
// signal) on the same server, each on a worker process of its own. Where the time goes: CPU
// seconds per job of each process, history events per job, and the workflow's own timings.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPE, type JobResult } from '../src/contract';
import { doneSignal } from './baseline/workflows';
import type { BenchEnvironment } from './environment';
import { callbackJob, historyLength } from './jobs';
import { CpuMeter } from './proc';
import { forEachLimited, percentile, progress, round } from './stats';

const IN_FLIGHT = 200;

export interface ThroughputSide {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  jobLatencyMs: { p50: number; p99: number };
  /** CPU seconds per job, per process. */
  cpuMsPerJob: Record<string, number>;
  historyEventsPerJob: number;
}

export interface ThroughputResult {
  pollback: ThroughputSide & { timingsMs: { remote: number; download: number; notify: number }; webhooksReceived: number };
  baseline: ThroughputSide;
  ratio: number;
}

async function measure(env: BenchEnvironment, workerPid: number, label: string, jobs: number, runOne: (index: number) => Promise<string>): Promise<ThroughputSide> {
  const latencies: number[] = [];
  const ids: string[] = [];
  const cpu = new CpuMeter({ devServer: env.server.pid, worker: workerPid, driver: process.pid });
  const started = Date.now();
  await forEachLimited(jobs, IN_FLIGHT, async (index) => {
    const t0 = Date.now();
    ids.push(await runOne(index));
    latencies.push(Date.now() - t0);
  }, progress(label, jobs));
  const seconds = (Date.now() - started) / 1000;
  const used = cpu.read();
  const sample = ids.slice(0, 5);
  const events = await Promise.all(sample.map((id) => historyLength(env.client, id)));
  return {
    jobs,
    seconds: round(seconds),
    jobsPerSecond: round(jobs / seconds),
    jobLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    cpuMsPerJob: Object.fromEntries(Object.entries(used).map(([name, s]) => [name, round((s * 1000) / jobs)])),
    historyEventsPerJob: events.reduce((a, b) => a + b, 0) / events.length,
  };
}

async function baselineJob(client: Client, taskQueue: string): Promise<string> {
  const handle = await client.workflow.start('bareJob', { taskQueue, workflowId: `bare-${randomUUID()}` });
  await handle.signal(doneSignal, { ok: true });
  await handle.result();
  return handle.workflowId;
}

export async function runThroughput(env: BenchEnvironment, jobs: number): Promise<ThroughputResult> {
  const warmUp = Math.min(50, jobs);
  const { worker: bareWorker, taskQueue: bareQueue } = await env.startBaselineWorker();
  let baseline: ThroughputSide;
  try {
    await forEachLimited(warmUp, IN_FLIGHT, async () => void (await baselineJob(env.client, bareQueue)));
    baseline = await measure(env, bareWorker.pid, 'baseline jobs', jobs, () => baselineJob(env.client, bareQueue));
  } finally {
    await bareWorker.stop();
  }

  const { worker, taskQueue } = await env.startPollbackWorker();
  const input = callbackJob({ waitTime: 0, webhookUrl: env.webhook.url });
  const timings = { remote: 0, download: 0, notify: 0 };
  const runOne = async (record: boolean): Promise<string> => {
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `tp-${randomUUID()}`, args: [input] });
    const result = (await handle.result()) as JobResult;
    if (result.via !== 'callback' || !result.file || result.notifications.some((n) => !n.sent)) throw new Error(`throughput job ${handle.workflowId} did not finish as expected: ${JSON.stringify(result)}`);
    if (record) {
      timings.remote += result.timings.remoteMs;
      timings.download += result.timings.downloadMs ?? 0;
      timings.notify += result.timings.notifyMs ?? 0;
    }
    return handle.workflowId;
  };
  try {
    await forEachLimited(warmUp, IN_FLIGHT, async () => void (await runOne(false)));
    const hooksBefore = env.webhook.received();
    const pollback = await measure(env, worker.pid, 'pollback jobs', jobs, () => runOne(true));
    return {
      pollback: {
        ...pollback,
        timingsMs: { remote: round(timings.remote / jobs), download: round(timings.download / jobs), notify: round(timings.notify / jobs) },
        webhooksReceived: env.webhook.received() - hooksBefore,
      },
      baseline,
      ratio: round(pollback.jobsPerSecond / baseline.jobsPerSecond),
    };
  } finally {
    await worker.stop();
  }
}
