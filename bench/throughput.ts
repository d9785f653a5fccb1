// Goal 1: callback-mode jobs end to end (start → simulator callback → resume → 1 KiB download
// with its sha256 → signed webhook), three ways side by side in one run, each on a worker
// process of its own:
// - Pollback: the product, its callback through the gateway;
// - hand-written: the same work as a user would write it with the Temporal SDK alone
//   (bench/handwritten/: three activities, a node:http endpoint verifying an HMAC token);
// - bare: Temporal's own floor, one no-op activity and a signal from the client (bench/baseline/).
// The simulator, the gateway and the endpoint run as processes of their own, so each one's CPU
// per job is read from /proc; history events are counted per job by type (bench/history.ts).
import { randomUUID } from 'node:crypto';
import { WORKFLOW_TYPE, type JobResult } from '../src/contract';
import { doneSignal } from './baseline/workflows';
import type { BenchEnvironment } from './environment';
import type { HandwrittenInput, HandwrittenResult } from './handwritten/workflows';
import { compareCounts, countEvents, meanCounts, type CountDifference, type EventCounts } from './history';
import { callbackJob } from './jobs';
import { CpuMeter, threadCpuOf, type ThreadCpu } from './proc';
import { forEachLimited, percentile, progress, round } from './stats';
import type { WorkerHandle } from './worker-handle';

const IN_FLIGHT = 200;
/** Jobs whose histories are read and counted, per side. */
const HISTORY_SAMPLE = 10;

export interface ThroughputSide {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  jobLatencyMs: { p50: number; p99: number };
  /** CPU milliseconds per job, per process. */
  cpuMsPerJob: Record<string, number>;
  /** The worker's CPU milliseconds per job by thread. */
  workerThreadsMsPerJob: ThreadCpu;
  historyEventsPerJob: number;
  /** Mean events per job by type (and activity, signal or search attribute). */
  historyEvents: EventCounts;
}

export interface ThroughputResult {
  pollback: ThroughputSide & { timingsMs: { remote: number; download: number; notify: number }; webhooksReceived: number };
  handwritten: ThroughputSide & { webhooksReceived: number };
  bare: ThroughputSide;
  /** Pollback jobs/s ÷ hand-written jobs/s: the goal. */
  ratio: number;
  /** Pollback jobs/s ÷ bare jobs/s: what today's earlier figure measured. */
  bareRatio: number;
  /** Pollback history events per job ÷ hand-written. */
  eventsRatio: number;
  /** The events Pollback's history has more (or fewer) of than the hand-written one's, per job. */
  extraEvents: CountDifference[];
}

type Processes = Record<string, number>;

async function measure(env: BenchEnvironment, processes: Processes, label: string, jobs: number, runOne: (index: number) => Promise<string>): Promise<ThroughputSide> {
  const latencies: number[] = [];
  const ids: string[] = [];
  const cpu = new CpuMeter({ ...env.temporalPids(), ...processes, driver: process.pid });
  const workerPid = processes.worker ?? -1;
  const threadsBefore = threadCpuOf(workerPid);
  const started = Date.now();
  await forEachLimited(jobs, IN_FLIGHT, async (index) => {
    const t0 = Date.now();
    ids.push(await runOne(index));
    latencies.push(Date.now() - t0);
  }, progress(label, jobs));
  const seconds = (Date.now() - started) / 1000;
  const used = cpu.read();
  const threadsAfter = threadCpuOf(workerPid);
  const perJobMs = (seconds: number): number => round((seconds * 1000) / jobs);
  const histories = await Promise.all(ids.slice(0, HISTORY_SAMPLE).map(async (id) => (await env.client.workflow.getHandle(id).fetchHistory()).events ?? []));
  return {
    jobs,
    seconds: round(seconds),
    jobsPerSecond: round(jobs / seconds),
    jobLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    cpuMsPerJob: Object.fromEntries(Object.entries(used).map(([name, s]) => [name, perJobMs(s)])),
    workerThreadsMsPerJob: {
      main: perJobMs(threadsAfter.main - threadsBefore.main),
      core: perJobMs(threadsAfter.core - threadsBefore.core),
      otherThreads: perJobMs(threadsAfter.otherThreads - threadsBefore.otherThreads),
    },
    historyEventsPerJob: round(histories.reduce((sum, events) => sum + events.length, 0) / histories.length),
    historyEvents: meanCounts(histories.map((events) => countEvents(events))),
  };
}

