// `npm run bench -- --cluster [--quick] [--jobs N] [--samples N]`: Pollback on a real Temporal
// cluster (PostgreSQL + four services as separate processes, dev/cluster/) beside the dev
// server, in one run and with the same code: callback-mode jobs end to end with one and with two
// worker processes on one task queue, and callback latency through the gateway against a direct
// signal. Where the CPU goes per job — each Temporal process (PostgreSQL with its backends),
// the workers, the driver (which hosts the gateway, simulator and webhook receiver) — says what
// limits it. Writes bench/results/cluster-<timestamp>.json and cluster-latest.json.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WORKFLOW_TYPE } from '../src/contract/names';
import type { JobResult } from '../src/contract/job-status';
import { startEnvironment, type BenchEnvironment, type TemporalKind } from './environment';
import { callbackJob } from './jobs';
import { runLatency, type LatencyResult } from './latency';
import { cpuSecondsOf, treeCpuSecondsOf } from './proc';
import { describeMachine, table, type Row } from './report';
import { forEachLimited, percentile, progress, round } from './stats';
import type { WorkerHandle } from './worker-handle';

const IN_FLIGHT = 200;
const KINDS: readonly TemporalKind[] = ['dev-server', 'cluster'];

interface Throughput {
  workers: number;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  /** CPU ms per job by process (Temporal's by name, `workers`, `driver`). */
  cpuMsPerJob: Record<string, number>;
  /** Share of the machine's cores busy with these processes during the run. */
  cpuBusy: number;
}

interface KindResult {
  kind: TemporalKind;
  throughput: Throughput[];
  latency: LatencyResult;
}

/** Callback jobs end to end on `workers` worker processes sharing one task queue and download folder. */
async function throughput(env: BenchEnvironment, workers: number, jobs: number, cores: number): Promise<Throughput> {
  const first = await env.startPollbackWorker();
  const handles: WorkerHandle[] = [first.worker];
  try {
    for (let i = 1; i < workers; i++) handles.push((await env.startPollbackWorker({ taskQueue: first.taskQueue, downloadDir: first.downloadDir })).worker);
    const input = callbackJob({ waitTime: 0, webhookUrl: env.webhook.url });
    const runOne = async (): Promise<void> => {
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: first.taskQueue, workflowId: `ctp-${randomUUID()}`, args: [input] });
      const result = (await handle.result()) as JobResult;
      if (result.via !== 'callback' || !result.file) throw new Error(`job ${handle.workflowId} did not finish as expected: ${JSON.stringify(result)}`);
    };
    await forEachLimited(Math.min(50, jobs), IN_FLIGHT, runOne);
    const pids: Record<string, number> = { ...env.temporalPids() };
    handles.forEach((h, i) => (pids[`worker${i + 1}`] = h.pid));
    // PostgreSQL's work is done in its backends, children of the postmaster; everything else is
    // one process. The driver is this process alone (its children are the processes above).
    const cpuOf = (name: string, pid: number): number => (name === 'postgres' ? treeCpuSecondsOf(pid) : cpuSecondsOf(pid));
    const driverCpu = (): number => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
    const before: Record<string, number> = { ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuOf(name, pid)])), driver: driverCpu() };
    const latencies: number[] = [];
    const started = Date.now();
    await forEachLimited(jobs, IN_FLIGHT, async () => {
      const t0 = Date.now();
      await runOne();
      latencies.push(Date.now() - t0);
    }, progress(`${env.kind}, ${workers} worker(s)`, jobs));
    const seconds = (Date.now() - started) / 1000;
    const used: Record<string, number> = { ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuOf(name, pid) - (before[name] ?? 0)])), driver: driverCpu() - (before.driver ?? 0) };
    // The workers as one figure: how they share the work is not the question here.
    const workersCpu = Object.entries(used).filter(([name]) => name.startsWith('worker') && /\d$/.test(name)).reduce((sum, [, s]) => sum + s, 0);
    const byProcess = Object.fromEntries(Object.entries(used).filter(([name]) => !(name.startsWith('worker') && /\d$/.test(name))));
    byProcess.workers = workersCpu;
    const totalCpu = Object.values(byProcess).reduce((a, b) => a + b, 0);
    return {
      workers,
      jobs,
      seconds: round(seconds),
      jobsPerSecond: round(jobs / seconds),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      cpuMsPerJob: Object.fromEntries(Object.entries(byProcess).map(([name, s]) => [name, round((s * 1000) / jobs, 1)])),
      cpuBusy: round(totalCpu / (seconds * cores)),
    };
  } finally {
    await Promise.all(handles.map((h) => h.stop()));
  }
}

