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
import { startSearchAttributes, WORKFLOW_TYPE } from '../src/contract/names';
import type { JobResult } from '../src/contract/job-status';
import { doneSignal } from './baseline/workflows';
import type { BenchEnvironment } from './environment';
import type { HandwrittenInput, HandwrittenResult } from './handwritten/workflows';
import { compareCounts, countEvents, meanCounts, type CountDifference, type EventCounts } from './history';
import { callbackJob } from './jobs';
import { CpuMeter, threadCpuOf, type ThreadCpu } from './proc';
import { forEachLimited, percentile, progress, round } from './stats';
import type { WorkerHandle } from './worker-handle';

const IN_FLIGHT = 200;
/** Measured rounds per side, alternating. */
const ROUNDS = 4;
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
  /** Hand-written CPU per job ÷ Pollback's, all processes: the jobs/s ratio a CPU-bound machine would give, whatever else loads it. */
  cpuRatio: number;
  /** Pollback history events per job ÷ hand-written. */
  eventsRatio: number;
  /** The events Pollback's history has more (or fewer) of than the hand-written one's, per job. */
  extraEvents: CountDifference[];
}

type Processes = Record<string, number>;

/** One way of running the job, measured over several rounds that alternate with the others'. */
interface Contender {
  label: string;
  /** Processes whose CPU is its cost (the dev server and the driver are added). */
  processes: Processes;
  /** Runs one job to its end; returns its workflow id. */
  runOne(measured: boolean): Promise<string>;
  /** Everything measured so far, summed over rounds. */
  seconds: number;
  jobs: number;
  latencies: number[];
  ids: string[];
  cpuSeconds: Record<string, number>;
  threadSeconds: ThreadCpu;
}

function contender(label: string, processes: Processes, runOne: (measured: boolean) => Promise<string>): Contender {
  return { label, processes, runOne, seconds: 0, jobs: 0, latencies: [], ids: [], cpuSeconds: {}, threadSeconds: { main: 0, core: 0, otherThreads: 0 } };
}

async function measureRound(env: BenchEnvironment, c: Contender, jobs: number): Promise<void> {
  const cpu = new CpuMeter({ ...env.temporalPids(), ...c.processes, driver: process.pid });
  const workerPid = c.processes.worker ?? -1;
  const threadsBefore = threadCpuOf(workerPid);
  const started = Date.now();
  await forEachLimited(jobs, IN_FLIGHT, async () => {
    const t0 = Date.now();
    c.ids.push(await c.runOne(true));
    c.latencies.push(Date.now() - t0);
  }, progress(c.label, jobs));
  c.seconds += (Date.now() - started) / 1000;
  c.jobs += jobs;
  for (const [name, s] of Object.entries(cpu.read())) c.cpuSeconds[name] = (c.cpuSeconds[name] ?? 0) + s;
  const threadsAfter = threadCpuOf(workerPid);
  for (const key of ['main', 'core', 'otherThreads'] as const) c.threadSeconds[key] += threadsAfter[key] - threadsBefore[key];
}

async function summarise(env: BenchEnvironment, c: Contender): Promise<ThroughputSide> {
  const perJobMs = (seconds: number): number => round((seconds * 1000) / c.jobs);
  const histories = await Promise.all(c.ids.slice(0, HISTORY_SAMPLE).map(async (id) => (await env.client.workflow.getHandle(id).fetchHistory()).events ?? []));
  return {
    jobs: c.jobs,
    seconds: round(c.seconds),
    jobsPerSecond: round(c.jobs / c.seconds),
    jobLatencyMs: { p50: percentile(c.latencies, 50), p99: percentile(c.latencies, 99) },
    cpuMsPerJob: Object.fromEntries(Object.entries(c.cpuSeconds).map(([name, s]) => [name, perJobMs(s)])),
    workerThreadsMsPerJob: { main: perJobMs(c.threadSeconds.main), core: perJobMs(c.threadSeconds.core), otherThreads: perJobMs(c.threadSeconds.otherThreads) },
    historyEventsPerJob: round(histories.reduce((sum, events) => sum + events.length, 0) / histories.length),
    historyEvents: meanCounts(histories.map((events) => countEvents(events))),
  };
}

function bare(env: BenchEnvironment, worker: WorkerHandle, taskQueue: string): Contender {
  return contender('bare jobs', { worker: worker.pid }, async () => {
    const handle = await env.client.workflow.start('bareJob', { taskQueue, workflowId: `bare-${randomUUID()}` });
    await handle.signal(doneSignal, { ok: true });
    await handle.result();
    return handle.workflowId;
  });
}