/** Warms a worker up, measures it, and stops it whatever happens. */
async function side<T>(worker: WorkerHandle, jobs: number, warm: () => Promise<unknown>, run: () => Promise<T>): Promise<T> {
  try {
    await forEachLimited(Math.min(50, jobs), IN_FLIGHT, async () => void (await warm()));
    return await run();
  } finally {
    await worker.stop();
  }
}

async function runBare(env: BenchEnvironment, jobs: number): Promise<ThroughputSide> {
  const { worker, taskQueue } = await env.startBaselineWorker();
  const one = async (): Promise<string> => {
    const handle = await env.client.workflow.start('bareJob', { taskQueue, workflowId: `bare-${randomUUID()}` });
    await handle.signal(doneSignal, { ok: true });
    await handle.result();
    return handle.workflowId;
  };
  return side(worker, jobs, one, () => measure(env, { worker: worker.pid }, 'bare jobs', jobs, one));
}

async function runHandwritten(env: BenchEnvironment, jobs: number, simulator: { url: string; pid: number }): Promise<ThroughputResult['handwritten']> {
  const endpoint = await env.startService('endpoint');
  try {
    const { worker, taskQueue } = await env.startHandwrittenWorker({ simulatorUrl: simulator.url, callbackUrl: endpoint.url });
    const input: HandwrittenInput = { waitTime: 0, webhookUrl: env.webhook.url };
    const one = async (): Promise<string> => {
      const handle = await env.client.workflow.start('handwrittenJob', { taskQueue, workflowId: `hw-${randomUUID()}`, args: [input] });
      const result = (await handle.result()) as HandwrittenResult;
      if (result.file.bytes !== 1024 || !/^[0-9a-f]{64}$/.test(result.file.sha256)) throw new Error(`hand-written job ${handle.workflowId} did not finish as expected: ${JSON.stringify(result)}`);
      return handle.workflowId;
    };
    return await side(worker, jobs, one, async () => {
      const hooksBefore = env.webhook.received();
      const measured = await measure(env, { worker: worker.pid, endpoint: endpoint.pid, simulator: simulator.pid }, 'hand-written jobs', jobs, one);
      return { ...measured, webhooksReceived: env.webhook.received() - hooksBefore };
    });
  } finally {
    await endpoint.stop();
  }
}

async function runPollback(env: BenchEnvironment, jobs: number, simulator: { url: string; pid: number }): Promise<ThroughputResult['pollback']> {
  const gateway = await env.startService('gateway');
  try {
    const { worker, taskQueue } = await env.startPollbackWorker({ simulatorUrl: simulator.url, gatewayUrl: gateway.url });
    const input = callbackJob({ waitTime: 0, webhookUrl: env.webhook.url });
    const timings = { remote: 0, download: 0, notify: 0 };
    const one = async (record: boolean): Promise<string> => {
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
    return await side(worker, jobs, () => one(false), async () => {
      const hooksBefore = env.webhook.received();
      const measured = await measure(env, { worker: worker.pid, gateway: gateway.pid, simulator: simulator.pid }, 'pollback jobs', jobs, () => one(true));
      return {
        ...measured,
        timingsMs: { remote: round(timings.remote / jobs), download: round(timings.download / jobs), notify: round(timings.notify / jobs) },
        webhooksReceived: env.webhook.received() - hooksBefore,
      };
    });
  } finally {
    await gateway.stop();
  }
}

export async function runThroughput(env: BenchEnvironment, jobs: number): Promise<ThroughputResult> {
  const bare = await runBare(env, jobs);
  const simulator = await env.startService('simulator');
  let handwritten: ThroughputResult['handwritten'];
  let pollback: ThroughputResult['pollback'];
  try {
    handwritten = await runHandwritten(env, jobs, simulator);
    pollback = await runPollback(env, jobs, simulator);
  } finally {
    await simulator.stop();
  }
  return {
    pollback,
    handwritten,
    bare,
    ratio: round(pollback.jobsPerSecond / handwritten.jobsPerSecond),
    bareRatio: round(pollback.jobsPerSecond / bare.jobsPerSecond),
    eventsRatio: round(pollback.historyEventsPerJob / handwritten.historyEventsPerJob),
    extraEvents: compareCounts(pollback.historyEvents, handwritten.historyEvents),
  };
}
