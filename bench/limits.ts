// `npm run bench -- --limits [--jobs N]`: 500 poll-mode jobs against one API (the simulator's
// LRO style, every answer held 200 ms) with two Pollback worker processes on one task queue —
// first without limits, then with the profile's `limits` — and what the API saw each time: the
// most requests in flight at once and within any one second, beside the limits, and the total
// time. All on loopback: a Temporal dev server, the simulator, `src/worker.ts` processes.
// Bounded: each run is abandoned after 15 minutes. Writes bench/results/limits-<timestamp>.json
// and limits-latest.json.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Limits } from '../src/contract/profile/schema';
import { startSimulator } from '../dev/simulator';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { startDevServer } from '../src/temporal/dev-server';
import { bundlePollbackWorkflows } from '../src/worker';
import { apiTaskQueueName, runLroJobs, startWorkerProcess, waitForPollers, writeLroProfile, type LimitsRun } from '../test/helpers/limits';
import { describeMachine, table, type Row } from './report';

const LIMITS = { concurrency: 5, perSecond: 8 } satisfies Limits;
const WORKER_PROCESSES = 2;
const LATENCY_MS = 200;
const RUN_TIMEOUT_MS = 15 * 60_000;
const CREDENTIALS = { bearerToken: 'bench-sim-bearer-token-0001', apiKey: 'bench-sim-api-key-0001' };

function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${RUN_TIMEOUT_MS / 60_000} minutes`)), RUN_TIMEOUT_MS)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function runLimitsBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: argv.filter((a) => a !== '--limits'), options: { jobs: { type: 'string', default: '500' } }, strict: true });
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs <= 0) throw new Error(`--jobs must be a positive integer, got "${values.jobs}"`);
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  console.log(`pollback bench --limits: ${jobs} jobs, ${WORKER_PROCESSES} worker processes, limits ${JSON.stringify(LIMITS)}, answers held ${LATENCY_MS} ms, on ${machine.cpus} × ${machine.cpuModel}`);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-bench-limits-'));
  const server = await startDevServer({ cli: await ensureTemporalCli(), dbFile: path.join(tmp, 'temporal.sqlite') });
  const sim = await startSimulator({ credentials: CREDENTIALS });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const workers: ReturnType<typeof startWorkerProcess>[] = [];
  const runs: Record<'unlimited' | 'limited', LimitsRun> = {} as Record<'unlimited' | 'limited', LimitsRun>;
  try {
    const bundle = path.join(tmp, 'workflows.js');
    await writeFile(bundle, await bundlePollbackWorkflows());
    const profiles = path.join(tmp, 'profiles');
    await mkdir(profiles);
    await writeLroProfile(profiles, 'api-unlimited');
    await writeLroProfile(profiles, 'api-limited', LIMITS);
    const taskQueue = `bench-limits-${randomUUID()}`;
    const env = {
      TEMPORAL_ADDRESS: server.address,
      POLLBACK_TASK_QUEUE: taskQueue,
      POLLBACK_PROFILES_DIR: profiles,
      POLLBACK_WORKER_PROCESSES: String(WORKER_PROCESSES),
      POLLBACK_WORKFLOW_BUNDLE: bundle,
      POLLBACK_DOWNLOAD_DIR: path.join(tmp, 'downloads'),
      SIMULATOR_URL: sim.url,
      SIMULATOR_BEARER_TOKEN: CREDENTIALS.bearerToken,
    };
    for (let i = 0; i < WORKER_PROCESSES; i++) workers.push(startWorkerProcess(env));
    await waitForPollers(client, taskQueue, WORKER_PROCESSES, 'workflow', workers);
    await waitForPollers(client, apiTaskQueueName(taskQueue, 'api-limited'), WORKER_PROCESSES, 'activity', workers);
    for (const [name, profile] of [['unlimited', 'api-unlimited'], ['limited', 'api-limited']] as const) {
      console.log(`\n▶ ${jobs} jobs, ${name === 'limited' ? `limits ${JSON.stringify(LIMITS)}` : 'no limits'}`);
      runs[name] = await bounded(`the ${name} run`, runLroJobs({ client, simUrl: sim.url, taskQueue, profile, jobs, latencyMs: LATENCY_MS, progress: (line) => console.log(`  ${line}`) }));
      console.log(`  done: ${runs[name].succeeded}/${jobs} succeeded in ${runs[name].seconds.toFixed(1)} s`);
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await connection.close();
    await sim.close();
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  }
  const { limited, unlimited } = runs;
  const fmt = (n: number | undefined): string => String(n ?? '?');
  const rows: Row[] = [
    { benchmark: 'limits', figure: 'most requests in flight at once', pollback: fmt(limited.load?.maxInFlight), baseline: fmt(unlimited.load?.maxInFlight), goal: `≤ ${LIMITS.concurrency}`, met: (limited.load?.maxInFlight ?? Infinity) <= LIMITS.concurrency },
    { benchmark: 'limits', figure: 'most requests within one second (sliding)', pollback: fmt(limited.load?.maxPerSecond), baseline: fmt(unlimited.load?.maxPerSecond), goal: `≈ ${LIMITS.perSecond} (burst after idle allowed)` },
    { benchmark: 'limits', figure: 'most requests within five seconds (sliding)', pollback: fmt(limited.load?.maxPer5Seconds), baseline: fmt(unlimited.load?.maxPer5Seconds), goal: `≈ ${5 * LIMITS.perSecond}` },
    { benchmark: 'limits', figure: 'mean requests per second', pollback: ((limited.load?.requests ?? 0) / limited.seconds).toFixed(1), baseline: ((unlimited.load?.requests ?? 0) / unlimited.seconds).toFixed(1), goal: `≤ ${LIMITS.perSecond}`, met: (limited.load?.requests ?? 0) / limited.seconds <= LIMITS.perSecond },
    { benchmark: 'limits', figure: 'requests to the API', pollback: fmt(limited.load?.requests), baseline: fmt(unlimited.load?.requests) },
    { benchmark: 'limits', figure: `${jobs} jobs, total time`, pollback: `${limited.seconds.toFixed(1)} s`, baseline: `${unlimited.seconds.toFixed(1)} s`, ratio: (limited.seconds / unlimited.seconds).toFixed(2), goal: `≥ ${((limited.load?.requests ?? 0) / LIMITS.perSecond).toFixed(0)} s (requests / perSecond)` },
    { benchmark: 'limits', figure: 'jobs succeeded', pollback: `${limited.succeeded}/${jobs}`, baseline: `${unlimited.succeeded}/${jobs}`, met: limited.succeeded === jobs },
  ];
  console.log(`\n(baseline: the same jobs and API without limits)\n${table(rows)}\n`);
  const dir = path.join(__dirname, 'results');
  await mkdir(dir, { recursive: true });
  const text = `${JSON.stringify({ options: { jobs, limits: LIMITS, workerProcesses: WORKER_PROCESSES, latencyMs: LATENCY_MS }, machine, startedAt, rows, details: runs }, null, 2)}\n`;
  const file = path.join(dir, `limits-${startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, text);
  await writeFile(path.join(dir, 'limits-latest.json'), text);
  console.log(`results in ${path.relative(process.cwd(), file)} and bench/results/limits-latest.json`);
}