function handwritten(env: BenchEnvironment, processes: Processes, taskQueue: string): Contender {
  const input: HandwrittenInput = { waitTime: 0, webhookUrl: env.webhook.url };
  return contender('hand-written jobs', processes, async () => {
    const handle = await env.client.workflow.start('handwrittenJob', { taskQueue, workflowId: `hw-${randomUUID()}`, args: [input] });
    const result = (await handle.result()) as HandwrittenResult;
    if (result.file.bytes !== 1024 || !/^[0-9a-f]{64}$/.test(result.file.sha256)) throw new Error(`hand-written job ${handle.workflowId} did not finish as expected: ${JSON.stringify(result)}`);
    return handle.workflowId;
  });
}

function pollback(env: BenchEnvironment, processes: Processes, taskQueue: string, timings: { remote: number; download: number; notify: number }): Contender {
  const input = callbackJob({ waitTime: 0, webhookUrl: env.webhook.url });
  return contender('pollback jobs', processes, async (measured) => {
    // Started as the gateway starts jobs: indexed under its profile and phase from the start.
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: `tp-${randomUUID()}`, args: [input], typedSearchAttributes: startSearchAttributes(typeof input.profile === 'string' ? input.profile : input.profile.name) });
    const result = (await handle.result()) as JobResult;
    if (result.via !== 'callback' || !result.file || result.notifications.some((n) => !n.sent)) throw new Error(`throughput job ${handle.workflowId} did not finish as expected: ${JSON.stringify(result)}`);
    if (measured) {
      timings.remote += result.timings.remoteMs;
      timings.download += result.timings.downloadMs ?? 0;
      timings.notify += result.timings.notifyMs ?? 0;
    }
    return handle.workflowId;
  });
}

/**
 * Every process up at once (an idle worker costs next to nothing), each side warmed up, then
 * `rounds` rounds, each running jobs/rounds jobs of every side in turn: on a machine shared with
 * other work, a burst of outside load then hits all three sides alike.
 */
export async function runThroughput(env: BenchEnvironment, jobs: number, rounds = ROUNDS): Promise<ThroughputResult> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const simulator = await env.startService('simulator');
    stops.push(() => simulator.stop());
    const endpoint = await env.startService('endpoint');
    stops.push(() => endpoint.stop());
    const gateway = await env.startService('gateway');
    stops.push(() => gateway.stop());
    const bareWorker = await env.startBaselineWorker();
    stops.push(() => bareWorker.worker.stop());
    const hwWorker = await env.startHandwrittenWorker({ simulatorUrl: simulator.url, callbackUrl: endpoint.url });
    stops.push(() => hwWorker.worker.stop());
    const pbWorker = await env.startPollbackWorker({ simulatorUrl: simulator.url, gatewayUrl: gateway.url });
    stops.push(() => pbWorker.worker.stop());

    const timings = { remote: 0, download: 0, notify: 0 };
    const sides = {
      bare: bare(env, bareWorker.worker, bareWorker.taskQueue),
      handwritten: handwritten(env, { worker: hwWorker.worker.pid, endpoint: endpoint.pid, simulator: simulator.pid }, hwWorker.taskQueue),
      pollback: pollback(env, { worker: pbWorker.worker.pid, gateway: gateway.pid, simulator: simulator.pid }, pbWorker.taskQueue, timings),
    };
    const perRound = Math.max(1, Math.floor(jobs / rounds));
    for (const c of Object.values(sides)) await forEachLimited(Math.min(50, perRound), IN_FLIGHT, async () => void (await c.runOne(false)));
    const hooksBefore = env.webhook.received();
    let pollbackHooks = 0;
    for (let round = 1; round <= rounds; round++) {
      console.log(`  round ${round}/${rounds}`);
      for (const c of Object.values(sides)) {
        const before = env.webhook.received();
        await measureRound(env, c, perRound);
        if (c === sides.pollback) pollbackHooks += env.webhook.received() - before;
      }
    }
    const [b, h, p] = await Promise.all([summarise(env, sides.bare), summarise(env, sides.handwritten), summarise(env, sides.pollback)]);
    const pollbackSide = {
      ...p,
      timingsMs: { remote: round(timings.remote / p.jobs), download: round(timings.download / p.jobs), notify: round(timings.notify / p.jobs) },
      webhooksReceived: pollbackHooks,
    };
    const handwrittenSide = { ...h, webhooksReceived: env.webhook.received() - hooksBefore - pollbackHooks };
    return {
      pollback: pollbackSide,
      handwritten: handwrittenSide,
      bare: b,
      ratio: round(p.jobsPerSecond / h.jobsPerSecond),
      bareRatio: round(p.jobsPerSecond / b.jobsPerSecond),
      cpuRatio: round(totalCpu(h) / totalCpu(p)),
      eventsRatio: round(p.historyEventsPerJob / h.historyEventsPerJob),
      extraEvents: compareCounts(p.historyEvents, h.historyEvents),
    };
  } finally {
    for (const stop of [...stops].reverse()) await stop();
  }
}

/** CPU milliseconds per job summed over every process that served it. */
export function totalCpu(side: ThroughputSide): number {
  return Object.values(side.cpuMsPerJob).reduce((a, b) => a + b, 0);
}
