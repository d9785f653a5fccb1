// Shared by the limits test and `npm run bench -- --limits`: Pollback worker processes exactly
// as production starts them (`src/worker.ts`, configured by the environment, profiles from a
// folder), and jobs against a copy of the built-in LRO profile with limits of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { apiTaskQueueName } from '../../src/limits/queues';
import { BUILTIN_PROFILES_DIR } from '../../src/profiles/loader';
import type { Limits } from '../../src/contract/profile/schema';
import type { StyleLoad } from '../../dev/simulator';
import type { asyncJob } from '../../src/workflows/async-job';

const root = path.resolve(__dirname, '../..');

/** Writes `<dir>/<name>.yaml`: the built-in lro-export profile under another name, with limits when given. */
export async function writeLroProfile(dir: string, name: string, limits?: Limits): Promise<void> {
  const builtin = await readFile(path.join(BUILTIN_PROFILES_DIR, 'lro-export.yaml'), 'utf8');
  const renamed = builtin.replace(/^name: lro-export$/m, `name: ${name}`);
  const withLimits = limits ? `${renamed}\nlimits: ${JSON.stringify(limits)}\n` : renamed;
  await writeFile(path.join(dir, `${name}.yaml`), withLimits);
}

export interface WorkerProcess {
  pid: number;
  output(): string;
  /** The exit code once the process has ended, else undefined. */
  exitCode(): number | null | undefined;
  /** SIGTERM (the SDK drains every worker), SIGKILL after 20 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));

/** `node --import tsx src/worker.ts` with this environment added. */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', path.join(root, 'src/worker.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  return {
    pid: child.pid ?? -1,
    output: () => output,
    exitCode: () => (child.exitCode === null && child.signalCode === null ? undefined : child.exitCode),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Waits until `count` distinct workers poll the task queue for activities (or workflows); fails as soon as one of the processes ends. */
export async function waitForPollers(client: Client, taskQueue: string, count: number, kind: 'activity' | 'workflow', workers: readonly WorkerProcess[]): Promise<void> {
  const output = (): string => workers.map((w) => `worker ${w.pid}:\n${w.output()}`).join('\n---\n');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ended = workers.find((w) => w.exitCode() !== undefined);
    if (ended) throw new Error(`worker process ${ended.pid} exited (${ended.exitCode()}) before it served task queue "${taskQueue}":\n${output()}`);
    const described = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: kind === 'activity' ? 2 : 1 });
    if (new Set(described.pollers.map((p) => p.identity)).size >= count) return;
    await sleep(250);
  }
  throw new Error(`fewer than ${count} workers poll task queue "${taskQueue}" after 60 s:\n${output()}`);
}

export interface LimitsRun {
  jobs: number;
  succeeded: number;
  seconds: number;
  load: StyleLoad | undefined;
}

/**
 * `jobs` poll-mode jobs against `profile`, all started at once, each a slow start, one status
 * read and a slow download (three requests held `latencyMs` each); the simulator's LRO load is
 * reset first and read after the last job ends.
 */
export async function runLroJobs(opts: { client: Client; simUrl: string; taskQueue: string; profile: string; jobs: number; latencyMs: number; progress?: (line: string) => void }): Promise<LimitsRun> {
  const { client, simUrl, taskQueue, profile, jobs, latencyMs } = opts;
  await fetch(`${simUrl}/__sim/reset`, { method: 'POST' });
  const scenario = JSON.stringify({ durationMs: 0, latencyMs, resultSize: 256 });
  const t0 = Date.now();
  const handles = await Promise.all(Array.from({ length: jobs }, (_, i) =>
    client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `limits-${profile}-${i}-${randomUUID()}`,
      args: [{ profile, params: { dataset: `d${i}`, format: 'csv', scenario }, completion: { mode: 'poll', timeout: '10m', poll: { interval: '500ms', backoff: 1 } } }],
    })));
  const readLoad = async (): Promise<StyleLoad | undefined> => ((await (await fetch(`${simUrl}/__sim/counters`)).json()) as { load: { lro?: StyleLoad } }).load.lro;
  let finished = 0;
  const ticker = opts.progress && setInterval(() => {
    void readLoad().then((load) => opts.progress?.(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${finished}/${jobs} jobs done, ${load?.requests ?? 0} requests, ${load?.inFlight ?? 0} in flight (most ${load?.maxInFlight ?? 0}), most within a second ${load?.maxPerSecond ?? 0}`));
  }, 5_000);
  const results = await Promise.allSettled(handles.map((h) => h.result().finally(() => (finished += 1))));
  if (ticker) clearInterval(ticker);
  const seconds = (Date.now() - t0) / 1000;
  return { jobs, succeeded: results.filter((r) => r.status === 'fulfilled').length, seconds, load: await readLoad() };
}

export { apiTaskQueueName };