const cpuText = (t: Throughput): string => Object.entries(t.cpuMsPerJob).sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms}`).join(', ');

function rows(dev: KindResult, cluster: KindResult): Row[] {
  const out: Row[] = [];
  for (const workers of [1, 2]) {
    const c = cluster.throughput.find((t) => t.workers === workers);
    const d = dev.throughput.find((t) => t.workers === workers);
    if (!c || !d) continue;
    out.push(
      { benchmark: 'cluster', figure: `jobs/s, ${workers} worker${workers > 1 ? 's' : ''} (${c.jobs} callback jobs, ${IN_FLIGHT} in flight)`, pollback: String(c.jobsPerSecond), baseline: String(d.jobsPerSecond), ratio: `${round(c.jobsPerSecond / d.jobsPerSecond)}×` },
      { benchmark: 'cluster', figure: `job latency p50 / p99 under load, ${workers} worker${workers > 1 ? 's' : ''} (ms)`, pollback: `${c.latencyMs.p50} / ${c.latencyMs.p99}`, baseline: `${d.latencyMs.p50} / ${d.latencyMs.p99}` },
      { benchmark: 'cluster', figure: `CPU ms per job, ${workers} worker${workers > 1 ? 's' : ''}`, pollback: cpuText(c), baseline: cpuText(d) },
      { benchmark: 'cluster', figure: `cores busy, ${workers} worker${workers > 1 ? 's' : ''}`, pollback: `${Math.round(c.cpuBusy * 100)} %`, baseline: `${Math.round(d.cpuBusy * 100)} %` },
    );
  }
  const scale = (r: KindResult): number => {
    const [one, two] = [1, 2].map((w) => r.throughput.find((t) => t.workers === w)?.jobsPerSecond ?? NaN);
    return round((two ?? NaN) / (one ?? NaN));
  };
  out.push(
    { benchmark: 'cluster', figure: 'speed-up from a second worker', pollback: `${scale(cluster)}×`, baseline: `${scale(dev)}×` },
    { benchmark: 'cluster', figure: `callback → workflow resumed p50 / p99 (ms, ${cluster.latency.gateway.samples} + ${cluster.latency.direct.samples} samples)`, pollback: `${cluster.latency.gateway.resumedMs.p50} / ${cluster.latency.gateway.resumedMs.p99}`, baseline: `${dev.latency.gateway.resumedMs.p50} / ${dev.latency.gateway.resumedMs.p99}` },
    { benchmark: 'cluster', figure: 'direct signal → workflow resumed p50 / p99 (ms)', pollback: `${cluster.latency.direct.resumedMs.p50} / ${cluster.latency.direct.resumedMs.p99}`, baseline: `${dev.latency.direct.resumedMs.p50} / ${dev.latency.direct.resumedMs.p99}` },
    { benchmark: 'cluster', figure: 'gateway overhead over a direct signal, p50 (ms)', pollback: String(cluster.latency.overheadP50Ms), baseline: String(dev.latency.overheadP50Ms) },
    { benchmark: 'cluster', figure: 'caller answered p50 / p99 (ms)', pollback: `${cluster.latency.gateway.answeredMs.p50} / ${cluster.latency.gateway.answeredMs.p99}`, baseline: `${dev.latency.gateway.answeredMs.p50} / ${dev.latency.gateway.answeredMs.p99}` },
  );
  return out;
}

export async function runClusterBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { cluster: { type: 'boolean' }, quick: { type: 'boolean', default: false }, jobs: { type: 'string' }, samples: { type: 'string' } }, strict: true });
  const jobs = Number(values.jobs ?? (values.quick ? 100 : 600));
  const samples = Number(values.samples ?? (values.quick ? 20 : 100));
  if (!Number.isInteger(jobs) || jobs < 1 || !Number.isInteger(samples) || samples < 1) throw new Error('--jobs and --samples must be positive integers');
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  console.log(`pollback bench --cluster: ${jobs} jobs per run, ${samples} + ${samples} latency samples, dev server then cluster, on ${machine.cpus} × ${machine.cpuModel}`);
  const results: KindResult[] = [];
  for (const kind of KINDS) {
    const t0 = Date.now();
    console.log(`\n▶ ${kind}`);
    const env = await startEnvironment(kind);
    try {
      const one = await throughput(env, 1, jobs, machine.cpus);
      const two = await throughput(env, 2, jobs, machine.cpus);
      const latency = await runLatency(env, samples);
      results.push({ kind, throughput: [one, two], latency });
    } finally {
      await env.close();
    }
    console.log(`  ${kind} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const [dev, cluster] = results;
  if (!dev || !cluster) throw new Error('a run is missing');
  const table_ = rows(dev, cluster);
  const wallSeconds = round((Date.now() - Date.parse(startedAt)) / 1000, 1);
  console.log(`\n${table(table_).replace('| benchmark | figure | Pollback | baseline |', '| benchmark | figure | cluster | dev server |')}\n`);
  const dir = path.join(__dirname, 'results');
  await mkdir(dir, { recursive: true });
  const text = `${JSON.stringify({ options: { jobs, samples }, machine, startedAt, wallSeconds, rows: table_, details: results }, null, 2)}\n`;
  const file = path.join(dir, `cluster-${startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, text);
  await writeFile(path.join(dir, 'cluster-latest.json'), text);
  console.log(`wall time ${wallSeconds} s; results in ${path.relative(process.cwd(), file)} and bench/results/cluster-latest.json`);
}
